"""Reading HTML pages out of WARC files written here with warcio, whole and damaged."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from wirebrief.errors import WarcError, WirebriefError
from wirebrief.warc import WarcPage, WarcStats, iter_warc_pages

MAX_BYTES = 2048
WARC_DATE = "2026-05-04T10:15:30Z"
FETCHED_AT = datetime(2026, 5, 4, 10, 15, 30, tzinfo=UTC)

PAGE_A = b"<!doctype html><html><head><title>Orchard Wire</title></head><body><p>Apple harvest notes.</p></body></html>"
PAGE_LATIN1 = "<html><body><p>Café crème à la gare</p></body></html>".encode("iso-8859-1")
PAGE_EXACT = (
    b"<html><body>" + b"x" * (MAX_BYTES - len(b"<html><body></body></html>")) + b"</body></html>"
)
PAGE_ENCODED = b"<html><body><p>Sent chunked and gzipped.</p></body></html>"
PAGE_XHTML = b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>XHTML page</p></body></html>'
assert len(PAGE_EXACT) == MAX_BYTES


def _http(status: str, content_type: str, *extra: tuple[str, str]) -> StatusAndHeaders:
    return StatusAndHeaders(status, [("Content-Type", content_type), *extra], protocol="HTTP/1.1")


def _chunked(data: bytes, size: int = 16) -> bytes:
    parts = [
        b"%x\r\n%s\r\n" % (len(data[i : i + size]), data[i : i + size])
        for i in range(0, len(data), size)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


def write_sample_warc(path: Path, *, compress: bool) -> list[int]:
    """Write one record of each kind the reader must handle; return each record's end offset."""
    ends: list[int] = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=compress)

        def write(record: ArcWarcRecord) -> None:
            writer.write_record(record)
            record.raw_stream.close()  # warcio spools payloads to temporary files
            ends.append(out.tell())

        def response(uri: str, http: StatusAndHeaders | None, payload: bytes, **warc: str) -> None:
            write(
                writer.create_warc_record(
                    uri,
                    "response",
                    payload=io.BytesIO(payload),
                    http_headers=http,
                    warc_headers_dict={"WARC-Date": WARC_DATE, **warc},
                    # Without HTTP headers (dns:) warcio needs the block's own type.
                    warc_content_type="text/dns" if http is None else "",
                )
            )

        ok_html = _http("200 OK", "text/html")
        write(writer.create_warcinfo_record(path.name, {"software": "wirebrief-tests"}))
        get = StatusAndHeaders(
            "GET /a HTTP/1.1", [("Host", "orchard.example")], is_http_request=True
        )
        write(
            writer.create_warc_record(
                "https://orchard.example/a",
                "request",
                http_headers=get,
                warc_headers_dict={"WARC-Date": WARC_DATE},
            )
        )
        response("https://orchard.example/a", _http("200 OK", "text/html; charset=utf-8"), PAGE_A)
        latin1 = _http("200 OK", "text/html; charset=ISO-8859-1")
        response("https://orchard.example/cafe", latin1, PAGE_LATIN1)
        missing = _http("404 Not Found", "text/html")
        response("https://orchard.example/missing", missing, b"<p>gone</p>")
        png = b"\x89PNG\r\n\x1a\n" + bytes(64)
        response("https://orchard.example/logo.png", _http("200 OK", "image/png"), png)
        write(
            writer.create_revisit_record(
                "https://orchard.example/a",
                "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "https://orchard.example/a",
                WARC_DATE,
                http_headers=ok_html,
                warc_headers_dict={"WARC-Date": WARC_DATE},
            )
        )
        response("https://orchard.example/huge", ok_html, b"y" * (MAX_BYTES + 1))
        response("https://orchard.example/exact", _http("200 OK", "TEXT/HTML"), PAGE_EXACT)
        encoded = _http(
            "200 OK", "text/html", ("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")
        )
        response(
            "https://orchard.example/encoded",
            encoded,
            _chunked(gzip.compress(PAGE_ENCODED, mtime=0)),
        )
        dns = b"20260504101530\norchard.example. 300 IN A 192.0.2.7\n"
        response("dns:orchard.example", None, dns)
        xhtml = _http("200 OK", "application/xhtml+xml")
        fractional = {"WARC-Date": "2026-05-04T10:15:30.250000Z"}
        response("http://orchard.example/xhtml", xhtml, PAGE_XHTML, **fractional)
    return ends


EXPECTED_PAGES = [
    WarcPage("https://orchard.example/a", PAGE_A, "text/html; charset=utf-8", FETCHED_AT),
    WarcPage(
        "https://orchard.example/cafe", PAGE_LATIN1, "text/html; charset=ISO-8859-1", FETCHED_AT
    ),
    WarcPage("https://orchard.example/exact", PAGE_EXACT, "TEXT/HTML", FETCHED_AT),
    WarcPage("https://orchard.example/encoded", PAGE_ENCODED, "text/html", FETCHED_AT),
    WarcPage(
        "http://orchard.example/xhtml",
        PAGE_XHTML,
        "application/xhtml+xml",
        datetime(2026, 5, 4, 10, 15, 30, 250000, tzinfo=UTC),
    ),
]

compressions = pytest.mark.parametrize("compress", [False, True], ids=["warc", "warc.gz"])


def sample(tmp_path: Path, compress: bool) -> tuple[Path, list[int]]:
    path = tmp_path / ("sample.warc.gz" if compress else "sample.warc")
    return path, write_sample_warc(path, compress=compress)


