//! `kepu-kiosk new KIND ID`: a complete, valid exhibit of a kind for a curator to fill in. The
//! `exhibit.toml` names every field the kind uses, each explained in a comment; optional
//! fields that would change what visitors get (a time limit, pools, narration) are written
//! commented out. Every visitor-facing text is a placeholder in Chinese and English, and every
//! picture it names is a placeholder PNG saying what it stands for. It passes
//! `kepu-kiosk validate --strict` as written.

use super::models::MODELS;
use super::types::{ExhibitKind, LiteracyTheme};
use super::{MAX_DIGITS_IN_A_ROW, MAX_IDENTIFIER_LEN, is_identifier, longest_digit_run};
use image::{ImageFormat, Rgb, RgbImage};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Why no exhibit could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("{id:?} cannot be an exhibit id: {rule}")]
    BadId { id: String, rule: String },
    #[error("cannot make the placeholder picture {file}: {message}")]
    Picture { file: String, message: String },
}

/// The files of a new exhibit of `kind` with id `id`, paths relative to its folder: the
/// `exhibit.toml` first, then the placeholder pictures it names. `id` must follow the rule
/// every manifest id follows ([`is_identifier`]); it is also a safe folder name.
pub fn new_exhibit(kind: ExhibitKind, id: &str) -> Result<Vec<(PathBuf, Vec<u8>)>, TemplateError> {
    check_id(id)?;
    let (secs, body, pictures) = match kind {
        ExhibitKind::Story => (60, STORY.to_owned(), story_pictures()),
        ExhibitKind::Quiz => (180, quiz_body(), quiz_pictures()),
        ExhibitKind::Hotspots => (90, HOTSPOTS.to_owned(), hotspot_pictures()),
        ExhibitKind::Simulation => (120, simulation_body(), Vec::new()),
        ExhibitKind::Sort => (90, SORT.to_owned(), sort_pictures()),
    };
    let manifest = HEADER
        .replace("{KIND}", kind.name())
        .replace("{ID}", id)
        .replace("{AUDIENCES}", AUDIENCE_NAMES)
        .replace("{SECS}", &secs.to_string())
        + &body;
    let cover = Placeholder::new("cover.png", 640, 360, "COVER");
    let mut files = vec![(PathBuf::from(super::MANIFEST_FILE), manifest.into_bytes())];
    for picture in std::iter::once(cover).chain(pictures) {
        let png = picture.png()?;
        files.push((PathBuf::from(picture.file), png));
    }
    Ok(files)
}

/// The validator's id rule, said as what to do about it.
fn check_id(id: &str) -> Result<(), TemplateError> {
    if is_identifier(id) {
        return Ok(());
    }
    let rule = if longest_digit_run(id) > MAX_DIGITS_IN_A_ROW
        && id.len() <= MAX_IDENTIFIER_LEN
        && id.bytes().all(super::is_identifier_byte)
    {
        format!(
            "it has more than {MAX_DIGITS_IN_A_ROW} digits in a row, and ids may not look like a phone number"
        )
    } else {
        format!(
            "use 1 to {MAX_IDENTIFIER_LEN} lowercase letters a-z, digits, '-' and '_', e.g. \"water-cycle\""
        )
    };
    Err(TemplateError::BadId {
        id: id.to_owned(),
        rule,
    })
}

/// The audiences a manifest may name, as written (`Audience`'s serde names).
const AUDIENCE_NAMES: &str = "child, youth, adult, senior, family, rural, worker, civil-servant";

const HEADER: &str = r##"# A new {KIND} exhibit, made by `kepu-kiosk new {KIND} {ID}`. Replace every placeholder
# text (zh: Chinese, en: English) and every placeholder picture, then check the exhibit with
# `kepu-kiosk validate` on its folder. docs/manifest.md explains every field. A line starting
# with # is a comment; to use a field shown commented out, delete the "# " in front of it.

