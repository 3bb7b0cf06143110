"""Load the cleaning rules from the TOML files beside this module."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RULES_DIR = Path(__file__).with_name("rules")


@dataclass(frozen=True)
class Rule:
    """One block-level cleaning rule (see ``rules/boilerplate.toml`` for the fields)."""

    name: str
    pattern: re.Pattern[str]
    action: str
    where: str
    reason: str


@cache
def load_rules(directory: Path = RULES_DIR) -> tuple[Rule, ...]:
    """Every rule of every ``*.toml`` file in ``directory``, in file then rule order."""
    rules = []
    for path in sorted(directory.glob("*.toml")):
        for raw in tomllib.loads(path.read_text(encoding="utf-8")).get("rule", []):
            if raw.get("action") not in {"drop", "truncate"}:
                raise ValueError(f"{path}: rule {raw.get('name')!r} has an unknown action")
            rules.append(
                Rule(
                    name=raw["name"],
                    pattern=re.compile(raw["pattern"], re.IGNORECASE | re.DOTALL),
                    action=raw["action"],
                    where=raw.get("where", "any"),
                    reason=raw["reason"],
                )
            )
    return tuple(rules)
