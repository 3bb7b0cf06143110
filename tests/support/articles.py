"""Articles written straight to the database and indexed as the store stage does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from sqlalchemy.orm import Session

from wirebrief.search.indexing import index_article
from wirebrief.storage.models import Article, ArticleAsset, Asset, Story

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
_numbers = count(1)

# Sentences about nothing in particular, so test words stay rare (BM25 needs that).
FILLER = [
    "The harbour committee published its annual report on ferry timetables and pier repairs.",
    "A regional orchestra announced a new season with three premieres and a touring program.",
    "Gardeners reported an early spring, with tulips flowering two weeks ahead of schedule.",
    "The city library extended its opening hours and added a reading room for students.",
    "A football club unveiled a new training ground after two years of construction work.",
    "Museum curators restored a seventeenth-century tapestry found in a private collection.",
    "Farmers in the valley expect a strong apple harvest after a mild and sunny summer.",
    "The weather service warned of fog along the coast during the early morning hours.",
]


def add_article(
    session: Session,
    title: str,
    text: str,
    *,
    hours: float = 0,
    assets: tuple[str, ...] = (),
    index: bool = True,
    **fields: object,
) -> Article:
    """Store an article ``hours`` after START and index it (search and related)."""
    n = next(_numbers)
    values: dict[str, object] = {
        "url": f"https://news.example/{n}",
        "title": title,
        "text": text,
        "html": f"<p>{text}</p>",
        "content_hash": f"{n:064x}",
        "lang": "en",
        "published_at": START + timedelta(hours=hours),
    }
    values.update(fields)
    article = Article(**values)
    session.add(article)
    session.flush()
    for symbol in assets:
        session.add(
            ArticleAsset(article_id=article.id, asset_id=asset(session, symbol).id, score=1.0)
        )
    session.flush()
    if index:
        index_article(session, article)
    return article


def add_filler(session: Session, n: int = 8) -> None:
    """Unrelated articles, so no test word is in most of the corpus."""
    for i in range(n):
        add_article(session, f"Local notes {i}", FILLER[i % len(FILLER)], hours=-100 - i)


def asset(session: Session, symbol: str) -> Asset:
    """The asset with ``symbol``, created on first use."""
    found = session.query(Asset).filter_by(symbol=symbol).first()
    if found is None:
        found = Asset(symbol=symbol, name=symbol.title(), kind="crypto")
        session.add(found)
        session.flush()
    return found


def story(session: Session, headline: str = "A story") -> Story:
    """An empty story to put articles in."""
    found = Story(headline=headline, first_seen_at=START, last_seen_at=START, updated_at=START)
    session.add(found)
    session.flush()
    return found
