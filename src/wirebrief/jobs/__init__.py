"""Distributed ingestion on PostgreSQL with procrastinate: a queue in the same database.

``app.py`` builds the procrastinate app, ``tasks.py`` holds the jobs (poll a source, ingest
one entry) and the scheduler's periodic tasks, ``runner.py`` runs workers and the
scheduler, ``operations.py`` lists, retries and measures jobs. Nothing here is imported
on SQLite, where ``wirebrief run`` does everything in one process.
"""
