"""Draws the sample exhibits' illustrations (run once; the pictures are committed).

Plain shapes and large type so they read well on a kiosk; regenerate with
`python3 tools/make_sample_images.py` (needs Pillow), or only some exhibits with
`python3 tools/make_sample_images.py first-aid farm-safety`. Redrawing is deterministic:
the same Pillow gives the same bytes, so `git status` shows no change to pictures already
committed.

Hotspot pictures keep each region's numbers in a table (SMARTPHONE, FARM, WORK) that the
drawing uses; `python3 tools/make_sample_images.py --regions` prints them in the pixel
coordinates that the exhibit.toml files use, so the two never drift apart.
"""
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "assets/fonts/NotoSansSC-Regular.otf"


def font(size):
    return ImageFont.truetype(FONT, size)


def canvas(bg, size=(1280, 720)):
    image = Image.new("RGB", size, bg)
    return image, ImageDraw.Draw(image)


def phone(draw, x, y, scale=1.0, screen="#dff3ff"):
    w, h = int(220 * scale), int(420 * scale)
    draw.rounded_rectangle([x, y, x + w, y + h], radius=int(30 * scale), fill="#263238")
    draw.rounded_rectangle([x + 14 * scale, y + 40 * scale, x + w - 14 * scale, y + h - 50 * scale],
                           radius=int(10 * scale), fill=screen)
    draw.ellipse([x + w / 2 - 16 * scale, y + h - 40 * scale, x + w / 2 + 16 * scale, y + h - 8 * scale], fill="#90a4ae")
    return (x, y, w, h)


def caption(draw, text, xy, size=64, fill="#102a43"):
    draw.text(xy, text, font=font(size), fill=fill)


def scam_pages(folder):
    image, draw = canvas("#fff4e0")
    x, y, w, h = phone(draw, 160, 150)
    caption(draw, "未知号码", (x + 30, y + 120), 40)
    caption(draw, "Unknown caller", (x + 26, y + 180), 22)
    for r in (260, 320, 380):
        draw.arc([x + w / 2 - r / 2 + 200, y + 60, x + w / 2 + r / 2 + 200, y + 60 + r], 300, 60, fill="#e4572e", width=10)
    caption(draw, "“我是公安局的……”", (700, 230), 60, "#e4572e")
    caption(draw, "\"This is the police...\"", (700, 320), 44, "#7a3b1d")
    image.save(f"{folder}/page1.jpg", quality=88)

    image, draw = canvas("#e8f4ea")
    x, y, w, h = phone(draw, 160, 150, screen="#ffffff")
    caption(draw, "验证码", (x + 50, y + 120), 44)
    caption(draw, "8 3 6 1 0 4", (x + 30, y + 200), 40, "#2e7d32")
    draw.line([560, 200, 1120, 560], fill="#c62828", width=28)
    draw.line([1120, 200, 560, 560], fill="#c62828", width=28)
    caption(draw, "不转账  不说验证码", (560, 590), 52, "#1b5e20")
    image.save(f"{folder}/page2.jpg", quality=88)

    image, draw = canvas("#e3f2fd")
    phone(draw, 160, 150)
    caption(draw, "96110", (620, 200), 150, "#0d47a1")
    caption(draw, "反诈专线 · Anti-fraud hotline", (620, 400), 44, "#0d47a1")
    caption(draw, "挂断 → 核实 → 求助", (620, 480), 52, "#1565c0")
    image.save(f"{folder}/page3.jpg", quality=88)

    thumb, draw = canvas("#fff4e0", (480, 270))
    phone(draw, 40, 35, 0.48)
    caption(draw, "防骗", (200, 60), 72, "#e4572e")
    caption(draw, "Scam alert", (200, 160), 40, "#7a3b1d")
    thumb.save(f"{folder}/thumb.jpg", quality=88)


def emergency_thumb(folder):
    thumb, draw = canvas("#ffebee", (480, 270))
    draw.regular_polygon((120, 140, 90), 3, fill="#f9a825")
    caption(draw, "!", (108, 105), 80, "#102a43")
    caption(draw, "应急", (240, 50), 72, "#c62828")
    caption(draw, "119 · 120", (240, 150), 48, "#102a43")
    thumb.save(f"{folder}/thumb.jpg", quality=88)


# ---------------------------------------------------------------------------------------------
# Shared pieces for the exhibits added for issue 17 (PNG, drawn at full size).

INK = "#102a43"


def centred(draw, text, cx, y, size, fill=INK):
    """Writes one line centred on cx, its top at y; returns the line's bottom."""
    f = font(size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=f)
    draw.text((cx - (right - left) / 2 - left, y - top), text, font=f, fill=fill)
    return y + (bottom - top)


def heading(draw, zh, en, width, y=36, zh_size=76, en_size=40, fill=INK):
    """The page's title in Chinese with its English beneath, centred across the top."""
    bottom = centred(draw, zh, width / 2, y, zh_size, fill)
    centred(draw, en, width / 2, bottom + 18, en_size, fill)


def person(draw, x, y, scale=1.0, shirt="#1e88e5", skin="#f2c9a0", hair="#3e2723", legs="#37474f"):
    """A standing figure whose feet are at (x, y)."""
    s = scale
    draw.rounded_rectangle([x - 34 * s, y - 250 * s, x + 34 * s, y - 110 * s], radius=int(22 * s), fill=shirt)
    draw.line([x - 16 * s, y - 112 * s, x - 20 * s, y], fill=legs, width=int(22 * s))
    draw.line([x + 16 * s, y - 112 * s, x + 20 * s, y], fill=legs, width=int(22 * s))
    draw.ellipse([x - 30 * s, y - 320 * s, x + 30 * s, y - 258 * s], fill=skin)
    draw.chord([x - 31 * s, y - 322 * s, x + 31 * s, y - 270 * s], 180, 360, fill=hair)


def arm(draw, x0, y0, x1, y1, scale=1.0, fill="#1e88e5"):
    draw.line([x0, y0, x1, y1], fill=fill, width=int(18 * scale))


def germ(draw, cx, cy, r, fill="#8e24aa", spikes=10, pale=False):
    import math
    colour = "#ce93d8" if pale else fill
    for k in range(spikes):
        a = 2 * math.pi * k / spikes
        draw.line([cx, cy, cx + (r + 18) * math.cos(a), cy + (r + 18) * math.sin(a)], fill=colour, width=8)
        draw.ellipse([cx + (r + 18) * math.cos(a) - 9, cy + (r + 18) * math.sin(a) - 9,
                      cx + (r + 18) * math.cos(a) + 9, cy + (r + 18) * math.sin(a) + 9], fill=colour)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    draw.ellipse([cx - r * 0.45, cy - r * 0.35, cx - r * 0.1, cy], fill="#ffffff")
    draw.ellipse([cx + r * 0.1, cy - r * 0.35, cx + r * 0.45, cy], fill="#ffffff")


def guard(draw, cx, cy, r, fill="#1565c0"):
    """An immune 'guard': a round cell with a shield."""
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    draw.polygon([(cx - r * 0.45, cy - r * 0.35), (cx + r * 0.45, cy - r * 0.35),
                  (cx + r * 0.45, cy + r * 0.1), (cx, cy + r * 0.6), (cx - r * 0.45, cy + r * 0.1)], fill="#ffffff")
    draw.polygon([(cx - r * 0.3, cy - r * 0.22), (cx + r * 0.3, cy - r * 0.22),
                  (cx + r * 0.3, cy + r * 0.05), (cx, cy + r * 0.42), (cx - r * 0.3, cy + r * 0.05)], fill=fill)


def antibody(draw, x, y, size, fill="#f9a825"):
    """A Y-shaped antibody with its stem's foot at (x, y)."""
    draw.line([x, y, x, y - size], fill=fill, width=10)
    draw.line([x, y - size, x - size * 0.6, y - size * 1.6], fill=fill, width=10)
    draw.line([x, y - size, x + size * 0.6, y - size * 1.6], fill=fill, width=10)


def cross_mark(draw, cx, cy, r, fill="#c62828", width=18):
    draw.line([cx - r, cy - r, cx + r, cy + r], fill=fill, width=width)
    draw.line([cx + r, cy - r, cx - r, cy + r], fill=fill, width=width)


def tick_mark(draw, cx, cy, r, fill="#2e7d32", width=18):
    draw.line([cx - r, cy, cx - r * 0.3, cy + r * 0.7, cx + r, cy - r * 0.8], fill=fill, width=width, joint="curve")


def save_thumb(folder, bg, zh, en, draw_icon, zh_fill=INK):
    """A 960x540 card picture: an icon on the left, the name on the right."""
    image, draw = canvas(bg, (960, 540))
    draw_icon(draw)
    words = zh.split("\n")
    y = 150 if len(words) == 1 else 110
    for line in words:
        draw.text((470, y), line, font=font(96), fill=zh_fill)
        y += 120
    draw.text((474, y + 10), en, font=font(44), fill=INK)
    image.save(f"{folder}/thumb.png")


# ---------------------------------------------------------------------------------------------
# first-aid: FAST, CPR, AED (story).

