"""The PDF report: the HTML report printed by WeasyPrint.

The HTML carries its own print stylesheet (A4 landscape, page numbers, one section per
page, cards kept whole). WeasyPrint may only read ``data:`` URIs: the report embeds
everything, and nothing in it (user text included) can make the printer fetch a file or a
URL.
"""

from __future__ import annotations

import os
from pathlib import Path

from siting.errors import OutputError

__all__ = ["pdf_available", "render_pdf", "write_pdf"]


def pdf_available() -> bool:
    """True when WeasyPrint (and its system libraries) can be imported."""
    try:
        import weasyprint  # noqa: F401
    except Exception:  # noqa: BLE001 - ImportError or OSError from missing pango/cairo
        return False
    return True


def _fetcher():
    """A URL fetcher that allows only ``data:`` URIs (WeasyPrint >= 66 class API, or the
    older function API)."""
    import weasyprint

    cls = getattr(weasyprint, "URLFetcher", None)
    if cls is not None:
        return cls(allowed_protocols={"data"})

    def fetch(url: str, *args, **kwargs):  # pragma: no cover - older WeasyPrint
        if not url.startswith("data:"):
            raise ValueError(f"the report may not load external resources: {url[:80]}")
        return weasyprint.default_url_fetcher(url, *args, **kwargs)

    return fetch


def render_pdf(html: str) -> bytes:
    """Print an HTML report to PDF bytes.

    Raises
    ------
    OutputError
        WeasyPrint is not installed or cannot load its system libraries.
    """
    try:
        import weasyprint
    except Exception as e:  # noqa: BLE001 - ImportError or OSError (pango/cairo missing)
        raise OutputError(
            "the PDF report needs WeasyPrint (pip install weasyprint; on Debian also "
            f"libpango-1.0-0 and libpangoft2-1.0-0): {type(e).__name__}: {e}",
            field="format",
        ) from None
    doc = weasyprint.HTML(string=html, base_url=None, url_fetcher=_fetcher())
    return doc.write_pdf()


def write_pdf(html: str, path: str | os.PathLike) -> Path:
    """Print ``html`` to ``path`` atomically (the PDF is rendered before anything is
    written, so a failure leaves any previous file as it was)."""
    from siting.safe_io import atomic_write

    data = render_pdf(html)
    return atomic_write(Path(path), lambda tmp: tmp.write_bytes(data))
