"""What ops read in the Temporal UI is what was typed: no Markdown, no HTML, no bidi tricks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from domain.ui_text import literal

MD = MarkdownIt("commonmark", {"html": True})


def rendered_text(markdown: str) -> str:
    """The text a reader sees, and the tags around it."""
    html = MD.render(markdown).strip()
    assert html.startswith("<p>") or html == "", html
    return html


def test_a_planted_link_is_shown_as_text() -> None:
    name = "ACME [verify your bank details](https://evil.example/login)"
    html = rendered_text(literal(name))
    assert "<a" not in html
    assert "verify your bank details](https://evil.example/login)" in html


def test_html_and_emphasis_stay_literal() -> None:
    html = rendered_text(literal('<img src=x onerror="alert(1)"> **Bold** _it_ # h &amp;'))
    assert "<img" not in html
    assert "<strong>" not in html
    assert "<em>" not in html
    assert "&amp;lt;img" not in html  # shown once as "<img", escaped once by the renderer
    assert "&lt;img" in html
    assert "**Bold**" in html
    assert "&amp;amp;" in html  # the entity is shown as typed, not decoded


def test_a_right_to_left_override_is_made_visible() -> None:
    html = rendered_text(literal("Evil Corp \u202e00.01€"))
    assert "\u202e" not in html
    assert html == "<p>Evil Corp &lt;U+202E&gt;00.01€</p>"


def test_line_breaks_do_not_start_new_blocks() -> None:
    html = rendered_text(literal("ACME\r\n# Heading\n- item"))
    assert "<h1>" not in html
    assert "<li>" not in html
    assert html.count("<p>") == 1


@settings(max_examples=2000)
@given(st.text(max_size=60))
def test_any_text_renders_as_one_paragraph_of_itself(text: str) -> None:
    html = rendered_text(literal(text))
    for tag in ("<a", "<img", "<em>", "<strong>", "<code>", "<h", "<li>", "<script", "<br"):
        assert tag not in html
