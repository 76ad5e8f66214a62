//! The quiz player in a real window (Xvfb + lavapipe, as `render`): a question's choices as big
//! tiles in Chinese, English, large text and high contrast, checked by pixel: the tiles fill
//! the space, the right answer is not given away before an answer, and the labels on the
//! tiles keep their contrast. Then a kiosk left running is played with a mouse faked through
//! X's XTEST extension (egui takes a mouse click as a touch) and read back from the screen: an
//! answer marks the tiles in the right answer's colour, and a whole quiz ends on its results.

use crate::harness::{alone_on_screen, repo_path, sample_config};
use image::RgbImage;
use kepu_core::wire::AccessibilityModes;
use kepu_kiosk::ui::theme::{Theme, contrast_ratio};
use std::collections::HashMap;
use std::process::Command;

/// The band where the tiles are: under the bars, the dots and the question.
const TILE_ROWS: std::ops::Range<u32> = 300..900;

/// The kiosk in a 1920x1080 window on the kiosk.toml in `dir`, a session in `language` and
/// `modes` (comma-separated, or none) with `exhibit` open.
fn kiosk_command(dir: &std::path::Path, language: &str, modes: &str, exhibit: &str) -> Command {
    let mut kiosk = Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"));
    kiosk
        .args([
            "run",
            "--windowed",
            "--window-size",
            "1920x1080",
            "--config",
        ])
        .arg(dir.join("kiosk.toml"))
        .args(["--start-session", language, "--open", exhibit])
        .current_dir(repo_path(""));
    if !modes.is_empty() {
        kiosk.args(["--modes", modes]);
    }
    kiosk
}

/// Runs the kiosk at 1920x1080 with a session in `language` and `modes`, the quiz `exhibit`
/// open, and returns its screenshot (kept as `name`.png in $KEPU_SCREENSHOT_DIR when set).
fn screenshot(name: &str, language: &str, modes: &str, exhibit: &str) -> RgbImage {
    let _alone = alone_on_screen();
    let dir = tempfile::tempdir().unwrap();
    sample_config(dir.path(), "http://127.0.0.1:9", 60);
    let saved = dir.path().join("screenshot.png");
    let output = kiosk_command(dir.path(), language, modes, exhibit)
        .arg("--screenshot")
        .arg(&saved)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let image = image::open(&saved).unwrap().to_rgb8();
    keep(&image, name);
    image
}

fn rgb(c: bevy_egui::egui::Color32) -> [u8; 3] {
    [c.r(), c.g(), c.b()]
}

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter()
        .zip(b)
        .map(|(x, y)| u32::from(x.abs_diff(y)))
        .sum::<u32>()
        <= 6
}

/// The share of the tile band's pixels that are `colour`.
fn band_share(image: &RgbImage, colour: [u8; 3]) -> f64 {
    let band: Vec<_> = image
        .enumerate_pixels()
        .filter(|(_, y, _)| TILE_ROWS.contains(y))
        .collect();
    let matching = band.iter().filter(|(_, _, p)| near(p.0, colour)).count();
    matching as f64 / band.len() as f64
}

/// The contrast of the labels on the tiles: in the band, among pixels that are not the
/// page's background, the most common colour is the tiles' fill; the most common colour that
/// stands out from it by 3:1 or more (glyph edges do not) is the labels' text.
fn label_contrast(image: &RgbImage, theme: &Theme) -> f32 {
    let mut counts: HashMap<[u8; 3], usize> = HashMap::new();
    for (_, y, pixel) in image.enumerate_pixels() {
        if TILE_ROWS.contains(&y) && !near(pixel.0, rgb(theme.background)) {
            *counts.entry(pixel.0).or_default() += 1;
        }
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    let colour = |c: [u8; 3]| bevy_egui::egui::Color32::from_rgb(c[0], c[1], c[2]);
    let fill = colour(counts[0].0);
    let text = counts
        .iter()
        .map(|(c, _)| colour(*c))
        .find(|c| contrast_ratio(*c, fill) >= 3.0)
        .unwrap_or(fill);
    contrast_ratio(text, fill)
}

#[test]
fn a_quiz_question_is_big_tiles_that_give_nothing_away_in_every_mode() {
    for (language, modes) in [
        ("zh", ""),
        ("en", ""),
        ("zh", "large-text"),
        ("en", "high-contrast"),
        ("en", "large-text,high-contrast"),
    ] {
        let name = format!(
            "quiz-tiles-{language}{}{}",
            if modes.is_empty() { "" } else { "-" },
            modes.replace(',', "-")
        );
        let theme = Theme::for_modes(AccessibilityModes {
            large_text: modes.contains("large-text"),
            high_contrast: modes.contains("high-contrast"),
            seated: false,
        });
        let image = screenshot(&name, language, modes, "everyday-science-quiz");
        let tiles = band_share(&image, rgb(theme.surface));
        assert!(tiles > 0.25, "{name}: tiles cover {tiles:.2} of the band");
        let borders = band_share(&image, rgb(theme.accent));
        assert!(borders > 0.005, "{name}: tile borders {borders:.4}");
        // Nothing is marked right before the visitor answers.
        let right = band_share(&image, rgb(theme.correct));
        assert!(
            right < 0.0005,
            "{name}: the right-answer colour shows ({right:.4})"
        );
        let contrast = label_contrast(&image, &theme);
        let least = if theme.background == Theme::default().background {
            4.5
        } else {
            7.0
        };
        assert!(contrast >= least, "{name}: labels at {contrast:.1}:1");
    }
}

/// A kiosk running in a 1920x1080 window on the tests' X screen until dropped: clicked with a
/// fake mouse (XTEST's FakeInput, sent as raw bytes: the x11rb build here has no XTEST module)
/// and read back with GetImage.
struct LiveKiosk {
    child: std::process::Child,
    x: x11rb::rust_connection::RustConnection,
    root: u32,
    xtest_opcode: u8,
    _screen: std::sync::MutexGuard<'static, ()>,
    _dir: tempfile::TempDir,
}

/// How long a screen is given to show what is expected (a slow machine; not a timing test).
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);

