"""Finding articles: full-text search, related stories, and the query language they share."""
