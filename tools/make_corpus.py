"""Writes the corpus of broken exhibits (crates/kepu-core/tests/corpus/): one folder per
mistake a curator can make, each with its exhibit.toml, the assets it needs, and expect.toml
saying which problems `validate` must report, on which line and (where given) column.

The expected line is found here by searching the manifest for the text that holds the mistake,
and the column by searching that line for the text the problem must point at, independently of
the validator. Run `python3 tools/make_corpus.py` after adding a case.
"""
import io
import os
import shutil
from PIL import Image

ROOT = "crates/kepu-core/tests/corpus"

STORY = '''id = "corpus-story"
kind = "story"
title = { zh = "故事", en = "Story" }

[[pages]]
text = { zh = "第一页", en = "Page one" }
image = "pic.png"
'''

QUIZ = '''id = "corpus-quiz"
kind = "quiz"
title = { zh = "测验", en = "Quiz" }

[[questions]]
id = "q1"
prompt = { zh = "问题一", en = "Question one" }
explanation = { zh = "解释", en = "Because" }

[[questions.choices]]
id = "a"
label = { zh = "甲", en = "A" }
correct = true

[[questions.choices]]
id = "b"
label = { zh = "乙", en = "B" }
'''

HOTSPOTS = '''id = "corpus-hotspots"
kind = "hotspots"
title = { zh = "热点", en = "Hotspots" }
image = "pic.png"

[[hotspots]]
id = "h1"
title = { zh = "区域", en = "Region" }
text = { zh = "说明", en = "About it" }
rect = [4, 4, 20, 20]
'''

SIMULATION = '''id = "corpus-simulation"
kind = "simulation"
title = { zh = "单摆", en = "Pendulum" }
model = "pendulum"

[[parameters]]
id = "length"
label = { zh = "摆长", en = "Length" }
min = 0.5
max = 3.0
default = 1.0
'''

SORT = '''id = "corpus-sort"
kind = "sort"
title = { zh = "分类", en = "Sorting" }

[[bins]]
id = "hazardous"
label = { zh = "有害垃圾", en = "Hazardous waste" }
color = "#c62828"

[[bins]]
id = "other"
label = { zh = "其他垃圾", en = "Other waste" }

[[items]]
id = "battery"
label = { zh = "电池", en = "Battery" }
bin = "hazardous"
feedback = { zh = "含重金属", en = "Contains heavy metals" }
'''


# Several independent mistakes of different kinds: `validate` reports every one in one run.
SEVERAL = '''id = "corpus-quiz"
kind = "quiz"
titel = { zh = "测验", en = "Quiz" }
audiences = ["adult", "senoir"]

[[questions]]
id = "q1"
type = "multi"
prompt = { zh = "问题一", en = "Question one" }
explanation = { zh = "解释", en = "Because" }

[[questions.choices]]
id = "a"
label = { zh = "甲", en = "A" }
correct = "yes"

[[questions.choices]]
id = "b"
label = { zh = "乙", en = "B" }

[[questions]]
id = "q2"
type = "estimate"
prompt = { zh = "问题二", en = "Question two" }
explanation = { zh = "解释", en = "Because" }

[questions.estimate]
min = "0.5"
max = 10
answer = 5
tolerance = 1
'''

# Exhibits written before choices and ordering items had a `label`: `text` still works.
OLD_NAMES = QUIZ.replace("label = {", "text = {") + '''
[[questions]]
id = "q2"
type = "ordering"
prompt = { zh = "排序", en = "Put in order" }
explanation = { zh = "解释", en = "Because" }

[[questions.items]]
id = "one"
text = { zh = "一", en = "One" }

[[questions.items]]
id = "two"
text = { zh = "二", en = "Two" }
'''


def png(width, height, colour=(200, 120, 40)):
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


SMALL_PNG = png(64, 64)