def aed_box(draw, x, y, w, h):
    draw.rounded_rectangle([x, y, x + w, y + h], radius=int(w * 0.08), fill="#2e7d32")
    cx, cy, r = x + w / 2, y + h * 0.45, w * 0.26
    draw.ellipse([cx - r, cy - r * 0.9, cx, cy + r * 0.1], fill="#ffffff")
    draw.ellipse([cx, cy - r * 0.9, cx + r, cy + r * 0.1], fill="#ffffff")
    draw.polygon([(cx - r, cy - r * 0.3), (cx + r, cy - r * 0.3), (cx, cy + r * 1.1)], fill="#ffffff")
    draw.polygon([(cx + r * 0.1, cy - r * 0.7), (cx - r * 0.35, cy + r * 0.05), (cx, cy + r * 0.05),
                  (cx - r * 0.15, cy + r * 0.75), (cx + r * 0.35, cy - r * 0.1), (cx, cy - r * 0.1)], fill="#2e7d32")
    centred(draw, "AED", cx, y + h * 0.8, int(w * 0.2), "#ffffff")


def lying_person(draw, x, y, length=520, shirt="#8d6e63"):
    """A person lying on their back, head at the left, on the line y."""
    draw.ellipse([x, y - 80, x + 76, y - 4], fill="#f2c9a0")
    draw.rounded_rectangle([x + 80, y - 84, x + 80 + length * 0.45, y], radius=30, fill=shirt)
    draw.line([x + 80 + length * 0.45, y - 40, x + length, y - 30], fill="#37474f", width=34)


def first_aid_pages(folder):
    W, H = 1280, 720
    # Page 1: FAST in four panels.
    image, draw = canvas("#fff8e1", (W, H))
    heading(draw, "中风快识别：FAST", "Spot a stroke: FAST", W)
    panels = [("F", "看脸", "Face"), ("A", "抬手", "Arms"), ("S", "听说话", "Speech"), ("T", "打 120", "Time")]
    for k, (letter, zh, en) in enumerate(panels):
        x = 60 + k * 300
        draw.rounded_rectangle([x, 210, x + 260, 680], radius=28, fill="#ffffff", outline="#f9a825", width=6)
        centred(draw, letter, x + 130, 226, 80, "#e65100")
        cx, cy = x + 130, 430
        if letter == "F":
            draw.ellipse([cx - 80, cy - 90, cx + 80, cy + 90], fill="#f2c9a0")
            draw.ellipse([cx - 45, cy - 35, cx - 25, cy - 15], fill=INK)
            draw.ellipse([cx + 25, cy - 30, cx + 45, cy - 10], fill=INK)
            draw.line([cx - 45, cy + 35, cx + 10, cy + 40, cx + 45, cy + 60], fill="#c62828", width=8)
        elif letter == "A":
            draw.rounded_rectangle([cx - 30, cy - 60, cx + 30, cy + 90], radius=18, fill="#1e88e5")
            draw.ellipse([cx - 28, cy - 118, cx + 28, cy - 64], fill="#f2c9a0")
            arm(draw, cx - 28, cy - 40, cx - 95, cy - 110)
            arm(draw, cx + 28, cy - 40, cx + 60, cy + 70, fill="#90caf9")
        elif letter == "S":
            draw.rounded_rectangle([cx - 100, cy - 80, cx + 100, cy + 40], radius=30, fill="#eceff1")
            draw.polygon([(cx - 40, cy + 38), (cx - 70, cy + 90), (cx - 5, cy + 38)], fill="#eceff1")
            draw.line([cx - 70, cy - 20, cx - 40, cy - 50, cx - 10, cy + 5, cx + 20, cy - 45, cx + 50, cy, cx + 75, cy - 30],
                      fill="#c62828", width=8)
        else:
            draw.ellipse([cx - 85, cy - 85, cx + 85, cy + 85], fill="#ffffff", outline=INK, width=8)
            draw.line([cx, cy, cx, cy - 60], fill=INK, width=8)
            draw.line([cx, cy, cx + 45, cy + 15], fill=INK, width=8)
        centred(draw, zh, x + 130, 560, 48)
        centred(draw, en, x + 130, 624, 34, "#5d4037")
    image.save(f"{folder}/page1.png")

    # Page 2: no response, no normal breathing: call 120, fetch the AED.
    image, draw = canvas("#e3f2fd", (W, H))
    heading(draw, "叫不醒、没有正常呼吸", "No response, not breathing normally", W)
    draw.rectangle([0, 600, W, H], fill="#b0bec5")
    lying_person(draw, 140, 600)
    person(draw, 560, 600, 1.0, shirt="#43a047")
    arm(draw, 535, 390, 470, 470, fill="#43a047")
    arm(draw, 585, 390, 640, 300, fill="#43a047")
    draw.rounded_rectangle([628, 250, 668, 316], radius=8, fill="#263238")
    draw.rounded_rectangle([700, 210, 900, 300], radius=20, fill="#c62828")
    centred(draw, "120", 800, 222, 56, "#ffffff")
    person(draw, 1060, 600, 1.0, shirt="#fb8c00")
    aed_box(draw, 1110, 380, 120, 140)
    arm(draw, 1085, 390, 1120, 460, fill="#fb8c00")
    centred(draw, "取 AED · Get the AED", 1040, 640, 36)
    image.save(f"{folder}/page2.png")

    # Page 3: CPR rate and depth.
    image, draw = canvas("#fce4ec", (W, H))
    heading(draw, "胸外按压：用力、快速", "Chest compressions: hard and fast", W)
    draw.rounded_rectangle([120, 260, 560, 660], radius=120, fill="#f2c9a0")
    draw.ellipse([300, 420, 380, 470], fill="#e57373")
    for dx in (0, 26):
        draw.rounded_rectangle([270 + dx, 330 + dx, 410 + dx, 420 + dx], radius=30, fill="#ffccbc", outline="#8d6e63", width=5)
    draw.polygon([(340, 300), (310, 250), (370, 250)], fill="#c62828")
    draw.line([340, 196, 340, 256], fill="#c62828", width=16)
    draw.rounded_rectangle([640, 240, 1200, 430], radius=30, fill="#ffffff")
    centred(draw, "100–120 次/分", 920, 262, 72, "#c62828")
    centred(draw, "100–120 a minute", 920, 360, 40)
    draw.rounded_rectangle([640, 460, 1200, 650], radius=30, fill="#ffffff")
    centred(draw, "深 5–6 厘米", 920, 482, 72, "#c62828")
    centred(draw, "5–6 cm deep", 920, 580, 40)
    image.save(f"{folder}/page3.png")

    # Page 4: the AED.
    image, draw = canvas("#e8f5e9", (W, H))
    heading(draw, "AED：打开它，听它说", "AED: open it and follow its voice", W)
    aed_box(draw, 120, 220, 340, 400)
    draw.rounded_rectangle([620, 230, 1000, 660], radius=110, fill="#f2c9a0")
    draw.rectangle([650, 300, 760, 380], fill="#ffffff", outline=INK, width=4)
    draw.rectangle([860, 470, 970, 550], fill="#ffffff", outline=INK, width=4)
    draw.line([460, 380, 650, 340], fill=INK, width=6)
    draw.line([460, 440, 860, 510], fill=INK, width=6)
    steps = [("1 贴电极片", "Pads on"), ("2 别碰病人", "Hands off"), ("3 按电击键", "Press shock")]
    for k, (zh, en) in enumerate(steps):
        draw.text((1020, 250 + k * 130), zh, font=font(44), fill="#1b5e20")
        draw.text((1048, 306 + k * 130), en, font=font(30), fill=INK)
    image.save(f"{folder}/page4.png")

    def icon(draw):
        draw.rounded_rectangle([80, 130, 380, 430], radius=40, fill="#2e7d32")
        draw.rectangle([195, 170, 265, 390], fill="#ffffff")
        draw.rectangle([120, 245, 340, 315], fill="#ffffff")
    save_thumb(folder, "#fff8e1", "学急救", "First aid", icon, "#2e7d32")


# ---------------------------------------------------------------------------------------------
# disaster-safety: earthquake, fire, flood, the numbers (story).

