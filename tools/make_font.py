"""Extract Noto Sans CJK SC (Regular) from Debian's fonts-noto-cjk collection and subset it.

Run once by a maintainer; the result ships in assets/fonts/. The subset keeps Latin, common
punctuation and symbols, Greek (for π, θ in formulas), and every ideograph of the CJK Unified Ideographs block (U+4E00-9FFF),
so curators' Chinese text never shows empty boxes while the file stays a fraction of the
collection's size. Licence: SIL Open Font License 1.1 (assets/fonts/OFL.txt).
"""
import sys
from fontTools.ttLib import TTCollection
from fontTools import subset

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
TARGET = sys.argv[1] if len(sys.argv) > 1 else "assets/fonts/NotoSansSC-Regular.otf"

collection = TTCollection(SOURCE)
face = next(f for f in collection.fonts if "SC" in f["name"].getDebugName(4))
ranges = [
    (0x0020, 0x007E), (0x00A0, 0x024F), (0x0370, 0x03FF), (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x218F),
    (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x25FF), (0x2600, 0x27BF),
    (0x3000, 0x303F), (0x3100, 0x312F), (0x3200, 0x32FF), (0x4E00, 0x9FFF), (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
]
unicodes = [cp for lo, hi in ranges for cp in range(lo, hi + 1)]
options = subset.Options()
options.layout_features = ["*"]
options.name_IDs = ["*"]
options.notdef_outline = True
subsetter = subset.Subsetter(options)
subsetter.populate(unicodes=unicodes)
subsetter.subset(face)
face.save(TARGET)
print("wrote", TARGET)