# (folder, manifest, extra assets, [(severity, text on the expected line, message part, Chinese
# message part[, text the expected column starts])])
CASES = [
    ("toml-syntax", STORY.replace('kind = "story"', 'kind = "story'), {},
     [("error", 'kind = "story', "the text that starts at column 8 has no closing quote", "从第 8 列开始的文字缺少结尾的引号", '"story')]),
    ("unknown-field", STORY.replace("title =", "titel ="), {},
     [("error", "titel", "`titel` is not a field here; did you mean `title`?", "`titel` 不是这里的字段；是不是想写 `title`？", "titel")]),
    ("missing-required-field", STORY.replace('title = { zh = "故事", en = "Story" }\n', ""), {},
     [("error", "id = ", "required field `title` is missing", "缺少必填字段 `title`")]),
    ("unknown-kind", STORY.replace('kind = "story"', 'kind = "puzzle"'), {},
     [("error", 'kind = "puzzle"', "unknown exhibit kind `puzzle`: use one of story, quiz, hotspots, simulation, sort", "没有这种展品类型：`puzzle`；可选：story, quiz, hotspots, simulation, sort", '"puzzle"')]),
    ("unknown-audience", STORY.replace('kind = "story"', 'kind = "story"\naudiences = ["kids"]'), {},
     [("error", "audiences", "unknown audience `kids`: use one of child, youth, adult, senior, family, rural, worker, civil-servant", "没有这种观众类型：`kids`；可选：child, youth, adult, senior, family, rural, worker, civil-servant", '"kids"')]),
    ("bad-exhibit-id", STORY.replace('"corpus-story"', '"Corpus Story"'), {},
     [("error", 'id = "Corpus Story"', "may only use lowercase letters", "只能用小写字母 a-z、数字、- 和 _")]),
    ("duplicate-question-ids", QUIZ + QUIZ[QUIZ.index("[[questions]]"):].replace('prompt = { zh = "问题一", en = "Question one" }', 'prompt = { zh = "问题二", en = "Question two" }'), {},
     [("error", '#2:id = "q1"', 'question id "q1" is used twice', "题目编号“q1”用了两次")]),
    ("duplicate-choice-ids", QUIZ.replace('id = "b"', 'id = "a"'), {},
     [("error", '#2:id = "a"', 'choice id "a" is used twice', "题目“q1”中的选项编号“a”用了两次")]),
    ("duplicate-hotspot-ids", HOTSPOTS + HOTSPOTS[HOTSPOTS.index("[[hotspots]]"):], {"pic.png": SMALL_PNG},
     [("error", '#2:id = "h1"', 'hotspot id "h1" is used twice', "热点编号“h1”用了两次")]),
    ("duplicate-item-ids", SORT + SORT[SORT.index("[[items]]"):], {},
     [("error", '#2:id = "battery"', 'item id "battery" is used twice', "物品编号“battery”用了两次")]),
    ("unknown-bin", SORT.replace('bin = "hazardous"', 'bin = "harmful"'), {},
     [("error", 'bin = "harmful"', 'bin "harmful", which does not exist; the bins are hazardous, other', "物品“battery”要放进的分类箱“harmful”不存在；现有的分类箱：hazardous、other")]),
    ("unknown-pool-question", QUIZ + '\n[pools]\nchild = ["q1", "q9"]\n', {},
     [("error", "child = ", 'names question "q9", which this quiz does not have', "题库“child”里的题目“q9”在这个测验里没有")]),
    ("missing-image", STORY, {},
     [("error", 'image = "pic.png"', 'the image of page 1 "pic.png" does not exist', "第 1 页的图片“pic.png”在")]),
    ("undecodable-image", STORY, {"pic.png": b"this is not a picture"},
     [("error", 'image = "pic.png"', "cannot be read as a PNG or JPEG image", "无法作为 PNG 或 JPEG 图片打开")]),
    ("oversized-image", STORY, {"pic.png": png(5000, 3000)},
     [("warning", 'image = "pic.png"', "is 5000×3000 pixels, far larger than the screen", "有 5000×3000 像素，比屏幕（1920×1080）大得多")]),
    ("hotspot-outside-image", HOTSPOTS.replace("rect = [4, 4, 20, 20]", "rect = [40, 40, 50, 10]"), {"pic.png": SMALL_PNG},
     [("error", "rect = [40", "reaches outside the image (64×64 pixels)", "超出了图片（64×64 像素）")]),
    ("hotspot-without-shape", HOTSPOTS.replace("rect = [4, 4, 20, 20]\n", ""), {"pic.png": SMALL_PNG},
     [("error", "[[hotspots]]", "needs exactly one of `rect`, `circle` or `polygon`", "要写 `rect`、`circle`、`polygon` 中的一个")]),
    ("polygon-too-few-points", HOTSPOTS.replace("rect = [4, 4, 20, 20]", "polygon = [[1, 1], [9, 9]]"), {"pic.png": SMALL_PNG},
     [("error", "polygon =", "needs at least 3 points", "的 polygon 至少需要 3 个点")]),
    ("single-choice-two-correct", QUIZ.replace('label = { zh = "乙", en = "B" }', 'label = { zh = "乙", en = "B" }\ncorrect = true'), {},
     [("error", "[[questions]]", "exactly one choice with correct = true (it has 2)", "是单选题，要正好有一个选项写 correct = true（现在有 2 个）")]),
    ("single-choice-none-correct", QUIZ.replace("correct = true\n", ""), {},
     [("error", "[[questions]]", "(it has 0)", "（现在有 0 个）")]),
    ("multiple-choice-none-correct", QUIZ.replace('id = "q1"', 'id = "q1"\ntype = "multiple"').replace("correct = true\n", ""), {},
     [("error", "[[questions]]", "at least one choice with correct = true", "是多选题，至少要有一个选项写 correct = true")]),
    ("ordering-one-item", QUIZ[:QUIZ.index("[[questions.choices]]")].replace('id = "q1"', 'id = "q1"\ntype = "ordering"') + '[[questions.items]]\nid = "first"\nlabel = { zh = "一", en = "One" }\n', {},
     [("error", "[[questions]]", "needs at least 2 items", "是排序题，至少需要 2 个排序项")]),
    ("estimate-answer-outside-range", QUIZ[:QUIZ.index("[[questions.choices]]")].replace('id = "q1"', 'id = "q1"\ntype = "estimate"') + "[questions.estimate]\nmin = 0\nmax = 100\nanswer = 150\ntolerance = 5\n", {},
     [("error", "answer = 150", "the answer 150 of question \"q1\" is outside its slider's range 0 to 100", "题目“q1”的答案 150 不在滑块的范围 0 到 100 之内")]),
    ("true-false-without-answer", QUIZ[:QUIZ.index("[[questions.choices]]")].replace('id = "q1"', 'id = "q1"\ntype = "true_false"'), {},
     [("error", "[[questions]]", "needs `answer = true` or `answer = false`", "要写 `answer = true` 或 `answer = false`")]),
    ("image-choice-without-image", QUIZ.replace('id = "q1"', 'id = "q1"\ntype = "image_choice"'), {},
     [("error", '#1:[[questions.choices]]', 'choice "a" of question "q1" needs an image', "题目“q1”的选项“a”需要图片"),
      ("error", '#2:[[questions.choices]]', 'choice "b" of question "q1" needs an image', "题目“q1”的选项“b”需要图片")]),
    ("unknown-simulation-model", SIMULATION.replace('model = "pendulum"', 'model = "pendulumn"'), {},
     [("error", 'model = "pendulumn"', 'there is no simulation model "pendulumn"; the models are pendulum, projectile, orbit', "没有叫“pendulumn”的模拟模型；可用的模型有：pendulum, projectile, orbit")]),
    ("simulation-unknown-parameter", SIMULATION.replace('id = "length"', 'id = "lenght"'), {},
     [("error", 'id = "lenght"', 'the pendulum model has no parameter "lenght"; it has length, angle, gravity', "pendulum 模型没有参数“lenght”；它的参数有：length, angle, gravity")]),
    ("simulation-parameter-out-of-range", SIMULATION.replace("max = 3.0", "max = 500.0").replace("default = 1.0", "default = 2.0"), {},
     [("error", "max = 500.0", "max = 500 is outside what the pendulum model allows (0.05 to 100 m)", "max = 500 超出了 pendulum 模型允许的范围（0.05 到 100 m）")]),
    ("simulation-default-outside-range", SIMULATION.replace("default = 1.0", "default = 9.0"), {},
     [("error", "default = 9.0", "default = 9 is outside its own range 0.5 to 3", "default = 9 不在它自己的范围 0.5 到 3 之内")]),
    ("missing-language", STORY.replace('title = { zh = "故事", en = "Story" }', 'title = { zh = "故事" }'), {"pic.png": SMALL_PNG},
     [("error", "title =", "the title has no text in en", "标题（title）缺少英文文字")]),
    ("unsupported-audio", STORY.replace('image = "pic.png"', 'image = "pic.png"\nnarration = "voice.ogg"'), {"pic.png": SMALL_PNG, "voice.ogg": b"plain text, not audio"},
     [("error", "narration =", "is not an Ogg Vorbis, WAV, MP3 or FLAC file", "不是 Ogg Vorbis、WAV、MP3 或 FLAC 声音文件")]),
    ("section-of-another-kind", STORY + QUIZ[QUIZ.index("[[questions]]"):], {"pic.png": SMALL_PNG},
     [("error", "[[questions]]", "a story exhibit does not use `questions`; it belongs to kind = \"quiz\"", "story 类展品不用 `questions`，它属于 kind = \"quiz\" 的展品")]),
    ("story-without-pages", STORY[:STORY.index("[[pages]]")], {},
     [("error", 'kind = "story"', "a story needs at least one [[pages]] entry", "故事至少需要一页")]),
    ("asset-outside-folder", STORY.replace('image = "pic.png"', 'image = "../pic.png"'), {},
     [("error", 'image = "../pic.png"', "must name a file inside the exhibit folder", "必须是展品文件夹里的文件")]),
    ("invalid-bin-colour", SORT.replace('color = "#c62828"', 'color = "red"'), {},
     [("error", 'color = "red"', 'bin colour "red" must look like "#2e7d32"', "分类箱颜色“red”要写成 \"#2e7d32\" 这样")]),
    ("several-mistakes", SEVERAL, {},
     [("error", "titel =", "`titel` is not a field here; did you mean `title`?", "`titel` 不是这里的字段；是不是想写 `title`？", "titel"),
      ("error", "audiences =", "unknown audience `senoir`: use one of child, youth, adult, senior, family, rural, worker, civil-servant (did you mean `senior`?)", "没有这种观众类型：`senoir`；可选：child, youth, adult, senior, family, rural, worker, civil-servant（是不是想写 `senior`？）", '"senoir"'),
      ("error", 'type = "multi"', "unknown question type `multi`: use one of single, multiple, true_false, image_choice, ordering, estimate (did you mean `multiple`?)", "没有这种题型：`multi`；可选：single, multiple, true_false, image_choice, ordering, estimate（是不是想写 `multiple`？）", '"multi"'),
      ("error", 'correct = "yes"', "`correct` must be `true` or `false`, without quotes", "`correct` 只能写 `true` 或 `false`，不要加引号", '"yes"'),
      ("error", 'min = "0.5"', "`min` must be a number, like `0.5` — remove the quotes", "`min` 要写数字，例如 `0.5`：去掉引号", '"0.5"')]),
    ("unclosed-quote", STORY.replace('en = "Story" }', 'en = "Story }'), {},
     [("error", "title =", "the text that starts at column 27 has no closing quote", "从第 27 列开始的文字缺少结尾的引号", '"Story }')]),
    ("full-width-equals", STORY.replace('kind = "story"', 'kind ＝ "story"'), {},
     [("error", "kind ＝", "`＝` is a full-width character: type `=`", "`＝` 是全角字符：请换成半角的 `=`", "＝")]),
    # Valid as written: a byte-order mark and Windows line ends are no mistake.
    ("bom-and-crlf", "\ufeff" + STORY.replace("\n", "\r\n"), {}, []),
    # The old names of `label` still load, each with a warning at it.
    ("old-field-names", OLD_NAMES, {},
     [("warning", '#1:text = { zh = "甲"', "`text` is the old name of `label`: rename it to `label`", "`text` 是 `label` 的旧名字：请改成 `label`", "text"),
      ("warning", '#1:text = { zh = "乙"', "`text` is the old name of `label`: rename it to `label`", "`text` 是 `label` 的旧名字：请改成 `label`", "text"),
      ("warning", 'text = { zh = "一"', "`text` is the old name of `label`: rename it to `label`", "`text` 是 `label` 的旧名字：请改成 `label`", "text"),
      ("warning", 'text = { zh = "二"', "`text` is the old name of `label`: rename it to `label`", "`text` 是 `label` 的旧名字：请改成 `label`", "text")]),
    ("old-and-new-name", QUIZ.replace('label = { zh = "乙", en = "B" }', 'label = { zh = "乙", en = "B" }\ntext = { zh = "乙", en = "B" }'), {},
     [("error", 'text = { zh = "乙"', "`text` is the old name of `label`, and `label` is given too: keep only `label`", "`text` 是 `label` 的旧名字，这里也写了 `label`：只保留 `label`", "text")]),
    # File names are case-sensitive on the kiosk: `Pic.png` is not `pic.png`.
    ("wrong-case-file-name", STORY, {"Pic.png": SMALL_PNG},
     [("error", 'image = "pic.png"', 'but "Pic.png" does: a file\'s name must match in capital and small letters', "但有“Pic.png”：文件名的大小写必须完全一致", '"pic.png"')]),
    # Three syntax errors on three lines and a wrong type elsewhere: all four in one run.
    ("several-syntax-errors", QUIZ.replace('kind = "quiz"', 'kind ＝ "quiz"').replace('en = "Quiz" }', 'en = "Quiz }').replace("[[questions]]", "[[questions]").replace("correct = true", 'correct = "yes"'), {},
     [("error", "kind ＝", "`＝` is a full-width character: type `=`", "`＝` 是全角字符：请换成半角的 `=`", "＝"),
      ("error", "title =", "the text that starts at column 27 has no closing quote", "从第 27 列开始的文字缺少结尾的引号", '"Quiz }'),
      ("error", "[[questions]", "the section header `[[questions]` is not closed: write `[[questions]]`", "小节标题 `[[questions]` 没有写完：应写成 `[[questions]]`", "[[questions]"),
      ("error", 'correct = "yes"', "`correct` must be `true` or `false`, without quotes", "`correct` 只能写 `true` 或 `false`，不要加引号", '"yes"')]),
    # A hotspots mode is `explore` or `find`: a near miss is named with the one it is close to.
    ("unknown-hotspots-mode", HOTSPOTS.replace('image = "pic.png"', 'image = "pic.png"\nmode = "hide"'), {"pic.png": SMALL_PNG},
     [("error", 'mode = "hide"', "unknown hotspots mode `hide`: use one of explore, find", "没有这种热点玩法（mode）：`hide`；可选：explore, find", '"hide"')]),
]


