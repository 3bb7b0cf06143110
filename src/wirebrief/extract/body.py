"""Render trafilatura's body tree as plain text and as HTML."""

from __future__ import annotations

import html
import re

from lxml import etree

_INLINE_HTML = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sup": "sup", "#sub": "sub"}


_WORD = re.compile(r"\w+")


def words(text: str) -> str:
    """Case-folded words joined by single spaces: compares texts whatever their punctuation."""
    return " ".join(_WORD.findall(text.casefold()))


def block_text(element: etree._Element) -> str:
    """The text of one element, whitespace collapsed (a line break counts as a space)."""
    return " ".join(_text(element).split())


def lines_text(element: etree._Element) -> str:
    """The text of one element, one line per ``<lb/>``, whitespace collapsed within lines."""
    lines = (" ".join(line.split()) for line in _text(element).split("\n"))
    return "\n".join(line for line in lines if line)


def _text(element: etree._Element) -> str:
    """Concatenated text with "\\n" for line breaks; other newlines are plain whitespace."""
    parts = [(element.text or "").replace("\n", " ")]
    for child in element:
        if isinstance(child.tag, str):  # comments and processing instructions have no text
            parts.append("\n" if child.tag == "lb" else _text(child))
        parts.append((child.tail or "").replace("\n", " "))
    return "".join(parts)


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
            blocks.append(lines_text(element))
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
