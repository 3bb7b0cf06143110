"""Page metadata from ``<head>`` and JSON-LD: title, authors, site, times, canonical, image.

Read here rather than by trafilatura's metadata pass, which also searches the body for
bylines, categories and licences and cost more than a third of the extraction time on the
benchmark. Publication times come from htmldate first (see ``extractor``); the times read
here are the page-meta fallback and the only source of the modification time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
from courlan import normalize_url

from wirebrief.extract.dates import parse_date

# Meta keys (name, property or itemprop, lower-cased) in order of preference.
_TITLE = ("og:title", "twitter:title")
_SITE = ("og:site_name", "application-name", "apple-mobile-web-app-title")
_DESCRIPTION = ("og:description", "description", "twitter:description")
_IMAGE = ("og:image:secure_url", "og:image", "og:image:url", "twitter:image", "twitter:image:src")
_AUTHOR = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl")
_PUBLISHED = (
    "article:published_time", "datepublished", "og:published_time", "parsely-pub-date",
    "publishdate", "pubdate", "publish-date", "dc.date.issued", "dc.date", "date",
    "sailthru.date",
)  # fmt: skip
_MODIFIED = (
    "article:modified_time", "og:updated_time", "datemodified", "last-modified",
    "dc.date.modified", "revised",
)  # fmt: skip
_LANGUAGE = ("og:locale", "content-language", "language", "dc.language")
_ARTICLE_TYPES = re.compile(r"article|posting|report|newsarticle|webpage", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|&|\band\b|\bund\b|\bet\b|\by\b|\|)\s*", re.IGNORECASE)
_BYLINE_PREFIX = re.compile(r"^(?:by|von|par|por|di|door)\s+", re.IGNORECASE)
# " | ", " - ", en and em dashes, " :: ", " » " between a title and its section or site
TITLE_SEPARATOR = re.compile(r"\s+[|\u2013\u2014-]\s+|\s*\|\s*|\s+::\s+|\s+\u00bb\s+")
_MAX_AUTHOR_WORDS = 6


@dataclass
class PageMetadata:
    """What the page says about itself."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    site_name: str | None = None
    description: str | None = None
    image: str | None = None
    canonical_url: str | None = None
    lang: str | None = None
    published: datetime | None = None
    modified: datetime | None = None


def read_metadata(page: lxml.html.HtmlElement, url: str) -> PageMetadata:
    """Metadata from meta tags, ``<link rel=canonical>``, ``<title>``, ``<html lang>``, JSON-LD."""
    meta = _meta_tags(page)
    ld = _json_ld_article(page)
    site_name = _first(meta, _SITE) or _ld_name(ld.get("publisher"))
    return PageMetadata(
        title=_title(page, meta, ld, site_name),
        authors=_authors(page, meta, ld, site_name),
        site_name=site_name,
        description=_first(meta, _DESCRIPTION) or _text(ld.get("description")),
        image=_absolute(_first(meta, _IMAGE) or _ld_image(ld.get("image")), url),
        canonical_url=canonical(_link(page, "canonical") or _first(meta, ("og:url",)), url),
        lang=_language(page, meta, ld),
        published=_time(meta, _PUBLISHED, ld.get("datePublished")),
        modified=_time(meta, _MODIFIED, ld.get("dateModified")),
    )


def canonical(candidate: str | None, page_url: str) -> str | None:
    """An absolute, normalised http(s) URL without tracking parameters or fragment."""
    if not candidate:
        return None
    absolute = urljoin(page_url, candidate.strip())
    if urlsplit(absolute).scheme not in {"http", "https"}:
        return None
    try:
        normalised = normalize_url(absolute)  # lower-case host, no utm_*/fbclid/gclid, no :80
    except ValueError:
        return None
    return normalised.split("#", 1)[0]


# ── sources ──────────────────────────────────────────────────────────────────


def _meta_tags(page: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """Every ``<meta>`` content by its lower-cased name, property or itemprop."""
    found: dict[str, list[str]] = {}
    for element in page.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        key = key or element.get("http-equiv")
        content = element.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), []).append(content.strip())
    for element in page.xpath("//time[@itemprop][@datetime]"):  # microdata times in the body
        found.setdefault(element.get("itemprop").lower(), []).append(element.get("datetime"))
    return found


