"""An article full of hostile HTML, through the sanitize stage and the reader: nothing in
the rendered DOM can run."""

from __future__ import annotations

from fastapi.testclient import TestClient
from lxml import html as lxml_html

from wirebrief.sanitize.sanitizer import sanitize_html
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article
from wirebrief.web.app import create_app

HOSTILE = """
<p onclick="alert(1)">Hello <a href="javascript:alert(2)">click</a>
<a href="JaVaScRiPt&#58;alert(3)">encoded</a> <a href="data:text/html,<script>alert(4)</script>">data</a></p>
<script>alert(5)</script><img src="x" onerror="alert(6)"><iframe src="https://evil.example"></iframe>
<svg><script>alert(7)</script><a xlink:href="javascript:alert(8)"><text>svg</text></a></svg>
<object data="evil.swf"></object><embed src="evil.swf"><form action="https://evil.example"><input></form>
<style>body{background:url(javascript:alert(9))}</style><math><mi xlink:href="javascript:alert(10)">m</mi></math>
<div style="background:url(javascript:alert(11))">styled</div><base href="https://evil.example/">
<meta http-equiv="refresh" content="0;url=javascript:alert(12)"><link rel="import" href="evil.html">
"""


def test_hostile_article_renders_without_executable_content(
    settings: Settings, db: Database
) -> None:
    with db.session() as session:
        article = Article(
            url="https://evil.example/a", title='<script>alert("title")</script>',
            text="Hello", html=sanitize_html(HOSTILE), content_hash="0" * 64,
            author='"><img src=x onerror=alert(13)>', tldr_bullets=["<b onmouseover=alert(14)>x</b>"],
            origin_name="<svg onload=alert(15)>", origin_url="javascript:alert(16)",
        )  # fmt: skip
        session.add(article)
        session.flush()
        article_id = article.id
    with TestClient(create_app(settings, db)) as client:
        page = client.get(f"/articles/{article_id}")
    assert page.status_code == 200
    tree = lxml_html.fromstring(page.text)
    scripts = tree.xpath("//script")
    assert all(
        s.get("src", "").startswith("/static/") and not (s.text or "").strip() for s in scripts
    )
    for tag in (
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "form[@action!='/removal']",
        "base",
        "meta[@http-equiv]",
        "style",
        "link[@rel='import']",
    ):
        assert not tree.xpath(f"//main//{tag}"), tag
    for element in tree.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert "javascript:" not in value.lower().replace(" ", ""), (element.tag, name, value)
            if name in ("href", "src"):
                assert not value.lower().startswith("data:text"), value
    assert (
        '&lt;script&gt;alert("title")&lt;/script&gt;' in page.text
        or "&lt;script&gt;alert(&#34;title&#34;)" in page.text
    )
