"""The store stage keeps search and related stories in sync with what it stores."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.httpserver import FixtureServer, Route
from wirebrief.demo.server import NewsroomServer
from wirebrief.pipeline import ingest_due, process_page, store_article
from wirebrief.search.related import related_for
from wirebrief.search.service import search
from wirebrief.search.terms import term_vector, tldr_text
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, ArticleTerm
from wirebrief.summarize.tldr import Tldr

PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body><article>
<h1>{title}</h1><p>{body} The committee met on Tuesday and agreed on the plan.</p>
<p>Analysts said the decision would shape the quarter, and traders watched closely.</p>
</article></body></html>"""
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>{base}/</link>
<description>d</description><item><title>{title}</title><link>{base}/story</link>
<guid>{base}/story</guid></item></channel></rss>"""


def test_ingesting_the_newsroom_makes_it_searchable_and_related(
    settings: Settings, db: Database
) -> None:
    with NewsroomServer() as newsroom:
        with db.session() as session:
            for name, feed_url in newsroom.feed_urls():
                source_store.add_source(session, feed_url, name)
        ingest_due(db, settings)
    with db.session() as session:
        page = search(session, "korvex")
        assert page.results, "the hack story is found"
        stories = [r.article.story_id for r in page.results if r.article.story_id]
        assert len(stories) == len(set(stories))  # one result per story
        for article in session.scalars(select(Article).where(Article.hidden.is_(False))):
            mine = article.story_id
            related = related_for(session, article)
            assert all(r.article.story_id != mine or mine is None for r in related)
            assert len({r.article.story_id for r in related if r.article.story_id}) == len(
                [r for r in related if r.article.story_id]
            )


def test_an_updated_article_is_searched_by_its_new_text(settings: Settings, db: Database) -> None:
    routes: dict[str, Route] = {}
    with FixtureServer(routes) as server:
        base = server.base_url
        routes["/feed.xml"] = Route(FEED.format(base=base, title="Old headline").encode(),
                                    content_type="application/rss+xml")  # fmt: skip
        routes["/story"] = Route(PAGE.format(title="Old headline", body="Quokkas.").encode())
        with db.session() as session:
            source_id = source_store.add_source(session, server.url("/feed.xml"), "fixture").id
        ingest_due(db, settings, [source_id])
        routes["/feed.xml"].body = FEED.format(base=base, title="New headline").encode()
        routes["/story"].body = PAGE.format(title="New headline", body="Wombats.").encode()
        ingest_due(db, settings, [source_id])
    with db.session() as session:
        assert [r.article.title for r in search(session, "wombats").results] == ["New headline"]
        assert search(session, "quokkas").results == []


def test_the_store_stage_keeps_the_terms_the_page_stages_weighed(any_db: Database) -> None:
    """The page stages weigh the related-story terms; the store stage stores them, or weighs
    again when the TLDR was replaced after the stages (an LLM's): the postings are always
    the stored title's, TLDR's and text's."""
    as_weighed = process_page(
        PAGE.format(title="Quokka census", body="Quokkas."), "https://a.example/1", Settings()
    )
    replaced = process_page(
        PAGE.format(title="Wombat census", body="Wombats."), "https://b.example/1", Settings()
    )
    assert as_weighed.related_terms is not None and replaced.related_terms is not None
    replaced.tldr = Tldr("Numbat rangers counted marsupials", ("Bilbies too.",), "llm")
    with any_db.session() as session:
        store_article(session, as_weighed)
        store_article(session, replaced)
    with any_db.session() as session:
        for article in session.scalars(select(Article).order_by(Article.id)):
            tldr = tldr_text(article.tldr_headline, article.tldr_bullets)
            expected = term_vector(article.title, article.text, tldr, article.lang)
            postings = select(ArticleTerm.term, ArticleTerm.weight).where(
                ArticleTerm.article_id == article.id
            )
            stored = {term: weight for term, weight in session.execute(postings)}
            assert stored == pytest.approx(expected)
            weighed = {as_weighed.url: as_weighed, replaced.url: replaced}[article.url]
            assert weighed.related_terms is not None
            # What the stages weighed is what the stored row weighs, but for the new TLDR.
            assert (weighed.related_terms.weights == expected) == (weighed is as_weighed)
