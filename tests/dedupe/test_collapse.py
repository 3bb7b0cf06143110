"""Placing a new page: every page keeps its own row; a copy, exact or near, points at its
family's origin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from tests.support.concurrency import second_waits_for_first
from tests.support.copies import ORCHARD, PAYWALL, T0, article, draft_of, footer
from tests.support.postgres import pg_db  # noqa: F401 (fixture)
from wirebrief.dedupe.collapse import _near_copies
from wirebrief.dedupe.minhash import BANDS, lead_buckets
from wirebrief.dedupe.origin import origin_of
from wirebrief.extract.provenance import Origin
from wirebrief.pipeline import process_text, store_article
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, LshBand


def store(db: Database, settings: Settings, url: str, paragraphs: list[str], **page: Any) -> str:
    """One page through the text stages and the store stage, in its own transaction."""
    draft = draft_of(settings, url, paragraphs, **page)
    with db.session() as session:
        return store_article(session, draft)


def rows(db: Database) -> dict[str, Article]:
    """Stored articles by URL."""
    with db.session() as session:
        return {a.url: a for a in session.scalars(select(Article))}


def count(db: Database, model: type) -> int:
    """Rows in ``model``'s table."""
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


# ── originals ──


def test_an_original_gets_a_row_and_its_band_buckets(db: Database, settings: Settings) -> None:
    assert store(db, settings, "https://orchard.example/fares", article(1)) == "new"
    stored = rows(db)["https://orchard.example/fares"]
    assert stored.duplicate_of is None
    assert count(db, LshBand) == BANDS + len(lead_buckets("\n\n".join(article(1))))


def test_unrelated_articles_stay_apart(db: Database, settings: Settings) -> None:
    store(db, settings, "https://orchard.example/fares", article(1))
    assert store(db, settings, "https://ledger.example/storm", article(2), hours=1) == "new"
    assert all(a.duplicate_of is None for a in rows(db).values())


# ── exact copies ──


def test_an_exact_copy_by_content_hash_is_its_own_row_pointing_at_the_stored_article(
    db: Database, settings: Settings
) -> None:
    text = article(3)
    store(db, settings, "https://orchard.example/fares", text)
    respaced = [p.upper() + "  " for p in text]  # normalised text: same hash
    outcome = store(
        db, settings, "https://ledger.example/copy", respaced, hours=2, title="Fares up, again"
    )
    assert outcome == "copies"
    stored = rows(db)
    copy = stored["https://ledger.example/copy"]
    assert copy.duplicate_of == stored["https://orchard.example/fares"].id
    assert (copy.title, copy.site_name, copy.published_at) == (
        "Fares up, again", "Ledger", T0 + timedelta(hours=2),
    )  # fmt: skip
    assert stored["https://orchard.example/fares"].title == "Harbour fares rise again"


def test_an_exact_copy_by_canonical_url_collapses_even_when_short_or_different(
    db: Database, settings: Settings
) -> None:
    store(db, settings, "https://orchard.example/fares", article(4))
    teaser = [" ".join(article(4)[0].split()[:20])]  # an AMP teaser: different, short text
    outcome = store(
        db, settings, "https://orchard.example/amp/fares", teaser, hours=1,
        canonical="https://orchard.example/fares",
    )  # fmt: skip
    assert outcome == "copies"
    stored = rows(db)
    assert stored["https://orchard.example/amp/fares"].duplicate_of == (
        stored["https://orchard.example/fares"].id
    )


def test_an_origin_after_a_page_naming_it_as_canonical_becomes_the_root(
    db: Database, settings: Settings
) -> None:
    teaser = [" ".join(article(4)[0].split()[:20])]
    store(db, settings, "https://orchard.example/amp/fares", teaser,
          canonical="https://orchard.example/fares")  # fmt: skip
    assert store(db, settings, "https://orchard.example/fares", article(4), hours=1) == "new"
    stored = rows(db)
    assert stored["https://orchard.example/fares"].duplicate_of is None
    assert stored["https://orchard.example/amp/fares"].duplicate_of == (
        stored["https://orchard.example/fares"].id
    )


def test_short_identical_teasers_are_not_collapsed_by_hash(
    db: Database, settings: Settings
) -> None:
    store(db, settings, "https://orchard.example/a", [PAYWALL])
    assert store(db, settings, "https://ledger.example/b", [PAYWALL], hours=1) == "new"
    assert all(a.duplicate_of is None for a in rows(db).values())