def disaster_pages(folder):
    W, H = 1280, 720
    # Page 1: drop, cover, hold on.
    image, draw = canvas("#fff3e0", (W, H))
    heading(draw, "趴下 · 躲好 · 抓牢", "Drop · Cover · Hold on", W)
    draw.rectangle([0, 640, W, H], fill="#a1887f")
    draw.line([980, 180, 1010, 260, 980, 330, 1020, 420], fill="#6d4c41", width=8)
    draw.rectangle([120, 200, 380, 420], fill="#bbdefb", outline="#6d4c41", width=10)
    draw.line([250, 200, 250, 420], fill="#6d4c41", width=8)
    cross_mark(draw, 250, 310, 60, width=12)
    draw.line([710, 196, 740, 260], fill=INK, width=6)
    draw.polygon([(700, 260), (790, 260), (760, 300), (730, 300)], fill="#fdd835")
    draw.rectangle([480, 440, 940, 470], fill="#795548")
    draw.rectangle([500, 470, 525, 640], fill="#795548")
    draw.rectangle([895, 470, 920, 640], fill="#795548")
    draw.rounded_rectangle([600, 540, 780, 630], radius=40, fill="#1e88e5")
    draw.ellipse([760, 510, 840, 590], fill="#f2c9a0")
    arm(draw, 790, 520, 760, 490)
    arm(draw, 640, 560, 520, 500)
    image.save(f"{folder}/page1.png")

    # Page 2: stay low under the smoke.
    image, draw = canvas("#eceff1", (W, H))
    draw.rectangle([0, 0, W, 330], fill="#78909c")
    for k in range(8):
        draw.ellipse([k * 170 - 40, 250, k * 170 + 190, 380], fill="#78909c")
    heading(draw, "弯腰低姿 · 捂住口鼻", "Stay low · Cover nose and mouth", W, fill="#ffffff")
    draw.rectangle([0, 640, W, H], fill="#90a4ae")
    draw.rounded_rectangle([1000, 400, 1230, 500], radius=10, fill="#2e7d32")
    centred(draw, "安全出口", 1115, 412, 42, "#ffffff")
    centred(draw, "EXIT", 1115, 462, 26, "#ffffff")
    draw.polygon([(1130, 560), (1230, 600), (1130, 640)], fill="#2e7d32")
    draw.rounded_rectangle([420, 480, 640, 560], radius=36, fill="#e53935")
    draw.line([450, 555, 430, 640], fill="#37474f", width=24)
    draw.line([610, 555, 640, 640], fill="#37474f", width=24)
    draw.ellipse([630, 450, 710, 530], fill="#f2c9a0")
    draw.rectangle([660, 490, 720, 525], fill="#4fc3f7")
    arm(draw, 640, 500, 690, 505, fill="#e53935")
    draw.polygon([(60, 640), (100, 520), (140, 600), (170, 500), (220, 640)], fill="#ff7043")
    image.save(f"{folder}/page2.png")

    # Page 3: rainstorm: keep out of underpasses, go higher.
    image, draw = canvas("#cfd8dc", (W, H))
    for k in range(60):
        x = (k * 97) % W
        y = 150 + (k * 53) % 300
        draw.line([x, y, x - 14, y + 40], fill="#1565c0", width=4)
    heading(draw, "暴雨天：避开低洼，往高处去", "Rainstorm: avoid low ground, go higher", W)
    draw.polygon([(0, 560), (380, 560), (520, 660), (760, 660), (900, 460), (W, 300), (W, H), (0, H)], fill="#8d6e63")
    draw.polygon([(330, 590), (540, 640), (740, 640), (810, 590)], fill="#42a5f5")
    draw.rectangle([330, 500, 900, 530], fill="#616161")
    draw.rounded_rectangle([480, 580, 640, 630], radius=14, fill="#ef5350")
    cross_mark(draw, 560, 560, 50, width=14)
    person(draw, 1100, 380, 0.7, shirt="#fdd835")
    draw.polygon([(1040, 300), (960, 240), (960, 270), (900, 270), (900, 330), (960, 330), (960, 360)], fill="#2e7d32")
    image.save(f"{folder}/page3.png")

    # Page 4: the four numbers.
    image, draw = canvas("#ffffff", (W, H))
    heading(draw, "记住四个号码", "Four numbers to know", W)
    tiles = [("110", "报警", "Police", "#1565c0"), ("119", "火警 · 救援", "Fire, rescue", "#c62828"),
             ("120", "急救", "Ambulance", "#2e7d32"), ("122", "交通事故", "Road accidents", "#f9a825")]
    for k, (number, zh, en, colour) in enumerate(tiles):
        x = 50 + k * 300
        draw.rounded_rectangle([x, 220, x + 280, 660], radius=30, fill=colour)
        centred(draw, number, x + 140, 270, 110, "#ffffff")
        centred(draw, zh, x + 140, 450, 46 if len(zh) > 4 else 50, "#ffffff")
        centred(draw, en, x + 140, 540, 34, "#ffffff")
    image.save(f"{folder}/page4.png")

    def icon(draw):
        draw.polygon([(230, 90), (410, 420), (50, 420)], fill="#f9a825")
        draw.rectangle([215, 190, 245, 330], fill=INK)
        draw.ellipse([212, 355, 248, 391], fill=INK)
    save_thumb(folder, "#fff3e0", "防灾避险", "Stay safe in a disaster", icon, "#e65100")


# ---------------------------------------------------------------------------------------------
# how-vaccines-work (story).

def vaccine_pages(folder):
    W, H = 1280, 720
    image, draw = canvas("#e8eaf6", (W, H))
    heading(draw, "身体里的卫队：免疫系统", "The body's guards: the immune system", W)
    draw.rounded_rectangle([140, 220, 660, 680], radius=200, fill="#ffe0b2")
    for cx, cy in ((280, 360), (430, 320), (540, 460), (330, 540), (470, 600)):
        guard(draw, cx, cy, 48)
    for cx, cy in ((860, 360), (1020, 500), (880, 600)):
        germ(draw, cx, cy, 52)
    centred(draw, "卫队 · guards", 400, 236, 40, "#0d47a1")
    centred(draw, "病菌 · germs", 940, 236, 40, "#6a1b9a")
    image.save(f"{folder}/page1.png")

    image, draw = canvas("#e0f2f1", (W, H))
    heading(draw, "疫苗：提前认识坏家伙", "A vaccine: meet the invader in advance", W)
    draw.rounded_rectangle([120, 400, 560, 470], radius=20, fill="#ffffff", outline="#546e7a", width=6)
    draw.rectangle([170, 412, 420, 458], fill="#80cbc4")
    draw.rectangle([560, 425, 700, 445], fill="#90a4ae")
    draw.rectangle([60, 390, 120, 480], fill="#546e7a")
    germ(draw, 860, 430, 60, pale=True)
    guard(draw, 1080, 430, 80)
    centred(draw, "灭活 · 减毒 · 一小部分", 640, 590, 46, "#00695c")
    centred(draw, "killed · weakened · a small piece", 640, 660, 32)
    image.save(f"{folder}/page2.png")

    image, draw = canvas("#fffde7", (W, H))
    heading(draw, "抗体和记忆细胞", "Antibodies and memory cells", W)
    germ(draw, 380, 440, 70)
    for x, y in ((250, 600), (380, 640), (510, 600)):
        antibody(draw, x, y + 20, 60)
    guard(draw, 900, 440, 110, fill="#2e7d32")
    draw.rounded_rectangle([770, 580, 1030, 660], radius=20, fill="#ffffff", outline="#2e7d32", width=5)
    centred(draw, "记住它！", 900, 594, 44, "#2e7d32")
    image.save(f"{folder}/page3.png")

    image, draw = canvas("#f1f8e9", (W, H))
    heading(draw, "人人接种，保护大家", "Vaccines protect us all", W)
    draw.rectangle([0, 640, W, H], fill="#c5e1a5")
    colours = ["#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#e53935", "#5e35b1", "#3949ab"]
    for k, colour in enumerate(colours):
        x = 110 + k * 150 + (60 if k >= 4 else 0)
        person(draw, x, 660, 0.85, shirt=colour)
        guard(draw, x, 470, 22)
    draw.ellipse([640 - 40, 560, 640 + 40, 640], fill="#ffcdd2")
    draw.ellipse([640 - 26, 520, 640 + 26, 572], fill="#f2c9a0")
    germ(draw, 1200, 250, 30, spikes=8)
    cross_mark(draw, 1200, 250, 50, width=10)
    image.save(f"{folder}/page4.png")

    def icon(draw):
        guard(draw, 230, 270, 160)
    save_thumb(folder, "#e8eaf6", "疫苗的秘密", "How vaccines work", icon, "#1565c0")


# ---------------------------------------------------------------------------------------------
# Hotspot pictures. Each region's numbers are in the table, in the picture's pixels; the
# drawing places each thing inside its region, and --regions prints the table for exhibit.toml.

SMARTPHONE = {  # smartphone-skills/phone.png, 1920 x 1080
    "scam-text": ("rect", [745, 130, 430, 160]),
    "video-call": ("rect", [770, 320, 180, 200]),
    "payment": ("rect", [990, 320, 180, 200]),
    "hospital": ("rect", [770, 540, 180, 200]),
    "app-store": ("rect", [990, 540, 180, 200]),
    "big-text": ("rect", [770, 760, 180, 200]),
    "anti-fraud-app": ("rect", [990, 760, 180, 200]),
    "stranger-qr": ("rect", [150, 150, 420, 560]),
}

FARM = {  # farm-safety/field.png, 1920 x 1080
    "lightning": ("rect", [120, 40, 500, 520]),
    "fallen-wire": ("rect", [640, 260, 220, 460]),
    "lone-tree": ("rect", [880, 220, 230, 440]),
    "sprayer": ("rect", [1120, 470, 300, 470]),
    "flood": ("polygon", [[1560, 560], [1920, 560], [1920, 1080], [1380, 1080]]),
    "storage": ("rect", [40, 600, 400, 420]),
    "empty-bottles": ("rect", [470, 840, 190, 190]),
    "seed-bags": ("rect", [700, 800, 400, 230]),
}

WORK = {  # workplace-safety/street.png, 1920 x 1080
    "hot-sun": ("rect", [40, 30, 380, 280]),
    "rest-spot": ("rect", [60, 480, 400, 540]),
    "lifting": ("rect", [560, 520, 330, 500]),
    "damaged-cable": ("circle", [1000, 960, 80]),
    "rider": ("rect", [1120, 470, 380, 480]),
    "phone-holder": ("circle", [1395, 640, 45]),
    "charging": ("rect", [1560, 520, 340, 500]),
}


def region_lines(table):
    lines = []
    for key, (shape, value) in table.items():
        lines.append(f"{key}: {shape} = {value}")
    return lines


def rect_of(table, key):
    shape, value = table[key]
    x, y, w, h = value
    return x, y, x + w, y + h


