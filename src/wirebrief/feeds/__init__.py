"""Feed formats: RSS, Atom and JSON Feed parsing, OPML import and export."""
