"""Alembic environment: runs on the connection Wirebrief hands it, or on the URL."""

from alembic import context
from sqlalchemy import create_engine

from wirebrief.storage.models import Base
from wirebrief.storage.searchindex import is_index_table

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Online migrations only: Wirebrief always has a live connection."""
    connection = config.attributes.get("connection")
    if connection is None:
        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("alembic needs a connection or sqlalchemy.url")
        engine = create_engine(url)
        with engine.begin() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Engine-specific search indexes live outside the models: autogenerate leaves them be."""
    # The task queue's tables (procrastinate_*) come with its own schema (wirebrief init).
    outside = bool(name) and (
        is_index_table(name) or name.startswith("procrastinate_")
    )  # fmt: skip
    return not (type_ == "table" and reflected and outside)


run_migrations()
