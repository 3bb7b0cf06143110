"""The allow-list sanitizer: what is removed, what survives."""

from __future__ import annotations

import pytest

from wirebrief.sanitize.sanitizer import sanitize_html


def test_script_is_removed_with_its_content() -> None:
    out = sanitize_html("<p>Tide</p><script>alert('x')</script>")
    assert "<script" not in out
    assert "alert" not in out
    assert "<p>Tide</p>" in out


@pytest.mark.parametrize(
    "dirty",
    [
        '<p><img src="x" onerror="alert(1)">Tide</p>',
        '<p onclick="alert(1)">Tide</p>',
        '<a href="https://a.example/" onmouseover="alert(1)">Tide</a>',
    ],
)
def test_event_handlers_are_removed(dirty: str) -> None:
    out = sanitize_html(dirty)
    assert "alert" not in out
    assert not any(handler in out for handler in ("onerror", "onclick", "onmouseover"))
    assert "Tide" in out


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
    ],
)
def test_dangerous_link_schemes_are_removed(href: str) -> None:
    out = sanitize_html(f'<a href="{href}">click</a>')
    assert "href" not in out
    assert "click" in out


def test_iframe_object_embed_form_are_removed() -> None:
    out = sanitize_html(
        '<iframe src="https://evil.example/"></iframe>'
        '<object data="x.swf"></object><embed src="x.swf">'
        '<form action="/steal"><input name="pw"></form><p>Tide</p>'
    )
    for tag in ("<iframe", "<object", "<embed", "<form", "<input"):
        assert tag not in out
    assert "<p>Tide</p>" in out


def test_style_and_class_attributes_and_style_tags_are_removed() -> None:
    out = sanitize_html(
        '<style>p{display:none}</style><p style="color:red" class="x" id="y">Tide</p>'
    )
    assert out == "<p>Tide</p>"


def test_links_get_rel_nofollow_noopener_noreferrer() -> None:
    out = sanitize_html('<a href="https://a.example/" rel="opener" target="_blank">Tide</a>')
    assert 'href="https://a.example/"' in out
    assert 'rel="nofollow noopener noreferrer"' in out
    assert 'rel="opener"' not in out
    assert "target" not in out


def test_allowed_schemes_are_kept() -> None:
    for href in ("https://a.example/", "http://a.example/", "mailto:desk@a.example"):
        assert f'href="{href}"' in sanitize_html(f'<a href="{href}">x</a>')


def test_allowed_structure_is_kept() -> None:
    html = (
        "<h2>Heading</h2><h3>Sub</h3>"
        "<p>Some <strong>bold</strong>, <em>italic</em>, <code>code</code> and "
        '<abbr title="Harbour Office">HO</abbr>.</p>'
        "<ul><li>one</li></ul><ol><li>two</li></ol>"
        "<blockquote>quoted</blockquote><pre><code>x = 1</code></pre>"
        '<table><thead><tr><th colspan="2">Head</th></tr></thead>'
        "<tbody><tr><td>a</td><td>b</td></tr></tbody></table>"
        "<figure><figcaption>caption</figcaption></figure><hr><br>"
    )
    assert sanitize_html(html) == html


def test_disallowed_wrappers_are_unwrapped_keeping_text() -> None:
    out = sanitize_html("<div><span>Tide</span> <font>tables</font></div><h1>Big</h1>")
    assert out == "Tide tablesBig"  # <h1> is not allowed: the page title is shown apart


def test_images_are_dropped() -> None:
    assert sanitize_html('<p><img src="https://a.example/x.png" alt="x">Tide</p>') == "<p>Tide</p>"


def test_comments_are_stripped() -> None:
    assert sanitize_html("<p>Tide<!-- secret --></p>") == "<p>Tide</p>"


def test_text_is_escaped() -> None:
    assert sanitize_html("<p>1 &lt; 2 &amp; 3 &gt; 2</p>") == "<p>1 &lt; 2 &amp; 3 &gt; 2</p>"
