"""Read archived HTML pages out of WARC files (``.warc`` and ``.warc.gz``) with warcio.

Only successful HTML responses become :class:`WarcPage` records; everything else is counted
in :class:`WarcStats` so a caller can say what was skipped and why. A file that ends in the
middle of a record raises :class:`WarcError` after every complete page before it was yielded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from wirebrief.errors import WarcError
from wirebrief.times import as_utc

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_DRAIN_BLOCK = 64 * 1024


class _ArchiveIterator(ArchiveIterator):
    """ArchiveIterator that remembers whether the file ended inside a gzip member.

    warcio closes its decompressor when the records run out, and a member cut in its last
    few bytes (the gzip trailer) decompresses to whole records without any error.
    """

    ended_inside_gzip_member = False

    def close(self) -> None:
        decompressor = self.reader.decompressor if self.reader else None
        if decompressor is not None and not getattr(decompressor, "eof", True):
            self.ended_inside_gzip_member = True
        super().close()


@dataclass(frozen=True)
class WarcPage:
    """One archived HTML page: target URL, decoded body, Content-Type and capture time."""

    url: str
    body: bytes
    content_type: str
    fetched_at: datetime | None


@dataclass
class WarcStats:
    """What :func:`iter_warc_pages` read, filled in as it goes; every record lands in one count."""

    records: int = 0
    pages: int = 0
    skipped_not_response: int = 0  # request, revisit, warcinfo, metadata, resource, ...
    skipped_not_http: int = 0  # dns:, ftp:, urn: targets
    skipped_status: int = 0
    skipped_not_html: int = 0
    skipped_too_large: int = 0
    errors: int = 0
    error: str | None = None

    @property
    def skipped(self) -> int:
        """Records read but not yielded as pages."""
        return self.records - self.pages


def iter_warc_pages(
    path: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    stats: WarcStats | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[WarcPage]:
    """Yield HTTP 200 HTML responses of a WARC file; raise :class:`WarcError` if it is damaged.

    ``stats`` is filled in while iterating; ``on_progress`` gets the number of file bytes
    (compressed, for .warc.gz) consumed so far, for a progress bar sized by the file.
    """
    stats = stats if stats is not None else WarcStats()
    try:
        handle = Path(path).open("rb")  # noqa: SIM115 - closed by the with block below
    except OSError as exc:
        stats.errors += 1
        stats.error = f"{path}: cannot open the WARC file ({exc.strerror or exc})"
        raise WarcError(stats.error) from exc
    with handle:
        size = os.fstat(handle.fileno()).st_size
        archive = _ArchiveIterator(handle)
        try:
            for record in archive:
                stats.records += 1
                page = _read_record(record, max_bytes, stats, path)
                _report(on_progress, handle)
                if page is not None:
                    stats.pages += 1
                    yield page
            # warcio ends quietly when a file stops inside a record's headers; the end of the
            # last whole record then falls short of the end of the file.
            if archive.offset < size:
                raise _damaged(path, stats, f"it ends inside a record at byte {archive.offset}")
            if archive.ended_inside_gzip_member and size > 0:
                raise _damaged(path, stats, "it ends inside a gzip member")
        except WarcError as exc:
            stats.errors += 1
            stats.error = str(exc)
            raise
        except Exception as exc:  # warcio, zlib and brotli raise many unrelated types
            stats.errors += 1
            error = _explain(path, stats, exc)
            stats.error = str(error)
            raise error from exc
        finally:
            archive.close()
        _report(on_progress, handle)


def _read_record(
    record: ArcWarcRecord, max_bytes: int, stats: WarcStats, path: Path
) -> WarcPage | None:
    """Classify one record, read its body if it is a page, and check the record is whole."""
    declared = (record.rec_headers.get_header("Content-Length") or "").strip()
    if not declared.isdigit():
        # Without a valid Content-Length the record's end is unknown (a file cut inside the
        # header reads as "Content-Length: "), so nothing after it is reliable.
        raise _damaged(path, stats, "a record has no valid Content-Length")
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
    http = record.http_headers
    content_type = (http.get_header("Content-Type") or "").strip() if http else ""
    media_type = content_type.split(";")[0].strip().lower()

    skip: str | None = None
    body = b""
    if record.rec_type != "response":
        skip = "skipped_not_response"
    elif not url.lower().startswith(("http://", "https://")) or http is None:
        skip = "skipped_not_http"
    elif http.get_statuscode() != "200":
        skip = "skipped_status"
    elif media_type not in HTML_MEDIA_TYPES:
        skip = "skipped_not_html"
    else:
        # content_stream() undoes chunked and gzip/deflate/br encodings; reading one byte past
        # the cap tells "exactly max_bytes" from "larger" without decoding the whole body.
        body = record.content_stream().read(max_bytes + 1)
        if len(body) > max_bytes:
            skip, body = "skipped_too_large", b""

    _drain(record)
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise _damaged(path, stats, f"it ends inside the record for {url or 'an unnamed target'}")
    if skip is not None:
        setattr(stats, skip, getattr(stats, skip) + 1)
        return None
    return WarcPage(url, body, content_type, _warc_date(record))


def _drain(record: ArcWarcRecord) -> None:
    # The rest of the record must be read before its length can be compared with the header.
    while record.raw_stream.read(_DRAIN_BLOCK):
        pass


def _warc_date(record: ArcWarcRecord) -> datetime | None:
    value = (record.rec_headers.get_header("WARC-Date") or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return as_utc(parsed)


def _damaged(path: Path, stats: WarcStats, detail: str) -> WarcError:
    return WarcError(
        f"{path}: the WARC file is truncated or corrupt: {detail}; "
        f"stopped after {stats.records} records ({stats.pages} pages)"
    )


def _explain(path: Path, stats: WarcStats, exc: Exception) -> WarcError:
    # warcio's messages can span many lines, and quote a whole "first line" of binary junk.
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    detail = f"{type(exc).__name__}: {lines[0][:200]}" if lines else type(exc).__name__
    if "non-chunked gzip" in detail:
        return WarcError(
            f"{path}: the file is gzipped as one stream instead of one gzip member per record; "
            "`warcio recompress IN OUT` rewrites it in the standard form"
        )
    if stats.records == 0:
        return WarcError(f"{path}: not a WARC file ({detail})")
    return _damaged(path, stats, detail)


def _report(on_progress: Callable[[int], None] | None, handle: BinaryIO) -> None:
    if on_progress is not None:
        on_progress(handle.tell())
