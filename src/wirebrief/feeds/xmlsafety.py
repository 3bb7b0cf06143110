"""Remove entity declarations from a feed before any XML parser sees it.

A feed is hostile input. An entity declared in its DOCTYPE can read local files
or make the parser send requests (XXE, ``<!ENTITY x SYSTEM "file:///…">``), or
expand a few hundred bytes into gigabytes ("billion laughs"). feedparser and
expat have defences of their own, but they differ between versions and other
parsers (lxml) may read the same bytes, so the declarations are cut out first:
no parser can expand an entity that is no longer declared.

The scan is a single pass over the prolog that never interprets an entity.
Feeds in encodings whose markup is not plain ASCII bytes (UTF-16/32, UTF-7,
EBCDIC, the CJK multi-byte encodings) are decoded first; if they need changing
they come back as UTF-8 with their XML declaration saying so.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

PROBLEM = "the feed declares XML entities; they were removed (XXE / entity-expansion protection)"

# (first bytes, codec, length of the BOM): BOMs, then the "<?xm" sniffing of
# XML 1.0 appendix F for documents without one. UTF-32 before UTF-16: FF FE 00 00.
_SIGNATURES = (
    (codecs.BOM_UTF32_BE, "utf-32-be", 4),
    (codecs.BOM_UTF32_LE, "utf-32-le", 4),
    (codecs.BOM_UTF16_BE, "utf-16-be", 2),
    (codecs.BOM_UTF16_LE, "utf-16-le", 2),
    (b"\x00\x00\x00<", "utf-32-be", 0),
    (b"<\x00\x00\x00", "utf-32-le", 0),
    (b"\x00<\x00?", "utf-16-be", 0),
    (b"<\x00?\x00", "utf-16-le", 0),
    (b"\x4c\x6f\xa7\x94", "cp037", 0),
)
_XML_DECL_ENCODING = re.compile(
    rb"""^(\s*<\?xml\b[^>]*?\bencoding\s*=\s*)(["'])([A-Za-z0-9._:-]*)\2""", re.IGNORECASE
)
# What can end or nest inside a declaration such as <!DOCTYPE …>: quotes hide
# ">" and "]", "[" opens the internal subset.
_DECL_TOKEN = re.compile(rb"""["'\[>]""")
_SUBSET_TOKEN = re.compile(rb"""<!--|<\?|<!|["'\]]""")
_MARKUP_DECL_TOKEN = re.compile(rb"""["'>]""")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


def neutralize_entities(body: bytes) -> tuple[bytes, str | None]:
    """Remove a DOCTYPE (or stray declaration) of the prolog that declares entities.

    Returns the body and a problem to report, or the body unchanged and ``None``
    when it declares no entity. A document that had to be decoded (UTF-16 and
    the like) comes back as UTF-8 with its XML declaration fixed; a charset in
    the HTTP Content-Type then no longer describes it.
    """
    encoding, bom_length = _transcode_from(body)
    if encoding is not None:
        utf8 = body[bom_length:].decode(encoding, errors="replace").encode("utf-8")
        spans = _entity_declarations(utf8)
        if spans:
            stripped = _without(utf8, spans)
            return _XML_DECL_ENCODING.sub(rb"\1\2utf-8\2", stripped, count=1), PROBLEM
    # Also when the document was decoded: a parser that finds the declared
    # encoding wrong (ASCII bytes labelled UTF-16) falls back to reading the
    # bytes as ASCII-compatible text, so that view must be safe as well.
    spans = _entity_declarations(body)
    return (_without(body, spans), PROBLEM) if spans else (body, None)


def _transcode_from(body: bytes) -> tuple[str | None, int]:
    """The codec to decode ``body`` with before scanning (and its BOM length).

    ``None`` when markup is plain ASCII bytes in the document's encoding, so the
    bytes can be scanned and cut as they are.
    """
    for signature, encoding, bom_length in _SIGNATURES:
        if body.startswith(signature):
            return encoding, bom_length
    match = _XML_DECL_ENCODING.match(body[:512])
    if match is None:
        return None, 0
    label = match.group(3).decode("ascii")
    return (None, 0) if _markup_is_ascii(label) else (label, 0)


@lru_cache(maxsize=64)
def _markup_is_ascii(label: str) -> bool:
    """True when every byte below 0x80 is that ASCII character in encoding ``label``.

    Single-byte ASCII supersets and UTF-8 qualify; UTF-7 and HZ (where ASCII
    bytes spell other characters) and multi-byte encodings (whose second bytes
    include "[" and "]") do not. An unknown label qualifies: parsers that cannot
    use it fall back to ASCII-compatible encodings.
    """
    try:
        name = codecs.lookup(label).name
        if name == "utf-8":
            return True
        decoded = bytes(range(256)).decode(name, errors="replace")
    except (LookupError, ValueError):
        return True
    stateful = name in {"utf-7", "hz"} or name.startswith("iso2022")
    return not stateful and len(decoded) == 256 and decoded[:128] == bytes(range(128)).decode()


def _entity_declarations(data: bytes) -> list[tuple[int, int]]:
    """Spans of the prolog's declarations that declare entities (a DOCTYPE, usually)."""
    spans: list[tuple[int, int]] = []
    pos = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    while (start := data.find(b"<", pos)) >= 0:
        if data.startswith(b"<!--", start):
            found = data.find(b"-->", start + 4)
            if found < 0:
                break
            pos = found + 3
        elif data.startswith(b"<?", start):
            found = data.find(b"?>", start + 2)
            if found < 0:
                break
            pos = found + 2
        elif data.startswith(b"<!", start) and not data.startswith(b"<![", start):
            end = _declaration_end(data, start)
            stop = len(data) if end is None else end
            if _ENTITY_DECL.search(data, start, stop):
                # An unterminated declaration with entities takes the rest of
                # the document with it: nothing after it can be trusted.
                spans.append((start, stop))
            if end is None:
                break
            pos = end
        else:
            break  # the root element: the prolog is over
    return spans


def _declaration_end(data: bytes, start: int) -> int | None:
    """Index just past the ``>`` that closes the declaration at ``start``; None if none."""
    pos = start + 2
    while match := _DECL_TOKEN.search(data, pos):
        token = match.group()
        if token == b">":
            return match.end()
        if token == b"[":
            end = _subset_end(data, match.end())
        else:
            end = _quote_end(data, match.end(), token)
        if end is None:
            return None
        pos = end
    return None


def _subset_end(data: bytes, pos: int) -> int | None:
    """Index just past the ``]`` that closes the internal subset starting at ``pos``."""
    while match := _SUBSET_TOKEN.search(data, pos):
        token = match.group()
        if token == b"]":
            return match.end()
        if token == b"<!--":
            found = data.find(b"-->", match.end())
            end = None if found < 0 else found + 3
        elif token == b"<?":
            found = data.find(b"?>", match.end())
            end = None if found < 0 else found + 2
        elif token == b"<!":
            end = _markup_declaration_end(data, match.end())
        else:
            end = _quote_end(data, match.end(), token)
        if end is None:
            return None
        pos = end
    return None


def _markup_declaration_end(data: bytes, pos: int) -> int | None:
    """Index just past the ``>`` closing an <!ENTITY>, <!ELEMENT>, … of the subset."""
    while match := _MARKUP_DECL_TOKEN.search(data, pos):
        if match.group() == b">":
            return match.end()
        end = _quote_end(data, match.end(), match.group())
        if end is None:
            return None
        pos = end
    return None


def _quote_end(data: bytes, pos: int, quote: bytes) -> int | None:
    found = data.find(quote, pos)
    return None if found < 0 else found + 1


def _without(data: bytes, spans: list[tuple[int, int]]) -> bytes:
    pieces = []
    pos = 0
    for start, end in spans:
        pieces.append(data[pos:start])
        pos = end
    pieces.append(data[pos:])
    return b"".join(pieces)
