"""The PDF set-up every paper the project prints shares: the appointment slip and the refusal
notice (`cccd.enrollments.documents`) and the daily report (`cccd.reports.daily_report`).

They all print Vietnamese with DejaVu Sans 2.37 (vendored in `fonts/`, so a machine without
Debian's `fonts-dejavu-core` prints the same), through fpdf2 with font subsetting on. This module
sits on the ground floor, beside `errors` and `spreadsheets`: it imports nothing of the project, so
a report can use it without depending on the intake desk.

**Speed** (measured on the development machine, median of 21 renders of a typical slip; the first
render in a process pays ~0.4 s more, see `warm_up`):

- plain fpdf2 with the vendored fonts: ~100 ms and 33 kB. fpdf2 has no supported way to share a
  parsed font between documents: `add_font()` parses the TTF for each `FPDF`, and `output()`
  subsets that parsed font *in place*, so a cached font object cannot be reused.
- fonts cut down once per process: ~46 ms, 20 kB. The two vendored TTFs are subset with fontTools
  to what a paper can need (Latin with every Vietnamese letter and the Latin letters of the
  Central Highlands' languages, combining marks, punctuation, ₫, №: ~1,140 glyphs of DejaVu's
  ~6,000; TrueType hinting dropped, which PDF viewers and 300 dpi printers do not use) and written
  to a private temporary folder; each document then calls the public `add_font()` on those small
  files. fpdf2 still subsets them to the glyphs actually used (font subsetting stays on). A text
  with a character outside that repertoire is rendered with the full fonts (slower, same result);
  if no temporary folder can be written, every document uses the full fonts.
- and no bounding-box recalculation when fpdf2 saves its subset (`_skip_bbox_recalculation`):
  ~34 ms for a slip. What is left: ~13 ms `add_font` (two small fonts), ~12 ms `output()`, ~9 ms
  the slip's QR code, ~4 ms layout.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset as ft_subset
from fontTools.ttLib import TTFont
from fpdf import FPDF

logger = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "DejaVu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# What a paper can print: Latin (every Vietnamese letter is in Latin-1, Extended-A/B or Extended
# Additional), combining marks NFC cannot compose, general punctuation, currency signs (₫) and
# letterlike symbols (№).
_REPERTOIRE = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x0300, 0x036F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
)


def font_paths(texts: Iterable[str]) -> dict[str, Path]:
    """The regular and bold fonts that hold `texts`' characters: the cut-down ones if they cover
    every character, else the full ones."""
    with _font_lock:
        fonts = _subset_fonts(os.getpid())  # a forked worker builds its own folder
    if fonts.codepoints is None:
        return fonts.paths
    needed = {ord(c) for text in texts for c in text}
    return fonts.paths if needed <= fonts.codepoints else _FULL_FONTS.paths


def pdf_with_fonts(paths: dict[str, Path], page_format: str | tuple[float, float]) -> FPDF:
    """A portrait page in millimetres with those fonts added as `FONT_FAMILY`."""
    pdf = FPDF(orientation="P", unit="mm", format=page_format)
    for style, path in paths.items():
        pdf.add_font(FONT_FAMILY, style, path)
    _skip_bbox_recalculation(pdf)
    return pdf


def warm_up() -> None:
    """Prepare the cut-down fonts now (~0.4 s) rather than in the first document of the process."""
    font_paths(())


def fit_text(pdf: FPDF, text: str, size: float, width: float, *, bold: bool = False) -> float:
    """Set the largest size up to `size` at which `text` fits on one line of `width`; return it."""
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    actual = pdf.get_string_width(text)
    if actual > width:
        size = size * width / actual * 0.98
        pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    return size


def centred_rule(pdf: FPDF, centre_x: float, y: float, length: float) -> None:
    """The short line under an official paper's issuing unit and under its national motto."""
    pdf.set_line_width(0.25)
    pdf.line(centre_x - length / 2, y, centre_x + length / 2, y)


def _skip_bbox_recalculation(pdf: FPDF) -> None:
    """Halve the time of `output()`: fpdf2 saves its subset of each font through fontTools, which by
    default recomputes every kept glyph's bounding box and so decodes and re-encodes its outline.
    Subsetting never changes an outline, so the stored boxes are right; the font-wide maxima in
    `head`, `hhea` and `maxp` stay those of the larger font, still true bounds. `FPDF.fonts` and
    `TTFFont.ttfont` are plain attributes of fpdf2 2.8.9 (pinned); if they ever go, the documents
    are only slower."""
    for font in getattr(pdf, "fonts", {}).values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.recalcBBoxes = False


@dataclass(frozen=True)
class _FontSet:
    paths: dict[str, Path]
    codepoints: frozenset[int] | None  # None: the full fonts, use them for anything


_FULL_FONTS = _FontSet({style: FONT_DIR / name for style, name in _FONT_FILES.items()}, None)
_font_lock = threading.Lock()


@functools.cache
def _subset_fonts(pid: int) -> _FontSet:
    try:
        folder = Path(tempfile.mkdtemp(prefix="cccd-slip-fonts-"))
    except OSError:
        logger.warning("No temporary folder for the slip fonts; using the full fonts")
        return _FULL_FONTS
    atexit.register(_remove_folder, folder, pid)
    wanted = [c for low, high in _REPERTOIRE for c in range(low, high + 1)]
    covered: set[int] | None = None
    paths: dict[str, Path] = {}
    try:
        for style, name in _FONT_FILES.items():
            font = TTFont(FONT_DIR / name, recalcTimestamp=False)
            options = ft_subset.Options()
            options.hinting = False
            options.glyph_names = True
            options.notdef_outline = True
            options.recommended_glyphs = True
            options.layout_features = []
            options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
            subsetter = ft_subset.Subsetter(options)
            subsetter.populate(unicodes=wanted)
            subsetter.subset(font)
            cmap = set(font.getBestCmap())
            covered = cmap if covered is None else covered & cmap
            paths[style] = folder / name
            font.save(paths[style])
    except OSError:
        logger.warning("Cannot write the slip fonts to %s; using the full fonts", folder)
        return _FULL_FONTS
    return _FontSet(paths, frozenset(covered or ()))


def _remove_folder(folder: Path, pid: int) -> None:
    if os.getpid() == pid:  # never from a forked child: the folder is its parent's
        shutil.rmtree(folder, ignore_errors=True)