def test_short_identical_teasers_are_not_linked_as_near_copies(
    db: Database, settings: Settings
) -> None:
    store(db, settings, "https://orchard.example/a", [PAYWALL])
    store(db, settings, "https://ledger.example/b", [PAYWALL], hours=1)
    assert all(a.duplicate_of is None for a in rows(db).values())


def test_an_origin_arriving_after_its_exact_copy_keeps_its_own_words(
    db: Database, settings: Settings
) -> None:
    """The origin becomes the family's root; neither row takes anything from the other
    (before, the origin took over the copy's row and kept the copy's headline)."""
    text = article(5)
    store(db, settings, "https://ledger.example/copy", text, hours=6, title="A copy's headline")
    assert store(db, settings, "https://orchard.example/fares", text) == "new"
    stored = rows(db)
    origin, copy = stored["https://orchard.example/fares"], stored["https://ledger.example/copy"]
    assert (origin.title, origin.site_name, origin.published_at, origin.duplicate_of) == (
        "Harbour fares rise again", "Orchard", T0, None,
    )  # fmt: skip
    assert (copy.title, copy.site_name, copy.published_at, copy.duplicate_of) == (
        "A copy's headline", "Ledger", T0 + timedelta(hours=6), origin.id,
    )  # fmt: skip
    assert copy.story_id == origin.story_id


def test_the_origin_arriving_as_an_exact_copy_of_a_near_copy_becomes_the_root(
    db: Database, settings: Settings
) -> None:
    text = article(6)
    store(db, settings, "https://signal.example/trimmed", [*text[:6], footer("Orchard")], hours=3)
    store(db, settings, "https://ledger.example/verbatim", text, hours=6)
    assert store(db, settings, "https://orchard.example/fares", text) == "new"
    stored = rows(db)
    assert stored["https://orchard.example/fares"].duplicate_of is None
    origin_id = stored["https://orchard.example/fares"].id
    assert stored["https://signal.example/trimmed"].duplicate_of == origin_id
    assert stored["https://ledger.example/verbatim"].duplicate_of == origin_id


def test_an_exact_copy_naming_the_origin_keeps_its_provenance_and_names_the_root(
    db: Database, settings: Settings
) -> None:
    """What a copy says stays on the copy's row, and still decides the family's origin."""
    text = article(13)
    store(db, settings, "https://ledger.example/copy", text)
    assert store(db, settings, "https://signal.example/copy", text, hours=1, chain=[ORCHARD]) == (
        "copies"
    )
    assert rows(db)["https://ledger.example/copy"].origin_name is None
    store(db, settings, "https://orchard.example/fares", [*text, "Reporting by staff."], hours=5)
    stored = rows(db)
    origin = stored["https://orchard.example/fares"]
    assert (origin.duplicate_of, origin.origin_name) == (None, None)
    assert stored["https://ledger.example/copy"].duplicate_of == origin.id
    assert stored["https://signal.example/copy"].duplicate_of == origin.id
    assert stored["https://signal.example/copy"].origin_name == "Orchard"


def test_every_copy_keeps_its_own_chain(db: Database, settings: Settings) -> None:
    text = article(14)
    middleman = Origin("Middleman", "https://middleman.example/fares")
    store(db, settings, "https://ledger.example/copy", text, chain=[ORCHARD])
    store(db, settings, "https://signal.example/copy", text, hours=1, chain=[middleman, ORCHARD])
    store(db, settings, "https://summit.example/copy", text, hours=2, chain=[ORCHARD])
    stored = rows(db)
    assert stored["https://ledger.example/copy"].origin_chain == [
        {"name": "Orchard", "url": "https://orchard.example/fares"}
    ]
    assert stored["https://signal.example/copy"].origin_chain == [
        {"name": "Middleman", "url": "https://middleman.example/fares"},
        {"name": "Orchard", "url": "https://orchard.example/fares"},
    ]


def test_a_stored_row_never_takes_provenance_that_names_itself(
    db: Database, settings: Settings
) -> None:
    store(db, settings, "https://orchard.example/fares", article(15))
    store(db, settings, "https://ledger.example/copy", article(15), hours=1, chain=[ORCHARD])
    stored = rows(db)["https://orchard.example/fares"]
    assert (stored.origin_name, stored.origin_url, stored.origin_chain) == (None, None, None)


