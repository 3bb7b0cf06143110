"""The author's own TLDR: key points the article carries, preferred to any summary of ours."""

from __future__ import annotations

import re
from collections.abc import Sequence

from wirebrief.summarize.tldr import Tldr

MAX_POINTS = 8
MAX_POINT_CHARS = 400
# A line that introduces key points at the top of a plain text ("TLDR", "Key takeaways:").
_LABEL = re.compile(
    r"^(?:tl;?\s?dr|key (?:points|takeaways|facts)|highlights|in brief|at a glance|"
    r"the essentials|summary)\s*[:.]?$",
    re.I,
)
_ITEM = re.compile(r"^(?:[-*•–—]|\d{1,2}[.)])\s+(?P<text>.+)$")
_LOOK_AT_LINES = 20


def author_tldr(points: Sequence[str] | None) -> Tldr | None:
    """The author's key points as a TLDR (headline: the first point), or ``None``."""
    cleaned = [" ".join(point.split())[:MAX_POINT_CHARS] for point in points or ()]
    unique = list(dict.fromkeys(point for point in cleaned if point))[:MAX_POINTS]
    if not unique:
        return None
    return Tldr(unique[0], tuple(unique), "author")


def find_key_points(text: str) -> list[str]:
    """Key points that open a plain text: a "TLDR" or "Key points" line, then list items."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][:_LOOK_AT_LINES]
    for number, line in enumerate(lines):
        if _LABEL.match(line):
            points = []
            for item in lines[number + 1 :]:
                match = _ITEM.match(item)
                if not match:
                    break
                points.append(match.group("text"))
            return points if len(points) >= 2 else []
    return []
