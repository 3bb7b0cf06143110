"""The procrastinate app on Wirebrief's own PostgreSQL database, and its schema."""

from __future__ import annotations

from dataclasses import dataclass

from wirebrief.errors import ConfigError
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.storage.dialect import is_postgresql, libpq_conninfo

try:
    import procrastinate
except ImportError:  # an optional extra: SQLite installations never need it
    procrastinate = None  # type: ignore[assignment]

# Queues: polls are short and keep sources on schedule, so pages never starve them: a
# worker takes a waiting poll before any page job, however many pages were queued first.
POLL_QUEUE = "polls"
PAGE_QUEUE = "pages"
POLL_PRIORITY = 10  # page jobs have procrastinate's default, 0
SCHEDULER_QUEUE = "scheduler"
WORK_QUEUES = (POLL_QUEUE, PAGE_QUEUE)
# Serialises schema creation when several machines start at once.
_SCHEMA_LOCK = 0x77697265  # "wire"


@dataclass(frozen=True)
class Runtime:
    """What a job needs, handed to it in the job context (no globals)."""

    db: Database
    settings: Settings
    ingestor: object | None = None  # pipeline.Ingestor in workers; None in the scheduler


def make_app(settings: Settings, *, scheduler: bool = False) -> procrastinate.App:
    """The procrastinate app for ``settings.database_url``; ``scheduler`` adds the periodic
    tasks (enqueue due sources, retry stalled jobs)."""
    if procrastinate is None:
        raise ConfigError("the job queue needs procrastinate: pip install 'wirebrief[postgres]'")
    if not is_postgresql(settings.database_url):
        raise ConfigError(
            "workers and the scheduler need PostgreSQL (--db postgresql://…); "
            "with SQLite, `wirebrief run` polls and ingests in one process"
        )
    from wirebrief.jobs import tasks

    connector = procrastinate.PsycopgConnector(conninfo=libpq_conninfo(settings.database_url))
    app = procrastinate.App(connector=connector)
    app.add_tasks_from(tasks.work, namespace="wirebrief")
    if scheduler:
        app.add_tasks_from(tasks.schedule, namespace="wirebrief")
    return app


async def ensure_schema(app: procrastinate.App) -> bool:
    """Apply procrastinate's schema unless it is there; True when it was applied now."""
    connector = app.connector
    async with connector.pool.connection() as connection:  # type: ignore[attr-defined]
        await connection.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            found = await connection.execute("SELECT to_regclass('procrastinate_jobs')")
            row = await found.fetchone()
            if row and row[0] is not None:
                return False
            await connection.execute(app.schema_manager.get_schema())
            return True
        finally:
            await connection.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))
