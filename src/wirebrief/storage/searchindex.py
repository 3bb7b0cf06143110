"""The search index tables, kept outside the models and the Alembic autogenerate: an FTS5
table on SQLite (made by migration 0007), a tsvector table with a GIN index on PostgreSQL
(made idempotently after every upgrade). Their DDL and what an entry holds are here;
ranking, snippets and keeping entries in step with articles are ``search/``'s.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from wirebrief.errors import ConfigError

SQLITE_TABLE = "search_fts"
POSTGRES_TABLE = "search_documents"
POSTGRES_CONFIG = "simple"  # no stemming, no stop words: phrases behave as on FTS5

_SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5("
    "title, tldr, body, tokenize = 'unicode61 remove_diacritics 2')"
)
# What an FTS5 entry holds for an article; the TLDR bullets are a JSON list of strings.
SQLITE_DOCUMENTS = f"""
INSERT INTO {SQLITE_TABLE} (rowid, title, tldr, body)
SELECT a.id, a.title,
       trim(coalesce(a.tldr_headline, '') || ' ' ||
            coalesce((SELECT group_concat(b.value, ' ') FROM json_each(a.tldr_bullets) AS b), '')),
       a.text
FROM articles AS a
WHERE a.hidden = 0
"""
# What a PostgreSQL document holds: title (A), TLDR headline and bullets (B), body (D).
POSTGRES_DOCUMENTS = f"""
INSERT INTO {POSTGRES_TABLE} (article_id, document)
SELECT a.id,
       setweight(to_tsvector('{POSTGRES_CONFIG}', coalesce(a.title, '')), 'A') ||
       setweight(to_tsvector('{POSTGRES_CONFIG}', coalesce(a.tldr_headline, '') || ' ' || coalesce(
           (SELECT string_agg(b, ' ') FROM json_array_elements_text(
               CASE WHEN json_typeof(a.tldr_bullets) = 'array' THEN a.tldr_bullets END) AS b),
           '')), 'B') ||
       setweight(to_tsvector('{POSTGRES_CONFIG}', coalesce(a.text, '')), 'D')
FROM articles AS a
WHERE a.hidden = false
"""


def create_sqlite_index(connection: Connection) -> None:
    """Create the FTS5 table and index every visible article (migration 0007)."""
    try:
        connection.exec_driver_sql(_SQLITE_DDL)
    except OperationalError as exc:
        raise ConfigError(
            f"this SQLite ({exc.orig}) has no FTS5 full-text module; use a Python whose "
            "sqlite3 is built with FTS5 (the python.org and distribution builds are)"
        ) from exc
    connection.exec_driver_sql(SQLITE_DOCUMENTS)


def drop_sqlite_index(connection: Connection) -> None:
    """Remove the FTS5 table (migration 0007, downgrade)."""
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")


def create_postgres_index(connection: Connection) -> None:
    """Create the documents table and its GIN index if missing, filling a new table from
    the stored articles (called by ``Database.upgrade`` on PostgreSQL; idempotent)."""
    exists = connection.exec_driver_sql(f"SELECT to_regclass('{POSTGRES_TABLE}')").scalar()
    connection.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {POSTGRES_TABLE} "
        "(article_id integer PRIMARY KEY, document tsvector NOT NULL)"
    )
    connection.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS ix_{POSTGRES_TABLE}_document "
        f"ON {POSTGRES_TABLE} USING gin (document)"
    )
    if exists is None:
        connection.exec_driver_sql(POSTGRES_DOCUMENTS)


def is_index_table(name: str) -> bool:
    """Whether a table belongs to a search index (FTS5's shadow tables included)."""
    return name in (SQLITE_TABLE, POSTGRES_TABLE) or name.startswith(SQLITE_TABLE + "_")