def smartphone_picture(folder):
    W, H = 1920, 1080
    image, draw = canvas("#f3e5f5", (W, H))
    draw.rectangle([0, 860, W, H], fill="#bcaaa4")
    # The stranger's QR-code poster on the wall, to the left.
    x0, y0, x1, y1 = rect_of(SMARTPHONE, "stranger-qr")
    draw.rectangle([x0, y0, x1, y1], fill="#ff7043")
    centred(draw, "扫码领红包！", (x0 + x1) / 2, y0 + 24, 56, "#ffffff")
    centred(draw, "Scan for a free gift!", (x0 + x1) / 2, y0 + 100, 32, "#ffffff")
    qx, qy, q = x0 + 90, y0 + 170, 240
    draw.rectangle([qx, qy, qx + q, qy + q], fill="#ffffff")
    cell = q // 12
    for i in range(12):
        for j in range(12):
            corner = (i < 3 and j < 3) or (i > 8 and j < 3) or (i < 3 and j > 8)
            if corner or (i * 7 + j * 5 + i * j) % 3 == 0:
                draw.rectangle([qx + i * cell, qy + j * cell, qx + (i + 1) * cell - 1, qy + (j + 1) * cell - 1], fill=INK)
    centred(draw, "陌生二维码", (x0 + x1) / 2, y1 - 110, 40, "#ffffff")
    centred(draw, "From a stranger", (x0 + x1) / 2, y1 - 56, 30, "#ffffff")
    # Tea and reading glasses on the table, to the right; a family photo on the wall.
    draw.rectangle([1400, 160, 1760, 460], fill="#8d6e63")
    draw.rectangle([1425, 185, 1735, 435], fill="#bbdefb")
    for k, colour in enumerate(["#1e88e5", "#e53935", "#43a047"]):
        cx = 1490 + k * 90
        draw.ellipse([cx - 28, 250, cx + 28, 306], fill="#f2c9a0")
        draw.rounded_rectangle([cx - 38, 310, cx + 38, 435], radius=20, fill=colour)
    draw.rounded_rectangle([1440, 760, 1600, 900], radius=20, fill="#ffffff")
    draw.arc([1580, 790, 1650, 860], 270, 90, fill="#ffffff", width=14)
    draw.ellipse([1460, 770, 1580, 800], fill="#a1887f")
    draw.ellipse([1660, 880, 1760, 940], outline=INK, width=8)
    draw.ellipse([1780, 880, 1880, 940], outline=INK, width=8)
    draw.line([1760, 905, 1780, 905], fill=INK, width=8)
    # The phone.
    draw.rounded_rectangle([700, 40, 1220, 1050], radius=60, fill="#263238")
    draw.rounded_rectangle([730, 100, 1190, 1000], radius=24, fill="#e3f2fd")
    draw.text((750, 104), "9:41", font=font(24), fill=INK)
    x0, y0, x1, y1 = rect_of(SMARTPHONE, "scam-text")
    draw.rounded_rectangle([x0, y0, x1, y1], radius=20, fill="#ffffff", outline="#e53935", width=5)
    draw.text((x0 + 20, y0 + 14), "短信：您的快递丢失，点链接理赔", font=font(26), fill=INK)
    draw.text((x0 + 20, y0 + 56), "Your parcel is lost: tap to claim", font=font(24), fill=INK)
    draw.text((x0 + 20, y0 + 100), "http://kd-lp.xx/claim", font=font(28), fill="#1565c0")
    icons = [
        ("video-call", "#43a047", "视频通话", "Video call"),
        ("payment", "#1e88e5", "付款", "Pay"),
        ("hospital", "#ffffff", "预约挂号", "Hospital"),
        ("app-store", "#5e35b1", "应用商店", "App store"),
        ("big-text", "#78909c", "大字体", "Big text"),
        ("anti-fraud-app", "#c62828", "反诈中心", "Anti-fraud"),
    ]
    for key, colour, zh, en in icons:
        x0, y0, x1, y1 = rect_of(SMARTPHONE, key)
        cx = (x0 + x1) / 2
        draw.rounded_rectangle([cx - 62, y0 + 4, cx + 62, y0 + 128], radius=30, fill=colour, outline="#b0bec5", width=3)
        cy = y0 + 66
        if key == "video-call":
            draw.rounded_rectangle([cx - 40, cy - 24, cx + 14, cy + 24], radius=8, fill="#ffffff")
            draw.polygon([(cx + 14, cy), (cx + 42, cy - 22), (cx + 42, cy + 22)], fill="#ffffff")
        elif key == "payment":
            centred(draw, "¥", cx, cy - 40, 80, "#ffffff")
        elif key == "hospital":
            draw.rectangle([cx - 12, cy - 40, cx + 12, cy + 40], fill="#e53935")
            draw.rectangle([cx - 40, cy - 12, cx + 40, cy + 12], fill="#e53935")
        elif key == "app-store":
            draw.rounded_rectangle([cx - 36, cy - 26, cx + 36, cy + 36], radius=8, fill="#ffffff")
            draw.arc([cx - 20, cy - 50, cx + 20, cy - 6], 180, 360, fill="#ffffff", width=8)
        elif key == "big-text":
            centred(draw, "Aa", cx, cy - 38, 70, "#ffffff")
        else:
            guard(draw, cx, cy, 44, fill="#c62828")
        centred(draw, zh, cx, y0 + 138, 34)
        centred(draw, en, cx, y0 + 176, 22, "#455a64")
    image.save(f"{folder}/phone.png")

    def icon(draw):
        draw.rounded_rectangle([150, 60, 330, 480], radius=30, fill="#263238")
        draw.rounded_rectangle([166, 100, 314, 420], radius=10, fill="#e3f2fd")
        for i in range(2):
            for j in range(3):
                draw.rounded_rectangle([180 + i * 70, 120 + j * 95, 236 + i * 70, 176 + j * 95], radius=12,
                                       fill=["#43a047", "#1e88e5", "#e53935", "#5e35b1", "#78909c", "#c62828"][i + 2 * j])
    save_thumb(folder, "#f3e5f5", "玩转智能\n手机", "Smartphone skills", icon, "#6a1b9a")


def farm_picture(folder):
    W, H = 1920, 1080
    image, draw = canvas("#90a4ae", (W, H))
    draw.rectangle([0, 560, W, H], fill="#7cb342")
    for k in range(8):
        y = 600 + k * 60
        draw.line([0, y, W, y + 20], fill="#689f38", width=10)
    # Storm cloud and lightning.
    x0, y0, x1, y1 = rect_of(FARM, "lightning")
    for cx, cy, r in ((250, 150, 90), (360, 120, 110), (480, 160, 95), (370, 200, 100)):
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill="#455a64")
    draw.polygon([(380, 250), (300, 410), (360, 410), (280, 550), (450, 360), (390, 360), (450, 250)], fill="#ffee58")
    # Power pole with a broken wire hanging to the ground.
    x0, y0, x1, y1 = rect_of(FARM, "fallen-wire")
    px = x0 + 60
    draw.rectangle([px - 14, y0 + 20, px + 14, y1 - 10], fill="#6d4c41")
    draw.rectangle([px - 70, y0 + 50, px + 70, y0 + 70], fill="#6d4c41")
    draw.line([0, y0 + 10, px - 70, y0 + 60], fill=INK, width=5)
    draw.line([px + 70, y0 + 60, x1 - 10, y0 + 200, x1 - 60, y1 - 40, x1 - 150, y1 - 20], fill=INK, width=6)
    draw.polygon([(x1 - 150, y1 - 50), (x1 - 130, y1 - 20), (x1 - 170, y1 - 30)], fill="#ffee58")
    # A lone tree in the open.
    x0, y0, x1, y1 = rect_of(FARM, "lone-tree")
    cx = (x0 + x1) / 2
    draw.rectangle([cx - 22, y0 + 230, cx + 22, y1 - 10], fill="#5d4037")
    draw.ellipse([x0 + 10, y0 + 10, x1 - 10, y0 + 290], fill="#33691e")
    # The river, swollen by the rain, with a depth marker.
    draw.polygon([tuple(p) for p in FARM["flood"][1]], fill="#1e88e5")
    draw.polygon([(1640, 600), (1920, 600), (1920, 640), (1620, 640)], fill="#90caf9")
    draw.rectangle([1720, 640, 1740, 900], fill="#ffffff")
    for k in range(5):
        draw.rectangle([1740, 660 + k * 50, 1770, 680 + k * 50], fill="#e53935")
    # Rows of young crops in front of the sprayer.
    for k in range(4):
        cx = 1270 + k * 40
        draw.polygon([(cx, 930), (cx - 16, 900), (cx + 16, 900)], fill="#33691e")
    # A farmer spraying, in mask, gloves, long sleeves and boots.
    x0, y0, x1, y1 = rect_of(FARM, "sprayer")
    fx, fy = x0 + 120, y1 - 20
    draw.rounded_rectangle([fx - 80, fy - 300, fx - 20, fy - 150], radius=12, fill="#fbc02d")
    person(draw, fx, fy, 1.2, shirt="#0277bd", legs="#1a237e")
    draw.rectangle([fx - 26, fy - 40, fx + 50, fy], fill="#212121")
    draw.rounded_rectangle([fx - 22, fy - 352, fx + 30, fy - 326], radius=10, fill="#ffffff")
    arm(draw, fx + 30, fy - 270, fx + 110, fy - 190, 1.2, fill="#0277bd")
    draw.ellipse([fx + 100, fy - 205, fx + 130, fy - 175], fill="#ff8f00")
    draw.line([fx + 120, fy - 190, fx + 160, fy - 120], fill="#424242", width=8)
    draw.polygon([(fx + 160, fy - 120), (fx + 180, fy - 20), (fx + 90, fy - 10)], fill="#e1f5fe")
    # The pesticide store: a shed with a locked cupboard.
    x0, y0, x1, y1 = rect_of(FARM, "storage")
    draw.polygon([(x0, y0 + 90), ((x0 + x1) / 2, y0), (x1, y0 + 90)], fill="#8d6e63")
    draw.rectangle([x0 + 20, y0 + 90, x1 - 20, y1 - 10], fill="#d7ccc8")
    draw.rectangle([x0 + 60, y0 + 140, x0 + 260, y1 - 30], fill="#ffffff", outline="#5d4037", width=6)
    for shelf in range(3):
        sy = y0 + 220 + shelf * 80
        draw.line([x0 + 60, sy, x0 + 260, sy], fill="#5d4037", width=5)
        for b in range(3):
            bx = x0 + 85 + b * 60
            draw.rounded_rectangle([bx, sy - 56, bx + 36, sy], radius=6, fill=["#c62828", "#f9a825", "#2e7d32"][b])
    draw.rectangle([x0 + 290, y0 + 250, x0 + 330, y0 + 290], fill="#fdd835")
    draw.arc([x0 + 295, y0 + 225, x0 + 325, y0 + 265], 180, 360, fill="#424242", width=6)
    # The collection bin for empty pesticide containers.
    x0, y0, x1, y1 = rect_of(FARM, "empty-bottles")
    draw.rectangle([x0 + 20, y0 + 60, x1 - 20, y1 - 10], fill="#00897b")
    draw.rectangle([x0 + 10, y0 + 40, x1 - 10, y0 + 70], fill="#00695c")
    centred(draw, "回收", (x0 + x1) / 2, y0 + 90, 36, "#ffffff")
    centred(draw, "Recycle", (x0 + x1) / 2, y0 + 136, 26, "#ffffff")
    draw.rounded_rectangle([x0 + 60, y0, x0 + 100, y0 + 44], radius=6, fill="#f9a825")
    # Seed and fertiliser bags on a cart.
    x0, y0, x1, y1 = rect_of(FARM, "seed-bags")
    draw.rectangle([x0 + 10, y1 - 70, x1 - 10, y1 - 40], fill="#6d4c41")
    draw.ellipse([x0 + 40, y1 - 60, x0 + 100, y1], fill="#212121")
    draw.ellipse([x1 - 100, y1 - 60, x1 - 40, y1], fill="#212121")
    for k, (zh, colour) in enumerate([("种子", "#fff59d"), ("化肥", "#ffffff"), ("种子", "#fff59d")]):
        bx = x0 + 30 + k * 120
        draw.rounded_rectangle([bx, y0 + 20, bx + 110, y1 - 70], radius=14, fill=colour, outline="#8d6e63", width=4)
        centred(draw, zh, bx + 55, y0 + 50, 32, INK)
        draw.rectangle([bx + 30, y0 + 100, bx + 80, y0 + 150], fill=INK)
        draw.rectangle([bx + 38, y0 + 108, bx + 52, y0 + 122], fill="#ffffff")
        draw.rectangle([bx + 58, y0 + 128, bx + 72, y0 + 142], fill="#ffffff")
    image.save(f"{folder}/field.png")

    def icon(draw):
        draw.rectangle([60, 330, 420, 470], fill="#7cb342")
        draw.ellipse([90, 70, 300, 220], fill="#455a64")
        draw.ellipse([200, 60, 400, 230], fill="#455a64")
        draw.polygon([(250, 200), (200, 300), (240, 300), (190, 400), (310, 270), (270, 270), (310, 200)], fill="#ffee58")
    save_thumb(folder, "#e8f5e9", "田间安全", "Safe in the fields", icon, "#33691e")