def test_an_earlier_exact_copy_naming_an_unstored_wire_is_the_root_with_its_own_provenance(
    db: Database, settings: Settings
) -> None:
    text = article(16)
    store(db, settings, "https://ledger.example/copy", text, hours=6)
    wire = [Origin("Wire Service", None)]  # not stored: the earliest page stays the origin
    store(db, settings, "https://orchard.example/fares", text, chain=wire)
    stored = rows(db)
    origin = stored["https://orchard.example/fares"]
    assert (origin.duplicate_of, origin.origin_name) == (None, "Wire Service")
    assert stored["https://ledger.example/copy"].duplicate_of == origin.id
    assert stored["https://ledger.example/copy"].origin_name is None


# ── near copies ──


def test_a_near_copy_points_at_its_origin(db: Database, settings: Settings) -> None:
    text = article(7)
    store(db, settings, "https://orchard.example/fares", text)
    copy = ["Share this article", *text[:6], footer("Orchard")]
    assert store(db, settings, "https://ledger.example/copy", copy, hours=2) == "copies"
    stored = rows(db)
    origin = stored["https://orchard.example/fares"]
    assert stored["https://ledger.example/copy"].duplicate_of == origin.id
    assert stored["https://ledger.example/copy"].story_id == origin.story_id
    assert origin.duplicate_of is None


@pytest.mark.parametrize("kind", ["near", "exact"])
def test_copies_stored_by_two_workers_at_once_find_each_other(
    pg_db: Database,  # noqa: F811
    settings: Settings,
    kind: str,
) -> None:
    """Neither worker has committed when the other looks for copies: the second waits on the
    band buckets they share, then finds the first."""
    text = article(31)
    copy = text if kind == "exact" else ["Share this article", *text[:6], footer("Orchard")]
    first = draft_of(settings, "https://orchard.example/fares", text)
    second = draft_of(settings, "https://ledger.example/copy", copy, hours=2)
    second_waits_for_first(
        pg_db, lambda s: store_article(s, first), lambda s: store_article(s, second)
    )
    stored = rows(pg_db)
    origin = stored["https://orchard.example/fares"]
    assert stored["https://ledger.example/copy"].duplicate_of == origin.id


def test_a_repost_of_a_repost_points_at_the_root_not_at_its_parent(
    db: Database, settings: Settings
) -> None:
    text = article(8)
    store(db, settings, "https://orchard.example/fares", text)
    first = [*text[:7], footer("Orchard")]
    store(db, settings, "https://ledger.example/copy", first, hours=2)
    second = ["TLDR", text[1].split(".")[0], *first, "Sign up for our newsletter."]
    store(db, settings, "https://signal.example/copy-of-copy", second, hours=4)
    stored = rows(db)
    root = stored["https://orchard.example/fares"].id
    assert stored["https://ledger.example/copy"].duplicate_of == root
    assert stored["https://signal.example/copy-of-copy"].duplicate_of == root


def test_an_origin_arriving_last_re_points_every_copy(db: Database, settings: Settings) -> None:
    text = article(9)
    store(db, settings, "https://ledger.example/trimmed", [*text[:6], footer("Orchard")], hours=5)
    tldr = ["TLDR", text[0].split(".")[0], *text]
    store(db, settings, "https://signal.example/tldr", tldr, hours=8)
    assert rows(db)["https://signal.example/tldr"].duplicate_of is not None
    assert store(db, settings, "https://orchard.example/fares", [*text, "Reporting by staff."]) == (
        "new"
    )
    stored = rows(db)
    origin = stored["https://orchard.example/fares"]
    assert origin.duplicate_of is None
    assert stored["https://ledger.example/trimmed"].duplicate_of == origin.id
    assert stored["https://signal.example/tldr"].duplicate_of == origin.id


def test_a_late_copy_reads_one_member_of_its_family_not_every_stored_copy(
    db: Database, settings: Settings
) -> None:
    text = article(12)
    store(db, settings, "https://orchard.example/fares", text)
    sites = ("ledger", "signal", "summit", "atlas", "cobalt")
    for hours, site in enumerate(sites, start=1):
        copy = [f"Share this on {site}", *text[: 8 - hours % 2], footer("Orchard")]
        store(db, settings, f"https://{site}.example/copy", copy, hours=hours)
    late = process_text(
        "https://harbor.example/late", "Harbour fares", "\n\n".join(text[:7]), settings
    )
    loaded: list[str] = []

    def remember(target: Article, _context: object) -> None:
        loaded.append(target.url)

    with db.session() as session:
        event.listen(Article, "load", remember)
        try:
            found = _near_copies(
                session, Article(id=-1, text=late.text), late.lsh_buckets, known=set()
            )
        finally:
            event.remove(Article, "load", remember)
        assert found == {rows(db)["https://orchard.example/fares"].id}
    assert len(loaded) == 1  # six family members share buckets with it; one is read


