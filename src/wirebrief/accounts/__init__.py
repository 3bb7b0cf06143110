"""What accounts do with the desk: their subscriptions in and out of OPML, and what they
read (the reader's views and the Google Reader and Fever APIs build on it)."""
