#!/usr/bin/env bash
# Remakes the story narration: each page's text read by espeak-ng, in Mandarin (zh) and
# English (en), saved as Ogg Vorbis, mono 22.05 kHz, beside the exhibit.toml that names it.
#
#   tools/make_narration.sh                      # the stories added for issue 17
#   tools/make_narration.sh first-aid            # one or more exhibits by id
#
# Needs espeak-ng and oggenc (apt-get install espeak-ng vorbis-tools) and Python 3.11+.
# Each page's `narration = { zh = "...", en = "..." }` names the files; the text read is the
# page's `text`, with phone numbers read digit by digit (110 as 幺幺零, "one one zero") and
# letter words spelt out, so the voice says what the screen shows. phone-scams' recordings
# predate this script; it remakes them only when asked by name.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
    set -- first-aid disaster-safety how-vaccines-work
fi
python3 - "$@" <<'PY'
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

VOICES = {"zh": ("cmn", "150"), "en": ("en-gb", "150")}
ZH_DIGITS = {"0": "零", "1": "幺", "2": "二", "3": "三", "4": "四", "5": "五", "6": "六", "7": "七", "8": "八", "9": "九"}
EN_DIGITS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six", "7": "seven",
             "8": "eight", "9": "nine"}
PHONE = re.compile(r"(?<![\d.])(110|119|120|122|114|95598|96110)(?![\d ]*(?:次|厘米|公里|分钟|times|cm|km|minutes))")
LETTERS = {"AED": {"zh": "A E D", "en": "A. E. D."}, "CPR": {"zh": "C P R", "en": "C. P. R."}}


def spoken(text, lang):
    digits = ZH_DIGITS if lang == "zh" else EN_DIGITS
    sep = "" if lang == "zh" else " "
    text = PHONE.sub(lambda m: sep.join(digits[d] for d in m.group(1)) + sep, text)
    for word, say in LETTERS.items():
        text = text.replace(word, say[lang])
    return text


for exhibit in sys.argv[1:]:
    folder = Path("exhibits") / exhibit
    manifest = tomllib.loads((folder / "exhibit.toml").read_text(encoding="utf-8"))
    for page in manifest.get("pages", []):
        narration = page.get("narration")
        if not isinstance(narration, dict):
            continue
        for lang, name in narration.items():
            voice, speed = VOICES[lang]
            with tempfile.TemporaryDirectory() as tmp:
                wav = Path(tmp) / "page.wav"
                subprocess.run(["espeak-ng", "-v", voice, "-s", speed, "-w", str(wav), spoken(page["text"][lang], lang)],
                               check=True)
                subprocess.run(["oggenc", "--quiet", "-q", "1", "--resample", "22050",
                                "-o", str(folder / name), str(wav)], check=True)
            print(folder / name)
PY
