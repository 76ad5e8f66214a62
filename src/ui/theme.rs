//! The one place for colours, sizes and fonts (design tokens). Large-text and high-contrast
//! modes are a different `Theme` value ([`Theme::for_modes`]), not edits scattered through the
//! screens.

use bevy_egui::egui;
use kepu_core::wire::AccessibilityModes;
use std::sync::Arc;

/// Noto Sans CJK SC, subset (see tools/make_font.py; SIL OFL 1.1, assets/fonts/OFL.txt). It
/// covers Latin and all CJK Unified Ideographs, so Chinese never renders as empty boxes.
pub const UI_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular.otf");
const UI_FONT_NAME: &str = "noto-sans-sc";

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub background: egui::Color32,
    pub surface: egui::Color32,
    pub text: egui::Color32,
    pub muted_text: egui::Color32,
    pub accent: egui::Color32,
    pub on_accent: egui::Color32,
    pub correct: egui::Color32,
    pub wrong: egui::Color32,
    pub attract_background: egui::Color32,
    pub attract_text: egui::Color32,
    /// Body text size in points.
    pub body_size: f32,
    pub heading_size: f32,
    pub title_size: f32,
    /// Smallest side of anything a visitor taps, in points. At 1.0 point per pixel on a 24-inch
    /// 1080p screen (about 92 dpi) 64 points are 17.7 mm, above the 15 mm guideline.
    pub min_target: f32,
    pub spacing: f32,
    pub corner_radius: u8,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            background: egui::Color32::from_rgb(0xF7, 0xF4, 0xEE),
            surface: egui::Color32::WHITE,
            text: egui::Color32::from_rgb(0x10, 0x2A, 0x43),
            muted_text: egui::Color32::from_rgb(0x48, 0x5A, 0x6C),
            accent: egui::Color32::from_rgb(0x0B, 0x5C, 0x8C),
            on_accent: egui::Color32::WHITE,
            correct: egui::Color32::from_rgb(0x1B, 0x7A, 0x3E),
            wrong: egui::Color32::from_rgb(0xB3, 0x26, 0x1E),
            attract_background: egui::Color32::from_rgb(0x0D, 0x1B, 0x2A),
            attract_text: egui::Color32::WHITE,
            body_size: 28.0,
            heading_size: 40.0,
            title_size: 64.0,
            min_target: 64.0,
            spacing: 24.0,
            corner_radius: 16,
        }
    }
}

/// How much larger text is in large-text mode.
pub const LARGE_TEXT_SCALE: f32 = 1.5;

/// In seated mode nothing a visitor taps is above this fraction of the screen's height.
pub const SEATED_REACH_TOP: f32 = 0.4;

impl Theme {
    /// The theme for a visitor's modes on a screen whose 15 mm is `min_target_px` pixels:
    /// touch targets never get smaller than that, whatever the screen's density.
    pub fn for_screen(modes: AccessibilityModes, min_target_px: f32) -> Self {
        let mut theme = Self::for_modes(modes);
        theme.min_target = theme.min_target.max(min_target_px);
        theme
    }

    /// The theme for a visitor's modes: one function, so every screen follows.
    pub fn for_modes(modes: AccessibilityModes) -> Self {
        let mut theme = if modes.high_contrast {
            Self::high_contrast()
        } else {
            Self::default()
        };
        if modes.large_text {
            theme.body_size *= LARGE_TEXT_SCALE;
            theme.heading_size *= LARGE_TEXT_SCALE;
            theme.title_size *= LARGE_TEXT_SCALE;
            theme.min_target *= 1.25;
        }
        theme
    }

    /// Black background, white text, yellow accents: every pair used for text is above 7:1
    /// (WCAG AAA), checked by a test.
    fn high_contrast() -> Self {
        Self {
            background: egui::Color32::BLACK,
            surface: egui::Color32::from_rgb(0x12, 0x12, 0x12),
            text: egui::Color32::WHITE,
            muted_text: egui::Color32::from_rgb(0xE6, 0xE6, 0xE6),
            accent: egui::Color32::from_rgb(0xFF, 0xE0, 0x3D),
            on_accent: egui::Color32::BLACK,
            correct: egui::Color32::from_rgb(0x6B, 0xF1, 0x78),
            wrong: egui::Color32::from_rgb(0xFF, 0x9E, 0x8A),
            attract_background: egui::Color32::BLACK,
            attract_text: egui::Color32::WHITE,
            ..Self::default()
        }
    }