def work_picture(folder):
    W, H = 1920, 1080
    image, draw = canvas("#b3e5fc", (W, H))
    draw.rectangle([0, 700, W, H], fill="#9e9e9e")
    draw.rectangle([0, 680, W, 720], fill="#e0e0e0")
    for k in range(10):
        draw.rectangle([80 + k * 200, 880, 180 + k * 200, 895], fill="#ffffff")
    # The hot sun and a thermometer at 38 degrees.
    x0, y0, x1, y1 = rect_of(WORK, "hot-sun")
    draw.ellipse([x0 + 20, y0 + 40, x0 + 200, y0 + 220], fill="#ffb300")
    for k in range(12):
        import math
        a = 2 * math.pi * k / 12
        cx, cy = x0 + 110, y0 + 130
        draw.line([cx + 100 * math.cos(a), cy + 100 * math.sin(a), cx + 125 * math.cos(a), cy + 125 * math.sin(a)],
                  fill="#ffb300", width=10)
    draw.rounded_rectangle([x0 + 260, y0 + 20, x0 + 300, y0 + 220], radius=20, fill="#ffffff", outline=INK, width=4)
    draw.ellipse([x0 + 250, y0 + 200, x0 + 310, y0 + 260], fill="#e53935")
    draw.rectangle([x0 + 272, y0 + 80, x0 + 288, y0 + 210], fill="#e53935")
    draw.text((x0 + 306, y0 + 30), "38℃", font=font(40), fill="#c62828")
    # A shaded rest spot with water.
    x0, y0, x1, y1 = rect_of(WORK, "rest-spot")
    draw.pieslice([x0 + 10, y0 + 20, x1 - 10, y0 + 260], 180, 360, fill="#ef5350")
    draw.rectangle([(x0 + x1) / 2 - 8, y0 + 140, (x0 + x1) / 2 + 8, y1 - 100], fill="#6d4c41")
    draw.rectangle([x0 + 40, y1 - 200, x1 - 40, y1 - 170], fill="#8d6e63")
    draw.rectangle([x0 + 60, y1 - 170, x0 + 80, y1 - 100], fill="#8d6e63")
    draw.rectangle([x1 - 80, y1 - 170, x1 - 60, y1 - 100], fill="#8d6e63")
    for k in range(3):
        bx = x0 + 100 + k * 70
        draw.rounded_rectangle([bx, y1 - 290, bx + 44, y1 - 200], radius=10, fill="#4fc3f7")
        draw.rectangle([bx + 12, y1 - 306, bx + 32, y1 - 290], fill="#0277bd")
    draw.rounded_rectangle([x0 + 20, y1 - 90, x1 - 20, y1 - 20], radius=14, fill="#ffffff")
    centred(draw, "休息点 · Rest stop", (x0 + x1) / 2, y1 - 80, 36)
    # The parcel station: a worker lifting a box with bent knees and a straight back.
    x0, y0, x1, y1 = rect_of(WORK, "lifting")
    for k in range(3):
        draw.rectangle([x0 + 210, y1 - 120 - k * 90, x0 + 320, y1 - 40 - k * 90], fill="#d7a86e", outline="#8d6e63", width=4)
    hx, hy = x0 + 110, y1 - 30
    draw.line([hx - 40, hy, hx - 10, hy - 90, hx - 60, hy - 150], fill="#37474f", width=24, joint="curve")
    draw.line([hx + 30, hy, hx + 50, hy - 90, hx - 10, hy - 150], fill="#37474f", width=24, joint="curve")
    draw.rounded_rectangle([hx - 70, hy - 300, hx + 10, hy - 140], radius=24, fill="#fb8c00")
    draw.ellipse([hx - 64, hy - 380, hx + 4, hy - 312], fill="#f2c9a0")
    draw.rectangle([hx + 10, hy - 200, hx + 110, hy - 110], fill="#d7a86e", outline="#8d6e63", width=4)
    arm(draw, hx - 20, hy - 260, hx + 20, hy - 160, fill="#fb8c00")
    # A damaged extension cable on the ground by the station.
    cx, cy, r = WORK["damaged-cable"][1]
    draw.rectangle([cx - 60, cy + 10, cx + 10, cy + 40], fill="#ffffff", outline=INK, width=3)
    draw.line([cx + 10, cy + 25, cx + 40, cy - 10, cx + 70, cy + 5], fill="#212121", width=8)
    draw.line([cx + 40, cy - 10, cx + 30, cy - 40], fill="#ff6f00", width=4)
    draw.line([cx + 40, cy - 10, cx + 55, cy - 40], fill="#1565c0", width=4)
    draw.polygon([(cx + 40, cy - 70), (cx + 30, cy - 48), (cx + 46, cy - 48), (cx + 36, cy - 28), (cx + 58, cy - 56), (cx + 44, cy - 56)], fill="#ffd600")
    # A rider on an e-bike, in a helmet, with the phone in a holder.
    x0, y0, x1, y1 = rect_of(WORK, "rider")
    draw.ellipse([x0 + 10, y1 - 130, x0 + 130, y1 - 10], outline="#212121", width=16)
    draw.ellipse([x1 - 130, y1 - 130, x1 - 10, y1 - 10], outline="#212121", width=16)
    draw.polygon([(x0 + 70, y1 - 70), (x0 + 140, y1 - 160), (x1 - 120, y1 - 160), (x1 - 70, y1 - 70)], fill="#1565c0")
    draw.rectangle([x0 + 40, y1 - 300, x0 + 160, y1 - 180], fill="#fdd835")
    draw.line([x1 - 110, y1 - 160, x1 - 90, y1 - 300], fill="#212121", width=12)
    draw.line([x1 - 130, y1 - 300, x1 - 60, y1 - 300], fill="#212121", width=12)
    rx, ry = x0 + 190, y1 - 150
    draw.line([rx, ry, rx + 60, ry - 10], fill="#37474f", width=24)
    draw.rounded_rectangle([rx - 30, ry - 170, rx + 40, ry - 10], radius=24, fill="#fdd835")
    arm(draw, rx + 20, ry - 150, x1 - 100, y1 - 300, fill="#fdd835")
    draw.ellipse([rx - 30, ry - 240, rx + 34, ry - 176], fill="#f2c9a0")
    draw.chord([rx - 40, ry - 262, rx + 44, ry - 190], 180, 360, fill="#e53935")
    pcx, pcy, pr = WORK["phone-holder"][1]
    draw.rounded_rectangle([pcx - 18, pcy - 30, pcx + 18, pcy + 30], radius=6, fill="#263238")
    draw.rectangle([pcx - 12, pcy - 22, pcx + 12, pcy + 18], fill="#80deea")
    # A traffic light behind the rider.
    draw.rectangle([1040, 300, 1056, 700], fill="#424242")
    draw.rounded_rectangle([1010, 200, 1086, 420], radius=14, fill="#212121")
    for k, colour in enumerate(["#424242", "#424242", "#43a047"]):
        draw.ellipse([1024, 212 + k * 70, 1072, 260 + k * 70], fill=colour)
    # A block of flats: an e-bike battery charging in the stairwell.
    x0, y0, x1, y1 = rect_of(WORK, "charging")
    draw.rectangle([x0 - 20, 80, W, 700], fill="#bcaaa4")
    for k in range(3):
        draw.rectangle([x0 + 20 + k * 110, 120, x0 + 100 + k * 110, 220], fill="#e3f2fd")
        draw.rectangle([x0 + 20 + k * 110, 270, x0 + 100 + k * 110, 370], fill="#e3f2fd")
    draw.rectangle([x0 + 20, y0 + 20, x1 - 20, y1 - 20], fill="#efebe9", outline="#5d4037", width=8)
    centred(draw, "楼道 · Stairwell", (x0 + x1) / 2, y0 + 40, 34)
    for k in range(5):
        draw.rectangle([x1 - 140 + k * 20, y1 - 80 - k * 50, x1 - 30, y1 - 40 - k * 50], fill="#bdbdbd")
    draw.rounded_rectangle([x0 + 60, y1 - 190, x0 + 170, y1 - 40], radius=12, fill="#37474f")
    draw.line([x0 + 170, y1 - 150, x0 + 230, y1 - 180, x0 + 250, y1 - 300], fill="#212121", width=6)
    draw.rectangle([x0 + 236, y1 - 330, x0 + 276, y1 - 290], fill="#ffffff", outline=INK, width=3)
    cross_mark(draw, x0 + 150, y0 + 190, 70, width=16)
    image.save(f"{folder}/street.png")

    def icon(draw):
        draw.ellipse([90, 320, 190, 420], outline="#212121", width=14)
        draw.ellipse([300, 320, 400, 420], outline="#212121", width=14)
        draw.polygon([(140, 370), (190, 300), (320, 300), (350, 370)], fill="#1565c0")
        draw.chord([160, 130, 300, 250], 180, 360, fill="#e53935")
        draw.rectangle([160, 186, 300, 200], fill="#e53935")
    save_thumb(folder, "#e1f5fe", "工作中\n保安全", "Safe at work", icon, "#0d47a1")