# Used in the statistics, so keep it once visitors have seen the exhibit: lowercase letters
# a-z, digits, - and _, and no other exhibit may have the same.
id = "{ID}"
kind = "{KIND}"
title = { zh = "在这里写标题", en = "Write the title here" }
# optional: one line for the home screen's card.
summary = { zh = "在这里写一句简介", en = "Write a one-line summary here" }
# optional: the card's picture (PNG or JPEG; 16:9 looks best, 640×360 is plenty).
thumbnail = "cover.png"
# optional: who it is for, any of: {AUDIENCES}.
# audiences = ["adult", "senior"]
# optional: words for the home screen's topic filter.
# topics = ["science"]
# optional: the seconds a visitor who takes it all in spends on it (1 to 3600), for the staff
# dashboard; time yourself going through it at a visitor's pace.
intended_secs = {SECS}
"##;

const STORY: &str = r##"
# The pages, in order, one [[pages]] block each: copy a block for another page.
[[pages]]
text = { zh = "在这里写第一页的文字", en = "Write the text of the first page here" }
# optional: the page's picture (PNG or JPEG).
image = "page-1.png"
# optional: the text read aloud, a recording per language (Ogg Vorbis, WAV, MP3 or FLAC), or
# one file for every language: narration = "page-1.ogg".
# narration = { zh = "page-1-zh.ogg", en = "page-1-en.ogg" }

[[pages]]
text = { zh = "在这里写第二页的文字", en = "Write the text of the second page here" }
# optional: the page's picture.
image = "page-2.png"

[[pages]]
text = { zh = "在这里写第三页的文字", en = "Write the text of the third page here" }
# optional: the page's picture.
image = "page-3.png"
"##;

const QUIZ_TOP: &str = r##"# optional: a time limit for the whole quiz, in seconds; without it nobody is rushed.
# time_limit_secs = 300

# optional: which questions an audience gets (question ids); visitors of other audiences, and
# those who did not say who they are, get every question.
# [pools]
# child = ["single-choice", "true-or-false"]

# The questions, one [[questions]] block each with its choices, items or slider below it. The
# six here show every type: keep the ones you need, copy a block for more, and give each
# question its own id. Each question is worth one point.
[[questions]]
id = "single-choice"
# optional: how it is answered: single (the default), multiple, true_false, image_choice,
# ordering or estimate.
type = "single"
# optional: the science-literacy theme it tests, for the staff dashboard's literacy report:
{THEMES}theme = "science_knowledge"
prompt = { zh = "在这里写问题（单选）", en = "Write the question here (one right answer)" }
explanation = { zh = "在这里写解释，答完后显示", en = "Explain the answer here; it is shown after answering" }
# optional: a picture shown with the question (PNG or JPEG).
# image = "question.png"
# optional: false keeps the choices in the order written (to keep "all of the above" last).
# shuffle = false

# Its choices, two or more; exactly one has correct = true.
[[questions.choices]]
id = "right"
label = { zh = "正确的选项", en = "The right answer" }
correct = true

[[questions.choices]]
id = "wrong"
label = { zh = "错误的选项", en = "A wrong answer" }

[[questions]]
id = "multiple-choice"
type = "multiple"
# optional: the literacy theme (the list is at the first question).
theme = "science_knowledge"
prompt = { zh = "在这里写问题（多选）", en = "Write the question here (choose all that apply)" }
explanation = { zh = "在这里写解释", en = "Explain the answer here" }

# Every right choice has correct = true; picking some of them earns part of the point.
[[questions.choices]]
id = "right-1"
label = { zh = "正确的选项", en = "A right answer" }
correct = true

[[questions.choices]]
id = "right-2"
label = { zh = "另一个正确的选项", en = "Another right answer" }
correct = true

[[questions.choices]]
id = "wrong"
label = { zh = "错误的选项", en = "A wrong answer" }

