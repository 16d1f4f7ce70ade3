"""The Chinese font of every PDF the product writes (permit certificates, enforcement decisions,
donation receipts): Noto Sans CJK SC from the ``noto-cjk-sans-otc`` package (an OpenType collection;
the face whose family name is "Noto Sans CJK SC", index 2 in the 0.0.1 release, checked when the
font is first loaded). Reading the collection costs a few hundred milliseconds, so the parsed face is
kept for the life of the process and each document gets a fresh copy of it (``add_cjk_font``)."""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.resources
import logging
import threading
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

__all__ = ["FONT_FAMILY", "add_cjk_font", "add_cjk_font_uncached", "font_face_index", "font_path"]

logger = logging.getLogger(__name__)

FONT_PACKAGE = "noto_cjk_sans_otc"
FONT_FILE = "NotoSansCJK-Regular.ttc"
FONT_FAMILY_NAME = "Noto Sans CJK SC"  # name ID 1 of the face we want
FONT_FACE_EXPECTED = 2  # its index in NotoSansCJK-Regular.ttc (JP, KR, SC, TC, HK, then the Mono faces)
FONT_FAMILY = "NotoSansCJKSC"  # the family name given to fpdf2
KEPT_TABLES = frozenset({"CFF ", "head", "hhea", "maxp"})  # of each document's copy of the face

_resources = contextlib.ExitStack()
atexit.register(_resources.close)
_font_lock = threading.Lock()


@functools.cache
def font_path() -> Path:
    """The collection file shipped by ``noto-cjk-sans-otc`` (a real file in site-packages)."""
    resource = importlib.resources.files(FONT_PACKAGE) / FONT_FILE
    path = Path(_resources.enter_context(importlib.resources.as_file(resource)))
    if not path.is_file():
        raise FileNotFoundError(f"{FONT_FILE} not found in the package {FONT_PACKAGE}")
    return path


@functools.cache
def font_face_index() -> int:
    """Index of the Noto Sans CJK SC face in the collection: the expected one if its name says so,
    else the first face that does (a later release might reorder the faces)."""
    collection = ttLib.TTCollection(str(font_path()), lazy=True)
    try:
        names = [face["name"].getDebugName(1) for face in collection.fonts]
    finally:
        collection.close()
    if FONT_FACE_EXPECTED < len(names) and names[FONT_FACE_EXPECTED] == FONT_FAMILY_NAME:
        return FONT_FACE_EXPECTED
    if FONT_FAMILY_NAME in names:
        return names.index(FONT_FAMILY_NAME)
    raise LookupError(f"{FONT_FILE} has no face named {FONT_FAMILY_NAME!r} (faces: {names})")


@functools.cache
def _template_font() -> TTFFont:
    """The face as fpdf2 parsed it (cmap, widths, descriptor), made once per process."""
    pdf = FPDF()
    add_cjk_font_uncached(pdf)
    font = pdf.fonts[FONT_FAMILY.lower()]
    assert isinstance(font, TTFFont)  # a file's face, not one of PDF's core fonts
    font.ttfont.close()  # each document opens its own copy: fpdf2 subsets it in place on output
    return font


def add_cjk_font_uncached(pdf: FPDF) -> None:
    """What ``add_cjk_font`` saves: fpdf2 parsing the face again (~0.3 s, and more on output)."""
    pdf.add_font(FONT_FAMILY, "", str(font_path()), collection_font_number=font_face_index())


def add_cjk_font(pdf: FPDF) -> None:
    """``pdf.add_font`` for our face, reusing the parsed template: what fpdf2 changes while a
    document is written (the glyph subset, the missing-glyph list, the font program itself) is
    new for each document; the read-only tables (cmap, widths, descriptor) are shared. This uses
    fpdf2's internals (pinned to 2.8.x); if they change, the plain ``add_font`` is used instead."""
    with _font_lock:
        template = _template_font()
    try:
        font = TTFFont.__new__(TTFFont)
        for slot in TTFFont.__slots__:
            if hasattr(template, slot):
                setattr(font, slot, getattr(template, slot))
        font.i = len(pdf.fonts) + 1
        font.ttfont = ttLib.TTFont(str(font_path()), recalcTimestamp=False, recalcBBoxes=False,
                                   fontNumber=font_face_index(), lazy=True)
        if template.is_cff and template.is_cid_keyed:
            # fpdf2 embeds the CFF table alone (a CIDFontType0 program) and takes widths and the cmap
            # from the template: the other tables would only be parsed and subset for nothing (~0.15 s).
            for tag in [tag for tag in font.ttfont.reader.keys() if tag not in KEPT_TABLES]:
                del font.ttfont[tag]
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        font._hbfont = None
    except (AttributeError, TypeError) as exc:  # pragma: no cover - another fpdf2 release
        logger.warning("Reusing the parsed font failed (%s); parsing it for each document", exc)
        add_cjk_font_uncached(pdf)
        return
    pdf.fonts[template.fontkey] = font
    if font.is_cff and font.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")

