"""The TLDR record: a one-line headline and a few bullet key points."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

Method = Literal["author", "extractive", "llm"]

MIN_BULLETS = 3
MAX_BULLETS = 5


@dataclass(frozen=True)
class Tldr:
    """A summary: ``method`` says who wrote it; ``note`` why an LLM answer was not used."""

    headline: str
    bullets: tuple[str, ...]
    method: Method
    note: str | None = None
    # Story TLDRs: the source of each bullet, in the same order (empty for one article).
    sources: tuple[str, ...] = ()

    def with_note(self, note: str) -> Tldr:
        """The same TLDR, recording why a better one was not used."""
        return replace(self, note=note)

    def as_dict(self) -> dict[str, Any]:
        """The CLI and API shape: headline, bullets, method."""
        return {"headline": self.headline, "bullets": list(self.bullets), "method": self.method}


EMPTY = Tldr("", (), "extractive")
