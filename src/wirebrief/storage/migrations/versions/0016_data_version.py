"""data_version: one counter that every write to what public pages show moves

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 22:00:00.000000

The reader caches its public pages keyed by this version and derives their ETags from it
(web/pagecache.py), so a cached page is right exactly while the version stands. The
counter is moved by triggers, not by the code that writes, so that no write path (store
stage, removal, story merge, a source renamed, an operator's SQL) can forget it. On
PostgreSQL the trigger is a deferred constraint trigger: it runs at commit, after every
other lock of the transaction is taken, so two writers never deadlock on the counter's
row, and it moves the counter once per transaction.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the public pages, feeds and API show: their rows, and nothing per account.
TRACKED = (
    "articles",
    "stories",
    "sources",
    "assets",
    "article_assets",
    "related_articles",
    "prices",
    "saved_searches",
)
BUMP_SQLITE = (
    "UPDATE data_version SET version = version + 1, changed_at = CURRENT_TIMESTAMP WHERE id = 1"
)
BUMP_POSTGRES = """
CREATE FUNCTION wirebrief_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_version SET version = version + 1, changed_at = now(), txid = txid_current()
  WHERE id = 1 AND txid IS DISTINCT FROM txid_current();
  RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=True),  # PostgreSQL: the last bumper
    )
    op.execute(
        "INSERT INTO data_version (id, version, changed_at, txid) VALUES (1, 1, CURRENT_TIMESTAMP, NULL)"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(BUMP_POSTGRES)
        for table in TRACKED:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION wirebrief_bump_data_version()"
            )
        return
    for table in TRACKED:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_data_version_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {BUMP_SQLITE}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TRACKED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_data_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS wirebrief_bump_data_version()")
    else:
        for table in TRACKED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_data_version_{event}")
    op.drop_table("data_version")
