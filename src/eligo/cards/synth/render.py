"""Drawing primitives for synthetic cards: fonts, a canvas that records every text box, logos.

A card is drawn flat at ``CARD_W`` x ``CARD_H`` (ID-1 proportions, ~300 dpi). Every string
drawn is recorded as a ``TextItem`` (text, box, field key, role) so the ground truth carries
per-field boxes and line labels that a token/line classifier can train on.
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

CARD_W = 1012
CARD_H = 638  # 1012 / 638 = 1.586, the ID-1 aspect ratio

Box = tuple[float, float, float, float]
Color = tuple[int, int, int]
Role = Literal["label", "value", "text"]
FontT = ImageFont.FreeTypeFont | ImageFont.ImageFont

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"))

# family -> (regular, bold) file names; the first family whose files exist is used.
FONT_FILES: dict[str, tuple[str, str]] = {
    "dejavu_sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "dejavu_condensed": ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    "dejavu_serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "dejavu_mono": ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
    "liberation_sans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    "liberation_narrow": ("LiberationSansNarrow-Regular.ttf", "LiberationSansNarrow-Bold.ttf"),
    "liberation_serif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
    "liberation_mono": ("LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf"),
    "free_sans": ("FreeSans.ttf", "FreeSansBold.ttf"),
    "free_serif": ("FreeSerif.ttf", "FreeSerifBold.ttf"),
    "free_mono": ("FreeMono.ttf", "FreeMonoBold.ttf"),
    "roboto": ("Roboto-Regular.ttf", "Roboto-Bold.ttf"),
    "roboto_condensed": ("RobotoCondensed-Regular.ttf", "RobotoCondensed-Bold.ttf"),
    "open_sans": ("OpenSans-Regular.ttf", "OpenSans-Bold.ttf"),
}

# Font "styles" a layout asks for; each maps to families in order of preference.
FONT_STYLES: dict[str, tuple[str, ...]] = {
    "sans": ("liberation_sans", "roboto", "open_sans", "free_sans", "dejavu_sans"),
    "sans2": ("open_sans", "roboto", "free_sans", "dejavu_sans"),
    "narrow": ("roboto_condensed", "liberation_narrow", "dejavu_condensed"),
    "serif": ("liberation_serif", "free_serif", "dejavu_serif"),
    "mono": ("liberation_mono", "free_mono", "dejavu_mono"),
    "dejavu": ("dejavu_sans",),
}


@lru_cache(maxsize=1)
def _font_index() -> dict[str, str]:
    """File name -> path for every TrueType/OpenType font on the machine."""
    index: dict[str, str] = {}
    for root in FONT_DIRS:
        if not os.path.isdir(root):
            continue
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                if name.lower().endswith((".ttf", ".otf")):
                    index.setdefault(name, os.path.join(dirpath, name))
    return index


def available_families() -> list[str]:
    index = _font_index()
    return [fam for fam, files in FONT_FILES.items() if all(f in index for f in files)]


def style_families(style: str) -> list[str]:
    """Installed families for a style, falling back to any installed family."""
    avail = set(available_families())
    found = [fam for fam in FONT_STYLES[style] if fam in avail]
    return found or sorted(avail)


@lru_cache(maxsize=512)
def font(family: str, size: int, bold: bool = False) -> FontT:
    index = _font_index()
    files = FONT_FILES.get(family)
    if files and files[int(bold)] in index:
        return ImageFont.truetype(index[files[int(bold)]], size)
    # No usable font files (a bare container): Pillow's bundled scalable default.
    return ImageFont.load_default(size)


@dataclass
class TextItem:
    text: str
    box: Box
    field: str | None = None
    role: Role = "text"


@dataclass
class Fonts:
    """The fonts one card uses: a family for labels and one for values."""

    label_family: str
    value_family: str
    scale: float = 1.0

    def label(self, size: int, bold: bool = False) -> FontT:
        return font(self.label_family, round(size * self.scale), bold)

    def value(self, size: int, bold: bool = True) -> FontT:
        return font(self.value_family, round(size * self.scale), bold)


def union(boxes: list[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


@dataclass
class Canvas:
    """One side of a flat card; records every text it draws."""

    bg: Color = (255, 255, 255)
    img: Image.Image = field(init=False)
    draw: ImageDraw.ImageDraw = field(init=False)
    items: list[TextItem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.img = Image.new("RGB", (CARD_W, CARD_H), self.bg)
        self.draw = ImageDraw.Draw(self.img)

    def text(
        self,
        xy: tuple[float, float],
        s: str,
        fnt: FontT,
        fill: Color,
        *,
        key: str | None = None,
        role: Role = "text",
        anchor: str = "la",
    ) -> Box:
        self.draw.text(xy, s, font=fnt, fill=fill, anchor=anchor)
        box = tuple(float(v) for v in self.draw.textbbox(xy, s, font=fnt, anchor=anchor))
        item = TextItem(s, (box[0], box[1], box[2], box[3]), key, role)
        self.items.append(item)
        return item.box

    def width(self, s: str, fnt: FontT) -> float:
        return float(self.draw.textlength(s, font=fnt))

    def rect(self, box: Box, fill: Color, radius: int = 0) -> None:
        if radius:
            self.draw.rounded_rectangle(box, radius=radius, fill=fill)
        else:
            self.draw.rectangle(box, fill=fill)


def jitter(rng: random.Random, color: Color, amount: int = 18) -> Color:
    r, g, b = (max(0, min(255, c + rng.randint(-amount, amount))) for c in color)
    return (r, g, b)


def logo(
    cv: Canvas,
    rng: random.Random,
    kind: str,
    xy: tuple[float, float],
    size: float,
    color: Color,
    accent: Color,
) -> None:
    """Simple vector marks standing in for payer logos."""
    x, y = xy
    d = cv.draw
    if kind == "circle":
        d.ellipse((x, y, x + size, y + size), fill=color)
        d.ellipse((x + size * 0.25, y + size * 0.25, x + size * 0.75, y + size * 0.75), fill=accent)
    elif kind == "arc":
        for i in range(3):
            inset = i * size * 0.14
            d.arc(
                (x + inset, y + inset, x + size - inset, y + size - inset),
                start=200,
                end=340 + i * 10,
                fill=color if i != 1 else accent,
                width=max(3, int(size * 0.08)),
            )
    elif kind == "shield":
        pts = [
            (x, y),
            (x + size, y),
            (x + size, y + size * 0.55),
            (x + size / 2, y + size),
            (x, y + size * 0.55),
        ]
        d.polygon(pts, fill=color)
        w = size * 0.16
        d.rectangle(
            (x + size / 2 - w / 2, y + size * 0.15, x + size / 2 + w / 2, y + size * 0.75),
            fill=accent,
        )
        d.rectangle(
            (x + size * 0.2, y + size * 0.35 - w / 2, x + size * 0.8, y + size * 0.35 + w / 2),
            fill=accent,
        )
    elif kind == "cross":
        w = size / 3
        d.rectangle((x + w, y, x + 2 * w, y + size), fill=color)
        d.rectangle((x, y + w, x + size, y + 2 * w), fill=color)
    elif kind == "leaf":
        d.ellipse((x, y + size * 0.2, x + size * 0.7, y + size * 0.8), fill=color)
        d.ellipse((x + size * 0.3, y, x + size, y + size * 0.6), fill=accent)
    elif kind == "star":
        pts = []
        for i in range(10):
            r = size / 2 if i % 2 == 0 else size / 4.5
            a = math.pi / 2 + i * math.pi / 5
            pts.append((x + size / 2 + r * math.cos(a), y + size / 2 - r * math.sin(a)))
        d.polygon(pts, fill=color)
    elif kind == "wave":
        for i in range(3):
            yy = y + size * (0.25 + 0.22 * i)
            pts = [
                (x + t * size / 20, yy + math.sin(t / 20 * 2 * math.pi) * size * 0.08)
                for t in range(21)
            ]
            d.line(pts, fill=color if i % 2 == 0 else accent, width=max(3, int(size * 0.09)))
    else:  # "square" with a notch
        d.rounded_rectangle((x, y, x + size, y + size), radius=int(size * 0.2), fill=color)
        d.polygon(
            [
                (x + size * 0.3, y + size * 0.7),
                (x + size * 0.7, y + size * 0.3),
                (x + size * 0.7, y + size * 0.7),
            ],
            fill=accent,
        )
    _ = rng  # reserved for per-logo variation


LOGO_KINDS = ("circle", "arc", "shield", "cross", "leaf", "star", "wave", "square")


def paper_texture(img: Image.Image, rng: random.Random, strength: float = 6.0) -> Image.Image:
    """Faint printed-card texture so flat areas are not perfectly uniform."""
    import numpy as np

    arr = np.asarray(img).astype(np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, strength, arr.shape[:2])
    arr += noise[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def font_path_report() -> dict[str, str]:
    """Which file each family resolves to (for the CLI's --fonts and the docs)."""
    index = _font_index()
    return {
        fam: str(Path(index[files[0]]).parent)
        for fam, files in FONT_FILES.items()
        if files[0] in index
    }