[[questions]]
id = "true-or-false"
type = "true_false"
# optional: the literacy theme.
theme = "science_knowledge"
prompt = { zh = "在这里写一句或对或错的话", en = "Write a statement that is true or false here" }
explanation = { zh = "在这里写解释", en = "Explain the answer here" }
# Whether the statement is true: true or false.
answer = true

[[questions]]
id = "pick-a-picture"
type = "image_choice"
# optional: the literacy theme.
theme = "science_knowledge"
prompt = { zh = "在这里写问题（点选图片）", en = "Write the question here (tap a picture)" }
explanation = { zh = "在这里写解释", en = "Explain the answer here" }

# Like single choice, and every choice has a picture to tap.
[[questions.choices]]
id = "picture-a"
label = { zh = "图片甲", en = "Picture A" }
image = "choice-a.png"
correct = true

[[questions.choices]]
id = "picture-b"
label = { zh = "图片乙", en = "Picture B" }
image = "choice-b.png"

[[questions]]
id = "put-in-order"
type = "ordering"
# optional: the literacy theme.
theme = "science_knowledge"
prompt = { zh = "在这里写问题（排序）", en = "Write the question here (put them in order)" }
explanation = { zh = "在这里写解释", en = "Explain the answer here" }

# The items, two or more, written in the right order; visitors get them shuffled.
[[questions.items]]
id = "first"
label = { zh = "第一步", en = "The first step" }

[[questions.items]]
id = "second"
label = { zh = "第二步", en = "The second step" }

[[questions.items]]
id = "third"
label = { zh = "第三步", en = "The third step" }

[[questions]]
id = "estimate"
type = "estimate"
# optional: the literacy theme.
theme = "science_knowledge"
prompt = { zh = "在这里写问题（估一估）", en = "Write the question here (set the slider)" }
explanation = { zh = "在这里写解释", en = "Explain the answer here" }

# The slider from min to max, the right answer inside it, and how far off still counts as right.
[questions.estimate]
min = 0
max = 100
answer = 50
tolerance = 5
# optional: how far one notch moves the slider.
step = 1
# optional: the unit shown with the number.
# unit = { zh = "米", en = "metres" }
"##;

const HOTSPOTS: &str = r##"# The large picture the regions are on (PNG or JPEG).
image = "picture.png"
# optional: "find" hides the regions until a visitor taps inside one ("spot the hazards"),
# counts the ones found and gives a hint after a while; "explore" (the default) outlines them.
# mode = "find"

# The regions visitors tap, one [[hotspots]] block each, in the picture's own pixels from its
# top-left corner (picture.png is 1280×720, the regions drawn on it: move them when you
# replace it). Each has exactly one shape: rect, circle or polygon.
[[hotspots]]
id = "spot-1"
title = { zh = "在这里写第一处的名称", en = "Name the first spot here" }
text = { zh = "在这里写点开后卡片上的说明", en = "Write what its card says here" }
# A rectangle: [x, y, width, height].
rect = [160, 200, 320, 220]
# optional: a picture on the card (PNG or JPEG).
# image = "card-1.png"

[[hotspots]]
id = "spot-2"
title = { zh = "在这里写第二处的名称", en = "Name the second spot here" }
text = { zh = "在这里写点开后卡片上的说明", en = "Write what its card says here" }
# A circle: [centre_x, centre_y, radius].
circle = [640, 360, 110]

[[hotspots]]
id = "spot-3"
title = { zh = "在这里写第三处的名称", en = "Name the third spot here" }
text = { zh = "在这里写点开后卡片上的说明", en = "Write what its card says here" }
# A polygon: [[x, y], …], three points or more.
polygon = [[880, 180], [1120, 240], [1080, 520], [860, 480]]
"##;

const SIMULATION_PARAMETERS: &str = r##"
# The sliders visitors move, one [[parameters]] block each; a parameter left out keeps the
# model's own everyday value. Changing the model? Its parameters are listed above.
[[parameters]]
# One of the model's parameters.
id = "length"
label = { zh = "摆长（米）", en = "Length (m)" }
# The slider's range and where it starts, in the unit above.
min = 0.2
max = 3.0
default = 1.0
# optional: how far one notch moves the slider.
step = 0.1