@compressions
def test_yields_only_ok_html_responses_with_decoded_bodies(tmp_path: Path, compress: bool) -> None:
    path, _ = sample(tmp_path, compress)

    pages = list(iter_warc_pages(path, max_bytes=MAX_BYTES))

    assert pages == EXPECTED_PAGES
    assert all(page.fetched_at and page.fetched_at.tzinfo is UTC for page in pages)


@compressions
def test_stats_say_why_each_record_was_skipped(tmp_path: Path, compress: bool) -> None:
    path, ends = sample(tmp_path, compress)
    stats = WarcStats()

    list(iter_warc_pages(path, max_bytes=MAX_BYTES, stats=stats))

    assert stats == WarcStats(
        records=len(ends),
        pages=5,
        skipped_not_response=3,  # warcinfo, request, revisit
        skipped_not_http=1,  # dns:
        skipped_status=1,
        skipped_not_html=1,
        skipped_too_large=1,
        errors=0,
        error=None,
    )
    assert stats.skipped == len(ends) - 5


def test_default_cap_keeps_the_large_page(tmp_path: Path) -> None:
    path, _ = sample(tmp_path, compress=True)

    urls = [page.url for page in iter_warc_pages(path)]

    assert "https://orchard.example/huge" in urls


@compressions
def test_progress_reports_file_bytes_up_to_the_file_size(tmp_path: Path, compress: bool) -> None:
    path, ends = sample(tmp_path, compress)
    reports: list[int] = []

    list(iter_warc_pages(path, max_bytes=MAX_BYTES, on_progress=reports.append))

    assert len(reports) == len(ends) + 1  # once per record, once at the end
    assert reports == sorted(reports)
    assert reports[-1] == path.stat().st_size


@compressions
def test_file_cut_inside_a_body_yields_earlier_pages_then_raises(
    tmp_path: Path, compress: bool
) -> None:
    path, ends = sample(tmp_path, compress)
    cut = (ends[7] + ends[8]) // 2  # the middle of the record holding PAGE_EXACT
    path.write_bytes(path.read_bytes()[:cut])
    stats = WarcStats()
    pages: list[WarcPage] = []

    with pytest.raises(WarcError, match="truncated or corrupt") as raised:
        for page in iter_warc_pages(path, max_bytes=MAX_BYTES, stats=stats):
            pages.append(page)

    assert pages == EXPECTED_PAGES[:2]
    assert isinstance(raised.value, WirebriefError)
    assert str(path) in str(raised.value)
    assert stats.errors == 1 and stats.error == str(raised.value)


@compressions
def test_file_cut_near_the_start_of_a_record_raises_after_earlier_pages(
    tmp_path: Path, compress: bool
) -> None:
    """warcio itself ends quietly when the file stops inside a record's headers."""
    path, ends = sample(tmp_path, compress)
    whole = path.read_bytes()
    for cut in (ends[7] + 12, ends[7] + 200):  # into the record holding PAGE_EXACT
        path.write_bytes(whole[:cut])
        pages: list[WarcPage] = []

        with pytest.raises(WarcError, match="truncated or corrupt"):
            for page in iter_warc_pages(path, max_bytes=MAX_BYTES):
                pages.append(page)

        assert pages == EXPECTED_PAGES[:2]


def test_file_cut_inside_the_gzip_trailer_raises_after_the_whole_page(tmp_path: Path) -> None:
    """The last bytes of a gzip member are its checksum: the page is whole, the file is not."""
    path, ends = sample(tmp_path, compress=True)
    path.write_bytes(path.read_bytes()[: ends[2] - 4])  # records 0-2: warcinfo, request, page A
    pages: list[WarcPage] = []

    with pytest.raises(WarcError, match="gzip member"):
        for page in iter_warc_pages(path):
            pages.append(page)

    assert pages == EXPECTED_PAGES[:1]


@compressions
def test_file_cut_exactly_between_records_is_a_shorter_valid_file(
    tmp_path: Path, compress: bool
) -> None:
    path, ends = sample(tmp_path, compress)
    path.write_bytes(path.read_bytes()[: ends[3]])

    assert list(iter_warc_pages(path)) == EXPECTED_PAGES[:2]


def test_non_warc_file_raises_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "page.warc"
    path.write_bytes(b"<!doctype html><html><body>not an archive</body></html>\n")

    with pytest.raises(WarcError, match="not a WARC file"):
        list(iter_warc_pages(path))


def test_whole_file_gzip_explains_how_to_recompress(tmp_path: Path) -> None:
    plain, _ = sample(tmp_path, compress=False)
    path = tmp_path / "single-stream.warc.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))

    with pytest.raises(WarcError, match="warcio recompress"):
        list(iter_warc_pages(path, max_bytes=MAX_BYTES))


def test_missing_file_raises_warc_error(tmp_path: Path) -> None:
    stats = WarcStats()

    with pytest.raises(WarcError, match="cannot open"):
        list(iter_warc_pages(tmp_path / "absent.warc.gz", stats=stats))

    assert stats.errors == 1


@pytest.mark.parametrize("name", ["empty.warc", "empty.warc.gz"])
def test_empty_file_has_no_pages(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    stats = WarcStats()

    assert list(iter_warc_pages(path, stats=stats)) == []
    assert stats == WarcStats()


def test_stopping_early_closes_the_file(tmp_path: Path) -> None:
    path, _ = sample(tmp_path, compress=True)
    pages = iter_warc_pages(path)

    first = next(pages)
    pages.close()

    assert first == EXPECTED_PAGES[0]
