"""Markdown for long text sections, rendered safely: whatever the author types, the result has no
script, no event handlers, and no links but absolute http(s) and mailto ones. A relative link
("../x", "//host/x") would resolve against wherever the text is shown (a PDF renderer's base
turned "../../etc/passwd" into file:///etc/passwd), so it is printed as plain text instead."""

import threading

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    """One converter per thread, reset before each use: setting one up (its extensions) costs
    more than converting a weekly report's text."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown_lib.Markdown(
            extensions=["tables", "sane_lists", "nl2br"], output_format="html"
        )
    return converter


def render(text: str) -> str:
    """Markdown to sanitised HTML. Raw HTML the author types is shown as text, not interpreted."""
    # Escaping "<" (and "&", so entities cannot rebuild it) keeps Markdown's own syntax, such as
    # "> quotes", working while any tag becomes visible text; nh3 is the second line of defence.
    escaped = (text or "").replace("&", "&amp;").replace("<", "&lt;")
    html = _converter().reset().convert(escaped)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
    )