[[parameters]]
id = "angle"
label = { zh = "释放角度（度）", en = "Release angle (degrees)" }
min = 5.0
max = 90.0
default = 20.0
# optional: one notch.
step = 5.0

[[parameters]]
id = "gravity"
label = { zh = "重力加速度（米/秒²）", en = "Gravity (m/s²)" }
min = 1.6
max = 24.8
default = 9.8
# optional: one notch.
step = 0.1
"##;

const SORT: &str = r##"
# The bins, two or more, one [[bins]] block each.
[[bins]]
id = "bin-1"
label = { zh = "第一类", en = "The first kind" }
# optional: the bin's colour as "#rrggbb". Beijing's bins: kitchen waste "#2e7d32",
# recyclables "#1565c0", hazardous "#c62828", other "#616161".
color = "#2e7d32"
# optional: a picture of the bin (PNG or JPEG).
# image = "bin-1.png"

[[bins]]
id = "bin-2"
label = { zh = "第二类", en = "The second kind" }
# optional: its colour.
color = "#1565c0"

# The things visitors sort, one [[items]] block each; `bin` is the id of the right bin, and
# the feedback says why, after the visitor placed it.
[[items]]
id = "item-1"
label = { zh = "在这里写第一件物品的名称", en = "Name the first thing here" }
# optional: its picture, what visitors drag (PNG or JPEG).
image = "item-1.png"
bin = "bin-1"
feedback = { zh = "在这里写它为什么属于这一类", en = "Say why it belongs in this bin" }

[[items]]
id = "item-2"
label = { zh = "在这里写第二件物品的名称", en = "Name the second thing here" }
# optional: its picture.
image = "item-2.png"
bin = "bin-2"
feedback = { zh = "在这里写它为什么属于这一类", en = "Say why it belongs in this bin" }

[[items]]
id = "item-3"
label = { zh = "在这里写第三件物品的名称", en = "Name the third thing here" }
# optional: its picture.
image = "item-3.png"
bin = "bin-1"
feedback = { zh = "在这里写它为什么属于这一类", en = "Say why it belongs in this bin" }
"##;

/// The quiz, with the literacy themes listed from [`LiteracyTheme::ALL`].
fn quiz_body() -> String {
    let mut themes = String::new();
    for theme in LiteracyTheme::ALL {
        let _ = writeln!(
            themes,
            "#   {:<20} {} / {}",
            theme.name(),
            theme.label_zh(),
            theme.label_en()
        );
    }
    format!("\n{}", QUIZ_TOP.replace("{THEMES}", &themes))
}

/// The simulation, with the models and their ranges listed from [`MODELS`].
fn simulation_body() -> String {
    let names: Vec<&str> = MODELS.iter().map(|m| m.name).collect();
    let mut body = format!(
        "\n# The built-in model: {}. Each has its own parameters, and a slider's min and max\n# must lie inside what the model allows:\n",
        names.join(", ")
    );
    for model in MODELS {
        let parameters: Vec<String> = model
            .parameters
            .iter()
            .map(|p| format!("{} {} to {} {}", p.id, p.min, p.max, p.unit))
            .collect();
        let _ = writeln!(body, "#   {}: {}", model.name, parameters.join(", "));
    }
    body.push_str("model = \"pendulum\"\n");
    body.push_str(SIMULATION_PARAMETERS);
    body
}

fn story_pictures() -> Vec<Placeholder> {
    (1..=3)
        .map(|n| Placeholder::new(format!("page-{n}.png"), 1280, 720, &format!("PAGE {n}")))
        .collect()
}

fn quiz_pictures() -> Vec<Placeholder> {
    ["a", "b"]
        .into_iter()
        .map(|c| {
            Placeholder::new(
                format!("choice-{c}.png"),
                480,
                480,
                &format!("CHOICE {}", c.to_ascii_uppercase()),
            )
        })
        .collect()
}

