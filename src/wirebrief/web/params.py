"""Path and query parameters shared by routes: record ids bounded to what a table can hold."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from wirebrief.storage.types import MAX_ID

# A larger number would overflow the database's integer (an error, not "not found").
ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="An article id.")]
StoryId = Annotated[int, Path(ge=1, le=MAX_ID, description="A story id.")]
SourceId = Annotated[int, Path(ge=1, le=MAX_ID, description="A source id.")]
SearchId = Annotated[int, Path(ge=1, le=MAX_ID, description="A saved search id.")]
RequestId = Annotated[int, Path(ge=1, le=MAX_ID, description="A removal request id.")]
SourceFilter = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Only articles of this source id.")
]
