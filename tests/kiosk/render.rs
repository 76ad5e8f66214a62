//! The real kiosk in a real window (Xvfb + Mesa lavapipe under scripts/test.sh): screens are
//! rendered, saved as PNGs (kept in $KEPU_SCREENSHOT_DIR when set) and checked pixel by pixel.

use crate::harness::{repo_path, sample_config};
use image::RgbImage;
use std::process::Command;

const HOME_BACKGROUND: [u8; 3] = [0xF7, 0xF4, 0xEE];
const ATTRACT_BACKGROUND: [u8; 3] = [0x0D, 0x1B, 0x2A];
const TEXT: [u8; 3] = [0x10, 0x2A, 0x43];

fn colour_distance(a: [u8; 3], b: [u8; 3]) -> u32 {
    a.iter().zip(b).map(|(x, y)| u32::from(x.abs_diff(y))).sum()
}

/// Runs the kiosk with `args` until it saved `name`.png, and loads that screenshot.
fn render(name: &str, args: &[&str]) -> RgbImage {
    assert!(
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
        "the render tests need a display: run them under xvfb-run (scripts/test.sh does)"
    );
    let dir = tempfile::tempdir().unwrap();
    sample_config(dir.path(), "http://127.0.0.1:9", 60);
    let screenshot = std::env::var_os("KEPU_SCREENSHOT_DIR")
        .map_or_else(|| dir.path().to_path_buf(), std::path::PathBuf::from)
        .join(format!("{name}.png"));
    let _ = std::fs::remove_file(&screenshot);
    let output = Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"))
        .args(["run", "--windowed", "--config"])
        .arg(dir.path().join("kiosk.toml"))
        .args(args)
        .arg("--screenshot")
        .arg(&screenshot)
        .current_dir(repo_path(""))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "kiosk failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let image = image::open(&screenshot).unwrap().to_rgb8();
    assert_eq!((image.width(), image.height()), (1280, 720));
    image
}

fn share(image: &RgbImage, colour: [u8; 3], tolerance: u32) -> f64 {
    let matching = image
        .pixels()
        .filter(|p| colour_distance(p.0, colour) <= tolerance)
        .count();
    matching as f64 / f64::from(image.width() * image.height())
}

fn distinct_colours(image: &RgbImage) -> usize {
    let mut colours: Vec<[u8; 3]> = image.pixels().map(|p| p.0).collect();
    colours.sort_unstable();
    colours.dedup();
    colours.len()
}

/// Pixels close to the text colour within the rows `top..bottom`.
fn text_pixels(image: &RgbImage, top: u32, bottom: u32) -> usize {
    image
        .enumerate_pixels()
        .filter(|(_, y, p)| (top..bottom).contains(y) && colour_distance(p.0, TEXT) < 60)
        .count()
}

#[test]
fn home_screen_renders_in_chinese_in_a_real_window() {
    let image = render("home-zh", &["--start-session", "zh"]);
    // Not blank: anti-aliased text and pictures give many distinct colours.
    assert!(
        distinct_colours(&image) > 500,
        "{}",
        distinct_colours(&image)
    );
    // The home screen's background, not the attract screen's.
    assert!(
        share(&image, HOME_BACKGROUND, 6) > 0.25,
        "home background missing"
    );
    assert!(
        share(&image, ATTRACT_BACKGROUND, 6) < 0.02,
        "looks like the attract screen"
    );
    // Text in the top bar (title and buttons).
    let top_bar_text = text_pixels(&image, 0, 90);
    assert!(
        top_bar_text > 400,
        "no text in the top bar ({top_bar_text} pixels)"
    );
    // Thumbnails: the story's cream thumbnail background appears on a card.
    assert!(
        share(&image, [0xFF, 0xF4, 0xE0], 10) > 0.01,
        "thumbnails missing"
    );
}

#[test]
fn attract_story_and_quiz_screens_render() {
    let attract = render("attract", &[]);
    assert!(
        share(&attract, ATTRACT_BACKGROUND, 6) > 0.5,
        "attract background missing"
    );
    // "Touch to start" in white, in both languages, below the thumbnails.
    let white_text = attract
        .enumerate_pixels()
        .filter(|(_, y, p)| *y > 450 && colour_distance(p.0, [255, 255, 255]) < 40)
        .count();
    assert!(
        white_text > 1000,
        "no invitation text ({white_text} pixels)"
    );

    let story = render(
        "story-zh",
        &["--start-session", "zh", "--open", "phone-scams"],
    );
    assert!(share(&story, HOME_BACKGROUND, 6) > 0.1);
    // The page's picture (its cream background) and the page text below it.
    assert!(
        share(&story, [0xFF, 0xF4, 0xE0], 10) > 0.05,
        "story picture missing"
    );
    assert!(text_pixels(&story, 400, 720) > 1000, "story text missing");

    let quiz = render(
        "quiz-en",
        &["--start-session", "en", "--open", "emergency-quiz"],
    );
    assert!(share(&quiz, HOME_BACKGROUND, 6) > 0.25);
    assert!(
        text_pixels(&quiz, 90, 720) > 1000,
        "question and choices missing"
    );
}

#[test]
fn still_there_overlay_dims_the_screen_and_asks_in_a_card() {
    let image = render(
        "still-there-zh",
        &[
            "--start-session",
            "zh",
            "--open",
            "emergency-quiz",
            "--still-there-now",
        ],
    );
    // The quiz underneath is dimmed: no pixel keeps the light page background.
    assert!(
        share(&image, HOME_BACKGROUND, 6) < 0.01,
        "background not dimmed"
    );
    // A bright card in the middle carries the question, in dark text.
    let centre = image.get_pixel(640, 300).0;
    assert!(
        colour_distance(centre, [255, 255, 255]) < 30,
        "no card: {centre:?}"
    );
    assert!(text_pixels(&image, 230, 500) > 500, "no text on the card");
}