fn hotspot_pictures() -> Vec<Placeholder> {
    let mut picture = Placeholder::new("picture.png", 1280, 720, "HOTSPOT PICTURE");
    // The regions of HOTSPOTS, so the curator sees what the numbers mean.
    picture.regions = vec![
        Region::Rect(160.0, 200.0, 320.0, 220.0),
        Region::Circle(640.0, 360.0, 110.0),
        Region::Polygon(vec![
            (880.0, 180.0),
            (1120.0, 240.0),
            (1080.0, 520.0),
            (860.0, 480.0),
        ]),
    ];
    vec![picture]
}

fn sort_pictures() -> Vec<Placeholder> {
    (1..=3)
        .map(|n| Placeholder::new(format!("item-{n}.png"), 480, 480, &format!("ITEM {n}")))
        .collect()
}

/// A hotspot region drawn on the placeholder picture, in its pixels.
enum Region {
    Rect(f64, f64, f64, f64),
    Circle(f64, f64, f64),
    Polygon(Vec<(f64, f64)>),
}

impl Region {
    fn contains(&self, x: f64, y: f64) -> bool {
        match self {
            Self::Rect(left, top, width, height) => {
                x >= *left && x < left + width && y >= *top && y < top + height
            }
            Self::Circle(cx, cy, r) => (x - cx).powi(2) + (y - cy).powi(2) <= r * r,
            Self::Polygon(points) => {
                // Even-odd rule: count the edges a ray to the right crosses.
                let mut inside = false;
                for (i, &(x1, y1)) in points.iter().enumerate() {
                    let (x2, y2) = points[(i + 1) % points.len()];
                    if (y1 > y) != (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1) {
                        inside = !inside;
                    }
                }
                inside
            }
        }
    }

    /// The middle of its bounding box, where its number goes.
    fn centre(&self) -> (f64, f64) {
        match self {
            Self::Rect(left, top, width, height) => (left + width / 2.0, top + height / 2.0),
            Self::Circle(cx, cy, _) => (*cx, *cy),
            Self::Polygon(points) => {
                let n = points.len().max(1) as f64;
                let (sx, sy) = points
                    .iter()
                    .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
                (sx / n, sy / n)
            }
        }
    }
}

/// A placeholder picture: a light background, a frame, a large label saying what it stands
/// for and a line asking for the real picture.
struct Placeholder {
    file: String,
    width: u32,
    height: u32,
    label: String,
    regions: Vec<Region>,
}

const BACKGROUND: Rgb<u8> = Rgb([236, 240, 245]);
const FRAME: Rgb<u8> = Rgb([160, 170, 186]);
const INK: Rgb<u8> = Rgb([62, 72, 90]);
const REGION: Rgb<u8> = Rgb([255, 221, 170]);
const REGION_INK: Rgb<u8> = Rgb([176, 96, 20]);

impl Placeholder {
    fn new(file: impl Into<String>, width: u32, height: u32, label: &str) -> Self {
        Self {
            file: file.into(),
            width,
            height,
            label: label.to_owned(),
            regions: Vec::new(),
        }
    }