    /// Every (text, background) colour pair the screens draw, for the contrast checks.
    pub fn text_pairs(&self) -> [(&'static str, egui::Color32, egui::Color32); 11] {
        [
            ("text on background", self.text, self.background),
            ("text on surface", self.text, self.surface),
            ("muted text on background", self.muted_text, self.background),
            ("muted text on surface", self.muted_text, self.surface),
            ("on-accent text on accent", self.on_accent, self.accent),
            ("on-accent text on correct", self.on_accent, self.correct),
            ("on-accent text on wrong", self.on_accent, self.wrong),
            ("accent text on background", self.accent, self.background),
            ("correct text on background", self.correct, self.background),
            ("wrong text on background", self.wrong, self.background),
            (
                "attract text on attract background",
                self.attract_text,
                self.attract_background,
            ),
        ]
    }

    pub fn body(&self, text: impl Into<String>) -> egui::RichText {
        egui::RichText::new(text)
            .size(self.body_size)
            .color(self.text)
    }

    /// Body-size text for a button filled with the accent colour.
    pub fn on_accent(&self, text: impl Into<String>) -> egui::RichText {
        egui::RichText::new(text)
            .size(self.body_size)
            .color(self.on_accent)
    }

    pub fn heading(&self, text: impl Into<String>) -> egui::RichText {
        egui::RichText::new(text)
            .size(self.heading_size)
            .color(self.text)
    }

    /// Installs the CJK-capable font as the first choice for every text style, and the theme's
    /// widget colours, on an egui context.
    pub fn install(&self, ctx: &egui::Context) {
        let mut fonts = egui::FontDefinitions::empty();
        fonts.font_data.insert(
            UI_FONT_NAME.to_owned(),
            Arc::new(egui::FontData::from_static(UI_FONT)),
        );
        for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
            fonts
                .families
                .entry(family)
                .or_default()
                .insert(0, UI_FONT_NAME.to_owned());
        }
        ctx.set_fonts(fonts);
        // Visitors must not be able to zoom the whole UI (Ctrl +/-, or the browser habit).
        ctx.options_mut(|options| options.zoom_with_keyboard = false);
        self.apply_visuals(ctx);
    }

    /// The theme's widget colours and spacing; called again whenever the visitor's modes change.
    pub fn apply_visuals(&self, ctx: &egui::Context) {
        let mut visuals = if self.background.r() < 128 {
            egui::Visuals::dark()
        } else {
            egui::Visuals::light()
        };
        visuals.panel_fill = self.background;
        visuals.window_fill = self.surface;
        visuals.override_text_color = Some(self.text);
        visuals.widgets.inactive.weak_bg_fill = self.surface;
        visuals.widgets.inactive.bg_stroke = egui::Stroke::new(2.0, self.accent);
        visuals.widgets.hovered.weak_bg_fill = self.surface;
        visuals.widgets.hovered.bg_stroke = egui::Stroke::new(3.0, self.accent);
        visuals.widgets.active.weak_bg_fill = self.accent.gamma_multiply(0.3);
        ctx.set_visuals(visuals);
        ctx.all_styles_mut(|style| {
            style.spacing.item_spacing = egui::vec2(self.spacing, self.spacing);
            style.spacing.button_padding = egui::vec2(self.spacing, self.spacing / 2.0);
            // A kiosk has no scroll wheel and visitors must not scroll the UI away.
            style.interaction.selectable_labels = false;
            style.interaction.tooltip_delay = f32::INFINITY;
        });
    }
}

/// The smallest touch target, 15 mm, in pixels of a screen `width_px` × `height_px` with a
/// `diagonal_inches` diagonal (egui's points are pixels at the kiosk's scale factor of 1).
pub fn fifteen_mm_in_pixels(width_px: u32, height_px: u32, diagonal_inches: f32) -> f32 {
    let diagonal_px = (width_px as f32).hypot(height_px as f32);
    let px_per_mm = diagonal_px / (diagonal_inches.max(1.0) * 25.4);
    15.0 * px_per_mm
}

