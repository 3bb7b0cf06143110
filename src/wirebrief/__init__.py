"""Wirebrief: a self-hostable news desk.

Ingests public sources, extracts clean article text, attributes each article to
its origin and serves the result as a web reader, a JSON API and feeds.
"""

__version__ = "0.1.0"
