"""Where an article first appeared, and through which copies it reached this page.

Signals, strongest first: notes at the article's end ("The post … appeared first on …",
"originally published on …", "republished from …", "Source: …"), a ``rel=canonical``
on another site, and an ``og:site_name`` that names another publication than the host.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from lxml import etree

from wirebrief.extract.body import block_text

_FOOTER = re.compile(
    r"^the post (?P<title>.{1,400}?) appeared (?:first )?on (?P<site>.{2,120}?)\.?$",
    re.IGNORECASE | re.DOTALL,
)
_READ_ORIGINAL = r"(?:\s+read the original(?: article| story| post)?(?: here)?\.?)?"
_ORIGINALLY = re.compile(
    r"^(?:this (?:article|story|post|piece) )?(?:was |is |has been )?(?:originally|first) "
    r"(?:published|appeared|posted) (?:on|in|at|by) (?P<site>.{2,100}?)"
    r"(?:,? (?:on|in) \w+ \d{1,2},? \d{4})?\.?" + _READ_ORIGINAL + "$",
    re.IGNORECASE,
)
_REPUBLISHED = re.compile(
    r"^(?:this (?:article|story|post|piece) (?:is|was|has been) )?(?:republished|reprinted|"
    r"reposted|syndicated) (?:here )?(?:with permission )?(?:from|by) (?P<site>.{2,100}?)"
    r"(?: under (?:a|the) .{1,80}?| with permission)?\.?" + _READ_ORIGINAL + "$",
    re.IGNORECASE,
)
_SOURCE = re.compile(r"^\(?(?:source|via)\s*:\s*(?P<site>[^()]{2,100}?)\.?\)?$", re.IGNORECASE)
_TAIL_NOTES = (_FOOTER, _ORIGINALLY, _REPUBLISHED, _SOURCE)
_HEAD_NOTES = (_SOURCE, _ORIGINALLY)
# Notes sit at the article's edges; prose in the middle may use the same words.
_TAIL_BLOCKS, _HEAD_BLOCKS = 3, 2
_SENTENCE_BREAK = re.compile(r"[.!?]\s")
# Second-level labels under country domains: "co" in bbc.co.uk is not the site's name.
_SECOND_LEVEL = {"co", "com", "net", "org", "ac", "gov", "edu", "or", "ne", "go"}


@dataclass(frozen=True)
class Origin:
    """A publication an article was copied from: its name and the URL of its copy."""

    name: str | None
    url: str | None


def find_origins(
    blocks: Sequence[etree._Element],
    page_url: str,
    canonical_url: str | None = None,
    site_name: str | None = None,
) -> list[Origin]:
    """The repost chain the page names: nearest copy first, first publisher last.

    ``[]`` when the page looks like the original. ``blocks`` are the body's blocks without
    page chrome (see ``clean.cleaner.article_blocks``), read before cleaning removes the
    notes. ``canonical_url`` and ``site_name`` are what the page declares about itself.
    """
    chain = [origin for origin in _notes(blocks) if not _is_self(origin, page_url, site_name)]
    foreign = _foreign(canonical_url, page_url)
    if foreign:
        chain = _with_canonical(chain, foreign)
    if not chain and site_name and _host_names_another_site(page_url, site_name):
        chain = [Origin(site_name, None)]
    return _merged(chain)


# ── notes in the text ────────────────────────────────────────────────────────


def _notes(blocks: Sequence[etree._Element]) -> list[Origin]:
    """Notes in the last blocks (bottom-up: the copy's own footer is the last one), then
    "Source:" lines above the article.
    """
    tail = list(blocks[-_TAIL_BLOCKS:])[::-1]
    head = [b for b in blocks[:_HEAD_BLOCKS] if b not in tail]
    found = [_note(block, _TAIL_NOTES) for block in tail]
    found += [_note(block, _HEAD_NOTES) for block in head]
    return [origin for origin in found if origin is not None]


def _note(block: etree._Element, patterns: tuple[re.Pattern[str], ...]) -> Origin | None:
    text = block_text(block)
    for pattern in patterns:
        match = pattern.match(text)
        if match is None:
            continue
        site = _site_name(match.group("site"))
        if site is None:
            continue
        return Origin(site, _link_to(block, site))
    return None


def _site_name(raw: str) -> str | None:
    """The publication named by a note, or ``None`` when the match ran into prose."""
    name = raw.strip().strip("\"'\u201c\u201d\u2018\u2019").strip()
    if not name or len(name) > 100 or _SENTENCE_BREAK.search(name):
        return None
    if name.lower().startswith(("http://", "https://")):
        return urlsplit(name).hostname
    return name


def _link_to(block: etree._Element, site: str) -> str | None:
    """The note's link to the original article, else its link to the origin's home page."""
    links = [(block_text(ref), ref.get("target")) for ref in block.iter("ref") if ref.get("target")]
    links = [(text, target) for text, target in links if _is_web(target)]
    article_links = [target for text, target in links if text.casefold() != site.casefold()]
    if article_links:
        return article_links[0]
    return links[0][1] if links else None


# ── what the page declares ───────────────────────────────────────────────────


def _foreign(candidate: str | None, page_url: str) -> str | None:
    """``candidate`` when it is on another host than the page (a saved file has no host)."""
    if not candidate or not _is_web(page_url) or not _is_web(candidate):
        return None
    if _host(candidate) != _host(page_url):
        return candidate
    return None


def _with_canonical(chain: list[Origin], canonical: str) -> list[Origin]:
    """Add a cross-site canonical to the chain: it points at the first publisher."""
    if not chain:
        return [Origin(_host(canonical), canonical)]
    for index, origin in enumerate(chain):
        if origin.url and _host(origin.url) == _host(canonical):
            if urlsplit(origin.url).path.strip("/") == "":  # a home page: the canonical is better
                chain[index] = replace(origin, url=canonical)
            return chain
    if chain[-1].url is None:
        return [*chain[:-1], replace(chain[-1], url=canonical)]
    return [*chain, Origin(_host(canonical), canonical)]


def _host_names_another_site(page_url: str, site_name: str) -> bool:
    """True when the site name shares nothing with the page's host name.

    "The Wall Street Journal" on wsj.com (initials), "Süddeutsche Zeitung" on
    sueddeutsche.de (a long common part) and "City A.M." on cityam.com all match; hosts
    that are addresses (the sample newsroom, a saved file) never count as another site.
    """
    host = _host(page_url) if _is_web(page_url) else None
    if not host or host == "localhost" or _is_address(host):
        return False
    labels = _site_labels(host)
    joined = "".join(labels)
    words = [_ascii(word) for word in re.findall(r"\w+", site_name)]
    words = [word for word in words if word]
    name = "".join(words)
    if not name:
        return False
    initials = {"".join(w[0] for w in words), "".join(w[0] for w in words if w != "the")}
    if name in joined or joined in name or initials & set(labels):
        return False
    if any(len(label) >= 3 and label in name for label in labels):
        return False
    if any(len(word) >= 4 and word in joined for word in words):
        return False
    common = SequenceMatcher(None, name, joined).find_longest_match(0, len(name), 0, len(joined))
    return common.size < min(5, len(joined))


def _site_labels(host: str) -> list[str]:
    """``news.example.co.uk`` → ``["news", "example"]``: the labels that can name the site."""
    labels = host.lower().removeprefix("www.").split(".")
    if len(labels) > 1:
        labels = labels[:-1]
    if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
        labels = labels[:-1]
    return [label.replace("-", "") for label in labels if label]


# ── the chain ────────────────────────────────────────────────────────────────


def _merged(chain: list[Origin]) -> list[Origin]:
    """Adjacent entries naming the same publication become one (keeping any URL)."""
    merged: list[Origin] = []
    for origin in chain:
        if merged and _same_publication(merged[-1], origin):
            previous = merged[-1]
            merged[-1] = Origin(previous.name or origin.name, previous.url or origin.url)
        else:
            merged.append(origin)
    return merged


def _same_publication(a: Origin, b: Origin) -> bool:
    if a.name and b.name and a.name.casefold() == b.name.casefold():
        return True
    return bool(a.url and b.url and _host(a.url) == _host(b.url))


def _is_self(origin: Origin, page_url: str, site_name: str | None) -> bool:
    """A note naming the page's own site (WordPress adds its footer to its own feed too)."""
    if site_name and origin.name and origin.name.casefold() == site_name.casefold():
        return True
    host = _host(page_url) if _is_web(page_url) else None
    # Addresses are excluded: the sample newsroom serves every publication from one.
    if not host or _is_address(host) or host == "localhost" or not origin.url:
        return False
    return _host(origin.url) == host


def _host(url: str) -> str | None:
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None


def _is_web(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in {"http", "https"}


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _ascii(word: str) -> str:
    """Lower-case ASCII letters and digits of a word ("Süddeutsche" → "suddeutsche")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())
