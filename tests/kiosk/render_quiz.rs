//! The quiz player in a real window (Xvfb + lavapipe, as `render`): a question's choices as big
//! tiles in Chinese, English, large text and high contrast, checked by pixel: the tiles fill
//! the space, the right answer is not given away before an answer, and the labels on the
//! tiles keep their contrast.

use crate::harness::{alone_on_screen, repo_path, sample_config};
use image::RgbImage;
use kepu_core::wire::AccessibilityModes;
use kepu_kiosk::ui::theme::{Theme, contrast_ratio};
use std::collections::HashMap;
use std::process::Command;

/// The band where the tiles are: under the bars, the dots and the question.
const TILE_ROWS: std::ops::Range<u32> = 300..900;

/// Runs the kiosk at 1920x1080 with a session in `language` and `modes`, the quiz `exhibit`
/// open, and returns its screenshot (kept as `name`.png in $KEPU_SCREENSHOT_DIR when set).
fn screenshot(name: &str, language: &str, modes: &str, exhibit: &str) -> RgbImage {
    let _alone = alone_on_screen();
    let dir = tempfile::tempdir().unwrap();
    sample_config(dir.path(), "http://127.0.0.1:9", 60);
    let path = std::env::var_os("KEPU_SCREENSHOT_DIR")
        .map_or_else(|| dir.path().to_path_buf(), std::path::PathBuf::from)
        .join(format!("{name}.png"));
    let _ = std::fs::remove_file(&path);
    let mut kiosk = Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"));
    kiosk
        .args([
            "run",
            "--windowed",
            "--window-size",
            "1920x1080",
            "--config",
        ])
        .arg(dir.path().join("kiosk.toml"))
        .args(["--start-session", language, "--open", exhibit]);
    if !modes.is_empty() {
        kiosk.args(["--modes", modes]);
    }
    let output = kiosk
        .arg("--screenshot")
        .arg(&path)
        .current_dir(repo_path(""))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    image::open(&path).unwrap().to_rgb8()
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
