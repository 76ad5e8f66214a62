//! `kepu-kiosk preview EXHIBIT_DIR`: the one exhibit a curator is writing, in a window, as a
//! visitor would see it — no attract loop, no home screen, nothing recorded. Every save reloads
//! it at once (the hot-reload watcher, told by [`Preview`] to show each version as it is); while
//! the exhibit has errors the window shows them instead, with the line each is on, so the
//! curator can keep the window beside the editor and never run `validate` by hand.

use crate::KioskSet;
use crate::content::{Content, KioskSettings};
use crate::visit::Visit;
use bevy::prelude::*;
use kepu_core::manifest::{Catalog, MessageLanguage, Severity, ValidationRules, load_for_checking};
use std::path::{Path, PathBuf};

pub fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (follow_each_version, keep_the_exhibit_open)
            .chain()
            .after(KioskSet::Session)
            .before(KioskSet::Screen),
    );
}

/// The exhibit being previewed and what its last saved version looks like.
#[derive(Resource, Debug, Clone)]
pub struct Preview {
    /// The exhibit's folder.
    pub exhibit_dir: PathBuf,
    /// The language the visitor side is shown in.
    pub language: String,
    /// The language the problems are told in.
    pub messages: MessageLanguage,
    /// Each version loaded counts one (the first is 1): screenshots follow it.
    pub version: u64,
    pub view: PreviewView,
}

impl Preview {
    pub fn new(exhibit_dir: PathBuf, language: String, messages: MessageLanguage) -> Self {
        Self {
            exhibit_dir,
            language,
            messages,
            version: 0,
            view: PreviewView::default(),
        }
    }
}

/// What the window shows about the version on screen: drawn by `ui::preview_screen`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreviewView {
    /// Errors keep the exhibit off screen: the problems are shown instead.
    pub broken: bool,
    /// Every problem of this version, errors and warnings, in line order.
    pub problems: Vec<ShownProblem>,
    pub messages: MessageLanguage,
}

/// One problem, ready to draw: where, what, and the line of the file it is on.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownProblem {
    pub severity: Severity,
    /// `exhibit.toml:12:8`.
    pub place: String,
    pub message: String,
    /// The line of the file the problem is on, and the 1-based column (in characters).
    pub line: Option<(String, Option<usize>)>,
}

/// Loads the one exhibit as `validate` does (pictures decoded, so a broken picture is a problem
/// here rather than a grey box later). A folder that went away is a problem of its own.
pub fn load_one_exhibit(exhibit_dir: &Path, rules: &ValidationRules) -> Catalog {
    let mut rules = rules.clone();
    rules.decode_images = true;
    load_for_checking(exhibit_dir, &rules).unwrap_or_else(|err| {
        let mut catalog = Catalog::default();
        let said = kepu_core::manifest::Said {
            en: err.message_in(MessageLanguage::English),
            zh: err.message_in(MessageLanguage::Chinese),
        };
        catalog
            .problems
            .push(kepu_core::manifest::Problem::error_in_both(
                exhibit_dir,
                said,
            ));
        catalog
    })
}

