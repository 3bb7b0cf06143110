"""Build the sample newsroom: five fictional publications rendered to static HTTP resources.

Content lives in ``newsroom/`` as data (``publications.toml`` plus one markdown-lite file per
article with TOML front matter); this module loads it, resolves reposts and renders pages and
feeds for a given base URL.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple
from xml.etree import ElementTree as ET

import jinja2
from markupsafe import Markup, escape

NEWSROOM_DIR = Path(__file__).with_name("newsroom")
FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}
FEED_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
HTML_TYPE = "text/html; charset=utf-8"
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_FRONT_MATTER = re.compile(r"\A\+\+\+\n(.*?)\n\+\+\+\n(.*)\Z", re.DOTALL)


@dataclass(frozen=True)
class Publication:
    """One fictional publication, as declared in ``publications.toml``."""

    slug: str
    name: str
    feed_format: str
    description: str
    template: str
    is_aggregator: bool = False
    tldr_label: str = "TLDR"
    guid_style: str = "tag"
    sections: tuple[str, ...] = ()
    widget: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def home_path(self) -> str:
        """Path of the publication's home page."""
        return f"/{self.slug}/"

    @property
    def feed_path(self) -> str:
        """Path of the publication's feed (format-specific file name)."""
        return f"/{self.slug}/{FEED_FILES[self.feed_format]}"

    @property
    def feed_type(self) -> str:
        """MIME type of the publication's feed."""
        return FEED_TYPES[self.feed_format]


@dataclass
class Article:
    """One article; reposts get ``body`` and ``tldr`` copied from their source."""

    pub: Publication
    slug: str
    title: str
    author: str
    published: datetime
    summary: str
    body: str
    tldr: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    repost_of: str | None = None
    canonical_to_origin: bool = False
    trim_paragraphs: int = 0
    source: Article | None = None

    @property
    def key(self) -> str:
        """``<pub-slug>/<article-slug>``, the form used by ``repost_of``."""
        return f"{self.pub.slug}/{self.slug}"

    @property
    def path(self) -> str:
        """URL path of the article page."""
        return f"/{self.pub.slug}/{self.published:%Y/%m}/{self.slug}.html"

    @property
    def origin(self) -> Article:
        """The first publisher at the end of the repost chain (self for originals)."""
        return self.source.origin if self.source else self

    @property
    def guid(self) -> str:
        """A port-independent identifier for feeds."""
        return f"tag:{self.pub.slug}.example,{self.published:%Y-%m-%d}:{self.slug}"


class Resource(NamedTuple):
    """A served resource."""

    content_type: str
    body: bytes
    last_modified: datetime


class Newsroom(NamedTuple):
    """All publications and articles (articles sorted newest first)."""

    publications: list[Publication]
    articles: list[Article]

    def of(self, pub: Publication) -> list[Article]:
        """Articles of one publication, newest first."""
        return [a for a in self.articles if a.pub.slug == pub.slug]


def publications() -> list[Publication]:
    """Parse ``publications.toml``."""
    data = tomllib.loads((NEWSROOM_DIR / "publications.toml").read_text("utf-8"))
    return [
        Publication(**{**entry, "sections": tuple(entry.get("sections", ()))})
        for entry in data["publication"]
    ]


def _parse_article(pub: Publication, path: Path) -> Article:
    match = _FRONT_MATTER.match(path.read_text("utf-8"))
    if not match:
        raise ValueError(f"{path}: missing +++ front matter")
    meta: dict[str, Any] = tomllib.loads(match.group(1))
    published = meta.pop("published")
    if isinstance(published, str):
        published = datetime.fromisoformat(published)
    if published.tzinfo is None:
        raise ValueError(f"{path}: published needs a UTC offset")
    return Article(pub=pub, slug=path.stem, published=published, body=match.group(2), **meta)


def _resolve(article: Article, by_key: dict[str, Article], seen: tuple[str, ...] = ()) -> None:
    """Copy body and TLDR into a repost from its (recursively resolved) source."""
    if not article.repost_of or article.source:
        return
    if article.key in seen:
        raise ValueError(f"repost cycle: {' -> '.join(seen)}")
    source = by_key[article.repost_of]
    _resolve(source, by_key, (*seen, article.key))
    article.source = source
    blocks = _blocks(source.body)
    if article.trim_paragraphs:
        blocks = blocks[: -article.trim_paragraphs]
    article.body = "\n\n".join(blocks) + "\n"
    article.tldr = article.tldr or list(source.tldr)