def test_a_copy_in_the_family_naming_the_newcomer_makes_it_the_origin(
    db: Database, settings: Settings
) -> None:
    text = article(13)
    store(db, settings, "https://ledger.example/early", [*text, "Advertisement"])  # no credit
    named = [*text[:7], footer("Orchard")]
    store(db, settings, "https://signal.example/copy", named, hours=2, chain=[ORCHARD])
    assert rows(db)["https://signal.example/copy"].duplicate_of == (
        rows(db)["https://ledger.example/early"].id
    )
    store(db, settings, "https://orchard.example/fares", text, hours=3)  # its feed says later
    stored = rows(db)
    origin = stored["https://orchard.example/fares"]
    assert origin.duplicate_of is None
    assert stored["https://ledger.example/early"].duplicate_of == origin.id
    assert stored["https://signal.example/copy"].duplicate_of == origin.id


def test_a_copy_naming_its_origin_loses_to_it_despite_an_earlier_timestamp(
    db: Database, settings: Settings
) -> None:
    text = article(10)
    store(db, settings, "https://ledger.example/copy", [*text, footer("Orchard")], chain=[ORCHARD])
    store(db, settings, "https://orchard.example/fares", text, hours=3)  # feeds lie about time
    stored = rows(db)
    assert stored["https://orchard.example/fares"].duplicate_of is None
    assert stored["https://ledger.example/copy"].duplicate_of == (
        stored["https://orchard.example/fares"].id
    )


def test_the_persisted_index_finds_copies_after_a_restart(settings: Settings) -> None:
    text = article(11)
    first = Database(settings.database_url)
    first.upgrade()
    store(first, settings, "https://orchard.example/fares", text)
    first.dispose()
    second = Database(settings.database_url)  # a new process would see only the database
    store(second, settings, "https://ledger.example/copy", [*text[1:], footer("Orchard")], hours=1)
    stored = rows(second)
    second.dispose()
    assert stored["https://ledger.example/copy"].duplicate_of == (
        stored["https://orchard.example/fares"].id
    )


# ── idempotence ──


def test_storing_the_same_pages_again_changes_nothing(db: Database, settings: Settings) -> None:
    text = article(12)
    pages = [
        ("https://orchard.example/fares", text, 0.0),
        ("https://ledger.example/copy", [*text[:6], footer("Orchard")], 2.0),
        ("https://signal.example/verbatim", text, 3.0),
    ]
    assert [store(db, settings, url, p, hours=h) for url, p, h in pages] == [
        "new", "copies", "copies",
    ]  # fmt: skip
    before = {u: a.duplicate_of for u, a in rows(db).items()}
    counts = [count(db, m) for m in (Article, LshBand)]
    again = [store(db, settings, url, p, hours=h) for url, p, h in pages]
    assert again == ["unchanged"] * 3
    assert {u: a.duplicate_of for u, a in rows(db).items()} == before
    assert [count(db, m) for m in (Article, LshBand)] == counts


# ── which one is the origin ──


def page(
    article_id: int,
    url: str,
    *,
    hours: float | None = 0.0,
    site: str | None = None,
    origin: Origin | None = None,
    chain: list[dict[str, str | None]] | None = None,
) -> Article:
    """An unsaved article with only what ``origin_of`` reads."""
    return Article(
        id=article_id, url=url, canonical_url=url, site_name=site, title="t", text="", html="",
        content_hash="", published_at=None if hours is None else T0 + timedelta(hours=hours),
        origin_name=origin.name if origin else None, origin_url=origin.url if origin else None,
        origin_chain=chain, hidden=False,
    )  # fmt: skip


def origin_of_pair(a: Article, b: Article) -> Article:
    """The origin ``origin_of`` chooses from two pages, the same in either order."""
    origin = origin_of([a, b])
    assert origin_of([b, a]) is origin
    return origin