/// The problems of a catalog as the window and the terminal show them.
pub fn describe(catalog: &Catalog, messages: MessageLanguage) -> (PreviewView, Vec<String>) {
    let mut sources: std::collections::HashMap<&Path, String> = std::collections::HashMap::new();
    let mut shown = Vec::new();
    let mut printed = Vec::new();
    for problem in catalog.all_problems() {
        let source = sources
            .entry(problem.file.as_path())
            .or_insert_with(|| std::fs::read_to_string(&problem.file).unwrap_or_default());
        printed.push(problem.render_in(source, messages));
        let file = problem.file.file_name().map_or_else(
            || problem.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let place = match (problem.line, problem.column) {
            (Some(line), Some(column)) => format!("{file}:{line}:{column}"),
            (Some(line), None) => format!("{file}:{line}"),
            _ => file,
        };
        let line = problem.line.and_then(|number| {
            let text = source.lines().nth(number.saturating_sub(1))?;
            let text = text.trim_end_matches('\r');
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            Some((text.to_owned(), problem.column))
        });
        shown.push(ShownProblem {
            severity: problem.severity,
            place,
            message: problem.message_in(messages).to_owned(),
            line,
        });
    }
    let view = PreviewView {
        broken: catalog.exhibits.is_empty(),
        problems: shown,
        messages,
    };
    (view, printed)
}

/// Each new version (the first load, every save): describe it in the window and the terminal,
/// and close the exhibit so that it opens again from its start, as the new version.
fn follow_each_version(
    time: Res<Time<Real>>,
    content: Res<Content>,
    mut preview: ResMut<Preview>,
    mut visit: ResMut<Visit>,
) {
    if !content.is_changed() && preview.version > 0 {
        return;
    }
    preview.version += 1;
    let (view, printed) = describe(&content.catalog, preview.messages);
    let summary = summary_line(&view, preview.version);
    for line in printed.iter().chain(std::iter::once(&summary)) {
        // The terminal beside the editor: the same words as `validate`.
        println!("{line}");
    }
    preview.view = view;
    // Nothing is recorded in a preview, so the events of closing go nowhere.
    let _ = visit.close_exhibit(time.elapsed());
}

fn summary_line(view: &PreviewView, version: u64) -> String {
    let errors = view
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = view.problems.len() - errors;
    match (view.messages, view.broken) {
        (MessageLanguage::Chinese, true) => format!(
            "preview: 第 {version} 版有 {errors} 个错误、{warnings} 个警告，窗口里显示这些问题；改好保存后会自动重新载入"
        ),
        (MessageLanguage::Chinese, false) => {
            format!("preview: 第 {version} 版已显示（{warnings} 个警告）；每次保存都会自动重新载入")
        }
        (MessageLanguage::English, true) => format!(
            "preview: version {version} has {errors} errors and {warnings} warnings, shown in the window; save a fix and it reloads"
        ),
        (MessageLanguage::English, false) => format!(
            "preview: version {version} is on screen ({warnings} warnings); every save reloads it"
        ),
    }
}

/// The exhibit is always open: a session starts by itself in the preview's language, and
/// "back" or "start over" open the exhibit again from its start.
fn keep_the_exhibit_open(
    time: Res<Time<Real>>,
    settings: Res<KioskSettings>,
    content: Res<Content>,
    preview: Res<Preview>,
    staff: Res<crate::staff::Staff>,
    mut visit: ResMut<Visit>,
) {
    if staff.phase != crate::staff::StaffPhase::Closed || visit.open.is_some() {
        return;
    }
    let Some(exhibit) = content.catalog.exhibits.first() else {
        return;
    };
    let now = time.elapsed();
    if visit.session.is_none() {
        let _ = visit.start(now, &preview.language, settings.access_defaults);
    }
    let id = exhibit.id().to_owned();
    let _ = visit.open_exhibit(&content.catalog, &id, now);
}

/// `--screenshot`: a PNG of each version once it has settled (fonts and pictures on the GPU).
#[derive(Resource, Debug)]
pub struct PreviewShots {
    path: PathBuf,
    every_save: bool,
    /// The version the frames are counted for, and how many it has had.
    version: u64,
    frames: u32,
    /// The file asked for, and the frame it was asked at.
    requested: Option<(PathBuf, u32)>,
}

impl PreviewShots {
    pub fn new(path: PathBuf, every_save: bool) -> Self {
        Self {
            path,
            every_save,
            version: 0,
            frames: 0,
            requested: None,
        }
    }

    /// The file for a version: the path itself, or with `--every-save` NAME-VERSION.png.
    pub fn file_for(&self, version: u64) -> PathBuf {
        if !self.every_save {
            return self.path.clone();
        }
        let stem = self
            .path
            .file_stem()
            .map_or_else(|| "preview".into(), |s| s.to_string_lossy().into_owned());
        self.path.with_file_name(format!("{stem}-{version}.png"))
    }
}

/// Frames a version gets before its screenshot: fonts and textures reach the GPU a frame or
/// two after they are first used.
const SETTLE_FRAMES: u32 = 30;

pub fn screenshot_plugin(app: &mut App) {
    app.add_systems(Update, take_screenshots.after(follow_each_version));
}

fn take_screenshots(
    preview: Res<Preview>,
    images: Res<crate::ui::images::ImageCache>,
    mut shots: ResMut<PreviewShots>,
    mut commands: Commands,
    mut exit: MessageWriter<AppExit>,
) {
    use bevy::render::view::screenshot::{Screenshot, save_to_disk};
    if shots.version != preview.version {
        shots.version = preview.version;
        shots.frames = 0;
        shots.requested = None;
    }
    shots.frames += 1;
    match &shots.requested {
        None if shots.frames >= SETTLE_FRAMES && images.is_settled() => {
            let file = shots.file_for(preview.version);
            info!(
                "saving a screenshot of version {} to {}",
                preview.version,
                file.display()
            );
            commands
                .spawn(Screenshot::primary_window())
                .observe(save_to_disk(file.clone()));
            let frame = shots.frames;
            shots.requested = Some((file, frame));
        }
        Some((file, at)) if !shots.every_save && (file.exists() || shots.frames > at + 300) => {
            exit.write(AppExit::Success);
        }
        _ => {}
    }
}