# ---------------------------------------------------------------------------------------------
# Card pictures of the new quizzes and sort games, and the quiz's misleading chart.

def sort_and_quiz_thumbs():
    def scam_icon(draw):
        draw.rounded_rectangle([70, 90, 200, 450], radius=20, fill="#c62828")
        draw.rounded_rectangle([250, 90, 380, 450], radius=20, fill="#2e7d32")
        cross_mark(draw, 135, 270, 40, "#ffffff", 14)
        tick_mark(draw, 315, 270, 40, "#ffffff", 14)
    save_thumb("exhibits/scam-tricks", "#fff4e0", "识套路", "Scam or safe?", scam_icon, "#c62828")

    def farm_icon(draw):
        draw.rounded_rectangle([100, 90, 330, 450], radius=30, fill="#fff59d", outline="#8d6e63", width=8)
        centred(draw, "种子", 215, 130, 64)
        draw.rectangle([165, 260, 265, 360], fill=INK)
        draw.rectangle([180, 275, 210, 305], fill="#ffffff")
        draw.rectangle([220, 315, 250, 345], fill="#ffffff")
        draw.ellipse([270, 330, 400, 460], outline="#e65100", width=14)
        draw.line([385, 445, 430, 490], fill="#e65100", width=18)
    save_thumb("exhibits/farm-inputs", "#f1f8e9", "辨真假", "Real or fake?", farm_icon, "#33691e")

    def ai_icon(draw):
        draw.rounded_rectangle([90, 110, 390, 400], radius=50, fill="#1565c0")
        draw.ellipse([150, 190, 210, 250], fill="#ffffff")
        draw.ellipse([270, 190, 330, 250], fill="#ffffff")
        draw.rounded_rectangle([170, 300, 310, 330], radius=10, fill="#ffffff")
        draw.line([240, 110, 240, 60], fill="#1565c0", width=12)
        draw.ellipse([222, 40, 258, 76], fill="#f9a825")
    save_thumb("exhibits/ai-at-work", "#e3f2fd", "工作中的\nAI", "AI at work", ai_icon, "#0d47a1")

    def medicine_icon(draw):
        draw.rounded_rectangle([70, 200, 330, 320], radius=60, fill="#ffffff", outline="#1565c0", width=8)
        draw.pieslice([70, 200, 330, 320], 90, 270, fill="#1565c0")
        draw.rectangle([130, 200, 200, 320], fill="#1565c0")
        draw.ellipse([250, 330, 420, 480], fill="#ffffff", outline="#795548", width=8)
        draw.ellipse([280, 360, 390, 450], fill="#a5d6a7")
    save_thumb("exhibits/medicine-food-quiz", "#e8f5e9", "吃药吃饭\n有学问", "Medicines and meals", medicine_icon, "#1b5e20")

    def evidence_icon(draw):
        draw.line([90, 440, 410, 440], fill=INK, width=8)
        draw.line([90, 440, 90, 90], fill=INK, width=8)
        for k, h in enumerate([120, 200, 160, 290]):
            draw.rectangle([120 + k * 72, 440 - h, 170 + k * 72, 436], fill="#1565c0")
        draw.ellipse([260, 80, 400, 220], outline="#e65100", width=14)
        draw.line([385, 205, 440, 260], fill="#e65100", width=18)
    save_thumb("exhibits/evidence-check", "#ede7f6", "用数据\n说话", "Weighing the evidence", evidence_icon, "#4527a0")

    def method_icon(draw):
        draw.rectangle([80, 380, 220, 470], fill="#8d6e63")
        draw.rectangle([260, 380, 400, 470], fill="#8d6e63")
        draw.line([150, 380, 150, 220], fill="#43a047", width=12)
        draw.ellipse([100, 180, 150, 230], fill="#66bb6a")
        draw.ellipse([150, 170, 205, 225], fill="#66bb6a")
        draw.line([330, 380, 330, 300], fill="#9ccc65", width=10)
        draw.ellipse([300, 270, 332, 302], fill="#aed581")
        draw.ellipse([330, 265, 362, 297], fill="#aed581")
        draw.ellipse([60, 40, 160, 140], fill="#ffb300")
    save_thumb("exhibits/scientific-method-quiz", "#fffde7", "像科学家\n一样", "Like a scientist", method_icon, "#e65100")

    def water_icon(draw):
        draw.polygon([(240, 70), (370, 300), (110, 300)], fill="#1e88e5")
        draw.ellipse([110, 200, 370, 460], fill="#1e88e5")
        draw.ellipse([170, 260, 220, 330], fill="#bbdefb")
    save_thumb("exhibits/water-quiz", "#e1f5fe", "小水滴\n去旅行", "A water drop's journey", water_icon, "#0d47a1")

    def work_icon(draw):
        draw.chord([90, 120, 390, 400], 180, 360, fill="#f9a825")
        draw.rectangle([70, 250, 410, 290], fill="#f9a825")
        draw.rounded_rectangle([150, 300, 330, 460], radius=20, fill="#1565c0")
        tick_mark(draw, 240, 380, 50, "#ffffff", 16)
    save_thumb("exhibits/work-smart-quiz", "#fff8e1", "平安上岗\n必修课", "Work smart, work safe", work_icon, "#e65100")


def misleading_chart(folder):
    """Two satisfaction rates, 96% and 98%, on an axis that starts at 95%."""
    W, H = 1280, 720
    image, draw = canvas("#ffffff", (W, H))
    centred(draw, "满意率 · Satisfaction", W / 2, 30, 52)
    left, right, top, bottom = 220, 1100, 150, 600
    low, high = 95.0, 99.0
    draw.line([left, bottom, right, bottom], fill=INK, width=5)
    draw.line([left, top, left, bottom], fill=INK, width=5)
    for value in (95, 96, 97, 98, 99):
        y = bottom - (value - low) / (high - low) * (bottom - top)
        draw.line([left - 16, y, left, y], fill=INK, width=4)
        draw.text((left - 130, y - 26), f"{value}%", font=font(40), fill=INK)
        if value > 95:
            draw.line([left, y, right, y], fill="#eceff1", width=2)
    for k, (name, value, colour) in enumerate([("甲 A", 96.0, "#90a4ae"), ("乙 B", 98.0, "#e65100")]):
        x = 380 + k * 380
        y = bottom - (value - low) / (high - low) * (bottom - top)
        draw.rectangle([x, y, x + 200, bottom - 3], fill=colour)
        centred(draw, name, x + 100, bottom + 24, 48)
    image.save(f"{folder}/chart.png")


# ---------------------------------------------------------------------------------------------
# Pictures of the sort games' cards (480x270, like waste-sorting's): one plain icon per card, so
# the card's short label (in the visitor's language) carries the words.

