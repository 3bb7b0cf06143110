"""Turn the bytes of an HTML page into text, the way a careful browser would.

Order of evidence: byte order mark; ``charset`` of the Content-Type header;
``<meta charset>`` / ``<meta http-equiv="Content-Type">`` in the first 64 KB;
the XML declaration; detection (charset_normalizer); UTF-8. A declaration is
only believed when the bytes decode under it without errors: publishers often
declare UTF-8 and serve windows-1252, or the reverse, and a wrong guess is
better replaced by detection than shown as mojibake or U+FFFD.

w3lib does the parsing of labels and tags (WHATWG label mapping, so
iso-8859-1, latin-1 and us-ascii mean windows-1252). Its own scan,
``html_body_declared_encoding``, reads only the first 4096 characters, stops at
``<body`` and prefers an XML declaration to a later meta tag, so this module
locates the meta tags itself and hands each one to w3lib.
"""

from __future__ import annotations

import re

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

# How far into the page a meta declaration is honoured. Browsers look at 1024
# bytes, but CMS templates put scripts, styles and comments first.
META_SCAN_BYTES = 64 * 1024
# How much of a tag is handed to w3lib: enough for any real meta tag, and a
# bound on the work done per tag, which keeps the scan linear.
_TAG_SLICE = 512

# windows-1252 as the WHATWG Encoding Standard defines it: Python's cp1252 has
# no mapping for 0x81, 0x8D, 0x8F, 0x90 and 0x9D, WHATWG maps them to the C1
# controls of the same value, so every byte sequence decodes.
_CP1252_TABLE = "".join(
    bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(256)
)
_CP1252_FROM_LATIN1 = {byte: ord(_CP1252_TABLE[byte]) for byte in range(0x80, 0xA0)}
# The encodings of the WHATWG Encoding Standard, as w3lib names their Python codecs
# (plus UTF-32, which w3lib's BOM sniffing knows). Nothing else is used: Python
# also "decodes" unicode_escape, hz or EBCDIC, which turn bytes a browser shows as
# inert text into markup, the way UTF-7 does (w3lib refuses only UTF-7).
_ALLOWED = frozenset(
    {
        "utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be",
        "cp866", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic", "cp874",
        "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7",
        "iso8859-8", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16",
        "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
        "cp1258", "gb18030", "big5hkscs", "euc_jp", "iso2022_jp", "cp932", "cp949",
    }
)  # fmt: skip
# w3lib 2.6 and later name the "gb2312" label's encoding "gbk"; WHATWG decodes GBK
# with the gb18030 decoder, a superset of Python's gbk codec.
_DECODER_OF = {"gbk": "gb18030"}
_WIDE = frozenset({"utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"})
# What detection reads of a page: enough text to judge, a bound on the time.
DETECT_SAMPLE_BYTES = 512 * 1024
_RAW_TEXT_START = re.compile(rb"<(script|style)\b", re.IGNORECASE)
# "[^<>]" keeps each attempt to the next "<", so stripping tags stays linear.
_TAG = re.compile(rb"<[^<>]*>")
_SPACES = re.compile(rb"\s+")
# Bytes that are not UTF-8 come out of "surrogateescape" as U+DC80..U+DCFF.
_ESCAPED_BYTE_RE = re.compile("[\udc80-\udcff]")
# Detection is good at scripts but weak among Latin code pages on short pages,
# where windows-1250/1257 often score as well as windows-1252. windows-1252 is
# by far the most common of them on the web, so it wins near-ties.
_CP1252_CHAOS_MARGIN = 0.1
_CP1252_COHERENCE_MARGIN = 0.05


def charset_of(content_type: str) -> str | None:
    """The Python codec named by the ``charset`` parameter of a Content-Type value.

    Labels are mapped as browsers map them (``iso-8859-1`` → ``cp1252``,
    ``utf-16`` → ``utf-16-le``); labels outside the WHATWG Encoding Standard
    (UTF-7, unicode_escape, …) and unknown ones give ``None``.
    """
    encoding = http_content_type_encoding(content_type or None)
    if encoding in {"utf-16", "utf-32"}:
        # WHATWG: the "utf-16" label means little-endian when there is no BOM;
        # Python would otherwise use the machine's byte order.
        encoding = f"{encoding}-le"
    return _allowed(encoding)


def _allowed(encoding: str | None) -> str | None:
    """The codec we decode ``encoding`` with, or ``None`` when it is not allowed."""
    codec = _DECODER_OF.get(encoding or "", encoding)
    return codec if codec in _ALLOWED else None


