#!/usr/bin/env bash
# Remakes the story narration: each page's text read by espeak-ng, in Mandarin (zh) and
# English (en), saved as Ogg Vorbis, mono 22.05 kHz, beside the exhibit.toml that names it.
#
#   tools/make_narration.sh                      # every narrated sample story
#   tools/make_narration.sh first-aid            # one or more exhibits by id
#
# Needs espeak-ng and oggenc (apt-get install espeak-ng vorbis-tools), Python 3.11+ and
# pypinyin (pip install pypinyin). Each page's `narration = { zh = "...", en = "..." }` names
# the files; the text read is the page's `text`.
#
# Chinese: espeak-ng's `cmn` voice reads many characters wrongly (你 comes out as the English
# "ni three"), so the text is turned into tone-numbered pinyin (ni3 hao3, with the third-tone
# change) and read by the `cmn-latn-pinyin` voice; numbers are read as Chinese numerals, phone
# numbers digit by digit (120 as 幺二零), and Latin words (FAST, AED) by the English voice.
# English: phone numbers digit by digit ("one two zero"), letter words spelt out.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
    set -- phone-scams first-aid disaster-safety how-vaccines-work
fi
python3 - "$@" <<'PY'
import re
import subprocess
import sys
import tempfile
import tomllib
import wave
from pathlib import Path

from pypinyin import Style, lazy_pinyin, load_phrases_dict

# Words pypinyin reads with the wrong tone in these texts (checked syllable by syllable).
load_phrases_dict({"接种": [["jiē"], ["zhòng"]], "有力地": [["yǒu"], ["lì"], ["de"]]})

SPEED = "150"
PHONES = ("110", "119", "120", "122", "114", "95598", "96110")
UNITS = r"(?:次|厘米|公里|分钟|毫升|克|times|cm|km|minutes)"
PHONE = re.compile(r"(?<![\d.])(" + "|".join(PHONES) + r")(?![\d ]*" + UNITS + ")")
ZH_DIGIT = "零一二三四五六七八九"
ZH_PHONE_DIGIT = "零幺二三四五六七八九"
EN_DIGIT = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
EN_LETTERS = {"AED": "A. E. D.", "CPR": "C. P. R."}


def zh_number(n):
    """A whole number below 100 000 in Chinese numerals (120 -> 一百二十, 15 -> 十五)."""
    if n == 0:
        return "零"
    out, zero = "", False
    for value, unit in ((10000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero:
                out += "零"
            out += ("" if (unit == "十" and digit == 1 and not out) else ZH_DIGIT[digit]) + unit
            zero = False
        elif out:
            zero = True
    return out


def zh_spoken(text):
    text = PHONE.sub(lambda m: "".join(ZH_PHONE_DIGIT[int(d)] for d in m.group(1)), text)
    return re.sub(r"\d+", lambda m: zh_number(int(m.group(0))), text)


def en_spoken(text):
    text = PHONE.sub(lambda m: " ".join(EN_DIGIT[int(d)] for d in m.group(1)), text)
    for word, say in EN_LETTERS.items():
        text = text.replace(word, say)
    return text


def zh_runs(text):
    """The Chinese text as (voice, words) runs: pinyin for Chinese, English for Latin words."""
    runs = []
    for piece in re.split(r"([A-Za-z][A-Za-z ]*[A-Za-z]|[A-Za-z])", zh_spoken(text)):
        if not piece.strip():
            continue
        if re.fullmatch(r"[A-Za-z ]+", piece):
            runs.append(("en-gb", " ".join(piece.replace(" ", ""))) if piece.isupper() else ("en-gb", piece))
            continue
        syllables = lazy_pinyin(piece, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True)
        spoken = " ".join(syllables)
        spoken = re.sub(r"[，、；：]", ",", spoken)
        spoken = re.sub(r"[。？！]", ".", spoken)
        spoken = re.sub(r"[“”‘’（）《》—…]", " ", spoken)
        if re.search(r"[a-z]", spoken):
            runs.append(("cmn-latn-pinyin", spoken))
    return runs


def synthesise(runs, out_ogg):
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for k, (voice, words) in enumerate(runs):
            part = Path(tmp) / f"{k}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", SPEED, "-w", str(part), words], check=True)
            parts.append(part)
        joined = Path(tmp) / "page.wav"
        with wave.open(str(joined), "wb") as sink:
            for k, part in enumerate(parts):
                with wave.open(str(part), "rb") as source:
                    if k == 0:
                        sink.setparams(source.getparams())
                    sink.writeframes(source.readframes(source.getnframes()))
        subprocess.run(["oggenc", "--quiet", "-q", "1", "--resample", "22050", "-o", str(out_ogg), str(joined)],
                       check=True)


for exhibit in sys.argv[1:]:
    folder = Path("exhibits") / exhibit
    manifest = tomllib.loads((folder / "exhibit.toml").read_text(encoding="utf-8"))
    for page in manifest.get("pages", []):
        narration = page.get("narration")
        if not isinstance(narration, dict):
            continue
        for lang, name in narration.items():
            text = page["text"][lang]
            runs = zh_runs(text) if lang == "zh" else [("en-gb", en_spoken(text))]
            synthesise(runs, folder / name)
            print(folder / name)
PY
