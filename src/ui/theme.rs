//! The one place for colours, sizes and fonts (design tokens). Large-text and high-contrast
//! modes are a different `Theme` value ([`Theme::for_modes`]), not edits scattered through the
//! screens. Text sizes follow the screen as touch targets do ([`Theme::for_screen`]): in
//! millimetres of character height on the glass, for visitors standing 60-90 cm away.

use bevy_egui::egui;
use kepu_core::wire::AccessibilityModes;
use std::sync::Arc;

/// Noto Sans CJK SC, subset (see tools/make_font.py; SIL OFL 1.1, assets/fonts/OFL.txt). It
/// covers Latin and all CJK Unified Ideographs, so Chinese never renders as empty boxes.
pub const UI_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular.otf");
/// The bold weight of the same font, subset to the same characters, for headings and titles:
/// a hierarchy a visitor sees at a glance, in Chinese as in English.
pub const UI_BOLD_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Bold.otf");
const UI_FONT_NAME: &str = "noto-sans-sc";
const UI_BOLD_FONT_NAME: &str = "noto-sans-sc-bold";
/// The font family headings and titles are set in (`Theme::heading`, `Theme::title`,
/// [`Theme::heading_font`]).
pub const BOLD_FAMILY: &str = "bold";

/// Height of a capital letter (H, E, T) in Noto Sans SC, as a fraction of the font size (the
/// em): OS/2 `sCapHeight` 733 of 1000 units in both weights, the regular's glyphs exactly (the
/// bold's are 741: a little taller), checked against the glyphs by a test. A CJK ideograph is taller (its character face is 0.91 em), so a size whose capitals
/// reach a height makes every ideograph at least as tall: Latin capitals are the measure.
pub const CAP_HEIGHT_EM: f32 = 0.733;
/// Height of a CJK ideograph's character face in Noto Sans SC (BASE `icft` − `icfb`: 834 +
/// 74 of 1000 units in the regular weight).
pub const IDEOGRAPH_HEIGHT_EM: f32 = 0.908;

/// Smallest character height of any text a visitor reads, on the glass.
pub const BODY_MIN_MM: f32 = 5.0;
/// Smallest character height of a heading or title.
pub const HEADLINE_MIN_MM: f32 = 12.0;
/// The smallest touch target's side.
pub const TOUCH_TARGET_MM: f32 = 15.0;

/// A line of running text (story pages, explanations) is at most this many ems of body text
/// wide: Noto Sans' English text averages 0.46 em a character (measured over the sample
/// exhibits' pages and explanations), so about 50 characters fit and, wrapped at word breaks,
/// lines run 45-55 (checked by a test); Chinese gets 24 characters, within what CJK
/// typography advises for a line.
pub const LINE_EMS: f32 = 24.0;

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
    /// The smallest text anywhere (captions, figures under a picture, the staff panel's
    /// details), in points: never below [`BODY_MIN_MM`] of character height.
    pub small_size: f32,
    /// Body text size in points: at least [`BODY_MIN_MM`] of character height.
    pub body_size: f32,
    /// Headings (a question, a card's title) and titles (a screen's headline), bold: at least
    /// [`HEADLINE_MIN_MM`] of character height.
    pub heading_size: f32,
    pub title_size: f32,
    /// Smallest side of anything a visitor taps, in points. At 1.0 point per pixel on a 24-inch
    /// 1080p screen (about 92 dpi) 64 points are 17.7 mm, above the 15 mm guideline.
    pub min_target: f32,
    pub spacing: f32,
    pub corner_radius: u8,
}

