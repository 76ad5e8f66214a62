//! The real kiosk in a real window (Xvfb + Mesa lavapipe under scripts/test.sh): the home screen
//! in Chinese is rendered, saved as a PNG, and checked pixel by pixel.

use crate::harness::{repo_path, sample_config};
use std::process::Command;

fn colour_distance(a: [u8; 3], b: [u8; 3]) -> u32 {
    a.iter().zip(b).map(|(x, y)| u32::from(x.abs_diff(y))).sum()
}

#[test]
fn home_screen_renders_in_chinese_in_a_real_window() {
    assert!(
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
        "the render test needs a display: run it under xvfb-run (scripts/test.sh does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let config = sample_config(dir.path(), "http://127.0.0.1:9", 60);
    let screenshot = std::env::var_os("KEPU_SCREENSHOT_DIR")
        .map(|d| std::path::PathBuf::from(d).join("home-zh.png"))
        .unwrap_or_else(|| dir.path().join("home-zh.png"));
    let output = Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"))
        .args(["run", "--windowed", "--start-session", "zh", "--config"])
        .arg(dir.path().join("kiosk.toml"))
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
    let _ = config;
    let image = image::open(&screenshot).unwrap().to_rgb8();
    assert_eq!((image.width(), image.height()), (1280, 720));
    let pixels: Vec<[u8; 3]> = image.pixels().map(|p| p.0).collect();
    let share = |colour: [u8; 3], tolerance: u32| {
        pixels
            .iter()
            .filter(|p| colour_distance(**p, colour) <= tolerance)
            .count() as f64
            / pixels.len() as f64
    };

    // Not blank: anti-aliased text and photos give many distinct colours.
    let mut distinct: Vec<[u8; 3]> = pixels.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(distinct.len() > 500, "only {} colours", distinct.len());
    // The home screen's background, not the attract screen's.
    assert!(
        share([0xF7, 0xF4, 0xEE], 6) > 0.25,
        "home background missing"
    );
    assert!(
        share([0x0D, 0x1B, 0x2A], 6) < 0.02,
        "looks like the attract screen"
    );
    // Text: dark text-coloured pixels in the top bar (title and buttons).
    let top_bar_text = image
        .enumerate_pixels()
        .filter(|(_, y, p)| *y < 90 && colour_distance(p.0, [0x10, 0x2A, 0x43]) < 60)
        .count();
    assert!(
        top_bar_text > 400,
        "no text in the top bar ({top_bar_text} pixels)"
    );
    // Thumbnails: the story's orange-cream thumbnail background appears on a card.
    assert!(share([0xFF, 0xF4, 0xE0], 10) > 0.01, "thumbnails missing");
}
