"""Path and query parameters shared by routes: record ids bounded to what a table can hold."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Path, Query

from wirebrief.storage.types import MAX_ID

# A larger number would overflow the database's integer (an error, not "not found").
ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="An article id.")]
StoryId = Annotated[int, Path(ge=1, le=MAX_ID, description="A story id.")]
SourceId = Annotated[int, Path(ge=1, le=MAX_ID, description="A source id.")]
SearchId = Annotated[int, Path(ge=1, le=MAX_ID, description="A saved search id.")]
FolderId = Annotated[int, Path(ge=1, le=MAX_ID, description="A folder id.")]
RequestId = Annotated[int, Path(ge=1, le=MAX_ID, description="A removal request id.")]
# How far a list may be paged in (deeper, the database reads and skips too many rows).
ItemsToSkip = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]
SourceFilter = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Only articles of this source id.")
]


def id_filter(description: str) -> Any:
    """A query parameter naming a record, or nothing."""
    return Query(None, ge=1, le=MAX_ID, description=description)


def id_field(description: str) -> Any:
    """A form field naming a record, or nothing."""
    return Form(None, ge=1, le=MAX_ID, description=description)


def record_id(text: str) -> int | None:
    """An id a reader app sent as text, or None when it names no possible record (not ASCII
    digits, 0, or beyond what a table holds)."""
    text = text.strip()
    if not (0 < len(text) <= 20 and text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def clamped(value: int, low: int, high: int) -> int:
    """``value`` within ``[low, high]``: an app's number beyond what the database holds means
    the same as the bound (ids past every id, days past every date)."""
    return max(low, min(high, value))