def _json_ld_article(page: lxml.html.HtmlElement) -> dict:
    """The first JSON-LD object that describes an article (or any page), else ``{}``."""
    for script in page.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for item in _ld_items(data):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds):
                return item
    return {}


def _ld_items(data: object) -> list[dict]:
    if isinstance(data, list):
        return [item for entry in data for item in _ld_items(entry)]
    if isinstance(data, dict):
        graph = data.get("@graph")
        return [data, *_ld_items(graph)] if graph else [data]
    return []


def _link(page: lxml.html.HtmlElement, rel: str) -> str | None:
    for element in page.iter("link"):
        if rel in (element.get("rel") or "").lower().split() and element.get("href"):
            return element.get("href")
    return None


# ── fields ───────────────────────────────────────────────────────────────────


def _title(
    page: lxml.html.HtmlElement, meta: dict[str, list[str]], ld: dict, site_name: str | None
) -> str | None:
    title = _first(meta, _TITLE) or _text(ld.get("headline"))
    if not title:
        element = page.find(".//title")
        title = _text(element.text_content()) if element is not None else None
    if not title:
        heading = page.find(".//h1")
        title = _text(heading.text_content()) if heading is not None else None
    return _without_site(title, site_name) if title else None


def _without_site(title: str, site_name: str | None) -> str:
    """``Story | Site`` → ``Story`` when the left-off part names the site."""
    parts = TITLE_SEPARATOR.split(title)
    if len(parts) < 2 or not site_name:
        return title
    site = site_name.casefold()
    kept = [part for part in parts if part.strip().casefold() != site]
    return " | ".join(kept) if kept and len(kept) < len(parts) else title


def _authors(
    page: lxml.html.HtmlElement, meta: dict[str, list[str]], ld: dict, site_name: str | None
) -> list[str]:
    candidates = [_ld_name(entry) for entry in _as_list(ld.get("author"))]
    if not any(candidates):
        candidates = [value for key in _AUTHOR for value in meta.get(key, ())]
    if not any(candidates):
        candidates = [_text(e.text_content()) for e in page.xpath(_BYLINE_XPATH)[:3]]
    names: list[str] = []
    for candidate in candidates:
        for name in _AUTHOR_SPLIT.split(_BYLINE_PREFIX.sub("", candidate or "")):
            name = " ".join(name.split()).strip(" .")
            if _is_person(name, site_name) and name.casefold() not in map(str.casefold, names):
                names.append(name)
    return names


_BYLINE_XPATH = (
    '//*[@rel="author"] | //*[@itemprop="author"]//*[@itemprop="name"]'
    ' | //*[@itemprop="author"][not(*)]'
)


def _is_person(name: str, site_name: str | None) -> bool:
    """Not a URL, an e-mail, a handle, the site's own name or a sentence."""
    if not name or len(name) > 80 or len(name.split()) > _MAX_AUTHOR_WORDS:
        return False
    if any(mark in name for mark in ("://", "@", "www.")) or name.startswith("/"):
        return False
    return not site_name or name.casefold() != site_name.casefold()


def _language(page: lxml.html.HtmlElement, meta: dict[str, list[str]], ld: dict) -> str | None:
    raw = page.get("lang") or page.get("xml:lang") or _first(meta, _LANGUAGE)
    raw = raw or _text(ld.get("inLanguage"))
    if not raw:
        return None
    code = re.split(r"[-_]", raw.strip())[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


def _time(meta: dict[str, list[str]], keys: tuple[str, ...], ld_value: object) -> datetime | None:
    """The first parseable time among the meta keys, then JSON-LD."""
    for value in [*(v for key in keys for v in meta.get(key, ())), ld_value]:
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is not None:
            return parsed
    return None


# ── small helpers ────────────────────────────────────────────────────────────


def _first(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        for value in meta.get(key, ()):
            if _text(value):
                return _text(value)
    return None


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _ld_name(value: object) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("name"))
    if isinstance(value, list):
        return next((name for name in map(_ld_name, value) if name), None)
    return _text(value)


def _ld_image(value: object) -> str | None:
    if isinstance(value, list):
        return next((url for url in map(_ld_image, value) if url), None)
    if isinstance(value, dict):
        return _text(value.get("url") or value.get("contentUrl"))
    return _text(value)


def _absolute(value: str | None, page_url: str) -> str | None:
    if not value:
        return None
    absolute = urljoin(page_url, value)
    return absolute if urlsplit(absolute).scheme in {"http", "https"} else None
