"""WeasyPrint with the vendored fonts, once per process: the invoice style sheet and the
@font-face files are parsed and registered once and shared by every render (invoices, credit
notes, payslips). Callers hold ``adapters.documents.rendering.RENDER_LOCK``.

Only offline resources: the layout (``invoice.html`` styled by ``invoice.css``) uses the fonts
vendored in ``invoice_templates/fonts``; the URL fetcher serves those files and refuses
everything else (no network, no other file).
"""

from __future__ import annotations

import atexit
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from adapters.documents.invoice_text import TEMPLATE_DIR

_FONT_DIR = TEMPLATE_DIR / "fonts"


@cache
def _font_file(url: str) -> bytes:
    path = Path(url.removeprefix("file://")).resolve()
    if path.parent != _FONT_DIR or path.suffix != ".ttf":
        raise ValueError(f"invoice rendering fetches only its own fonts, not {url}")
    return path.read_bytes()


# The @font-face rules of invoice.css, for documents with a style sheet of their own.
_FONT_FACES = """
@font-face { font-family: "Invoice Sans"; font-weight: normal;
             src: url("fonts/InvoiceSans-Regular.ttf"); }
@font-face { font-family: "Invoice Sans"; font-weight: bold;
             src: url("fonts/InvoiceSans-Bold.ttf"); }
"""


@dataclass(frozen=True)
class _Engine:
    html: Any  # weasyprint.HTML
    fonts: Any  # FontConfiguration shared by every render (the two @font-face files)
    fetcher: Any  # serves the vendored fonts and nothing else
    stylesheet: Any  # weasyprint.CSS of invoice.css, parsed once
    stylesheet_fonts_only: Any  # the two @font-face rules alone (other documents: payslips)
    producer: str
    # Whether WeasyPrint can cut each font down to the glyphs a document uses with HarfBuzz's
    # subsetter (the C library libharfbuzz-subset, Debian package libharfbuzz-subset0): about a
    # millisecond, and the widths and Unicode map then cover those glyphs only. Without it
    # WeasyPrint subsets with fontTools, which costs more than the layout itself: the vendored
    # fonts (already cut to the Latin scripts the six languages need, ≈33 KB each) are then
    # embedded whole, compressed once per process (see `_reuse_compressed_fonts`).
    subset_fonts: bool


@cache
def _engine() -> _Engine:
    from weasyprint import CSS, HTML, VERSION
    from weasyprint.text import ffi
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OwnFontsOnly(URLFetcher):  # type: ignore[misc]
        """The vendored fonts, nothing else: no network, no other file, fails loudly."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file",), fail_on_errors=True)

        def fetch(self, url: str, headers: Any = None) -> Any:
            return URLFetcherResponse(url, _font_file(url), {"Content-Type": "font/ttf"})

    fonts = FontConfiguration()
    fetcher = OwnFontsOnly()
    # Parsing the style sheet also registers its @font-face files in `fonts`: done once here
    # instead of once per document (an inline <style> was a tenth of the rendering time).
    stylesheet = CSS(
        filename=str(TEMPLATE_DIR / "invoice.css"), url_fetcher=fetcher, font_config=fonts
    )
    fonts_only = CSS(
        string=_FONT_FACES,
        base_url=f"{TEMPLATE_DIR.as_uri()}/",
        url_fetcher=fetcher,
        font_config=fonts,
    )
    # The shared FontConfiguration removes its temporary folder when collected: let that
    # happen at exit while the modules it needs still exist.
    atexit.register(_engine.cache_clear)
    subset_fonts = getattr(ffi, "harfbuzz_subset", None) is not None
    return _Engine(
        HTML, fonts, fetcher, stylesheet, fonts_only, f"WeasyPrint {VERSION}", subset_fonts
    )


def shared_fonts() -> _Engine:
    """WeasyPrint with the vendored fonts registered once per process, for every document
    set in them (invoices, credit notes, payslips). Callers hold
    ``adapters.documents.rendering.RENDER_LOCK``."""
    return _engine()


__all__ = ["shared_fonts"]