    fn draw(&self) -> RgbImage {
        let (w, h) = (self.width, self.height);
        let frame = (w.min(h) / 60).max(3);
        let mut picture = RgbImage::from_fn(w, h, |x, y| {
            let on_frame = x < frame || y < frame || x >= w - frame || y >= h - frame;
            let (px, py) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
            if on_frame {
                FRAME
            } else if self.regions.iter().any(|r| r.contains(px, py)) {
                REGION
            } else {
                BACKGROUND
            }
        });
        let big = (w * 7 / 10 / text_width(&self.label, 1))
            .min(h / 5 / GLYPH_HEIGHT)
            .max(1);
        let hint = "REPLACE WITH YOUR PICTURE";
        let small = (w * 8 / 10 / text_width(hint, 1))
            .min((big / 3).max(1))
            .max(1);
        let gap = small * GLYPH_HEIGHT;
        let total = big * GLYPH_HEIGHT + gap + small * GLYPH_HEIGHT;
        // Below the regions where there are some, else in the middle.
        let top = if self.regions.is_empty() {
            h.saturating_sub(total) / 2
        } else {
            h.saturating_sub(total + h / 12)
        };
        draw_text(&mut picture, &self.label, w / 2, top, big, INK);
        draw_text(
            &mut picture,
            hint,
            w / 2,
            top + big * GLYPH_HEIGHT + gap,
            small,
            INK,
        );
        for (index, region) in self.regions.iter().enumerate() {
            let (cx, cy) = region.centre();
            let scale = (h / 45).max(1);
            let number = (index + 1).to_string();
            let y = (cy as u32).saturating_sub(scale * GLYPH_HEIGHT / 2);
            draw_text(&mut picture, &number, cx as u32, y, scale, REGION_INK);
        }
        picture
    }

    fn png(&self) -> Result<Vec<u8>, TemplateError> {
        let mut bytes = std::io::Cursor::new(Vec::new());
        self.draw()
            .write_to(&mut bytes, ImageFormat::Png)
            .map_err(|err| TemplateError::Picture {
                file: self.file.clone(),
                message: err.to_string(),
            })?;
        Ok(bytes.into_inner())
    }
}

const GLYPH_WIDTH: u32 = 5;
const GLYPH_HEIGHT: u32 = 7;

/// A 5×7 pixel font for the labels (capitals, digits, a few signs): no font file needed.
/// Each row's five low bits are its pixels, the highest of them leftmost.
const GLYPHS: &[(char, [u8; 7])] = &[
    ('A', [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11]),
    ('B', [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E]),
    ('C', [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E]),
    ('D', [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C]),
    ('E', [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F]),
    ('F', [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10]),
    ('G', [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F]),
    ('H', [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11]),
    ('I', [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E]),
    ('J', [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C]),
    ('K', [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11]),
    ('L', [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F]),
    ('M', [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11]),
    ('N', [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11]),
    ('O', [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E]),
    ('P', [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10]),
    ('Q', [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D]),
    ('R', [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11]),
    ('S', [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E]),
    ('T', [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04]),
    ('U', [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E]),
    ('V', [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04]),
    ('W', [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A]),
    ('X', [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11]),
    ('Y', [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04]),
    ('Z', [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F]),
    ('0', [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E]),
    ('1', [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E]),
    ('2', [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F]),
    ('3', [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E]),
    ('4', [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02]),
    ('5', [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E]),
    ('6', [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E]),
    ('7', [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08]),
    ('8', [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E]),
    ('9', [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C]),
    ('-', [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00]),
    ('.', [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C]),
];

/// Width in pixels of `text` at `scale`, one blank column between letters.
fn text_width(text: &str, scale: u32) -> u32 {
    let letters = text.chars().count() as u32;
    (letters * (GLYPH_WIDTH + 1)).saturating_sub(1).max(1) * scale
}