impl Default for Theme {
    /// The theme of the reference screen, 24 inches at 1920x1080 (3.6 px/mm): its text sizes
    /// meet the millimetre minimums there (small 25 pt: 5.1 mm capitals; heading 60 pt:
    /// 12.2 mm), so [`Theme::for_screen`] keeps them on that screen and scales them up, all in
    /// proportion, on denser ones.
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
            small_size: 25.0,
            body_size: 28.0,
            heading_size: 60.0,
            title_size: 72.0,
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

/// The font size (em, in points at one point per pixel) whose capitals, and so every
/// ideograph, are `mm` tall on a screen of `px_per_mm`.
pub fn font_size_for_character_height(mm: f32, px_per_mm: f32) -> f32 {
    mm * px_per_mm / CAP_HEIGHT_EM
}

/// The character height in millimetres of text of `font_size` on a screen of `px_per_mm`.
pub fn character_height_mm(font_size: f32, px_per_mm: f32) -> f32 {
    font_size * CAP_HEIGHT_EM / px_per_mm
}

impl Theme {
    /// The theme for a visitor's modes on a screen whose 15 mm is `min_target_px` pixels:
    /// touch targets never get smaller than that, and text never smaller than
    /// [`BODY_MIN_MM`] (headings [`HEADLINE_MIN_MM`]) of character height, whatever the
    /// screen's density. Where the reference sizes fall short every text size grows by the same
    /// factor, so the hierarchy stays; large text is then 1.5 times that.
    pub fn for_screen(modes: AccessibilityModes, min_target_px: f32) -> Self {
        let px_per_mm = min_target_px / TOUCH_TARGET_MM;
        let reference = Self::default();
        let text_scale = [
            font_size_for_character_height(BODY_MIN_MM, px_per_mm) / reference.small_size,
            font_size_for_character_height(HEADLINE_MIN_MM, px_per_mm) / reference.heading_size,
        ]
        .into_iter()
        .fold(1.0_f32, f32::max);
        let mut theme = Self::colours_for(modes);
        theme.scale_text(text_scale);
        if modes.large_text {
            theme.scale_text(LARGE_TEXT_SCALE);
            theme.min_target *= 1.25;
        }
        theme.min_target = theme.min_target.max(min_target_px);
        theme
    }

    /// The theme for a visitor's modes on the reference screen (24 inches, 1920x1080): one
    /// function, so every screen follows.
    pub fn for_modes(modes: AccessibilityModes) -> Self {
        let mut theme = Self::colours_for(modes);
        if modes.large_text {
            theme.scale_text(LARGE_TEXT_SCALE);
            theme.min_target *= 1.25;
        }
        theme
    }

    fn colours_for(modes: AccessibilityModes) -> Self {
        if modes.high_contrast {
            Self::high_contrast()
        } else {
            Self::default()
        }
    }

    fn scale_text(&mut self, factor: f32) {
        for size in [
            &mut self.small_size,
            &mut self.body_size,
            &mut self.heading_size,
            &mut self.title_size,
        ] {
            *size *= factor;
        }
    }

