"""Load the cleaning rules from the TOML files beside this module (one file per kind)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RULES_DIR = Path(__file__).with_name("rules")
ACTIONS = frozenset({"drop", "truncate"})
PLACES = frozenset({"any", "head", "tail"})


@dataclass(frozen=True)
class Rule:
    """One block-level cleaning rule (the fields are described in ``rules/README.md``)."""

    name: str
    pattern: re.Pattern[str]
    action: str
    where: str
    reason: str
    tags: frozenset[str] = frozenset()  # block tags the rule looks at; empty: every tag
    min_link_share: float = 0.0  # share of the block's text that must sit inside links
    run: bool = False  # head/tail: also take the matching blocks next to it, inward
    max_chars: int | None = None  # longer blocks never match (skips slow patterns early)

    def applies_to(self, tag: str, link_share: float) -> bool:
        """Whether a block with this tag and link share can match at all."""
        return (not self.tags or tag in self.tags) and link_share >= self.min_link_share


@cache
def load_rules(directory: Path = RULES_DIR) -> tuple[Rule, ...]:
    """Every rule of every ``*.toml`` file in ``directory``, in file then rule order."""
    rules = []
    for path in sorted(directory.glob("*.toml")):
        for raw in tomllib.loads(path.read_text(encoding="utf-8")).get("rule", []):
            rules.append(_rule(path, raw))
    return tuple(rules)


def _rule(path: Path, raw: dict) -> Rule:
    name = raw.get("name")
    if raw.get("action") not in ACTIONS:
        raise ValueError(f"{path}: rule {name!r} has an unknown action")
    if raw.get("where", "any") not in PLACES:
        raise ValueError(f"{path}: rule {name!r} has an unknown where")
    if not str(raw.get("reason", "")).strip():
        raise ValueError(f"{path}: rule {name!r} does not say why it exists (reason)")
    return Rule(
        name=raw["name"],
        pattern=re.compile(raw["pattern"], re.IGNORECASE | re.DOTALL),
        action=raw["action"],
        where=raw.get("where", "any"),
        reason=raw["reason"],
        tags=frozenset(raw.get("tags", ())),
        min_link_share=float(raw.get("min_link_share", 0.0)),
        run=bool(raw.get("run", False)),
        max_chars=int(raw["max_chars"]) if "max_chars" in raw else None,
    )