/// Draws `text` centred on `centre_x`, its top at `top`; letters without a glyph are blanks.
fn draw_text(
    picture: &mut RgbImage,
    text: &str,
    centre_x: u32,
    top: u32,
    scale: u32,
    ink: Rgb<u8>,
) {
    let left = centre_x.saturating_sub(text_width(text, scale) / 2);
    for (index, letter) in text.chars().enumerate() {
        let Some((_, rows)) = GLYPHS.iter().find(|(c, _)| *c == letter) else {
            continue;
        };
        let x0 = left + index as u32 * (GLYPH_WIDTH + 1) * scale;
        for (row, bits) in rows.iter().enumerate() {
            for column in 0..GLYPH_WIDTH {
                if bits & (1 << (GLYPH_WIDTH - 1 - column)) == 0 {
                    continue;
                }
                let x = x0 + column * scale;
                let y = top + row as u32 * scale;
                for dy in 0..scale {
                    for dx in 0..scale {
                        if x + dx < picture.width() && y + dy < picture.height() {
                            picture.put_pixel(x + dx, y + dy, ink);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{
        Audience, ExhibitManifest, Severity, ValidationRules, load_catalog, load_exhibit,
    };
    use std::path::Path;

    fn write(root: &Path, files: &[(PathBuf, Vec<u8>)]) {
        std::fs::create_dir_all(root).unwrap();
        for (path, bytes) in files {
            std::fs::write(root.join(path), bytes).unwrap();
        }
    }

    fn manifest_text(kind: ExhibitKind) -> String {
        let files = new_exhibit(kind, "new-one").unwrap();
        assert_eq!(files[0].0, Path::new("exhibit.toml"));
        String::from_utf8(files[0].1.clone()).unwrap()
    }

    /// `# key = …` or `# [table]`: a field written commented out.
    fn commented_field(line: &str) -> Option<&str> {
        let rest = line.strip_prefix("# ")?;
        let key: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        let is_field =
            (!key.is_empty() && rest[key.len()..].starts_with(" = ")) || rest.starts_with('[');
        is_field.then_some(rest)
    }

    #[test]
    fn every_kind_makes_an_exhibit_that_validates_without_a_warning() {
        let root = tempfile::tempdir().unwrap();
        let rules = ValidationRules {
            decode_images: true,
            ..ValidationRules::default()
        };
        for kind in ExhibitKind::ALL {
            let id = format!("new-{}", kind.name());
            let folder = root.path().join(&id);
            write(&folder, &new_exhibit(kind, &id).unwrap());
            let loaded = load_exhibit(&folder, &rules);
            let problems: Vec<String> = loaded.problems.iter().map(ToString::to_string).collect();
            assert!(problems.is_empty(), "{}: {problems:#?}", kind.name());
            let manifest = loaded.manifest.unwrap();
            assert_eq!((manifest.kind, manifest.id.as_str()), (kind, id.as_str()));
            assert!(manifest.intended_secs.is_some() && manifest.thumbnail.is_some());
        }
        // All of them side by side in one exhibits folder: still nothing to report.
        let catalog = load_catalog(root.path(), &rules);
        assert_eq!(catalog.exhibits.len(), ExhibitKind::ALL.len());
        assert!(
            catalog.all_problems().is_empty(),
            "{:?}",
            catalog.all_problems()
        );
    }

    #[test]
    fn the_pictures_are_the_ones_the_manifest_names_and_fit_a_small_screen() {
        for kind in ExhibitKind::ALL {
            let files = new_exhibit(kind, "new-one").unwrap();
            let text = String::from_utf8(files[0].1.clone()).unwrap();
            assert!(files.len() >= 2, "{}: at least the cover", kind.name());
            for (path, bytes) in &files[1..] {
                let name = path.to_str().unwrap();
                assert!(
                    text.lines()
                        .any(|l| !l.starts_with('#') && l.contains(&format!("\"{name}\""))),
                    "{}: {name} is not used",
                    kind.name()
                );
                let picture = image::load_from_memory(bytes).unwrap();
                // No size warning on a 1280×720 kiosk either (warned above twice the screen).
                assert!(picture.width() <= 1280 && picture.height() <= 720, "{name}");
                // Not blank: the label is drawn.
                let rgb = picture.to_rgb8();
                assert!(rgb.pixels().any(|p| *p == INK), "{name} has no label");
            }
        }
    }

    #[test]
    fn a_bad_id_is_refused_with_the_rule() {
        let long = "x".repeat(MAX_IDENTIFIER_LEN + 1);
        for bad in [
            "",
            "My Exhibit",
            "../escape",
            "a/b",
            "水循环",
            "UPPER",
            long.as_str(),
        ] {
            let err = new_exhibit(ExhibitKind::Story, bad).unwrap_err();
            let message = err.to_string();
            assert!(matches!(err, TemplateError::BadId { .. }), "{bad}");
            assert!(message.contains("lowercase letters a-z"), "{message}");
        }
        let phone = new_exhibit(ExhibitKind::Quiz, "call-13800138000").unwrap_err();
        assert!(phone.to_string().contains("digits in a row"), "{phone}");
        assert!(new_exhibit(ExhibitKind::Sort, &"x".repeat(MAX_IDENTIFIER_LEN)).is_ok());
    }

    #[test]
    fn the_toml_parses_and_every_optional_field_is_explained() {
        const OPTIONAL: &[&str] = &[
            "summary",
            "thumbnail",
            "audiences",
            "topics",
            "intended_secs",
            "theme",
            "narration",
            "shuffle",
            "step",
            "unit",
            "color",
            "time_limit_secs",
            "[pools]",
        ];
        for kind in ExhibitKind::ALL {
            let text = manifest_text(kind);
            let manifest: ExhibitManifest = toml::from_str(&text).unwrap();
            assert_eq!(manifest.kind, kind);
            let lines: Vec<&str> = text.lines().collect();
            let mut seen_commented = false;
            for (index, line) in lines.iter().enumerate() {
                let field = commented_field(line);
                seen_commented |= field.is_some();
                let written = field.unwrap_or(line);
                let optional = OPTIONAL
                    .iter()
                    .any(|key| written == *key || written.starts_with(&format!("{key} = ")));
                if !optional {
                    continue;
                }
                // The line above explains it: a comment, not another commented-out field.
                let above = lines[index.saturating_sub(1)];
                assert!(
                    index > 0 && above.starts_with("# ") && commented_field(above).is_none(),
                    "{}: line {}, {line:?}, has no explanation above it",
                    kind.name(),
                    index + 1
                );
            }
            assert!(seen_commented, "{}: no field is commented out", kind.name());
        }
    }

    #[test]
    fn every_field_written_commented_out_is_a_real_field_when_uncommented() {
        for kind in ExhibitKind::ALL {
            let text = manifest_text(kind);
            let uncommented: String = text
                .lines()
                .map(|line| commented_field(line).unwrap_or(line))
                .collect::<Vec<_>>()
                .join("\n");
            assert_ne!(uncommented, text.trim_end());
            let manifest: ExhibitManifest = toml::from_str(&uncommented)
                .unwrap_or_else(|err| panic!("{}: {err}\n{uncommented}", kind.name()));
            assert!(!manifest.audiences.is_empty() && !manifest.topics.is_empty());
            // With them, it still validates but for the files they name, which are not there.
            let root = tempfile::tempdir().unwrap();
            let mut files = new_exhibit(kind, "new-one").unwrap();
            files[0].1 = uncommented.into_bytes();
            write(root.path(), &files);
            let loaded = load_exhibit(root.path(), &ValidationRules::default());
            for problem in &loaded.problems {
                assert_eq!(problem.severity, Severity::Error);
                assert!(problem.message.contains("does not exist"), "{problem}");
            }
        }
    }

    #[test]
    fn the_comments_list_every_audience_theme_and_model() {
        for name in AUDIENCE_NAMES.split(", ") {
            let audience: Result<Audience, _> = serde_json::from_value(name.into());
            assert!(audience.is_ok(), "{name}");
        }
        let quiz = manifest_text(ExhibitKind::Quiz);
        for theme in LiteracyTheme::ALL {
            assert!(quiz.contains(&format!("#   {}", theme.name())), "{theme:?}");
        }
        let simulation = manifest_text(ExhibitKind::Simulation);
        for model in MODELS {
            assert!(simulation.contains(&format!("#   {}: ", model.name)));
        }
        // The commented text is for curators: every visitor-facing placeholder in both languages.
        assert!(quiz.contains("在这里写问题") && quiz.contains("Write the question here"));
    }
}