/// WCAG 2 contrast ratio of two colours (1 to 21).
pub fn contrast_ratio(a: egui::Color32, b: egui::Color32) -> f32 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// WCAG 2 relative luminance of an sRGB colour.
pub fn relative_luminance(colour: egui::Color32) -> f32 {
    let linear = |channel: u8| {
        let c = f32::from(channel) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(colour.r()) + 0.7152 * linear(colour.g()) + 0.0722 * linear(colour.b())
}

/// The name of a language in that language, for the language switch.
pub fn language_name(code: &str) -> String {
    match code {
        "zh" => "中文".to_owned(),
        "en" => "English".to_owned(),
        "fr" => "Français".to_owned(),
        "ja" => "日本語".to_owned(),
        "ko" => "한국어".to_owned(),
        "ru" => "Русский".to_owned(),
        other => other.to_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::strings::{ALL, phrase};
    use kepu_core::manifest::{ValidationRules, load_catalog};

    /// Every character a visitor can see (kiosk phrases, language names and all text of the
    /// sample exhibits) has a glyph in the shipped font, so nothing renders as an empty box.
    /// (egui's own `has_glyph` cannot tell with a single font: its replacement face is that
    /// font, so the shipped file's character map is read with skrifa, egui's font parser.)
    #[test]
    fn the_ui_font_covers_every_visible_string() {
        use skrifa::MetadataProvider;
        let font = skrifa::FontRef::new(UI_FONT).unwrap();
        let charmap = font.charmap();

        let mut texts: Vec<String> = Vec::new();
        for language in ["zh", "en"] {
            texts.extend(ALL.iter().map(|p| phrase(*p, language).to_owned()));
            texts.push(language_name(language));
        }
        texts.push("潮朝阳 朝科普 ◀ ▶ ▲ ▼ ● ○ − + → …".to_owned());
        texts.extend(super::super::preview_screen::SIGNS.map(str::to_owned));
        for (_, zh, en) in crate::ui::strings::TOPICS {
            texts.extend([(*zh).to_owned(), (*en).to_owned()]);
        }
        let exhibits = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("exhibits");
        let catalog = load_catalog(&exhibits, &ValidationRules::default());
        assert!(catalog.exhibits.len() >= 2);
        for exhibit in &catalog.exhibits {
            let m = &exhibit.manifest;
            let mut strings = vec![&m.title, &m.summary];
            strings.extend(m.pages.iter().map(|p| &p.text));
            for q in &m.questions {
                strings.extend([&q.prompt, &q.explanation]);
                strings.extend(q.choices.iter().map(|c| &c.label));
                strings.extend(q.items.iter().map(|i| &i.label));
                strings.extend(q.estimate.iter().filter_map(|e| e.unit.as_ref()));
            }
            for h in &m.hotspots {
                strings.extend([&h.title, &h.text]);
            }
            strings.extend(m.parameters.iter().map(|p| &p.label));
            strings.extend(m.bins.iter().map(|b| &b.label));
            for item in &m.items {
                strings.extend([&item.label, &item.feedback]);
            }
            texts.extend(strings.iter().flat_map(|s| s.0.values().cloned()));
        }
        for text in &texts {
            let missing: String = text
                .chars()
                .filter(|c| !c.is_whitespace() && charmap.map(*c).is_none())
                .collect();
            assert!(missing.is_empty(), "no glyph for {missing:?} in {text:?}");
        }
        // The check itself can fail: a character outside the subset has no glyph.
        assert!(charmap.map('\u{1F600}').is_none());
    }

    #[test]
    fn high_contrast_text_is_at_least_7_to_1_and_default_at_least_4_5() {
        let high = Theme::for_modes(AccessibilityModes {
            high_contrast: true,
            ..AccessibilityModes::default()
        });
        for (what, fg, bg) in high.text_pairs() {
            let ratio = contrast_ratio(fg, bg);
            assert!(ratio >= 7.0, "high contrast: {what} is {ratio:.2}:1");
        }
        for (what, fg, bg) in Theme::default().text_pairs() {
            let ratio = contrast_ratio(fg, bg);
            assert!(ratio >= 4.5, "default: {what} is {ratio:.2}:1");
        }
        // The measure itself: black on white is 21:1, a colour on itself 1:1.
        let white_black = contrast_ratio(egui::Color32::WHITE, egui::Color32::BLACK);
        assert!((white_black - 21.0).abs() < 0.01);
        assert!((contrast_ratio(high.accent, high.accent) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn large_text_is_one_and_a_half_times_every_size() {
        let normal = Theme::default();
        for high_contrast in [false, true] {
            let large = Theme::for_modes(AccessibilityModes {
                large_text: true,
                high_contrast,
                seated: false,
            });
            assert!(large.body_size >= normal.body_size * 1.5);
            assert!(large.heading_size >= normal.heading_size * 1.5);
            assert!(large.title_size >= normal.title_size * 1.5);
            assert!(large.min_target >= normal.min_target);
        }
    }

    #[test]
    fn fifteen_millimetres_follow_the_screen_density() {
        // A 24-inch 1080p screen: 92 dpi, 15 mm = 54 px (the 64-point default is larger).
        let desk = fifteen_mm_in_pixels(1920, 1080, 24.0);
        assert!((desk - 54.2).abs() < 0.5, "{desk}");
        assert_eq!(
            Theme::for_screen(AccessibilityModes::default(), desk).min_target,
            64.0
        );
        // A 15.6-inch 1080p tablet: 141 dpi, 15 mm = 83 px.
        let tablet = fifteen_mm_in_pixels(1920, 1080, 15.6);
        assert!((tablet - 83.4).abs() < 0.5, "{tablet}");
        assert_eq!(
            Theme::for_screen(AccessibilityModes::default(), tablet).min_target,
            tablet
        );
    }

    #[test]
    fn install_makes_the_ui_font_the_first_choice() {
        let ctx = egui::Context::default();
        Theme::default().install(&ctx);
        ctx.run_ui(egui::RawInput::default(), |_| {})
            .drop_without_applying_deltas();
        let families = ctx.fonts(|fonts| fonts.definitions().families.clone());
        for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
            assert_eq!(families[&family], vec![UI_FONT_NAME.to_owned()]);
        }
    }
}
