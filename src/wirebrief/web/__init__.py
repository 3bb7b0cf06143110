"""The web reader and JSON API (FastAPI, server-rendered Jinja2 templates)."""
