"""Rendering trafilatura's body tree as text and as (not yet sanitized) HTML."""

from __future__ import annotations

from lxml import etree

from wirebrief.extract.body import block_text, to_html, to_text

BODY = etree.fromstring(
    "<body>"
    '<head rend="h2">Tide  tables</head>'
    '<p>High water at <hi rend="#b">06:12</hi>, see <ref target="https://a.example/t?a=1&amp;b=2">'
    "the chart</ref>.</p>"
    '<list rend="ul"><item>Morning</item><item>Evening</item><item/></list>'
    '<quote>Mind the <hi rend="#i">spring</hi> tides.</quote>'
    '<table><row><cell role="head">Day</cell><cell role="head">Time</cell></row>'
    "<row><cell>Mon</cell><cell>06:12</cell></row></table>"
    "<p>Fish &amp; chips &lt;3</p>"
    "<p>   </p>"
    "</body>"
)


def test_block_text_collapses_whitespace() -> None:
    assert block_text(BODY[0]) == "Tide tables"


def test_to_text() -> None:
    assert to_text(BODY) == (
        "Tide tables\n\n"
        "High water at 06:12, see the chart.\n\n"
        "- Morning\n- Evening\n\n"
        "Mind the spring tides.\n\n"
        "Day | Time\nMon | 06:12\n\n"
        "Fish & chips <3"
    )


def test_to_html() -> None:
    html = to_html(BODY)
    assert "<h2>Tide  tables</h2>" in html
    assert "<strong>06:12</strong>" in html
    assert '<a href="https://a.example/t?a=1&amp;b=2">the chart</a>' in html
    assert "<ul><li>Morning</li><li>Evening</li><li></li></ul>" in html
    assert "<blockquote>Mind the <em>spring</em> tides.</blockquote>" in html
    assert "<tr><th>Day</th><th>Time</th></tr><tr><td>Mon</td><td>06:12</td></tr>" in html
    assert "<p>Fish &amp; chips &lt;3</p>" in html  # text is escaped


def test_heading_levels_are_clamped() -> None:
    body = etree.fromstring(
        '<body><head rend="h1">A</head><head rend="h4">B</head><head>C</head></body>'
    )
    assert to_html(body) == "<h2>A</h2>\n<h4>B</h4>\n<h2>C</h2>"


def test_ordered_list_and_link_without_target() -> None:
    body = etree.fromstring('<body><list rend="ol"><item><ref>bare</ref></item></list></body>')
    assert to_html(body) == "<ol><li>bare</li></ol>"