@pytest.mark.parametrize(
    "naming",
    [
        {"origin": Origin(None, "https://www.orchard.example/fares/")},  # URL, normalised
        {"origin": Origin("Orchard Wire", None)},  # the origin's site name
        {"origin": Origin("orchard.example", None)},  # the origin's host
        {"chain": [{"name": "Middleman", "url": None}, {"name": "Orchard Wire", "url": None}]},
    ],
)
def test_provenance_beats_timestamps(naming: dict) -> None:
    copy = page(1, "https://ledger.example/copy", hours=0, **naming)
    original = page(2, "https://orchard.example/fares", hours=5, site="Orchard Wire")
    assert origin_of_pair(copy, original) is original


def test_without_provenance_the_earliest_publication_wins() -> None:
    early = page(2, "https://orchard.example/a", hours=0)
    late = page(1, "https://ledger.example/b", hours=1)
    undated = page(3, "https://signal.example/c", hours=None)
    assert origin_of_pair(late, early) is early
    assert origin_of_pair(undated, late) is late


def test_copies_naming_each_other_fall_back_to_time_and_ties_to_the_url() -> None:
    a = page(
        2, "https://orchard.example/a", hours=1, origin=Origin(None, "https://ledger.example/b")
    )
    b = page(
        1, "https://ledger.example/b", hours=0, origin=Origin(None, "https://orchard.example/a")
    )
    assert origin_of_pair(a, b) is b
    same_time = page(4, "https://orchard.example/c"), page(5, "https://ledger.example/d")
    assert origin_of_pair(*same_time) is same_time[1]  # never the one that arrived first


def test_a_page_named_by_a_copy_beats_an_earlier_page_nobody_names() -> None:
    """Pairwise rules would go round in a circle here (Y names X, X is earlier than Z, Z
    than Y): the whole family is read at once, so the answer is the same in every order."""
    x = page(1, "https://orchard.example/x", hours=2, site="Orchard")
    y = page(2, "https://ledger.example/y", hours=0, origin=Origin("Orchard", None))
    z = page(3, "https://signal.example/z", hours=1)
    for order in ([x, y, z], [z, y, x], [y, z, x]):
        assert origin_of(order) is x


def test_a_visible_page_is_the_origin_before_a_hidden_one() -> None:
    original = page(1, "https://orchard.example/fares", hours=0)
    original.hidden = True  # e.g. its source was blocked
    copy = page(2, "https://ledger.example/copy", hours=1, origin=Origin("Orchard", None))
    assert origin_of_pair(original, copy) is copy


# ── teasers ──


def test_a_teaser_of_a_stored_article_is_its_near_copy(db: Database, settings: Settings) -> None:
    """The first paragraphs, the copier's chrome and a link to the rest: too little of the
    article for the bands, found by the lead buckets and confirmed by its opening.
    """
    full = article(40)
    store(db, settings, "https://orchard.example/fares", full)
    chrome = [
        "Home › News › Markets",
        "Disclaimer: the views expressed here are the author's own and do not constitute "
        "advice of any kind; readers should do their own research before acting on them.",
    ]
    teaser = [chrome[0], *full[:2], "Continue reading at Orchard …", chrome[1]]
    store(db, settings, "https://ledger.example/teaser", teaser, hours=1)
    stored = rows(db)
    assert (
        stored["https://ledger.example/teaser"].duplicate_of
        == stored["https://orchard.example/fares"].id
    )


def test_an_article_stored_after_its_teaser_joins_it(db: Database, settings: Settings) -> None:
    full = article(41)
    store(db, settings, "https://ledger.example/teaser", [*full[:2], "Read the rest …"])
    store(db, settings, "https://orchard.example/fares", full, hours=1)
    stored = rows(db)
    family = {a.duplicate_of or a.id for a in stored.values()}
    assert len(family) == 1  # one family, whichever is its root


def test_two_articles_sharing_only_site_chrome_stay_apart(db: Database, settings: Settings) -> None:
    chrome = [
        "Sign up for the Orchard newsletter and get the day's top stories in your inbox "
        "every morning, with the markets, the weather and the harbour timetable.",
        "Disclaimer: the views expressed here are the author's own and do not constitute "
        "advice of any kind; readers should do their own research before acting on them.",
    ]
    store(db, settings, "https://orchard.example/a", [*article(42, paragraphs=2), *chrome])
    second = [*article(43, paragraphs=2), *chrome]
    store(db, settings, "https://orchard.example/b", second, hours=1)
    assert all(a.duplicate_of is None for a in rows(db).values())
