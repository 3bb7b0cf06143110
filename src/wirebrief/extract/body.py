"""Render trafilatura's body tree as plain text and as HTML."""

from __future__ import annotations

import html

from lxml import etree

_INLINE_HTML = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sup": "sup", "#sub": "sub"}


def block_text(element: etree._Element) -> str:
    """The text of one element, whitespace collapsed."""
    return " ".join("".join(element.itertext()).split())


def to_text(body: etree._Element) -> str:
    """Paragraphs separated by blank lines; list items as ``- item``."""
    blocks: list[str] = []
    for element in body:
        if element.tag == "list":
            items = [f"- {block_text(item)}" for item in element.iter("item")]
            blocks.append("\n".join(item for item in items if item != "- "))
        elif element.tag == "table":
            rows = [
                " | ".join(block_text(c) for c in row.iter("cell")) for row in element.iter("row")
            ]
            blocks.append("\n".join(rows))
        else:
            blocks.append(block_text(element))
    return "\n\n".join(block for block in blocks if block.strip())


def to_html(body: etree._Element) -> str:
    """HTML for the body. Not yet safe: the sanitizer runs on the result."""
    return "\n".join(_render(element) for element in body)


def _render(element: etree._Element) -> str:
    inner = _inner(element)
    tag = element.tag
    if tag == "head":
        level = element.get("rend", "h2").lstrip("h")
        level = level if level in {"2", "3", "4", "5", "6"} else "2"
        return f"<h{level}>{inner}</h{level}>"
    if tag == "list":
        name = "ol" if element.get("rend") == "ol" else "ul"
        return f"<{name}>{inner}</{name}>"
    if tag == "item":
        return f"<li>{inner}</li>"
    if tag == "quote":
        return f"<blockquote>{inner}</blockquote>"
    if tag == "table":
        return f"<table>{inner}</table>"
    if tag == "row":
        return f"<tr>{inner}</tr>"
    if tag == "cell":
        name = "th" if element.get("role") == "head" else "td"
        return f"<{name}>{inner}</{name}>"
    if tag == "hi":
        name = _INLINE_HTML.get(element.get("rend", ""), "em")
        return f"<{name}>{inner}</{name}>"
    if tag == "ref":
        target = html.escape(element.get("target", ""), quote=True)
        return f'<a href="{target}">{inner}</a>' if target else inner
    if tag == "lb":
        return "<br>"
    if tag == "code":
        return f"<pre><code>{inner}</code></pre>"
    if tag == "graphic":
        return ""
    return f"<p>{inner}</p>" if tag == "p" else inner


def _inner(element: etree._Element) -> str:
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        parts.append(_render(child))
        parts.append(html.escape(child.tail or "", quote=False))
    return "".join(parts)
