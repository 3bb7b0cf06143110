"""Sentences a TLDR never spends a line on: page chrome and the stock lines of news releases.

Each rule names a kind of boilerplate found across publishers (newsrooms, agencies, company
and government press offices), not one site's wording: who made the announcement, who
investigated or prosecuted, where to learn more or whom to call, case and docket numbers,
legal disclaimers. They are data, in the order they are tried; the first that matches
names the kind. English only: other languages get the page-chrome rule alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class BoilerplateRule:
    """One kind of stock sentence and the pattern that finds it (searched, case-insensitive)."""

    kind: str
    pattern: re.Pattern[str]
    english_only: bool = True


def _rule(kind: str, *alternatives: str, english_only: bool = True) -> BoilerplateRule:
    return BoilerplateRule(kind, re.compile("|".join(alternatives), re.I), english_only)


_PHONE = r"\(?\b\d{3}\)?[-.\s]\d{3}[-.]\d{4}\b|\b1-8\d\d-\d{3}-\d{4}\b"

BOILERPLATE_RULES: tuple[BoilerplateRule, ...] = (
    _rule(
        "page chrome",
        r"^(?:scroll down|click here|read more|related:|sign up|subscribe|follow us|share this|"
        r"advertisement|image:|photo:|source:|disclaimer|copyright|all rights reserved|"
        r"the post .+ appeared first on|last updated\b|updated:|published:|note:|"
        r"media playback is (?:not supported|unsupported))",
        english_only=False,
    ),
    # "… of the Southern District of Florida made the announcement.", "… announced the
    # charges." (but not "announced the charges against …", which says what happened).
    _rule(
        "announcer",
        r"\b(?:made|makes|make|joined(?: in)?|join) (?:the|this|today.?s) announcement\b",
        r"\bannounced (?:the|today.?s|these|this) (?:guilty )?(?:charges?|indictments?|sentences?|"
        r"sentencing|pleas?|convictions?|verdicts?|arrests?|complaints?|settlements?|"
        r"resolutions?|extraditions?|unsealing)\b(?!\s(?:of|against|in|that|with|for)\b)",
    ),
    # "The FBI investigated the case." "Trial Attorney Jo Ray is prosecuting the case."
    _rule(
        "case credits",
        r"\b(?:investigat|prosecut|handl|litigat|try|tri)\w* (?:the|this|these) (?:case|cases|"
        r"matter|matters|investigation)\b",
        r"\b(?:case|cases|matter|investigation) (?:is|was|are|were) (?:being )?(?:investigated|"
        r"prosecuted|handled|litigated|conducted|jointly investigated)\b",
        r"\bprovided (?:significant |valuable |substantial )?assistance (?:in|with) "
        r"(?:the|this) (?:case|matter|investigation)\b",
    ),
    # "Additional information about the Tax Division … may be found on its website."
    _rule(
        "more information",
        r"^(?:for )?(?:more|further|additional) information\b",
        r"\b(?:can|may) be (?:found|obtained|viewed) (?:on|at) (?:\S+\s){0,4}?(?:web ?site|"
        r"web ?page|page|www\.|https?:)",
        r"\b(?:is|are) (?:also )?available (?:on|at) (?:\S+\s){0,4}?(?:web ?site|web ?page|"
        r"www\.|https?:)",
        r"\b(?:to learn more|please visit)\b",
        r"\b(?:can|may) be (?:found|viewed|seen|watched|read) here\b",
    ),
    # Press contacts, tip lines, hotlines.
    _rule(
        "contact",
        r"\b(?:press|media) (?:contacts?|inquiries|office)\b",
        r"\b(?:please )?(?:contact|call)\b[^.]{0,120}(?:" + _PHONE + r"|@\w)",
        r"\b(?:can|may|should) (?:be reported|report\w*|call|contact)\b.{0,80}\b(?:hotline|"
        r"tip ?line|at \d|online at|www\.)",
        _PHONE,
    ),
    # "(EDNY Docket No. 15-CR-208)", "Case No. 2:17-cv-123", "The case number is …".
    _rule(
        "case number",
        r"\b(?:docket|case|civil action|criminal|cause|file) (?:no|nos|number|numbers)\b",
        r"\b\d{1,2}[-:](?:cr|cv|mj|mc|po)\b",
    ),
    # The presumption of innocence and the statutory-maximum disclaimer.
    _rule(
        "legal disclaimer",
        r"\bmerely (?:an? )?(?:allegations?|accusations?|alleges?)\b",
        r"\bpresumed innocent\b|\bpresumption of innocence\b|\bnot a finding of guilt\b",
        r"\bprovided (?:here )?for informational purposes\b",
        r"\bsentenc\w+ (?:of the defendants? )?will be determined by (?:the|a) (?:court|judge)\b",
        r"\bforward.looking statements?\b|\bsafe harbor\b",
    ),
)


def boilerplate_kind(sentence: str, lang: str | None = None) -> str | None:
    """The kind of boilerplate ``sentence`` is (``None`` when it says something of its own)."""
    english = lang in (None, "en")
    for rule in BOILERPLATE_RULES:
        if (english or not rule.english_only) and rule.pattern.search(sentence):
            return rule.kind
    return None
