"""Extract Noto Sans CJK SC (Regular and Bold) from Debian's fonts-noto-cjk collections and
subset them.

Run once by a maintainer (`apt-get install fonts-noto-cjk`, `pip install fonttools`); the
results ship in assets/fonts/. Both weights keep the same characters: Latin, common
punctuation and symbols, Greek (for π, θ in formulas), and every ideograph of the CJK Unified
Ideographs block (U+4E00-9FFF), so curators' Chinese text never shows empty boxes, in body
text or in a heading, while each file stays a fraction of its collection's size. Licence: SIL
Open Font License 1.1 (assets/fonts/OFL.txt).

    python3 tools/make_font.py            # both weights, into assets/fonts/
    python3 tools/make_font.py Bold OUT   # one weight, to OUT
"""
import sys
from fontTools.ttLib import TTCollection
from fontTools import subset

WEIGHTS = ["Regular", "Bold"]
RANGES = [
    (0x0020, 0x007E), (0x00A0, 0x024F), (0x0370, 0x03FF), (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x218F),
    (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x25FF), (0x2600, 0x27BF),
    (0x3000, 0x303F), (0x3100, 0x312F), (0x3200, 0x32FF), (0x4E00, 0x9FFF), (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
]


def make(weight, target):
    source = f"/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc"
    collection = TTCollection(source)
    face = next(f for f in collection.fonts if "SC" in f["name"].getDebugName(4))
    unicodes = [cp for lo, hi in RANGES for cp in range(lo, hi + 1)]
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(face)
    face.save(target)
    print("wrote", target)


if len(sys.argv) > 1:
    make(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else f"assets/fonts/NotoSansSC-{sys.argv[1]}.otf")
else:
    for weight in WEIGHTS:
        make(weight, f"assets/fonts/NotoSansSC-{weight}.otf")