@cache
def load_newsroom() -> Newsroom:
    """Load every publication and article from disk (cached)."""
    pubs = publications()
    articles = [
        _parse_article(pub, path)
        for pub in pubs
        for path in sorted((NEWSROOM_DIR / "articles" / pub.slug).glob("*.md"))
    ]
    by_key = {a.key: a for a in articles}
    for article in articles:
        _resolve(article, by_key)
    articles.sort(key=lambda a: a.published, reverse=True)
    return Newsroom(pubs, articles)


# --- markdown-lite -------------------------------------------------------------------------


def _blocks(text: str) -> list[str]:
    return [b.strip() for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]


def _inline(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", str(escape(text)))


def render_markdown(text: str) -> str:
    """Render paragraphs, ``## `` headings, ``- `` bullets and ``> `` quotes to HTML."""
    out = []
    for block in _blocks(text):
        lines = block.splitlines()
        if block.startswith("## "):
            out.append(f"<h2>{_inline(block[3:])}</h2>")
        elif all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line[2:])}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        elif all(line.startswith(">") for line in lines):
            quote = " ".join(line.lstrip("> ").strip() for line in lines)
            out.append(f"<blockquote><p>{_inline(quote)}</p></blockquote>")
        else:
            out.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    return "\n".join(out)


def word_count(text: str) -> int:
    """Words in a markdown-lite body, ignoring markup."""
    return len(re.sub(r"(?m)^(## |- |> )|\*\*", " ", text).split())


def syndication_footer(article: Article, base_url: str) -> str:
    """WordPress-style ``The post X appeared first on Y.`` paragraph naming the direct source.

    Deliberately class-less, like WordPress's: extractors drop paragraphs classed "syndication".
    """
    src = article.source
    if src is None:
        return ""
    return (
        f'<p>The post <a rel="nofollow" href="{base_url}{src.path}">'
        f"{escape(src.title)}</a> appeared first on "
        f'<a rel="nofollow" href="{base_url}{src.pub.home_path}">{escape(src.pub.name)}</a>.'
        "</p>"
    )


def article_html(article: Article, base_url: str) -> str:
    """The article's content fragment: TLDR block, body and syndication footer."""
    parts = []
    if article.tldr:
        label = escape(article.pub.tldr_label)
        head = f"<h2>{label}</h2>" if label != "TLDR" else f"<p><strong>{label}</strong></p>"
        items = "".join(f"<li>{_inline(t)}</li>" for t in article.tldr)
        parts.append(f'{head}\n<ul class="tldr">{items}</ul>')
    parts.append(render_markdown(article.body))
    if article.source:
        parts.append(syndication_footer(article, base_url))
    return "\n".join(parts)


# --- pages and feeds -----------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(NEWSROOM_DIR / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["display_date"] = lambda d: d.strftime("%Y/%m/%d %H:%M")
    env.filters["long_date"] = lambda d: f"{d:%B} {d.day}, {d:%Y}"
    return env


def _related(article: Article, siblings: list[Article], n: int = 3) -> list[Article]:
    """The ``n`` other articles of the same publication closest in time."""
    others = [a for a in siblings if a is not article]
    return sorted(others, key=lambda a: abs((a.published - article.published).total_seconds()))[:n]


def _newest(articles: list[Article]) -> datetime:
    """Publication time of the most recent article."""
    return max(a.published for a in articles)


def _rfc3339(d: datetime) -> str:
    return d.isoformat(timespec="seconds")


def _rss(pub: Publication, items: list[Article], base_url: str) -> bytes:
    """RSS 2.0 with ``content:encoded``, ``dc:creator`` and an ``atom:link`` self reference."""
    for prefix, uri in (("content", CONTENT_NS), ("dc", DC_NS), ("atom", ATOM_NS)):
        ET.register_namespace(prefix, uri)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    for tag, text in (
        ("title", pub.name),
        ("link", base_url + pub.home_path),
        ("description", pub.description),
        ("language", "en"),
        ("lastBuildDate", format_datetime(_newest(items))),
        ("generator", "Wirebrief sample newsroom"),
    ):
        ET.SubElement(channel, tag).text = text
    ET.SubElement(
        channel,
        f"{{{ATOM_NS}}}link",
        {"href": base_url + pub.feed_path, "rel": "self", "type": pub.feed_type},
    )
    for a in items:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = a.title
        ET.SubElement(item, "link").text = base_url + a.path
        permalink = pub.guid_style == "permalink"
        guid = ET.SubElement(item, "guid", {"isPermaLink": "true" if permalink else "false"})
        guid.text = base_url + a.path if permalink else a.guid
        ET.SubElement(item, f"{{{DC_NS}}}creator").text = a.author
        ET.SubElement(item, "pubDate").text = format_datetime(a.published)
        for tag in a.tags:
            ET.SubElement(item, "category").text = tag
        ET.SubElement(item, "description").text = a.summary
        ET.SubElement(item, f"{{{CONTENT_NS}}}encoded").text = article_html(a, base_url)
    xml = ET.tostring(rss, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + xml).encode("utf-8")


