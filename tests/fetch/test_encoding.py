"""Choosing the charset of an HTML page: BOM, header, meta, XML prolog, detection."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from wirebrief.fetch.encoding import META_SCAN_BYTES, charset_of, decode_html

TESTDATA = Path(__file__).parent / "testdata"

FRENCH = "Le café de la gare ferme à minuit : « Ça coûte cher », dit la propriétaire"
RUSSIAN = "Городской совет утвердил новый бюджет"
SMART = (
    "“Smart quotes” — and café prices rose 5 € overnight, the naïve reporter\u2019s résumé says."
)
GERMAN = "Grüße aus Köln: Die Straßenbahn fährt wieder über die Brücke."


def read(name: str) -> bytes:
    return (TESTDATA / name).read_bytes()


def test_meta_after_the_first_1024_bytes() -> None:
    body = read("iso-8859-1-meta-after-1024.html")
    assert body.find(b"<meta") > 1024

    text = decode_html(body)

    assert FRENCH in text
    assert "\ufffd" not in text


def test_meta_after_w3lib_4096_byte_window() -> None:
    body = read("windows-1251-meta-after-4096.html")
    assert body.find(b"<meta") > 4096

    assert RUSSIAN in decode_html(body)


def test_meta_after_64_kb_is_not_honoured() -> None:
    body = read("koi8-r-meta-after-64k.html")
    assert body.find(b"<meta") > META_SCAN_BYTES

    # koi8-r would decode these windows-1251 bytes without error, into nonsense.
    assert RUSSIAN in decode_html(body)


def test_meta_inside_a_comment_is_ignored() -> None:
    assert RUSSIAN in decode_html(read("meta-charset-in-comment.html"))


def test_meta_http_equiv_content_type() -> None:
    assert "東京都は本日、新しい交通計画を発表しました。" in decode_html(
        read("shift_jis-meta-http-equiv.html")
    )


def test_xml_prolog_encoding() -> None:
    text = decode_html(read("xhtml-xml-prolog-iso-8859-15.html"))

    assert "Le menu coûte 12 € et l'œuvre est exposée." in text


def test_declared_utf8_but_windows_1252_bytes_falls_back_to_detection() -> None:
    body = read("windows-1252-declared-utf-8.html")

    for content_type in ("", "text/html; charset=utf-8"):
        text = decode_html(body, content_type)
        assert SMART in text
        assert "\ufffd" not in text


def test_declared_iso_8859_1_but_utf8_bytes_is_utf8() -> None:
    body = read("utf-8-declared-iso-8859-1.html")

    assert GERMAN in decode_html(body, "text/html; charset=ISO-8859-1")
    assert "Ã" not in decode_html(body)


def test_utf8_page_with_one_stray_windows_1252_byte() -> None:
    text = decode_html(read("utf-8-stray-windows-1252-byte.html"), "text/html; charset=utf-8")

    assert GERMAN in text
    assert "it\u2019s back" in text
    assert "\ufffd" not in text


def test_undeclared_windows_1251_is_detected() -> None:
    assert RUSSIAN in decode_html(read("windows-1251-undeclared.html"))


def test_bom_outranks_header_and_meta() -> None:
    text = decode_html(read("utf-16-le-bom.html"), "text/html; charset=iso-8859-1")

    assert "Zürich, 東京, Αθήνα" in text
    assert not text.startswith("\ufeff")


def test_utf8_bom_is_stripped() -> None:
    text = decode_html(read("utf-8-bom.html"), "text/html; charset=windows-1251")

    assert text.startswith("<!DOCTYPE html>")
    assert "Ærøskøbing" in text


def test_header_outranks_meta() -> None:
    body = f'<meta charset="koi8-r"><p>{RUSSIAN}</p>'.encode("cp1251")

    assert RUSSIAN in decode_html(body, "text/html; charset=windows-1251")


def test_wrong_header_falls_back_to_meta() -> None:
    body = f'<meta charset="windows-1251"><p>{RUSSIAN}</p>'.encode("cp1251")

    assert RUSSIAN in decode_html(body, "text/html; charset=utf-8")


def test_meta_outranks_xml_prolog() -> None:
    body = (
        '<?xml version="1.0" encoding="koi8-r"?>'
        f'<html><head><meta charset="windows-1251"></head><p>{RUSSIAN}</p></html>'
    ).encode("cp1251")

    assert RUSSIAN in decode_html(body)


def test_latin1_and_ascii_labels_mean_windows_1252() -> None:
    body = "<p>“quoted” \u2013 5 €</p>".encode("cp1252")

    for label in ("iso-8859-1", "latin1", "us-ascii"):
        assert "“quoted” \u2013 5 €" in decode_html(body, f"text/html; charset={label}")


def test_windows_1252_undefined_bytes_decode_as_whatwg_does() -> None:
    # Python's cp1252 rejects 0x81; WHATWG maps it to U+0081, so the declaration stands.
    text = decode_html(b"<p>caf\xe9 \x81</p>", "text/html; charset=windows-1252")

    assert text == "<p>café \x81</p>"


def test_utf16_declared_in_meta_is_read_as_utf8() -> None:
    body = '<meta charset="utf-16"><p>Ærø</p>'.encode()

    assert decode_html(body) == '<meta charset="utf-16"><p>Ærø</p>'


def test_utf16_header_on_ascii_bytes_is_not_believed() -> None:
    body = b"<html><body><p>plain ascii page</p></body></html>"

    assert decode_html(body, "text/html; charset=utf-16") == body.decode()


@pytest.mark.parametrize("label", ["utf-7", "unicode_escape", "hz", "cp037", "base64", "rot13"])
def test_unsafe_or_non_text_labels_are_ignored(label: str) -> None:
    body = b"<p>+ADw-script+AD4- \\u003cscript\\u003e ~{<:Ky2;S{#,NpJ)l6HK!#~}</p>"

    assert decode_html(body, f"text/html; charset={label}") == body.decode("ascii")
    assert decode_html(f'<meta charset="{label}">'.encode() + body).endswith(body.decode())


def test_no_declaration_utf8() -> None:
    assert decode_html(GERMAN.encode()) == GERMAN


def test_empty_body() -> None:
    assert decode_html(b"") == ""
    assert decode_html(b"", "text/html; charset=utf-8") == ""


def test_never_raises_on_arbitrary_bytes() -> None:
    rng = random.Random(20240611)
    content_types = ["", "text/html", "text/html; charset=utf-8", "text/html; charset=shift_jis"]
    prefixes = [
        b"",
        b"\xff\xfe",
        b"\xfe\xff",
        b"\xef\xbb\xbf",
        b"\x00\x00\xfe\xff",
        b"<meta charset=utf-16>",
    ]
    for _ in range(200):
        body = rng.choice(prefixes) + rng.randbytes(rng.randrange(0, 600))
        assert isinstance(decode_html(body, rng.choice(content_types)), str)


def test_meta_found_after_thousands_of_comments_and_tags_quickly() -> None:
    body = b"<!---->" * 4000 + b"<meta name=x>" * 2500 + b'<meta charset="koi8-r">' + b"\xf0"
    assert len(body) < META_SCAN_BYTES

    started = time.process_time()
    text = decode_html(body)

    assert text.endswith("П")
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html; charset=UTF-8", "utf-8"),
        ('text/html; charset="utf-8"', "utf-8"),
        ("text/html;charset=ISO-8859-1", "cp1252"),
        ("text/html; charset=us-ascii", "cp1252"),
        ("text/html; charset=Shift_JIS", "cp932"),
        ("text/html; charset=gb2312", "gb18030"),
        ("text/html; charset=utf-16", "utf-16-le"),
        ("text/html; charset=windows-1251", "cp1251"),
        ("text/html", None),
        ("", None),
        ("text/html; charset=", None),
        ("text/html; charset=no-such-charset", None),
        ("text/html; charset=utf-7", None),
        ("text/html; charset=unicode_escape", None),
    ],
)
def test_charset_of(content_type: str, expected: str | None) -> None:
    assert charset_of(content_type) == expected
