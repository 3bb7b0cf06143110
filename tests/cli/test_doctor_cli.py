"""``wirebrief doctor``: stored articles missing from search or related stories are found
and repaired, and a stalled ingest (sources long past their poll, entries long due) is
named, on both engines."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text, update

from tests.support.articles import START, add_article, add_filler
from tests.support.cli import run_cli
from wirebrief.feeds.parser import FeedEntry
from wirebrief.search.service import search
from wirebrief.storage import inbox, reading, subscriptions
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, ArticleTerm, PendingEntry, RelatedArticle, User
from wirebrief.storage.reading import View
from wirebrief.times import utcnow

GOLD = "Central banks kept buying gold while the dollar slid for a third week."
QUOKKA = "Rangers counted more quokkas on the island than in any year since records began."


def drop_index_entries(db: Database, ids: list[int]) -> None:
    """What a worker that lost the related-list race left behind: no index entry."""
    with db.session() as session:
        if session.get_bind().dialect.name == "sqlite":
            statement = "DELETE FROM search_fts WHERE rowid = :id"
        else:
            statement = "DELETE FROM search_documents WHERE article_id = :id"
        for article_id in ids:
            session.execute(text(statement), {"id": article_id})


def test_doctor_finds_and_repairs_what_search_misses(any_db: Database) -> None:
    with any_db.session() as session:
        add_filler(session, 4)
        gold = add_article(session, "Gold tops 5,000 dollars", GOLD).id
        quokka = add_article(session, "Quokka census", QUOKKA, hours=1).id
        hidden = add_article(session, "Quokka island ferry", QUOKKA + " Wallabies too.", hours=2).id
        session.execute(text("DELETE FROM article_terms WHERE article_id = :id"), {"id": quokka})
        session.execute(text("DELETE FROM related_articles WHERE article_id = :id"), {"id": quokka})
        # Hidden behind the store stage's back: its index entry stays, a stray one.
        session.execute(text("UPDATE articles SET hidden = true WHERE id = :id"), {"id": hidden})
    drop_index_entries(any_db, [gold, quokka])
    url = any_db.url

    found = run_cli("doctor", database_url=url)
    assert found.returncode == 1, found.stdout + found.stderr
    assert (
        f"2 stored articles are missing from the search index (article ids {gold}, {quokka})"
        in found.stdout
    )
    assert (
        f"1 search index entries belong to hidden or deleted articles (article ids {hidden})"
        in found.stdout
    )
    assert f"1 articles have no related stories computed (article ids {quokka})" in found.stdout
    assert "wirebrief doctor --repair" in found.stdout
    with any_db.session() as session:
        assert not search(session, "gold").results

    repaired = run_cli("doctor", "--repair", database_url=url)
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "Repaired 4" in repaired.stdout
    with any_db.session() as session:
        assert [r.article.id for r in search(session, "gold").results] == [gold]
        assert [r.article.id for r in search(session, "census").results] == [quokka]
        assert [r.article.id for r in search(session, "wallabies").results] == []
        terms = session.scalar(select(func.count()).where(ArticleTerm.article_id == quokka))
        assert terms
        listed = session.scalar(select(func.count()).where(RelatedArticle.article_id == quokka))
        assert listed is not None
        assert session.scalar(select(func.count(Article.id))) == 7

    healthy = run_cli("doctor", database_url=url)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "All stored articles are searchable" in healthy.stdout
    assert "Traceback" not in found.stderr + repaired.stderr + healthy.stderr


def test_an_article_without_any_term_is_healthy(any_db: Database) -> None:
    """Text with no term worth keeping has an empty related list by right."""
    with any_db.session() as session:
        add_article(session, "12 34", "1 2 3 4 5 6 7 8 9 10")
    result = run_cli("doctor", database_url=any_db.url)
    assert result.returncode == 0, result.stdout + result.stderr


def test_doctor_refiles_unread_lists_that_disagree_with_the_marks(any_db: Database) -> None:
    with any_db.session() as session:
        wire = source_store.add_source(session, "https://wire.example/feed", "Wire")
        ana = User(name="ana", role="reader", password_hash="-", created_at=START,
                   updated_at=START)  # fmt: skip
        session.add(ana)
        session.flush()
        subscriptions.subscribe(session, ana, wire)
        gold = add_article(session, "Gold tops 5,000 dollars", GOLD, source_id=wire.id).id
        reading.file_families(session, [gold])
        ana_id = ana.id
        # lost behind the store stage's back: the account's unread row
        session.execute(text("DELETE FROM unread_families"))
    found = run_cli("doctor", database_url=any_db.url)
    assert found.returncode == 1, found.stdout + found.stderr
    assert (
        f"1 accounts have unread lists that disagree with their marks (account ids {ana_id})"
        in found.stdout
    )
    repaired = run_cli("doctor", "--repair", database_url=any_db.url)
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    with any_db.session() as session:
        user = session.get_one(User, ana_id)
        assert [r.root_id for r in reading.item_roots(session, user, View.UNREAD)] == [gold]


def listed(url: str) -> tuple[str, dict]:
    return url, FeedEntry(url, url, "A listed entry", None, None, None, "", "").to_json()


def test_doctor_says_when_nothing_polls_or_fetches(any_db: Database) -> None:
    """A source hours past its poll time and entries due for hours mean no poller runs:
    named with what to do, exit 1; a deferred entry is shown with its error but is no
    fault; once polled and fetched, doctor is content."""
    now = utcnow()
    wire = "http://127.0.0.1:9/wire"
    with any_db.session() as session:
        late = source_store.add_source(session, f"{wire}/late.xml", "Late wire")
        on_time = source_store.add_source(session, f"{wire}/on-time.xml", "On time")
        late.next_poll_at, on_time.next_poll_at = now - timedelta(hours=3), now
        session.flush()
        inbox.queue(session, late.id, [listed(f"{wire}/news/{n}") for n in range(3)])
        session.execute(update(PendingEntry).values(not_before=now - timedelta(hours=2)))
        limited = inbox.find(session, late.id, f"{wire}/news/2")
        assert limited is not None
        inbox.defer(session, limited, 900, "HTTP 429 from 127.0.0.1; retrying after 900 s")
        late_id = late.id

    found = run_cli("doctor", database_url=any_db.url)
    said = " ".join(found.stdout.split())
    assert found.returncode == 1, found.stdout + found.stderr
    assert "Inbox: 2 entries due now, 1 deferred after a passing failure" in said
    assert "the longest due has waited 2h" in said
    assert (
        f"{wire}/news/2 (source {late_id}): 1 failed tries, next try in 14m" in said
        or f"{wire}/news/2 (source {late_id}): 1 failed tries, next try in 15m" in said
    )
    assert "HTTP 429 from 127.0.0.1; retrying after 900 s" in said
    assert (
        f"1 sources are more than 1h past their poll time (source ids {late_id}; "
        "the latest by 3h" in said
    )
    assert "nothing is fetching their pages" in said
    assert "wirebrief fetch" in said
    assert "All stored articles are searchable" in said

    with any_db.session() as session:  # what a poll and the page fetches would leave
        source_store.get_source(session, late_id).next_poll_at = utcnow() + timedelta(minutes=5)
        for pending in inbox.due(session, late_id):
            inbox.done(session, pending.id)
    healthy = run_cli("doctor", database_url=any_db.url)
    said = " ".join(healthy.stdout.split())
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "Inbox: 0 entries due now, 1 deferred" in said
    assert "Polling: no source is more than 1h past its poll time." in said
    assert "Traceback" not in found.stderr + healthy.stderr