def _atom(pub: Publication, items: list[Article], base_url: str) -> bytes:
    """Atom 1.0 with HTML content and summaries."""
    ET.register_namespace("", ATOM_NS)  # each builder registers the prefixes it serializes with

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        el.text = text
        return el

    feed = ET.Element(f"{{{ATOM_NS}}}feed", {f"{{{XML_NS}}}lang": "en"})
    sub(feed, "id", f"tag:{pub.slug}.example,2026:feed")
    sub(feed, "title", pub.name)
    sub(feed, "subtitle", pub.description)
    sub(feed, "updated", _rfc3339(_newest(items)))
    sub(feed, "link", rel="self", type=pub.feed_type, href=base_url + pub.feed_path)
    sub(feed, "link", rel="alternate", type="text/html", href=base_url + pub.home_path)
    sub(feed, "generator", "Wirebrief sample newsroom")
    for a in items:
        entry = sub(feed, "entry")
        sub(entry, "id", a.guid)
        sub(entry, "title", a.title)
        sub(entry, "link", rel="alternate", type="text/html", href=base_url + a.path)
        sub(entry, "published", _rfc3339(a.published))
        sub(entry, "updated", _rfc3339(a.published))
        sub(sub(entry, "author"), "name", a.author)
        for tag in a.tags:
            sub(entry, "category", term=tag)
        sub(entry, "summary", a.summary)
        sub(entry, "content", article_html(a, base_url), type="html")
    xml = ET.tostring(feed, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + xml).encode("utf-8")


def _json_feed(pub: Publication, items: list[Article], base_url: str) -> bytes:
    """JSON Feed 1.1."""
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": pub.name,
        "home_page_url": base_url + pub.home_path,
        "feed_url": base_url + pub.feed_path,
        "description": pub.description,
        "language": "en",
        "authors": [{"name": pub.name, "url": base_url + pub.home_path}],
        "items": [
            {
                "id": a.guid,
                "url": base_url + a.path,
                "title": a.title,
                "summary": a.summary,
                "content_html": article_html(a, base_url),
                "date_published": _rfc3339(a.published),
                "authors": [{"name": a.author}],
                "tags": a.tags,
            }
            for a in items
        ],
    }
    return json.dumps(feed, ensure_ascii=False, indent=2).encode("utf-8")


_FEED_BUILDERS = {"rss": _rss, "atom": _atom, "json": _json_feed}


@lru_cache(maxsize=8)
def build_resources(base_url: str) -> dict[str, Resource]:
    """Render every page, feed and ``robots.txt`` for ``base_url`` (no trailing slash)."""
    base_url = base_url.rstrip("/")
    room = load_newsroom()
    env = _environment()
    common = {"base_url": base_url, "network": room.publications}
    newest = _newest(room.articles)
    site: dict[str, Resource] = {
        "/robots.txt": Resource("text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n", newest),
        "/": Resource(
            HTML_TYPE,
            env.get_template("index.html").render(**common).encode("utf-8"),
            newest,
        ),
    }
    for pub in room.publications:
        items = room.of(pub)
        updated = _newest(items)
        ctx = {**common, "pub": pub, "p": pub.template, "sections": pub.sections}
        home = env.get_template("home.html").render(**ctx, articles=items)
        site[pub.home_path] = Resource(HTML_TYPE, home.encode("utf-8"), updated)
        feed = _FEED_BUILDERS[pub.feed_format](pub, items, base_url)
        site[pub.feed_path] = Resource(f"{pub.feed_type}; charset=utf-8", feed, updated)
        template = env.get_template(f"{pub.template}.html")
        for a in items:
            canonical = a.origin if a.canonical_to_origin else a
            page = template.render(
                **ctx,
                article=a,
                url=base_url + a.path,
                canonical_url=base_url + canonical.path,
                content=Markup(article_html(a, base_url)),
                related=_related(a, items),
                minutes=max(1, round(word_count(a.body) / 220)),
            )
            site[a.path] = Resource(HTML_TYPE, page.encode("utf-8"), a.published)
    return site


def build_site(base_url: str) -> dict[str, tuple[str, bytes]]:
    """Map every URL path to ``(content type, body)`` for a newsroom served at ``base_url``."""
    return {path: (r.content_type, r.body) for path, r in build_resources(base_url).items()}