ITEM_BG = "#f5f2ea"


def item_picture(folder, name, draw_icon):
    image, draw = canvas(ITEM_BG, (480, 270))
    draw_icon(draw)
    image.save(f"{folder}/{name}.png")


def small_phone(draw, x, y, screen="#e3f2fd", w=110, h=200):
    draw.rounded_rectangle([x, y, x + w, y + h], radius=16, fill="#263238")
    draw.rounded_rectangle([x + 8, y + 18, x + w - 8, y + h - 24], radius=6, fill=screen)


def bubble(draw, x0, y0, x1, y1, fill="#ffffff", outline="#90a4ae"):
    draw.rounded_rectangle([x0, y0, x1, y1], radius=18, fill=fill, outline=outline, width=4)
    draw.polygon([(x0 + 20, y1 - 2), (x0 - 6, y1 + 26), (x0 + 46, y1 - 2)], fill=fill)


def qr(draw, x, y, size):
    draw.rectangle([x, y, x + size, y + size], fill=INK)
    c = size / 5
    for i, j in ((1, 1), (3, 1), (2, 2), (1, 3), (3, 3)):
        draw.rectangle([x + i * c, y + j * c, x + (i + 1) * c - 2, y + (j + 1) * c - 2], fill="#ffffff")


def bottle(draw, x, y, fill="#fbc02d", label="#ffffff"):
    draw.rectangle([x + 30, y, x + 70, y + 30], fill="#455a64")
    draw.rounded_rectangle([x, y + 26, x + 100, y + 190], radius=18, fill=fill)
    draw.rectangle([x + 10, y + 70, x + 90, y + 160], fill=label)


def scam_items():
    folder = "exhibits/scam-tricks"

    def safe_account(draw):
        guard(draw, 110, 135, 60, fill="#1565c0")
        draw.line([190, 135, 280, 135], fill="#c62828", width=12)
        draw.polygon([(280, 110), (320, 135), (280, 160)], fill="#c62828")
        draw.rounded_rectangle([330, 70, 440, 200], radius=12, fill="#78909c")
        draw.ellipse([360, 110, 410, 160], outline="#ffffff", width=8)
        centred(draw, "?", 385, 8, 56, "#c62828")

    def grandson(draw):
        small_phone(draw, 80, 35)
        draw.ellipse([110, 80, 160, 130], fill="#f2c9a0")
        draw.rounded_rectangle([105, 132, 165, 190], radius=14, fill="#43a047")
        bubble(draw, 230, 50, 420, 150)
        centred(draw, "¥ !!!", 325, 70, 52, "#c62828")

    def sure_profit(draw):
        draw.line([70, 220, 420, 220], fill=INK, width=6)
        draw.line([70, 220, 70, 40], fill=INK, width=6)
        draw.line([90, 200, 170, 170, 240, 180, 320, 110, 400, 50], fill="#c62828", width=10, joint="curve")
        draw.polygon([(400, 30), (420, 70), (380, 64)], fill="#c62828")
        for k in range(3):
            draw.ellipse([300 + k * 36, 160, 340 + k * 36, 200], fill="#f9a825", outline="#e65100", width=3)

    def refund_screen(draw):
        small_phone(draw, 60, 35)
        small_phone(draw, 310, 35)
        draw.line([180, 110, 300, 110], fill="#c62828", width=10)
        draw.polygon([(300, 90), (330, 110), (300, 130)], fill="#c62828")
        draw.ellipse([365, 95, 395, 125], fill=INK)
        draw.ellipse([345, 80, 415, 140], outline=INK, width=5)

    def ask_code(draw):
        small_phone(draw, 70, 35, screen="#ffffff")
        centred(draw, "836104", 125, 100, 26, "#2e7d32")
        bubble(draw, 220, 60, 430, 160)
        centred(draw, "* * * *", 325, 88, 44, "#c62828")

    def health_product(draw):
        bottle(draw, 80, 40, fill="#8e24aa")
        centred(draw, "100%", 130, 112, 30, "#8e24aa")
        for k, (x, y) in enumerate(((260, 170), (320, 180), (380, 170), (290, 130), (350, 130))):
            draw.ellipse([x, y - 30, x + 50, y + 34], fill="#fff8e1", outline="#bcaaa4", width=3)
        draw.polygon([(230, 60), (240, 90), (270, 100), (240, 110), (230, 140), (220, 110), (190, 100), (220, 90)], fill="#f9a825")

    def hang_up_check(draw):
        draw.ellipse([60, 60, 210, 210], fill="#c62828")
        draw.rounded_rectangle([90, 120, 180, 150], radius=14, fill="#ffffff")
        draw.rounded_rectangle([250, 70, 440, 200], radius=16, fill="#1565c0")
        draw.rectangle([250, 100, 440, 125], fill=INK)
        draw.rounded_rectangle([270, 145, 320, 180], radius=6, fill="#f9a825")

    def ask_family(draw):
        person(draw, 140, 250, 0.7, shirt="#8d6e63", hair="#bdbdbd")
        person(draw, 330, 250, 0.75, shirt="#43a047")
        bubble(draw, 170, 20, 300, 90)
        centred(draw, "?", 235, 16, 56, INK)

    def call_96110(draw):
        small_phone(draw, 60, 35)
        draw.rounded_rectangle([200, 80, 440, 190], radius=20, fill="#0d47a1")
        centred(draw, "96110", 320, 100, 64, "#ffffff")

    def anti_fraud_app(draw):
        draw.rounded_rectangle([170, 45, 310, 185], radius=34, fill="#c62828")
        guard(draw, 240, 115, 52, fill="#c62828")

    for name, icon in (("safe-account", safe_account), ("grandson", grandson), ("sure-profit", sure_profit),
                       ("refund-screen", refund_screen), ("ask-code", ask_code), ("health-product", health_product),
                       ("hang-up-check", hang_up_check), ("ask-family", ask_family), ("call-96110", call_96110),
                       ("anti-fraud-app", anti_fraud_app)):
        item_picture(folder, name, icon)