impl LiveKiosk {
    fn start(language: &str, modes: &str, exhibit: &str) -> Self {
        use x11rb::connection::{Connection, RequestConnection};
        let screen = alone_on_screen();
        let dir = tempfile::tempdir().unwrap();
        sample_config(dir.path(), "http://127.0.0.1:9", 600);
        let mut kiosk = kiosk_command(dir.path(), language, modes, exhibit);
        kiosk
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        // Xvfb resets when its last client leaves (the previous kiosk, with its connection):
        // a connection made meanwhile is refused, so it is tried again.
        let connect = || {
            (0..50)
                .find_map(|_| {
                    x11rb::connect(None).ok().or_else(|| {
                        std::thread::sleep(std::time::Duration::from_millis(100));
                        None
                    })
                })
                .expect("a connection to the X server")
        };
        let (x, screen_number) = connect();
        let child = kiosk.spawn().unwrap();
        let root = x.setup().roots[screen_number].root;
        let xtest_opcode = x
            .extension_information("XTEST")
            .unwrap()
            .expect("the X server has XTEST")
            .major_opcode;
        Self {
            child,
            x,
            root,
            xtest_opcode,
            _screen: screen,
            _dir: dir,
        }
    }

    /// XTEST FakeInput: `kind` 4 (button press), 5 (release) or 6 (motion) at (x, y).
    fn fake(&self, kind: u8, x: i16, y: i16) {
        use x11rb::connection::{Connection, RequestConnection};
        let mut request = [0u8; 36];
        request[0] = self.xtest_opcode;
        request[1] = 2; // FakeInput
        request[2..4].copy_from_slice(&9u16.to_ne_bytes()); // length in 4-byte units
        request[4] = kind;
        request[5] = if kind == 6 { 0 } else { 1 }; // the left button
        request[12..16].copy_from_slice(&self.root.to_ne_bytes());
        request[24..26].copy_from_slice(&x.to_ne_bytes());
        request[26..28].copy_from_slice(&y.to_ne_bytes());
        self.x
            .send_request_without_reply(&[std::io::IoSlice::new(&request)], Vec::new())
            .unwrap();
        self.x.flush().unwrap();
    }

    /// A click at (x, y), pressed for a moment as a finger would.
    fn click(&self, at: (u32, u32)) {
        let (x, y) = (at.0 as i16, at.1 as i16);
        let pause = || std::thread::sleep(std::time::Duration::from_millis(150));
        self.fake(6, x, y);
        pause();
        self.fake(4, x, y);
        pause();
        self.fake(5, x, y);
        pause();
    }

    /// What the screen shows now.
    fn capture(&self) -> RgbImage {
        use x11rb::protocol::xproto::{ConnectionExt, ImageFormat};
        let image = self
            .x
            .get_image(ImageFormat::Z_PIXMAP, self.root, 0, 0, 1920, 1080, !0)
            .unwrap()
            .reply()
            .unwrap();
        // 24-bit depth in 32-bit pixels, blue first.
        RgbImage::from_fn(1920, 1080, |x, y| {
            let at = ((y * 1920 + x) * 4) as usize;
            image::Rgb([image.data[at + 2], image.data[at + 1], image.data[at]])
        })
    }

