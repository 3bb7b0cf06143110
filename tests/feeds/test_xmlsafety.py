"""Entity declarations are cut out of feeds before any XML parser reads them.

Hostile payloads: external entities pointing at a local file and at the fixture
server on 127.0.0.1 (which must receive no request), billion laughs, and the
same tricks in UTF-16, UTF-7 or behind comments and quoted brackets.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import feedparser
import httpx
import pytest
from lxml import etree

from tests.support.httpserver import FixtureServer, Route
from wirebrief.feeds.xmlsafety import PROBLEM, neutralize_entities

TESTDATA = Path(__file__).parent / "testdata"


def read(name: str) -> bytes:
    return (TESTDATA / name).read_bytes()


def texts(parsed: feedparser.FeedParserDict) -> str:
    """Every title and summary feedparser found, as one string."""
    parts = [parsed.feed.get("title", "")]
    for entry in parsed.entries:
        parts += [entry.get("title", ""), entry.get("summary", "")]
    return "\n".join(parts)


def permissive_lxml(body: bytes) -> str:
    """Parse as an XXE-prone configuration would (entities resolved, DTDs loaded)."""
    parser = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=False, recover=True)
    root = etree.fromstring(body, parser)
    return "" if root is None else "".join(root.itertext())


def test_file_entity_is_removed_before_feedparser_sees_it() -> None:
    body, problem = neutralize_entities(read("xxe-file-entity.xml"))

    started = time.process_time()
    parsed = feedparser.parse(body)
    assert time.process_time() - started < 1

    assert problem == PROBLEM
    assert b"<!ENTITY" not in body and b"<!DOCTYPE" not in body
    assert [entry.link for entry in parsed.entries] == [
        "https://harbour-desk.example/ferry",
        "https://harbour-desk.example/quay",
    ]
    assert parsed.entries[0].title.startswith("Ferry schedule")
    hostname = Path("/etc/hostname")
    if hostname.is_file() and hostname.read_text().strip():
        assert hostname.read_text().strip() not in texts(parsed)


def test_file_entity_would_leak_without_neutralizing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("wirebrief-secret-4711")
    payload = read("xxe-file-entity.xml").replace(b"file:///etc/hostname", secret.as_uri().encode())
    # Control: the payload is live, a resolving parser reads the file.
    assert "wirebrief-secret-4711" in permissive_lxml(payload)

    body, problem = neutralize_entities(payload)

    assert problem == PROBLEM
    assert "wirebrief-secret-4711" not in permissive_lxml(body)
    assert "wirebrief-secret-4711" not in texts(feedparser.parse(body))


def test_http_entity_sends_no_request() -> None:
    routes = {
        "/xxe": Route(b"fetched-by-the-parser", content_type="text/plain"),
        "/xxe.dtd": Route(b'<!ENTITY ping "fetched-dtd">', content_type="application/xml-dtd"),
        "/control": Route(b"ok", content_type="text/plain"),
    }
    with FixtureServer(routes) as server:
        port = server.base_url.rsplit(":", 1)[1]
        payload = read("xxe-http-entity.xml").replace(b"FIXTURE_PORT", port.encode())

        body, problem = neutralize_entities(payload)
        parsed = feedparser.parse(body)
        lxml_text = permissive_lxml(body)
        requests_during_parse = list(server.requests)
        # Control: the server answers and records requests, so silence above is real.
        httpx.get(server.url("/control"), trust_env=False)

    assert problem == PROBLEM
    assert requests_during_parse == []
    assert [path for path, _ in server.requests] == ["/control"]
    assert [entry.link for entry in parsed.entries] == [
        "https://harbour-desk.example/tides",
        "https://harbour-desk.example/lighthouse",
    ]
    assert "fetched" not in texts(parsed) + lxml_text


def test_billion_laughs_is_not_expanded() -> None:
    started = time.process_time()
    body, problem = neutralize_entities(read("billion-laughs.xml"))
    parsed = feedparser.parse(body)
    lxml_text = permissive_lxml(body)
    elapsed = time.process_time() - started

    assert problem == PROBLEM
    assert elapsed < 1
    assert [entry.link for entry in parsed.entries] == [
        "https://harbour-desk.example/laughs",
        "https://harbour-desk.example/regatta",
    ]
    assert "lollol" not in texts(parsed) + lxml_text


@pytest.mark.parametrize("name", ["utf-16-le-bom-xxe.xml", "utf-16-be-no-bom-xxe.xml"])
def test_utf16_feed_keeps_its_non_ascii_text(name: str) -> None:
    body, problem = neutralize_entities(read(name))
    parsed = feedparser.parse(body)

    assert problem == PROBLEM
    # Transcoded to UTF-8, and the declaration says so.
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert "<!ENTITY" not in body.decode("utf-8")
    assert parsed.feed.title == "Hafen · 港"
    assert [entry.title for entry in parsed.entries][1] == "東京の港に新しい桟橋"
    assert parsed.entries[0].title.startswith("Grüße aus Köln")
    assert parsed.entries[1].summary == "Ελληνικά και 日本語."


def test_comments_pis_and_quoted_brackets_before_and_in_the_doctype() -> None:
    original = read("doctype-after-comment-and-pi.xml")

    body, problem = neutralize_entities(original)

    assert problem == PROBLEM
    # The comment and the processing instruction before the DOCTYPE stay.
    assert b"<!-- generated by HarbourCMS" in body
    assert b'<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>' in body
    # The whole DOCTYPE goes, although "]>" appears in a quoted value, a comment and a PI.
    assert b"ENTITY" not in body and b"]>" not in body
    assert body.endswith(original[original.index(b"<rss") :])
    assert feedparser.parse(body).entries[0].link == "https://harbour-desk.example/tricky"


@pytest.mark.parametrize(
    "name",
    ["doctype-external-dtd-only.xml", "doctype-subset-without-entities.xml", "rss-2.0-basic.xml"],
)
def test_documents_without_entity_declarations_are_untouched(name: str) -> None:
    original = read(name)

    body, problem = neutralize_entities(original)

    assert problem is None
    assert body is original


def test_netscape_doctype_still_identifies_rss_091() -> None:
    body, _ = neutralize_entities(read("doctype-external-dtd-only.xml"))

    assert feedparser.parse(body).version == "rss091n"


def test_unterminated_doctype_takes_the_rest_with_it() -> None:
    body, problem = neutralize_entities(read("doctype-unterminated-entity.xml"))

    assert problem == PROBLEM
    assert body == b'<?xml version="1.0"?>\n'


def test_utf7_encoded_doctype_is_found() -> None:
    original = read("utf-7-declared-xxe.xml")
    assert b"<!DOCTYPE" not in original  # invisible to a byte scan

    body, problem = neutralize_entities(original)

    assert problem == PROBLEM
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert b"ENTITY" not in body and b"+ADw-" not in body
    assert feedparser.parse(body).entries[0].link == "https://harbour-desk.example/sneaky"


def test_ascii_bytes_labelled_utf16_are_scanned_as_bytes_too() -> None:
    body, problem = neutralize_entities(read("utf-16-declared-ascii-bytes-xxe.xml"))

    assert problem == PROBLEM
    assert b"ENTITY" not in body


def test_ascii_compatible_encoding_is_cut_in_place() -> None:
    original = read("windows-1251-declared-entities.xml")

    body, problem = neutralize_entities(original)

    assert problem == PROBLEM
    start, end = original.index(b"<!DOCTYPE"), original.index(b"]>") + 2
    assert body == original[:start] + original[end:]
    parsed = feedparser.parse(body)
    assert parsed.feed.title == "Порт"
    assert parsed.entries[0].title == "Новости порта"


@pytest.mark.parametrize(
    "prolog",
    [
        b'<!doctype rss [<!entity leak SYSTEM "file:///etc/hostname">]>',  # lower case
        b'<!ENTITY leak SYSTEM "file:///etc/hostname">',  # stray, outside any DOCTYPE
        b'\xef\xbb\xbf<!DOCTYPE rss [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]>',
    ],
    ids=["lower-case", "stray-declaration", "utf8-bom-parameter-entity"],
)
def test_other_spellings(prolog: bytes) -> None:
    body, problem = neutralize_entities(
        prolog + b"\n<rss><channel><title>&leak;</title></channel></rss>"
    )

    assert problem == PROBLEM
    assert b"ENTITY" not in body.upper()
    assert body.endswith(b"\n<rss><channel><title>&leak;</title></channel></rss>")


def test_entity_declarations_after_the_root_element_are_not_the_prolog() -> None:
    original = b'<rss><!DOCTYPE rss [<!ENTITY x "y">]></rss>'

    assert neutralize_entities(original) == (original, None)


def test_large_inputs_are_scanned_in_linear_time() -> None:
    huge_subset = b"<!DOCTYPE rss [" + b'<!ENTITY e "a > ] value"><!-- c ]> -->' * 100_000 + b"]>"
    many_comments = b"<!-- note -->\n" * 200_000 + b'<!DOCTYPE rss [<!ENTITY e "v">]>'
    big_feed = (
        b'<?xml version="1.0"?>\n<rss>' + b"<item><title>t</title></item>" * 200_000 + b"</rss>"
    )
    unterminated_quote = b'<!DOCTYPE rss SYSTEM "' + b"x" * 5_000_000
    feed = b"<rss><channel><title>t</title></channel></rss>"

    for body, expected in [
        (huge_subset + feed, feed),
        (many_comments + feed, b"<!-- note -->\n" * 200_000 + feed),
        (big_feed, big_feed),
        (unterminated_quote, unterminated_quote),
    ]:
        started = time.process_time()
        result, _ = neutralize_entities(body)
        assert time.process_time() - started < 1
        assert result == expected


def test_never_raises_on_arbitrary_bytes() -> None:
    rng = random.Random(4711)
    pieces = [b"<!DOCTYPE x [", b"<!ENTITY", b"]>", b"<!--", b"-->", b"<?", b"?>", b'"', b"'", b"<", b">",
              b"\xff\xfe", b"\x00", b'<?xml version="1.0" encoding="utf-16"?>', b"<rss>", b"%p;"]  # fmt: skip
    for _ in range(500):
        body = b"".join(
            rng.choice(pieces) if rng.random() < 0.7 else rng.randbytes(3) for _ in range(30)
        )
        result, problem = neutralize_entities(body)
        assert isinstance(result, bytes)
        assert problem in (None, PROBLEM)
        if problem is None:
            assert result is body