def farm_input_items():
    folder = "exhibits/farm-inputs"

    def licensed_shop(draw):
        draw.rectangle([60, 90, 300, 240], fill="#d7ccc8")
        for k in range(6):
            draw.polygon([(60 + k * 40, 60), (100 + k * 40, 60), (100 + k * 40, 100), (60 + k * 40, 100)],
                         fill="#2e7d32" if k % 2 == 0 else "#ffffff")
        draw.rectangle([150, 150, 210, 240], fill="#8d6e63")
        draw.polygon([(330, 60), (430, 60), (430, 230), (415, 220), (400, 230), (385, 220), (370, 230), (355, 220),
                      (340, 230), (330, 220)], fill="#ffffff", outline="#90a4ae")
        for k in range(4):
            draw.line([345, 90 + k * 30, 415, 90 + k * 30], fill="#90a4ae", width=5)

    def pesticide_label(draw):
        bottle(draw, 110, 40, fill="#2e7d32")
        for k in range(3):
            draw.line([130, 125 + k * 18, 190, 125 + k * 18], fill="#90a4ae", width=5)
        qr(draw, 280, 80, 110)

    def seed_label(draw):
        draw.rounded_rectangle([120, 30, 300, 240], radius=16, fill="#fff59d", outline="#8d6e63", width=5)
        for k in range(4):
            draw.line([145, 60 + k * 24, 275, 60 + k * 24], fill="#8d6e63", width=6)
        qr(draw, 170, 160, 70)
        for k in range(5):
            draw.ellipse([330 + (k % 3) * 30, 150 + (k // 3) * 30, 352 + (k % 3) * 30, 166 + (k // 3) * 30], fill="#a1887f")

    def nutrient_content(draw):
        draw.polygon([(150, 40), (330, 40), (350, 240), (130, 240)], fill="#ffffff", outline="#8d6e63")
        centred(draw, "N-P-K", 240, 80, 52, "#1565c0")
        centred(draw, "15-15-15", 240, 160, 36, INK)

    def door_to_door(draw):
        person(draw, 140, 255, 0.72, shirt="#6d4c41")
        draw.rounded_rectangle([170, 120, 240, 200], radius=10, fill="#fff59d", outline="#8d6e63", width=4)
        bubble(draw, 260, 40, 440, 140)
        centred(draw, "×2 !!!", 350, 60, 48, "#e65100")

    def half_price(draw):
        draw.polygon([(120, 80), (330, 80), (390, 135), (330, 190), (120, 190)], fill="#e65100")
        draw.ellipse([320, 122, 346, 148], fill=ITEM_BG)
        centred(draw, "¥ ↓↓", 220, 100, 64, "#ffffff")

    def no_maker(draw):
        draw.rounded_rectangle([150, 40, 330, 240], radius=16, fill="#eeeeee", outline="#9e9e9e", width=5)
        centred(draw, "?", 240, 70, 120, "#9e9e9e")

    def non_toxic(draw):
        bottle(draw, 120, 40, fill="#c62828")
        draw.ellipse([150, 120, 190, 160], fill="#43a047")
        draw.ellipse([270, 60, 400, 190], fill="#ffffff", outline="#e65100", width=8)
        centred(draw, "!", 335, 70, 90, "#e65100")

    for name, icon in (("licensed-shop", licensed_shop), ("pesticide-label", pesticide_label),
                       ("seed-label", seed_label), ("nutrient-content", nutrient_content),
                       ("door-to-door", door_to_door), ("half-price", half_price), ("no-maker", no_maker),
                       ("non-toxic", non_toxic)):
        item_picture(folder, name, icon)


def ai_items():
    folder = "exhibits/ai-at-work"

    def document(draw, x, y, lines, w=120, h=170):
        draw.rectangle([x, y, x + w, y + h], fill="#ffffff", outline="#90a4ae", width=4)
        for k in range(lines):
            draw.line([x + 16, y + 24 + k * 18, x + w - 16, y + 24 + k * 18], fill="#90a4ae", width=5)

    def arrow(draw, x0, x1, y, fill="#1565c0"):
        draw.line([x0, y, x1 - 16, y], fill=fill, width=10)
        draw.polygon([(x1 - 20, y - 20), (x1, y), (x1 - 20, y + 20)], fill=fill)

    def summary_draft(draw):
        document(draw, 70, 50, 8)
        arrow(draw, 210, 280, 135)
        document(draw, 300, 80, 3, h=100)

    def translate_notice(draw):
        draw.rounded_rectangle([70, 60, 200, 190], radius=16, fill="#1565c0")
        centred(draw, "文", 135, 80, 80, "#ffffff")
        arrow(draw, 215, 280, 125)
        draw.rounded_rectangle([290, 60, 420, 190], radius=16, fill="#ffffff", outline="#1565c0", width=6)
        centred(draw, "A", 355, 80, 80, "#1565c0")

    def transcribe(draw):
        draw.rounded_rectangle([110, 50, 170, 150], radius=30, fill="#455a64")
        draw.arc([90, 100, 190, 180], 0, 180, fill="#455a64", width=8)
        draw.line([140, 180, 140, 215], fill="#455a64", width=8)
        arrow(draw, 200, 270, 125)
        document(draw, 290, 50, 7)

    def route(draw):
        draw.rounded_rectangle([60, 30, 420, 240], radius=16, fill="#e8f5e9")
        draw.line([60, 130, 420, 110], fill="#ffffff", width=22)
        draw.line([240, 30, 220, 240], fill="#ffffff", width=22)
        draw.line([100, 210, 230, 200, 240, 120, 360, 112], fill="#1565c0", width=10, joint="curve")
        draw.ellipse([345, 60, 385, 100], fill="#c62828")
        draw.polygon([(350, 90), (380, 90), (365, 118)], fill="#c62828")

    def law_article(draw):
        draw.rounded_rectangle([90, 40, 260, 230], radius=10, fill="#6d4c41")
        draw.rectangle([110, 60, 240, 210], fill="#fff8e1")
        centred(draw, "§", 175, 80, 90, "#6d4c41")
        centred(draw, "?", 340, 50, 120, "#f9a825")

    def news_true(draw):
        draw.rectangle([70, 50, 300, 220], fill="#ffffff", outline="#90a4ae", width=4)
        draw.rectangle([90, 70, 280, 110], fill="#90a4ae")
        for k in range(4):
            draw.line([90, 130 + k * 20, 280, 130 + k * 20], fill="#cfd8dc", width=6)
        centred(draw, "?", 370, 50, 120, "#f9a825")

    def dose(draw):
        draw.rounded_rectangle([80, 100, 260, 170], radius=35, fill="#ffffff", outline="#1565c0", width=6)
        draw.pieslice([80, 100, 150, 170], 90, 270, fill="#1565c0")
        draw.rectangle([115, 100, 170, 170], fill="#1565c0")
        draw.rounded_rectangle([300, 60, 420, 210], radius=20, fill="#2e7d32")
        draw.rectangle([345, 85, 375, 185], fill="#ffffff")
        draw.rectangle([310, 120, 410, 150], fill="#ffffff")

    def approve_benefit(draw):
        document(draw, 80, 40, 7, w=150, h=190)
        draw.rounded_rectangle([290, 40, 350, 120], radius=20, fill="#6a1b9a")
        draw.rectangle([260, 120, 380, 150], fill="#6a1b9a")
        draw.ellipse([250, 170, 390, 220], outline="#c62828", width=6)

    def id_numbers(draw):
        draw.rounded_rectangle([60, 70, 230, 190], radius=14, fill="#bbdefb", outline="#1565c0", width=4)
        draw.ellipse([80, 95, 130, 145], fill="#f2c9a0")
        for k in range(3):
            draw.line([145, 100 + k * 25, 215, 100 + k * 25], fill="#1565c0", width=6)
        draw.rounded_rectangle([300, 70, 420, 190], radius=30, fill="#1565c0")
        draw.ellipse([325, 110, 350, 135], fill="#ffffff")
        draw.ellipse([370, 110, 395, 135], fill="#ffffff")
        cross_mark(draw, 265, 130, 28, width=12)

    for name, icon in (("summary-draft", summary_draft), ("translate-notice", translate_notice),
                       ("transcribe", transcribe), ("route", route), ("law-article", law_article),
                       ("news-true", news_true), ("dose", dose), ("approve-benefit", approve_benefit),
                       ("id-numbers", id_numbers)):
        item_picture(folder, name, icon)


def waste_bins(folder):
    """Beijing's four household bins, each a wheelie bin in its colour with its sign on the
    front, on a transparent ground so the kiosk's card shows through (bin-*.png)."""
    def bin_body(draw, colour):
        # Lid, tapering body, wheels: recognisable at the 200 px the kiosk shows it.
        draw.rounded_rectangle([40, 34, 280, 70], radius=14, fill=colour)
        draw.rectangle([130, 20, 190, 38], fill=colour)
        draw.polygon([(56, 74), (264, 74), (244, 252), (76, 252)], fill=colour)
        for x in (96, 224):
            draw.ellipse([x - 18, 236, x + 18, 272], fill="#263238")
        draw.line([(60, 74), (260, 74)], fill="#ffffff", width=4)

    def kitchen(draw):
        bin_body(draw, "#2e7d32")
        # A fish bone and a leaf: food that rots.
        draw.ellipse([118, 104, 202, 200], fill="#ffffff")
        draw.polygon([(160, 104), (176, 80), (190, 96)], fill="#ffffff")
        draw.line([(160, 116), (160, 196)], fill="#2e7d32", width=8)
        for y in (136, 160, 182):
            draw.line([(160, y), (138, y - 16)], fill="#2e7d32", width=6)
            draw.line([(160, y), (182, y - 16)], fill="#2e7d32", width=6)

    def recyclable(draw):
        bin_body(draw, "#1565c0")
        # Three arrows chasing round a triangle: the recycling sign.
        corners = [(160, 96), (218, 200), (102, 200)]
        for i in range(3):
            (x0, y0), (x1, y1) = corners[i], corners[(i + 1) % 3]
            mx, my = x0 + (x1 - x0) * 0.72, y0 + (y1 - y0) * 0.72
            draw.line([(x0 + (x1 - x0) * 0.12, y0 + (y1 - y0) * 0.12), (mx, my)], fill="#ffffff", width=14)
            dx, dy = (x1 - x0) * 0.2, (y1 - y0) * 0.2
            draw.polygon([(mx + dx, my + dy), (mx - dy * 0.8, my + dx * 0.8), (mx + dy * 0.8, my - dx * 0.8)],
                         fill="#ffffff")

    def hazardous(draw):
        bin_body(draw, "#c62828")
        # A warning triangle with its exclamation mark.
        draw.polygon([(160, 92), (224, 204), (96, 204)], fill="#ffffff")
        draw.rectangle([152, 124, 168, 172], fill="#c62828")
        draw.ellipse([151, 180, 169, 198], fill="#c62828")

    def other(draw):
        bin_body(draw, "#616161")
        # A tied bag of everything else.
        draw.ellipse([110, 124, 210, 212], fill="#ffffff")
        draw.polygon([(142, 132), (160, 100), (178, 132)], fill="#ffffff")
        draw.line([(146, 112), (174, 112)], fill="#616161", width=6)

    for name, draw_bin in (("bin-kitchen", kitchen), ("bin-recyclable", recyclable),
                           ("bin-hazardous", hazardous), ("bin-other", other)):
        image = Image.new("RGBA", (320, 280), (0, 0, 0, 0))
        draw_bin(ImageDraw.Draw(image))
        image.save(f"{folder}/{name}.png")


NEW = {
    "waste-sorting": waste_bins,
    "first-aid": first_aid_pages,
    "disaster-safety": disaster_pages,
    "how-vaccines-work": vaccine_pages,
    "smartphone-skills": smartphone_picture,
    "farm-safety": farm_picture,
    "workplace-safety": work_picture,
    "evidence-check": misleading_chart,
}


ALL = {
    "phone-scams": scam_pages,
    "emergency-quiz": emergency_thumb,
    **NEW,
}


if __name__ == "__main__":
    if sys.argv[1:] == ["--regions"]:
        import tomllib
        drift = 0
        for name, table in (("smartphone-skills", SMARTPHONE), ("farm-safety", FARM), ("workplace-safety", WORK)):
            print(f"[{name}]")
            print("\n".join(region_lines(table)))
            with open(f"exhibits/{name}/exhibit.toml", "rb") as manifest:
                written = {h["id"]: h for h in tomllib.load(manifest)["hotspots"]}
            for key, (shape, value) in table.items():
                if written.get(key, {}).get(shape) != value:
                    print(f"  exhibits/{name}/exhibit.toml: hotspot {key} is not {shape} = {value}")
                    drift += 1
        sys.exit(1 if drift else 0)
    wanted = sys.argv[1:] or list(ALL) + ["thumbs", "items"]
    for name in wanted:
        if name == "thumbs":
            sort_and_quiz_thumbs()
        elif name == "items":
            scam_items()
            farm_input_items()
            ai_items()
        else:
            ALL[name](f"exhibits/{name}")
    print("done")