def decode_html(body: bytes, content_type: str = "") -> str:
    """The text of an HTML page; never raises, whatever the bytes."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding is not None and bom is not None:
        # A BOM outranks every declaration (WHATWG "decode").
        return body[len(bom) :].decode(bom_encoding, errors="replace")

    declared: list[str] = []
    for encoding in (charset_of(content_type), _meta_encoding(body), _xml_encoding(body)):
        if encoding and encoding not in declared:
            declared.append(encoding)
    for encoding in declared:
        text = _decode_strict(body, encoding)
        if text is None or (encoding in _WIDE and "<" not in text):
            # A wrong declaration: try the next one, then detection. (ASCII
            # markup read as UTF-16 decodes without error, but has no "<" left.)
            continue
        if encoding != "utf-8" and not body.isascii():
            utf8 = _decode_strict(body, "utf-8")
            if utf8 is not None:
                # Non-ASCII bytes that are valid UTF-8 are UTF-8 whatever the label
                # says (e.g. Apache's old default "charset=ISO-8859-1").
                return utf8
        return text
    return _undeclared(body, declared)


def _undeclared(body: bytes, declared: list[str]) -> str:
    """Decode when no declaration fits the bytes."""
    text = _decode_strict(body, "utf-8")
    if text is not None:
        return text
    escaped = body.decode("utf-8", errors="surrogateescape")
    invalid = len(_ESCAPED_BYTE_RE.findall(escaped))
    non_ascii = len(escaped) - len(escaped.encode("ascii", errors="ignore"))
    if non_ascii - invalid > invalid:
        # Mostly UTF-8 with stray bytes (a windows-1252 snippet pasted into a
        # UTF-8 template): keep the UTF-8, read only the strays as windows-1252.
        return _ESCAPED_BYTE_RE.sub(lambda m: _CP1252_TABLE[ord(m.group()) - 0xDC00], escaped)
    detected = _detect(body)
    if detected:
        return _decode_strict(body, detected) or body.decode(detected, errors="replace")
    return body.decode(declared[0] if declared else "utf-8", errors="replace")


def _decode_strict(body: bytes, encoding: str) -> str | None:
    """``body`` decoded under ``encoding``, or ``None`` when any byte does not fit."""
    if encoding == "cp1252":
        return body.decode("latin-1").translate(_CP1252_FROM_LATIN1)
    try:
        return body.decode(encoding)
    except UnicodeDecodeError:
        return None


def _detect(body: bytes) -> str | None:
    """The encoding charset_normalizer finds most plausible, as a Python codec name."""
    # Imported here: it is slow to import, and most pages never get this far.
    import charset_normalizer

    try:
        matches = charset_normalizer.from_bytes(_text_sample(body))
    except Exception:  # a heuristic must never fail a fetch: fall back instead
        return None
    candidates = [m for m in matches if _allowed(resolve_encoding(m.encoding))]
    if not candidates:
        return None
    best = candidates[0]
    for match in candidates:
        if (
            match.encoding == "cp1252"
            and match.chaos <= best.chaos + _CP1252_CHAOS_MARGIN
            and match.coherence >= best.coherence - _CP1252_COHERENCE_MARGIN
        ):
            return "cp1252"
    return _allowed(resolve_encoding(best.encoding))


def _text_sample(body: bytes) -> bytes:
    """The page's text for detection: markup, scripts and styles measure nothing.

    charset_normalizer samples a few chunks of what it is given; fed raw HTML it
    may see only an ASCII template (or one long comment) and miss the text.
    """
    head = body[:DETECT_SAMPLE_BYTES]
    lower = head.lower()
    pieces: list[bytes] = []
    pos = 0
    # Each byte is searched once: linear even for unterminated <script> tags.
    while match := _RAW_TEXT_START.search(lower, pos):
        pieces.append(head[pos : match.start()])
        end = lower.find(b"</" + match.group(1), match.end())
        if end < 0:
            break
        pos = end
    else:
        pieces.append(head[pos:])
    text = _SPACES.sub(b" ", _TAG.sub(b" ", b"".join(pieces)))
    return head if text.isascii() else text


def _meta_encoding(body: bytes) -> str | None:
    """The encoding of the first meta tag in the first 64 KB that declares a usable one."""
    head = body[:META_SCAN_BYTES]
    lower = head.lower()
    pos = 0
    meta = -1
    while True:
        if meta < pos:
            meta = lower.find(b"<meta", pos)
            if meta < 0:
                return None
        # A declaration inside a comment does not count (WHATWG prescan). Each
        # byte is searched a bounded number of times, so the scan is linear.
        comment = lower.find(b"<!--", pos, meta)
        if comment >= 0:
            end = lower.find(b"-->", comment + 4)
            if end < 0:
                return None
            pos = end + 3
            continue
        pos = meta + 5
        tag_end = lower.find(b">", pos, meta + _TAG_SLICE)
        if b"charset" not in lower[meta : tag_end if tag_end >= 0 else meta + _TAG_SLICE]:
            continue
        encoding = _ascii_compatible(html_body_declared_encoding(head[meta : meta + _TAG_SLICE]))
        if encoding:
            return encoding


def _xml_encoding(body: bytes) -> str | None:
    """The ``encoding`` of a leading XML declaration (XHTML pages)."""
    head = body[:_TAG_SLICE]
    start = len(head) - len(head.lstrip())
    end = head.find(b"?>", start)
    if not head.startswith(b"<?xml", start) or end < 0:
        return None
    return _ascii_compatible(html_body_declared_encoding(head[start : end + 2]))


def _ascii_compatible(encoding: str | None) -> str | None:
    """An allowed encoding for a declaration that was read as ASCII.

    Such a declaration cannot be UTF-16/32 (WHATWG then reads the page as UTF-8).
    """
    if encoding is None:
        return None
    if encoding.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return _allowed(encoding)