def find_line(manifest, marker):
    """1-based line of the marker; '#n:text' means its n-th occurrence."""
    if marker is None:
        return None
    nth = 1
    if marker.startswith("#") and ":" in marker:
        nth, marker = int(marker[1:marker.index(":")]), marker[marker.index(":") + 1:]
    seen = 0
    for number, line in enumerate(manifest.split("\n"), start=1):
        if marker in line:
            seen += 1
            if seen == nth:
                return number
    raise SystemExit(f"marker {marker!r} not found")


def toml_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


if __name__ == "__main__":
    shutil.rmtree(ROOT, ignore_errors=True)
    for number, (name, manifest, assets, expected) in enumerate(CASES, start=1):
        folder = os.path.join(ROOT, f"{number:02d}-{name}")
        # Every case its own exhibit id, so the corpus also loads as one exhibits folder.
        for base in ("story", "quiz", "hotspots", "simulation", "sort"):
            manifest = manifest.replace(f'"corpus-{base}"', f'"case-{number:02d}"')
        os.makedirs(folder)
        with open(os.path.join(folder, "exhibit.toml"), "w") as f:
            f.write(manifest)
        if name not in ("missing-image", "wrong-case-file-name"):
            assets = {"pic.png": SMALL_PNG, **assets}
        for asset, data in assets.items():
            with open(os.path.join(folder, asset), "wb") as f:
                f.write(data)
        with open(os.path.join(folder, "expect.toml"), "w") as f:
            for severity, marker, message, message_zh, *at in expected:
                f.write("[[problem]]\n")
                f.write(f"severity = {toml_string(severity)}\n")
                line = find_line(manifest, marker)
                if line is not None:
                    f.write(f"line = {line}\n")
                if at:
                    text = manifest.split("\n")[line - 1]
                    if at[0] not in text:
                        raise SystemExit(f"{at[0]!r} not on line {line} of {name}")
                    f.write(f"column = {text.index(at[0]) + 1}\n")
                f.write(f"message = {toml_string(message)}\n")
                f.write(f"message_zh = {toml_string(message_zh)}\n\n")
    print(f"{len(CASES)} cases written to {ROOT}")
