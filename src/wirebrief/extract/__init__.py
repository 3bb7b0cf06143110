"""Extraction: article text and metadata out of an HTML page (trafilatura underneath)."""
