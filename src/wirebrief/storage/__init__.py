"""Storage: SQLAlchemy models, one module per concern, Alembic migrations."""