    /// The widest a line of running text (a story page, an explanation) may be: about 50
    /// characters of English body text (see [`LINE_EMS`]).
    pub fn reading_width(&self) -> f32 {
        self.body_size * LINE_EMS
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

    /// The smallest text: captions, figures, details.
    pub fn small(&self, text: impl Into<String>) -> egui::RichText {
        egui::RichText::new(text)
            .size(self.small_size)
            .color(self.muted_text)
    }

    /// Body-size text for a button filled with the accent colour.
    pub fn on_accent(&self, text: impl Into<String>) -> egui::RichText {
        egui::RichText::new(text)
            .size(self.body_size)
            .color(self.on_accent)
    }

    /// A heading, bold: a question, a card's or a panel's title.
    pub fn heading(&self, text: impl Into<String>) -> egui::RichText {
        egui::RichText::new(text)
            .font(self.heading_font())
            .color(self.text)
    }

    /// A screen's headline, bold and largest.
    pub fn title(&self, text: impl Into<String>) -> egui::RichText {
        egui::RichText::new(text)
            .font(self.title_font())
            .color(self.text)
    }

    /// The bold face at `size`: a title smaller than a heading (an exhibit card's).
    pub fn bold_font(&self, size: f32) -> egui::FontId {
        egui::FontId::new(size, bold_family())
    }

    /// The bold face at heading size, for text painted directly.
    pub fn heading_font(&self) -> egui::FontId {
        egui::FontId::new(self.heading_size, bold_family())
    }

    /// The bold face at title size, for text painted directly.
    pub fn title_font(&self) -> egui::FontId {
        egui::FontId::new(self.title_size, bold_family())
    }

    /// Installs the CJK-capable font as the first choice for every text style, its bold weight
    /// as the [`BOLD_FAMILY`] (with the regular as fallback), and the theme's widget colours,
    /// on an egui context. Both faces are static bytes of the binary: egui parses them in
    /// place, and only the pages it reads (the tables it shapes with, the glyphs drawn) become
    /// resident.
    pub fn install(&self, ctx: &egui::Context) {
        // Once per context: egui compares new font definitions with the current ones byte by
        // byte, and reading all 22 MiB of both faces would make every page of them resident
        // (measured: the whole of both, against the few glyphs' pages drawn).
        let installed = egui::Id::new("kepu-kiosk-fonts-installed");
        if !ctx.data(|data| data.get_temp::<bool>(installed).unwrap_or(false)) {
            ctx.set_fonts(Self::font_definitions());
            ctx.data_mut(|data| data.insert_temp(installed, true));
        }
        // Visitors must not be able to zoom the whole UI (Ctrl +/-, or the browser habit).
        ctx.options_mut(|options| options.zoom_with_keyboard = false);
        self.apply_visuals(ctx);
    }

    fn font_definitions() -> egui::FontDefinitions {
        let mut fonts = egui::FontDefinitions::empty();
        fonts.font_data.insert(
            UI_FONT_NAME.to_owned(),
            Arc::new(egui::FontData::from_static(UI_FONT)),
        );
        fonts.font_data.insert(
            UI_BOLD_FONT_NAME.to_owned(),
            Arc::new(egui::FontData::from_static(UI_BOLD_FONT)),
        );
        for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
            fonts
                .families
                .entry(family)
                .or_default()
                .insert(0, UI_FONT_NAME.to_owned());
        }
        fonts.families.insert(
            bold_family(),
            vec![UI_BOLD_FONT_NAME.to_owned(), UI_FONT_NAME.to_owned()],
        );
        fonts
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

fn bold_family() -> egui::FontFamily {
    egui::FontFamily::Name(BOLD_FAMILY.into())
}

/// The smallest touch target, 15 mm, in pixels of a screen `width_px` × `height_px` with a
/// `diagonal_inches` diagonal (egui's points are pixels at the kiosk's scale factor of 1).
pub fn fifteen_mm_in_pixels(width_px: u32, height_px: u32, diagonal_inches: f32) -> f32 {
    let diagonal_px = (width_px as f32).hypot(height_px as f32);
    let px_per_mm = diagonal_px / (diagonal_inches.max(1.0) * 25.4);
    TOUCH_TARGET_MM * px_per_mm
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
        let regular = skrifa::FontRef::new(UI_FONT).unwrap();
        let bold = skrifa::FontRef::new(UI_BOLD_FONT).unwrap();
        let faces = [("regular", regular.charmap()), ("bold", bold.charmap())];

        let mut texts: Vec<String> = Vec::new();
        for language in ["zh", "en"] {
            texts.extend(ALL.iter().map(|p| phrase(*p, language).to_owned()));
            texts.push(language_name(language));
        }
        texts.push("潮朝阳 朝科普 ◀ ▶ ▲ ▼ ● ○ − + → … –".to_owned());
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
        // Any text may be a heading somewhere (a title, a question), so the bold face must
        // cover all of it too.
        for (face, charmap) in &faces {
            for text in &texts {
                let missing: String = text
                    .chars()
                    .filter(|c| !c.is_whitespace() && charmap.map(*c).is_none())
                    .collect();
                assert!(
                    missing.is_empty(),
                    "{face}: no glyph for {missing:?} in {text:?}"
                );
            }
            // The check itself can fail: a character outside the subset has no glyph.
            assert!(charmap.map('\u{1F600}').is_none());
        }
        // Subset alike: the same characters in both faces.
        let mappings = |charmap: &skrifa::charmap::Charmap| {
            charmap.mappings().map(|(c, _)| c).collect::<Vec<u32>>()
        };
        assert_eq!(mappings(&faces[0].1), mappings(&faces[1].1));
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
        for fifteen_mm in [fifteen_mm_in_pixels(1920, 1080, 24.0), 83.4] {
            let normal = Theme::for_screen(AccessibilityModes::default(), fifteen_mm);
            for high_contrast in [false, true] {
                let large = Theme::for_screen(
                    AccessibilityModes {
                        large_text: true,
                        high_contrast,
                        seated: false,
                    },
                    fifteen_mm,
                );
                assert!(large.small_size >= normal.small_size * 1.5);
                assert!(large.body_size >= normal.body_size * 1.5);
                assert!(large.heading_size >= normal.heading_size * 1.5);
                assert!(large.title_size >= normal.title_size * 1.5);
                assert!(large.min_target >= normal.min_target);
            }
        }
    }

    /// Capitals and ideographs measured on the glyphs of both shipped faces: the ratios the
    /// text sizes are computed with are the font's own.
    #[test]
    fn the_character_heights_are_measured_from_the_font() {
        use skrifa::MetadataProvider;
        use skrifa::instance::{LocationRef, Size};
        use skrifa::outline::DrawSettings;
        use skrifa::outline::pen::ControlBoundsPen;
        for (face, bytes) in [("regular", UI_FONT), ("bold", UI_BOLD_FONT)] {
            let font = skrifa::FontRef::new(bytes).unwrap();
            let metrics = font.metrics(Size::unscaled(), LocationRef::default());
            let units_per_em = f32::from(metrics.units_per_em);
            let charmap = font.charmap();
            let outlines = font.outline_glyphs();
            let height_em = |c: char| {
                let mut pen = ControlBoundsPen::new();
                let glyph = outlines.get(charmap.map(c).unwrap()).unwrap();
                glyph
                    .draw(
                        DrawSettings::unhinted(Size::unscaled(), LocationRef::default()),
                        &mut pen,
                    )
                    .unwrap();
                let bounds = pen.bounding_box().unwrap();
                (bounds.y_max - bounds.y_min) / units_per_em
            };
            for capital in ['H', 'E', 'T', 'I'] {
                let measured = height_em(capital);
                // The bold capitals are 8 units taller: the regular's are the measure.
                assert!(
                    (CAP_HEIGHT_EM - 0.002..CAP_HEIGHT_EM + 0.01).contains(&measured),
                    "{face} {capital}: {measured}"
                );
            }
            let declared = metrics.cap_height.unwrap() / units_per_em;
            assert!(
                (declared - CAP_HEIGHT_EM).abs() < 0.002,
                "{face}: {declared}"
            );
            // Full-height ideographs (no flat ones like 一) are all taller than a capital, so
            // sizing by capitals is the stricter rule for Chinese too.
            for ideograph in "国中科普安全的是日".chars() {
                let measured = height_em(ideograph);
                assert!(measured > CAP_HEIGHT_EM, "{face} {ideograph}: {measured}");
                assert!(
                    (measured - IDEOGRAPH_HEIGHT_EM).abs() < 0.07,
                    "{face} {ideograph}: {measured}"
                );
            }
        }
    }

    /// On every screen a kiosk may have, body text (the smallest text too) is at least 5 mm
    /// tall and headings at least 12 mm, in the order small < body < heading < title.
    #[test]
    fn text_sizes_follow_the_screen_in_millimetres() {
        let screens = [
            (1920, 1080, 24.0),
            (1920, 1080, 15.6),
            (1920, 1080, 21.5),
            (1920, 1080, 55.0),
            (3840, 2160, 32.0),
            (1280, 800, 10.1),
        ];
        for (width, height, diagonal) in screens {
            let fifteen_mm = fifteen_mm_in_pixels(width, height, diagonal);
            let px_per_mm = fifteen_mm / TOUCH_TARGET_MM;
            let theme = Theme::for_screen(AccessibilityModes::default(), fifteen_mm);
            let mm = |size: f32| character_height_mm(size, px_per_mm);
            let screen = format!("{width}x{height} at {diagonal} in");
            assert!(
                mm(theme.small_size) >= BODY_MIN_MM - 0.01,
                "{screen}: small"
            );
            assert!(mm(theme.body_size) >= BODY_MIN_MM - 0.01, "{screen}: body");
            assert!(mm(theme.heading_size) >= HEADLINE_MIN_MM - 0.01, "{screen}");
            assert!(mm(theme.title_size) >= HEADLINE_MIN_MM - 0.01, "{screen}");
            assert!(theme.small_size < theme.body_size, "{screen}");
            assert!(theme.body_size < theme.heading_size, "{screen}");
            assert!(theme.heading_size < theme.title_size, "{screen}");
        }
        // The reference screen keeps the reference sizes; a denser one scales them all alike.
        let desk = fifteen_mm_in_pixels(1920, 1080, 24.0);
        assert_eq!(
            Theme::for_screen(AccessibilityModes::default(), desk),
            Theme::default()
        );
        let tablet = Theme::for_screen(
            AccessibilityModes::default(),
            fifteen_mm_in_pixels(1920, 1080, 15.6),
        );
        let scale = tablet.body_size / Theme::default().body_size;
        assert!(scale > 1.4, "{scale}");
        assert!((tablet.heading_size / Theme::default().heading_size - scale).abs() < 1e-4);
        // The arithmetic itself: 5 mm capitals at 4 px/mm are 20 px, an em of 27.3 px.
        assert!((font_size_for_character_height(5.0, 4.0) - 27.29).abs() < 0.01);
        assert!((character_height_mm(27.29, 4.0) - 5.0).abs() < 0.01);
    }

    /// The sample exhibits' English story pages and explanations, wrapped at the reading
    /// width in body text, run 45-55 characters a line, in normal and in large text.
    #[test]
    fn running_text_lines_hold_about_fifty_characters() {
        let exhibits = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("exhibits");
        let catalog = load_catalog(&exhibits, &ValidationRules::default());
        let paragraphs: Vec<String> = catalog
            .exhibits
            .iter()
            .flat_map(|e| {
                let m = &e.manifest;
                m.pages
                    .iter()
                    .map(|p| &p.text)
                    .chain(m.questions.iter().map(|q| &q.explanation))
                    .filter_map(|text| text.0.get("en").cloned())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(paragraphs.len() > 20);
        let ctx = egui::Context::default();
        Theme::default().install(&ctx);
        ctx.run_ui(egui::RawInput::default(), |_| {})
            .drop_without_applying_deltas();
        for large_text in [false, true] {
            let theme = Theme::for_modes(AccessibilityModes {
                large_text,
                ..AccessibilityModes::default()
            });
            // Only full lines count: a paragraph's last line is as short as it happens to be.
            let mut full_lines: Vec<usize> = Vec::new();
            for paragraph in &paragraphs {
                let galley = ctx.fonts_mut(|fonts| {
                    fonts.layout(
                        paragraph.clone(),
                        egui::FontId::proportional(theme.body_size),
                        theme.text,
                        theme.reading_width(),
                    )
                });
                let rows = galley.rows.len();
                full_lines.extend(
                    galley
                        .rows
                        .iter()
                        .take(rows.saturating_sub(1))
                        .map(|row| row.glyphs.len()),
                );
            }
            assert!(full_lines.len() > 30, "{}", full_lines.len());
            let mean = full_lines.iter().sum::<usize>() as f32 / full_lines.len() as f32;
            assert!(
                (45.0..=55.0).contains(&mean),
                "large text {large_text}: {mean}"
            );
            let longest = full_lines.iter().max().copied().unwrap_or_default();
            assert!(longest <= 60, "large text {large_text}: {longest}");
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
        assert_eq!(
            families[&bold_family()],
            vec![UI_BOLD_FONT_NAME.to_owned(), UI_FONT_NAME.to_owned()]
        );
        // Headings and titles are set in the bold face.
        let theme = Theme::default();
        assert_eq!(theme.heading_font().family, bold_family());
        assert_eq!(theme.title_font().family, bold_family());
        assert_eq!(theme.heading_font().size, theme.heading_size);
    }
}