    /// The screen once `shown` holds of it (and still holds a moment later: the screen has
    /// settled); fails with `what` after a generous wait.
    fn wait_for(&self, what: &str, shown: impl Fn(&RgbImage) -> bool) -> RgbImage {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            if shown(&self.capture()) {
                std::thread::sleep(std::time::Duration::from_millis(500));
                let image = self.capture();
                if shown(&image) {
                    return image;
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "gave up waiting for: {what}"
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}

impl Drop for LiveKiosk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Keeps `image` as `name`.png in $KEPU_SCREENSHOT_DIR, when set.
fn keep(image: &RgbImage, name: &str) {
    if let Some(dir) = std::env::var_os("KEPU_SCREENSHOT_DIR") {
        image
            .save(std::path::Path::new(&dir).join(format!("{name}.png")))
            .unwrap();
    }
}

/// A point inside the first tile: down the column x = 480 from the question, the first pixel of
/// the tiles' fill.
fn first_tile(image: &RgbImage, theme: &Theme) -> (u32, u32) {
    let y = (200..1000)
        .find(|y| near(image.get_pixel(480, *y).0, rgb(theme.surface)))
        .expect("a tile under the question");
    (480, y + 30)
}

/// The middle of the lowest accent-filled button in the screen's centre column (the quiz's
/// main button: check, next, see my score).
fn main_button(image: &RgbImage, theme: &Theme) -> (u32, u32) {
    let rows: Vec<u32> = (500..1000)
        .filter(|y| near(image.get_pixel(960, *y).0, rgb(theme.accent)))
        .collect();
    let bottom = *rows.last().expect("a main button");
    let top = rows
        .iter()
        .rev()
        .zip((0..=bottom).rev())
        .take_while(|(row, expected)| **row == *expected)
        .last()
        .map_or(bottom, |(row, _)| *row);
    (960, (top + bottom) / 2)
}

fn screen_share(image: &RgbImage, colour: [u8; 3]) -> f64 {
    let matching = image.pixels().filter(|p| near(p.0, colour)).count();
    matching as f64 / f64::from(image.width() * image.height())
}

#[test]
fn an_answer_marks_the_tiles_in_the_right_answers_colour_with_a_sign() {
    for (language, modes) in [("zh", ""), ("en", "high-contrast"), ("en", "large-text")] {
        let name = format!(
            "quiz-answered-{language}{}{modes}",
            if modes.is_empty() { "" } else { "-" }
        );
        let theme = Theme::for_modes(AccessibilityModes {
            large_text: modes.contains("large-text"),
            high_contrast: modes.contains("high-contrast"),
            seated: false,
        });
        let kiosk = LiveKiosk::start(language, modes, "emergency-quiz");
        let question = kiosk.wait_for("the question's tiles", |image| {
            band_share(image, rgb(theme.surface)) > 0.15
        });
        assert!(
            screen_share(&question, rgb(theme.correct)) < 0.0005,
            "{name}: nothing is marked before the answer"
        );
        keep(&question, &format!("{name}-before"));
        kiosk.click(first_tile(&question, &theme));
        let answered = kiosk.wait_for("the tiles marked", |image| {
            screen_share(image, rgb(theme.correct)) > 0.01
        });
        keep(&answered, &name);
        // The right tile is marked whichever was chosen, and the next button has come.
        let _ = main_button(&answered, &theme);
        // Not by colour alone: across the rows of the marked tile, the badge's disc and the
        // label are in the tile's text colour.
        let signs = (0..1080)
            .map(|y| {
                let across: Vec<u32> = (0..1920)
                    .filter(|x| near(answered.get_pixel(*x, y).0, rgb(theme.correct)))
                    .collect();
                if across.len() < 400 {
                    return 0;
                }
                (across[0]..across[across.len() - 1])
                    .filter(|x| near(answered.get_pixel(*x, y).0, rgb(theme.on_accent)))
                    .count()
            })
            .max()
            .unwrap_or(0);
        assert!(
            signs > 40,
            "{name}: no sign or words on the marked tile ({signs})"
        );
    }
}

#[test]
fn a_quiz_played_to_the_end_shows_its_results() {
    let theme = Theme::default();
    let kiosk = LiveKiosk::start("en", "", "emergency-quiz");
    for question in 0..4 {
        let shown = kiosk.wait_for("a question", |image| {
            band_share(image, rgb(theme.surface)) > 0.15
                && screen_share(image, rgb(theme.correct)) < 0.0005
        });
        kiosk.click(first_tile(&shown, &theme));
        let answered = kiosk.wait_for("the answer marked", |image| {
            screen_share(image, rgb(theme.correct)) > 0.005
        });
        keep(&answered, &format!("quiz-answer-{question}-en"));
        kiosk.click(main_button(&answered, &theme));
    }
    // The results: no tiles any more, the stars and the score in the accent colour, a dot per
    // question in the right or wrong colour, and "try again".
    let accent_in = |image: &RgbImage, xs: std::ops::Range<u32>, ys: std::ops::Range<u32>| {
        image
            .enumerate_pixels()
            .filter(|(x, y, p)| xs.contains(x) && ys.contains(y) && near(p.0, rgb(theme.accent)))
            .count()
    };
    // The results: filled stars in the accent colour where the question was.
    let results = kiosk.wait_for("the results", |image| {
        accent_in(image, 430..750, 150..260) > 1_500
    });
    keep(&results, "quiz-results-en");
    // The score under the stars, large, in the accent colour.
    let score = accent_in(&results, 300..900, 280..430);
    assert!(score > 3_000, "the score: {score} pixels");
    // A dot per question in the right or the wrong colour, and no marked tiles any more.
    let marked =
        screen_share(&results, rgb(theme.correct)) + screen_share(&results, rgb(theme.wrong));
    assert!(
        (0.0005..0.01).contains(&marked),
        "the answers' dots: {marked}"
    );
    // "Try again", filled, in the bottom row.
    let again = accent_in(&results, 0..1920, 860..960);
    assert!(again > 10_000, "try again: {again} pixels");
}
