"""Export a map as SVG (the server's drawing, as is) or PNG (the same SVG rasterised by cairosvg,
offline, at twice the size so it prints sharply on a wall poster)."""

from datetime import date

from django.utils.text import slugify

from . import queries
from .drawing import Drawing, draw
from .models import ValueStream

FORMATS = ("svg", "png")
XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
PNG_SCALE = 2
CAIRO_MAX_PX = 32_000  # cairo refuses images wider than 32,767 pixels


class ExportUnavailable(Exception):
    """PNG export needs cairosvg and the cairo library; the message says what to install."""


def drawing_of(stream: ValueStream, *, today: date) -> Drawing:
    found = queries.elimination_candidates(stream)
    return draw(queries.map_view(stream), today=today, candidates=[c.step.pk for c in found.items])


def png_of(svg: str, *, width: int, scale: float = PNG_SCALE) -> bytes:
    """The SVG as PNG at ``scale`` (smaller for a map so long that cairo could not hold it)."""
    scale = min(scale, CAIRO_MAX_PX / max(width, 1))
    try:
        import cairosvg
    except (ImportError, OSError) as error:  # OSError: the cairo library itself is missing
        raise ExportUnavailable(
            "PNG export needs the cairo library (Debian: apt-get install libcairo2) and the "
            f"cairosvg package ({error}); SVG export works without them"
        ) from None
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)  # type: ignore[no-any-return]


def export(stream: ValueStream, fmt: str, *, today: date) -> tuple[bytes, str]:
    """(content, content type) of the map in ``fmt`` (svg or png)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use svg or png")
    drawing = drawing_of(stream, today=today)
    svg = XML + drawing.svg
    if fmt == "svg":
        return svg.encode("utf-8"), "image/svg+xml"
    return png_of(svg, width=drawing.width), "image/png"


def filename(stream: ValueStream, fmt: str) -> str:
    return f"{slugify(stream.name) or 'value-stream'}-{stream.state}.{fmt}"
