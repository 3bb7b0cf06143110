"""Cleaning: remove what aggregators and page templates add around an article."""
