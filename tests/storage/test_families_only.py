"""Every list folds copy families through storage/families.py, so a new list cannot forget.

How a family is stored (``Article.duplicate_of``) is spelled out only where copies are filed
and where the family queries are stated; every other module asks storage/families.py
(``is_origin``, ``in_families``, ``family_of`` …) or the model's ``family`` / ``is_copy``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import wirebrief

SOURCE = Path(wirebrief.__file__).parent
ALLOWED = {
    "storage/families.py",  # the family queries themselves
    "storage/models.py",  # the column, and Article.family / is_copy
    "dedupe/collapse.py",  # files a page as a copy: the one writer of the column
    "web/schemas.py",  # the API's duplicate_of field
}


def _uses(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "duplicate_of"
    ]


def test_only_the_family_module_reads_how_families_are_stored() -> None:
    offenders = {}
    for path in sorted(SOURCE.rglob("*.py")):
        name = path.relative_to(SOURCE).as_posix()
        if name in ALLOWED or name.startswith("storage/migrations/"):
            continue
        if lines := _uses(path):
            offenders[name] = lines
    assert offenders == {}, (
        "use storage/families.py (is_origin, in_families, copy_of, family_of) or "
        f"Article.family / Article.is_copy instead of duplicate_of: {offenders}"
    )


def test_the_guard_sees_attribute_uses() -> None:
    assert _uses(SOURCE / "storage/families.py")  # the scan finds what it looks for
