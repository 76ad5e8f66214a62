"""Draws the sample exhibits' illustrations (run once; the JPEGs are committed).

Plain shapes and large type so they read well on a kiosk; regenerate with
`python3 tools/make_sample_images.py` (needs Pillow).
"""
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


if __name__ == "__main__":
    scam_pages("exhibits/phone-scams")
    emergency_thumb("exhibits/emergency-quiz")
    print("done")
