"""Fetching: HTTP with size, time and address limits, and robots.txt."""

from wirebrief.fetch.fetcher import Fetcher, FetchResult

__all__ = ["FetchResult", "Fetcher"]
