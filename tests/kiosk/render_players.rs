//! The hotspots search and the sort game in a real window (Xvfb + lavapipe, as `render`), in
//! Chinese, English, large text and high contrast, checked by pixel: a search gives none of its
//! regions away before a find and says how many there are to find; the bins are pictures on
//! cards, not blocks of colour.

use crate::harness::{alone_on_screen, repo_path, sample_config};
use image::RgbImage;
use kepu_core::wire::AccessibilityModes;
use kepu_kiosk::ui::theme::Theme;
use std::process::Command;

/// The kiosk at 1920x1080 with a session in `language` and `modes`, `exhibit` open: its
/// screenshot (kept as `name`.png in $KEPU_SCREENSHOT_DIR when set).
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

fn theme_for(modes: &str) -> Theme {
    Theme::for_modes(AccessibilityModes {
        large_text: modes.contains("large-text"),
        high_contrast: modes.contains("high-contrast"),
        ..AccessibilityModes::default()
    })
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

/// The share of the pixels in `xs` × `ys` that are `colour`.
fn share(
    image: &RgbImage,
    xs: std::ops::Range<u32>,
    ys: std::ops::Range<u32>,
    colour: [u8; 3],
) -> f64 {
    let area: Vec<_> = image
        .enumerate_pixels()
        .filter(|(x, y, _)| xs.contains(x) && ys.contains(y))
        .collect();
    let hits = area.iter().filter(|(_, _, p)| near(p.0, colour)).count();
    hits as f64 / area.len().max(1) as f64
}

#[test]
fn a_search_shows_no_region_before_a_find_and_says_how_many_to_find() {
    for (name, language, modes) in [
        ("players-search-zh", "zh", ""),
        ("players-search-en", "en", ""),
        ("players-search-zh-high-contrast", "zh", "high-contrast"),
        ("players-search-en-large-text", "en", "large-text"),
    ] {
        let image = screenshot(name, language, modes, "home-hazards");
        let theme = theme_for(modes);
        // The picture (left of the side panel, between the bars): explore mode outlines every
        // region in the accent colour; a search draws nothing on it, and the found colour
        // only once something is found.
        for (what, colour) in [("outline", theme.accent), ("found", theme.correct)] {
            let on_picture = share(&image, 40..1280, 160..860, rgb(colour));
            assert!(
                on_picture < 0.0005,
                "{name}: {what} colour on {:.3} % of the picture",
                on_picture * 100.0
            );
        }
        // The side says how many there are to find, in heading-size text at its top.
        let count = share(&image, 1350..1900, 140..260, rgb(theme.text));
        assert!(
            count > 0.03,
            "{name}: the count's text covers {:.2} % of the side's top",
            count * 100.0
        );
    }
}

#[test]
fn the_bins_are_pictures_on_cards() {
    for (name, language, modes) in [
        ("players-sort-zh", "zh", ""),
        ("players-sort-en", "en", ""),
        ("players-sort-zh-high-contrast", "zh", "high-contrast"),
        ("players-sort-en-large-text", "en", "large-text"),
    ] {
        let image = screenshot(name, language, modes, "waste-sorting");
        let theme = theme_for(modes);
        // waste-sorting's bins, left to right, in the bottom third of the screen above the
        // access bar. A bin of colour alone fills a quarter of this band with its colour; a
        // picture of a bin shows it on a fraction, the rest the card's surface.
        let band = 640..980;
        for (index, colour) in [
            [0x2e, 0x7d, 0x32],
            [0x15, 0x65, 0xc0],
            [0xc6, 0x28, 0x28],
            [0x61, 0x61, 0x61],
        ]
        .into_iter()
        .enumerate()
        {
            let xs = (index as u32) * 480..(index as u32 + 1) * 480;
            let drawn = share(&image, xs.clone(), band.clone(), colour);
            assert!(
                (0.01..0.2).contains(&drawn),
                "{name}: bin {index}'s colour covers {:.1} % of its part of the band",
                drawn * 100.0
            );
            let card = share(&image, xs, band.clone(), rgb(theme.surface));
            assert!(
                card > 0.2,
                "{name}: bin {index}'s card covers {:.1} % of its part of the band",
                card * 100.0
            );
        }
    }
}
