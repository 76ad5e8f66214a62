//! `kepu-kiosk`: run the kiosk, start a new exhibit, or check a folder of exhibits.

use anyhow::Context;
use bevy::prelude::*;
use bevy::winit::{UpdateMode, WinitSettings};
use bevy_egui::EguiPlugin;
use clap::{Parser, Subcommand};
use kepu_core::config::KioskConfig;
use kepu_core::manifest::{
    ExhibitKind, MessageLanguage, Problem, ValidationRules, load_for_checking,
};
use kepu_core::uploader::UploaderConfig;
use kepu_core::wire::AccessibilityModes;
use kepu_kiosk::automation::Automation;
use kepu_kiosk::content::{Content, KioskSettings};
use kepu_kiosk::engagement::Engagement;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(version, about = "Kepu Kiosk: touchscreen science exhibits")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the kiosk (fullscreen unless --windowed). Without a kiosk.toml (none named, none in
    /// this folder) it runs the sample exhibits in a window.
    Run {
        /// The kiosk's kiosk.toml (default: ./kiosk.toml).
        #[arg(long, env = "KEPU_KIOSK_CONFIG")]
        config: Option<PathBuf>,
        /// A 1280x720 window with a visible cursor, for development.
        #[arg(long)]
        windowed: bool,
        /// Skip the attract screen: start a session at once in this language (tests, demos).
        #[arg(long, value_name = "LANGUAGE")]
        start_session: Option<String>,
        /// With --start-session: open this exhibit at once.
        #[arg(long, value_name = "EXHIBIT_ID", requires = "start_session")]
        open: Option<String>,
        /// With --start-session: show "Still there?" at once (render tests of the overlay).
        #[arg(long, hide = true, requires = "start_session")]
        still_there_now: bool,
        /// With --start-session: accessibility modes on from the start, comma-separated
        /// (large-text, high-contrast, seated), for screenshots.
        #[arg(long, hide = true, requires = "start_session", value_delimiter = ',')]
        modes: Vec<String>,
        /// With --open: press play on a simulation (screenshots mid-run) or "Listen" on a story.
        #[arg(long, hide = true, requires = "open")]
        play: bool,
        /// Open the staff panel at once, past the PIN (screenshots of the panel).
        #[arg(long, hide = true)]
        staff_panel: bool,
        /// Play this many synthetic visitors (seeded random taps, drags, answers, walk-aways),
        /// then exit: for soak, end-to-end and demo runs. Idle timeouts are shortened to
        /// seconds in a window; with --headless time runs as fast as the machine allows.
        #[arg(long, value_name = "VISITORS")]
        autopilot: Option<u32>,
        /// The autopilot's random seed: the same seed plays the same visitors.
        #[arg(long, default_value_t = 1, requires = "autopilot")]
        seed: u64,
        /// With --autopilot: no window at all (soak tests); prints a report line at the end.
        #[arg(long, requires = "autopilot")]
        headless: bool,
        /// Record this many frame times once the screen settled, log p50/p99 and memory, exit.
        #[arg(long, hide = true, value_name = "FRAMES")]
        measure_frames: Option<u32>,
        /// Leave the kiosk untouched this many seconds once it has settled (5 s), log the
        /// frames drawn and the CPU time of the whole process, exit: the idle figures.
        #[arg(long, hide = true, value_name = "SECONDS")]
        measure_idle: Option<u64>,
        /// With --windowed: the window's size in pixels, e.g. 1920x1080 (fullscreen covers
        /// the screen, so the size alone would be silently ignored: refused instead).
        #[arg(
            long,
            value_name = "WxH",
            default_value = "1280x720",
            requires = "windowed"
        )]
        window_size: String,
        /// Save a screenshot of the settled screen to this PNG file, then exit.
        #[arg(long, value_name = "PNG")]
        screenshot: Option<PathBuf>,
    },
    /// Check every exhibit in a folder: exit 0 when clean, 1 for warnings with --strict, 2 for
    /// errors.
    Validate {
        /// A folder of exhibits, one exhibit's folder, or its exhibit.toml (default: the
        /// exhibits folder of kiosk.toml, else ./exhibits).
        dir: Option<PathBuf>,
        /// The kiosk.toml whose languages and playlist apply (default: ./kiosk.toml if present).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Treat warnings as failures (exit status 1).
        #[arg(long)]
        strict: bool,
        /// `text` for people, `json` for tools.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The language of the messages: zh or en (default: the system's, from LANG).
        #[arg(long, value_name = "zh|en")]
        lang: Option<String>,
    },
    /// Open one exhibit in a window as visitors will see it, without attract loop or home
    /// screen, reloading on every save; while it has errors the window shows them instead.
    /// Nothing is recorded.
    Preview {
        /// The exhibit's folder (or its exhibit.toml).
        exhibit: PathBuf,
        /// The kiosk.toml whose languages and screen apply (default: ./kiosk.toml if present).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The language to show the exhibit and the problems in: zh or en (default: the
        /// system's if the kiosk has it, else the kiosk's first language).
        #[arg(long, value_name = "zh|en")]
        lang: Option<String>,
        /// Check the exhibit in large-text mode.
        #[arg(long)]
        large_text: bool,
        /// Check the exhibit in high-contrast mode.
        #[arg(long)]
        high_contrast: bool,
        /// Check the exhibit in seated mode (controls within reach of a wheelchair).
        #[arg(long)]
        seated: bool,
        /// The window's size in pixels, e.g. 1920x1080 (default: the kiosk's screen size).
        #[arg(long, value_name = "WxH")]
        window_size: Option<String>,
        /// Save a screenshot to this PNG once the exhibit (or its problems) is on screen, then
        /// exit: for scripts.
        #[arg(long, value_name = "PNG")]
        screenshot: Option<PathBuf>,
        /// With --screenshot: keep watching, and save NAME-2.png, NAME-3.png … after each
        /// save of the exhibit (the first is NAME-1.png).
        #[arg(long, requires = "screenshot")]
        every_save: bool,
    },
    /// Write a new exhibit of KIND into DIR/ID: an exhibit.toml with every field explained
    /// and placeholder texts and pictures to replace; it passes `validate --strict` as written.
    New {
        /// What kind of exhibit: the manifest's `kind`.
        #[arg(value_enum)]
        kind: Kind,
        /// The exhibit's id, also its folder's name: lowercase letters a-z, digits, - and _.
        id: String,
        /// The folder of exhibits to put it in (default: the exhibits folder of ./kiosk.toml
        /// if present, else ./exhibits).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Print the JSON Schema of exhibit.toml, for editors to complete and check manifests.
    Schema,
    /// Read a staff PIN from standard input and print the line to put in kiosk.toml.
    HashPin,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// An exhibit kind as `new` takes it: the names a manifest's `kind` uses.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Kind {
    Story,
    Quiz,
    Hotspots,
    Simulation,
    Sort,
}

impl From<Kind> for ExhibitKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Story => Self::Story,
            Kind::Quiz => Self::Quiz,
            Kind::Hotspots => Self::Hotspots,
            Kind::Simulation => Self::Simulation,
            Kind::Sort => Self::Sort,
        }
    }
}

/// glibc's allocator raises its mmap threshold each time a large block is freed, so after the
/// first full-screen pictures are decoded and released, later ones come from the heap and their
/// pages are never given back: the soak test measured resident memory stepping up by 16 MiB
/// after some hundreds of visitors and staying there. A fixed threshold keeps large blocks in
/// mmap, returned on free (the same soak stays flat, and 20 MiB lower). glibc reads it from the
/// environment at start, so the kiosk starts itself once more with it set (exec, same pid).
const MALLOC_THRESHOLD_ENV: &str = "MALLOC_MMAP_THRESHOLD_";
const MALLOC_THRESHOLD_BYTES: &str = "262144";

fn restart_with_fixed_malloc_threshold() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os(MALLOC_THRESHOLD_ENV).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let error = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(MALLOC_THRESHOLD_ENV, MALLOC_THRESHOLD_BYTES)
        .exec();
    // Only reached when exec failed: run on with the default allocator settings.
    eprintln!("kepu-kiosk: could not restart with {MALLOC_THRESHOLD_ENV} set: {error}");
}

fn main() -> ExitCode {
    let process_start = std::time::Instant::now();
    let cli = Cli::parse();
    if matches!(cli.command, Command::Run { .. }) {
        restart_with_fixed_malloc_threshold();
    }
    match cli.command {
        Command::Validate {
            dir,
            config,
            strict,
            format,
            lang,
        } => match message_language(lang.as_deref()) {
            Ok(language) => validate(dir, config, strict, format, language),
            Err(err) => {
                eprintln!("kepu-kiosk: {err}");
                ExitCode::from(2)
            }
        },
        Command::Preview {
            exhibit,
            config,
            lang,
            large_text,
            high_contrast,
            seated,
            window_size,
            screenshot,
            every_save,
        } => {
            let options = PreviewOptions {
                exhibit,
                config,
                lang,
                modes: AccessibilityModes {
                    large_text,
                    high_contrast,
                    seated,
                },
                window_size,
                screenshot: screenshot.map(|path| (path, every_save)),
            };
            match preview(options) {
                Ok(code) => code,
                Err(err) => {
                    eprintln!("kepu-kiosk: {err:#}");
                    ExitCode::from(2)
                }
            }
        }
        Command::New { kind, id, dir } => new_exhibit(kind.into(), &id, dir),
        Command::Schema => {
            let schema = kepu_core::manifest::json_schema();
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Command::HashPin => hash_pin(),
        Command::Run {
            config,
            windowed,
            start_session,
            open,
            still_there_now,
            modes,
            play,
            staff_panel,
            window_size,
            screenshot,
            autopilot,
            seed,
            headless,
            measure_frames,
            measure_idle,
        } => match parse_size(&window_size).and_then(|size| {
            let kiosk = KioskToRun::find(config)?;
            // The samples are a developer's or curator's first look, never a kiosk on the floor.
            let windowed = windowed || kiosk.sample;
            run(
                kiosk,
                windowed.then_some(size),
                Automation {
                    start_session_in: start_session,
                    open_exhibit: open,
                    still_there_now,
                    modes,
                    play,
                    staff_panel,
                    screenshot,
                    autopilot: autopilot.map(|visitors| (visitors, seed)),
                    measure_frames,
                    measure_idle: measure_idle.map(Duration::from_secs),
                    process_start: Some(process_start),
                },
                headless,
            )
        }) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("kepu-kiosk: {err:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// `--lang`, or the system's language (LC_ALL, LC_MESSAGES, LANG).
fn message_language(lang: Option<&str>) -> anyhow::Result<MessageLanguage> {
    match lang {
        Some(tag) => MessageLanguage::from_tag(tag)
            .with_context(|| format!("--lang takes zh or en, not {tag:?}")),
        None => Ok(MessageLanguage::from_locale()),
    }
}

/// The kiosk.toml given with --config, else ./kiosk.toml when there is one; a broken one is
/// a problem to report, not a reason to check nothing.
fn kiosk_config(config_path: Option<PathBuf>) -> (Option<KioskConfig>, Option<Problem>) {
    let config_path = config_path.or_else(|| {
        let default = PathBuf::from("kiosk.toml");
        default.exists().then_some(default)
    });
    match &config_path {
        Some(path) => match KioskConfig::load(path) {
            Ok(config) => (Some(config), None),
            Err(err) => (None, Some(Problem::error_in_both(path, err.said()))),
        },
        None => (None, None),
    }
}

fn validate(
    dir: Option<PathBuf>,
    config_path: Option<PathBuf>,
    strict: bool,
    format: Format,
    language: MessageLanguage,
) -> ExitCode {
    let (config, config_problem) = kiosk_config(config_path);
    let dir = dir
        .or_else(|| config.as_ref().map(|c| c.exhibits_dir.clone()))
        .unwrap_or_else(|| PathBuf::from("exhibits"));
    let mut rules = config
        .as_ref()
        .map_or_else(ValidationRules::default, KioskConfig::validation_rules);
    rules.decode_images = true;
    let mut catalog = match load_for_checking(&dir, &rules) {
        Ok(catalog) => catalog,
        Err(err) => {
            eprintln!("kepu-kiosk: {}", err.message_in(language));
            return ExitCode::from(2);
        }
    };
    // A kiosk's playlist names exhibits of its whole folder, not of one exhibit.
    let whole_folder = dir.is_dir() && !dir.join(kepu_core::manifest::MANIFEST_FILE).exists();
    if let Some(config) = &config
        && whole_folder
    {
        config.arrange(&mut catalog);
    }
    catalog.problems.extend(config_problem);
    let problems = catalog.all_problems();
    let errors = catalog.error_count();
    let warnings = problems.len() - errors;
    let mut lines = Vec::new();
    match format {
        Format::Text => {
            // Each problem with its line of the file and a caret under the column, like a
            // compiler: a curator sees the mistake without counting columns.
            let mut sources: std::collections::HashMap<&std::path::Path, String> =
                std::collections::HashMap::new();
            for problem in &problems {
                let source = sources
                    .entry(problem.file.as_path())
                    .or_insert_with(|| std::fs::read_to_string(&problem.file).unwrap_or_default());
                lines.push(problem.render_in(source, language));
            }
            let languages = rules.required_languages.join(", ");
            let (valid, left_out) = (catalog.exhibits.len(), catalog.rejected.len());
            let folder = dir.display();
            match language {
                MessageLanguage::Chinese => {
                    if config.is_none() {
                        lines.push(format!(
                            "按默认语言 {languages} 检查（没有 kiosk.toml；用 --config kiosk.toml 可按展台自己的设置检查）"
                        ));
                    }
                    lines.push(format!(
                        "{folder}：{valid} 个展品通过，{left_out} 个未通过；{errors} 个错误，{warnings} 个警告"
                    ));
                }
                MessageLanguage::English => {
                    if config.is_none() {
                        lines.push(format!(
                            "checked for the languages {languages} (no kiosk.toml: the defaults; --config kiosk.toml checks a kiosk's own)"
                        ));
                    }
                    lines.push(format!(
                        "{folder}: {valid} exhibits valid, {left_out} left out; {errors} errors, {warnings} warnings"
                    ));
                }
            }
        }
        Format::Json => {
            let report = serde_json::json!({
                "folder": dir,
                "languages": rules.required_languages,
                "exhibits_valid": catalog.exhibits.len(),
                "exhibits_left_out": catalog.rejected.len(),
                "errors": errors,
                "warnings": warnings,
                "problems": problems,
            });
            lines.push(serde_json::to_string_pretty(&report).unwrap_or_default());
        }
    }
    print_lines(&lines);
    if errors > 0 {
        ExitCode::from(2)
    } else if strict && warnings > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `new`: writes a new exhibit's folder; refuses to touch one that is already there.
fn new_exhibit(kind: ExhibitKind, id: &str, dir: Option<PathBuf>) -> ExitCode {
    let files = match kepu_core::manifest::new_exhibit(kind, id) {
        Ok(files) => files,
        Err(err) => {
            eprintln!("kepu-kiosk: {err}");
            return ExitCode::from(2);
        }
    };
    let config_path = PathBuf::from("kiosk.toml");
    let config = match (&dir, config_path.exists()) {
        (None, true) => match KioskConfig::load(&config_path) {
            Ok(config) => Some(config),
            Err(err) => {
                eprintln!("kepu-kiosk: {err}; fix it, or say where the exhibits are with --dir");
                return ExitCode::from(2);
            }
        },
        _ => None,
    };
    let dir = dir
        .or_else(|| config.as_ref().map(|c| c.exhibits_dir.clone()))
        .unwrap_or_else(|| PathBuf::from("exhibits"));
    let folder = dir.join(id);
    if folder.exists() {
        eprintln!(
            "kepu-kiosk: {} already exists; nothing was written. Choose another id, or move that folder away first",
            folder.display()
        );
        return ExitCode::from(2);
    }
    // create_dir (not create_dir_all) for the exhibit itself: it fails if the folder
    // appeared meanwhile, so nothing is ever written into someone's exhibit.
    let created = std::fs::create_dir_all(&dir).and_then(|()| std::fs::create_dir(&folder));
    if let Err(err) = created {
        eprintln!("kepu-kiosk: cannot create {}: {err}", folder.display());
        return ExitCode::from(2);
    }
    let mut lines = Vec::new();
    for (relative, bytes) in &files {
        let path = folder.join(relative);
        if let Err(err) = std::fs::write(&path, bytes) {
            eprintln!("kepu-kiosk: cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
        lines.push(format!("wrote {}", path.display()));
    }
    if let Some(config) = &config {
        let extra: Vec<&str> = config
            .languages
            .iter()
            .map(String::as_str)
            .filter(|l| !matches!(*l, "zh" | "en"))
            .collect();
        if !extra.is_empty() {
            lines.push(format!(
                "kiosk.toml also asks for text in {}: add it next to zh and en in every text",
                extra.join(", ")
            ));
        }
    }
    let manifest = folder.join(kepu_core::manifest::MANIFEST_FILE);
    lines.push(format!(
        "next: edit {} and replace the placeholder pictures, then:",
        manifest.display()
    ));
    lines.push(format!("    kepu-kiosk validate {}", folder.display()));
    print_lines(&lines);
    ExitCode::SUCCESS
}

/// Prints `lines` to standard output; a reader that stops early (`validate … | head`) ends
/// the printing quietly instead of a panic.
fn print_lines(lines: &[String]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return;
        }
    }
    let _ = out.flush();
}

fn hash_pin() -> ExitCode {
    eprint!("Staff PIN (4 to 12 digits): ");
    let mut pin = String::new();
    if std::io::stdin().read_line(&mut pin).is_err() {
        eprintln!("kepu-kiosk: cannot read the PIN");
        return ExitCode::FAILURE;
    }
    let pin = pin.trim();
    if !(4..=12).contains(&pin.len()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        eprintln!("kepu-kiosk: a staff PIN is 4 to 12 digits");
        return ExitCode::FAILURE;
    }
    println!("staff_pin_hash = \"{}\"", kepu_core::pin::hash_pin(pin));
    ExitCode::SUCCESS
}

/// `1920x1080` to (1920, 1080).
fn parse_size(text: &str) -> anyhow::Result<(u32, u32)> {
    let parsed = text
        .split_once('x')
        .and_then(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)))
        .filter(|(w, h): &(u32, u32)| *w >= 320 && *h >= 240);
    parsed
        .with_context(|| format!("--window-size wants WIDTHxHEIGHT, like 1920x1080, not {text:?}"))
}

/// The configuration `run` runs with: a kiosk.toml, or the sample exhibits when there is none.
struct KioskToRun {
    config: KioskConfig,
    /// No kiosk.toml: the bundled sample exhibits, data in a cache folder, nothing uploaded.
    sample: bool,
}

impl KioskToRun {
    /// The kiosk.toml named by --config or KEPU_KIOSK_CONFIG (missing: an error), else
    /// ./kiosk.toml, else the sample exhibits, said on the terminal.
    fn find(named: Option<PathBuf>) -> anyhow::Result<Self> {
        let here = PathBuf::from("kiosk.toml");
        let path = match named {
            Some(path) => path,
            None if here.exists() => here,
            None => return Self::sample(),
        };
        // The error says its cause in its own message: anyhow's chain would say it twice.
        let config = KioskConfig::load(&path).map_err(|err| anyhow::anyhow!("{err}"))?;
        Ok(Self {
            config,
            sample: false,
        })
    }

    fn sample() -> anyhow::Result<Self> {
        let source_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let exhibits = [PathBuf::from("exhibits"), source_dir.join("exhibits")]
            .into_iter()
            .find(|dir| dir.is_dir())
            .with_context(|| {
                format!(
                    "no kiosk.toml here and no exhibits folder (looked in ./exhibits and {}): \
                     copy kiosk.example.toml to kiosk.toml and set its exhibits_dir, or name one \
                     with --config",
                    source_dir.join("exhibits").display()
                )
            })?;
        let exhibits = std::path::absolute(&exhibits).unwrap_or(exhibits);
        let data_dir = sample_data_dir();
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("cannot create {}", data_dir.display()))?;
        let mut config = offline_config("sample")?;
        config.exhibits_dir = exhibits;
        config.data_dir = data_dir;
        let example = [
            PathBuf::from("kiosk.example.toml"),
            source_dir.join("kiosk.example.toml"),
        ]
        .into_iter()
        .find(|file| file.is_file())
        .map_or_else(
            || "kiosk.example.toml (in the source)".to_owned(),
            |file| file.display().to_string(),
        );
        eprintln!(
            "kepu-kiosk: no kiosk.toml here (none given with --config or KEPU_KIOSK_CONFIG), so \
             this runs the sample exhibits of {} in a window, keeping its data in {}; nothing is \
             sent to a server. To set up a kiosk, copy {example} to kiosk.toml and edit it.",
            config.exhibits_dir.display(),
            config.data_dir.display(),
        );
        Ok(Self {
            config,
            sample: true,
        })
    }
}

/// Where a sample run keeps its outbox and thumbnails: the user's cache folder
/// ($XDG_CACHE_HOME, else ~/.cache), else the temporary folder; per user, so two people on
/// one machine never share one.
fn sample_data_dir() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|dir| !dir.is_empty())
                .map(|home| PathBuf::from(home).join(".cache"))
        });
    match cache {
        Some(cache) => cache.join("kepu-kiosk").join("sample"),
        None => {
            let user = std::env::var("USER").unwrap_or_else(|_| "user".to_owned());
            std::env::temp_dir().join(format!("kepu-kiosk-sample-{user}"))
        }
    }
}

/// Runs the kiosk: fullscreen, or in a window of `windowed` size.
fn run(
    kiosk: KioskToRun,
    windowed: Option<(u32, u32)>,
    automation: Automation,
    headless: bool,
) -> anyhow::Result<()> {
    let windowed_size = windowed;
    let windowed = windowed.is_some();
    let KioskToRun { config, sample } = kiosk;
    let mut settings = KioskSettings::from_config(&config);
    let content = Content::load(&config);
    let mut engagement =
        Engagement::open(&config).with_context(|| "cannot open the engagement outbox")?;
    if !sample {
        match config.read_token() {
            Ok(token) => {
                engagement = engagement.with_uploader(UploaderConfig::new(
                    &config.server_url,
                    &token,
                    config.outbox_path(),
                ));
            }
            Err(err) => {
                eprintln!("kepu-kiosk: {err}; events are kept in the outbox until it is fixed");
            }
        }
    }
    if let (true, Some((visitors, seed))) = (headless, automation.autopilot) {
        let started = std::time::Instant::now();
        let report =
            kepu_kiosk::autopilot::run_headless(settings, content, engagement, visitors, seed);
        let mib = |kib: Option<u64>| kib.map_or_else(|| "?".to_owned(), |k| (k / 1024).to_string());
        println!(
            "autopilot: {} visitors, {} frames, {} events written, {} lost, resident memory {} MiB after 100 visitors, {} MiB at the end, {:.1} s",
            report.visitors,
            report.frames,
            report.events_written,
            report.events_lost,
            mib(report.rss_after_100_kib),
            mib(report.rss_at_end_kib),
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    if automation.autopilot.is_some() {
        // Synthetic visitors do not wait a minute to walk away.
        settings.idle_timeout = Duration::from_secs(3);
        settings.idle_countdown = Duration::from_secs(2);
    }

    // Reactive: redraw on input, and otherwise only when something is due (`wake_plan`).
    // Screenshot runs need a steady stream of frames to settle.
    let update_mode = if automation.screenshot.is_some()
        || automation.autopilot.is_some()
        || automation.measure_frames.is_some()
    {
        UpdateMode::Continuous
    } else {
        // Device events (raw mouse motion anywhere) are no reason to draw; touches and window
        // events are. The wake alarm (ui::host) rings earlier when something is due.
        UpdateMode::reactive_low_power(kepu_kiosk::wake::LONGEST_SLEEP)
    };

    let mut app = window_app(
        kepu_kiosk::window_plugin(windowed, windowed_size),
        update_mode,
    );
    if !windowed {
        app.add_plugins((
            kepu_kiosk::cover_the_monitor_plugin,
            kepu_kiosk::screen_awake::plugin,
        ));
    }
    kepu_kiosk::kiosk_plugins(&mut app, settings, content, engagement);
    if let Some((visitors, seed)) = automation.autopilot {
        app.insert_resource(kepu_kiosk::autopilot::Autopilot::new(visitors, seed))
            .add_plugins(kepu_kiosk::autopilot::plugin)
            .add_systems(Update, kepu_kiosk::autopilot::exit_when_done);
    }
    app.insert_resource(automation).add_plugins((
        kepu_kiosk::ui::host::window_plugin,
        kepu_kiosk::automation::plugin,
    ));
    match app.run() {
        AppExit::Success => Ok(()),
        AppExit::Error(code) => anyhow::bail!("the kiosk exited with error code {code}"),
    }
}

/// The Bevy app of a kiosk in a window, before the kiosk's own plugins: renderer, egui, the
/// camera, and how often it draws.
fn window_app(window: bevy::window::WindowPlugin, update_mode: UpdateMode) -> App {
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(window));
    // The render world hands the main world the time its last frame ended, so the first
    // update after the window slept would see a clock that stopped when it fell asleep: the
    // "Still there?" overlay would come one sleep late. Without the channel, the main world
    // reads the clock itself.
    app.world_mut()
        .remove_resource::<bevy::time::TimeReceiver>();
    app.insert_resource(WinitSettings {
        focused_mode: update_mode,
        unfocused_mode: update_mode,
    })
    .insert_resource(ClearColor(Color::srgb(0.97, 0.96, 0.93)))
    .add_plugins(EguiPlugin::default())
    // egui binds fonts at the start of a pass, and the window's first pass is already running
    // when the UI host first draws: its headings, in the bold family, would name a family
    // egui does not know yet. Installed when the context appears, the fonts are there from the
    // first pass on (the host's own install then finds them unchanged).
    .add_systems(
        PreUpdate,
        install_fonts_on_new_contexts
            .after(bevy_egui::EguiPreUpdateSet::InitContexts)
            .before(bevy_egui::EguiPreUpdateSet::BeginPass),
    )
    .add_systems(Startup, |mut commands: Commands| {
        // egui smooths its own edges, so multisampling would only add work and memory: at
        // 1920x1080 a 4x colour target and depth buffer are ~60 MiB, and under a software
        // renderer every frame resolves them.
        commands.spawn((Camera2d, Msaa::Off));
    });
    app
}

fn install_fonts_on_new_contexts(
    mut contexts: Query<&mut bevy_egui::EguiContext, Added<bevy_egui::EguiContext>>,
) {
    for mut context in &mut contexts {
        kepu_kiosk::ui::theme::Theme::default().install(context.get_mut());
    }
}

/// What `kepu-kiosk preview` was asked for.
struct PreviewOptions {
    exhibit: PathBuf,
    config: Option<PathBuf>,
    lang: Option<String>,
    modes: AccessibilityModes,
    window_size: Option<String>,
    /// The PNG, and whether to save one after every save of the exhibit.
    screenshot: Option<(PathBuf, bool)>,
}

/// A kiosk.toml for a preview or a sample run without one: the default languages and screen;
/// its server is never called (neither sends anything).
fn offline_config(kiosk_id: &str) -> anyhow::Result<KioskConfig> {
    KioskConfig::parse(&format!(
        "kiosk_id = \"{kiosk_id}\"\nserver_url = \"http://127.0.0.1:9\"\n"
    ))
    .map_err(anyhow::Error::msg)
}

/// Longer than any curator looks at one screen: a preview never times out to the attract loop.
const PREVIEW_IDLE_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);

/// `preview`: one exhibit in a window, reloaded on every save, its problems shown while broken.
fn preview(options: PreviewOptions) -> anyhow::Result<ExitCode> {
    let (config, config_problem) = kiosk_config(options.config);
    if let Some(problem) = config_problem {
        anyhow::bail!("{problem}");
    }
    let mut config = match config {
        Some(config) => config,
        None => offline_config("preview")?,
    };
    // The exhibit is shown whatever the kiosk's playlist says.
    config.playlist = None;
    config.attract.exhibits = None;
    let manifest_file = kepu_core::manifest::MANIFEST_FILE;
    let exhibit_dir = if options.exhibit.is_file()
        && options.exhibit.file_name().and_then(|n| n.to_str()) == Some(manifest_file)
    {
        options
            .exhibit
            .parent()
            .map_or_else(|| PathBuf::from("."), std::path::Path::to_owned)
    } else {
        options.exhibit.clone()
    };
    if !exhibit_dir.join(manifest_file).is_file() {
        anyhow::bail!(
            "{} is not an exhibit's folder (it has no {manifest_file}): preview shows one exhibit; `kepu-kiosk validate` checks a folder of them",
            options.exhibit.display()
        );
    }
    if let Some((path, true)) = &options.screenshot {
        let inside = |p: &std::path::Path| std::path::absolute(p).ok();
        if let (Some(shot), Some(folder)) = (
            inside(path.parent().unwrap_or(std::path::Path::new("."))),
            inside(&exhibit_dir),
        ) && shot.starts_with(&folder)
        {
            // Each screenshot would be a change of the exhibit, and reload it again.
            anyhow::bail!(
                "with --every-save the screenshots must go outside the exhibit's folder, not into {}",
                path.display()
            );
        }
    }
    let (language, messages) = preview_language(options.lang.as_deref(), &config.languages)?;
    let size = match &options.window_size {
        Some(text) => parse_size(text)?,
        None => (config.screen.width_px, config.screen.height_px),
    };
    let mut settings = KioskSettings::from_config(&config);
    settings.idle_timeout = PREVIEW_IDLE_TIMEOUT;
    settings.thumbnail_cache = None;
    settings.access_defaults = options.modes;
    let catalog = kepu_kiosk::preview::load_one_exhibit(&exhibit_dir, &config.validation_rules());
    let content = Content::from_loaded(std::sync::Arc::new(config), catalog);

    let update_mode = if options.screenshot.is_some() {
        UpdateMode::Continuous
    } else {
        UpdateMode::reactive_low_power(kepu_kiosk::wake::LONGEST_SLEEP)
    };
    let mut window = kepu_kiosk::window_plugin(true, Some(size));
    if let Some(primary) = &mut window.primary_window {
        primary.title = format!("Kepu Kiosk preview: {}", exhibit_dir.display());
    }
    let mut app = window_app(window, update_mode);
    app.insert_resource(kepu_kiosk::preview::Preview::new(
        exhibit_dir,
        language,
        messages,
    ));
    kepu_kiosk::kiosk_plugins(
        &mut app,
        settings,
        content,
        Engagement::discard_everything(),
    );
    app.add_plugins((
        kepu_kiosk::ui::host::window_plugin,
        kepu_kiosk::preview::plugin,
    ));
    if let Some((path, every_save)) = options.screenshot {
        app.insert_resource(kepu_kiosk::preview::PreviewShots::new(path, every_save))
            .add_plugins(kepu_kiosk::preview::screenshot_plugin);
    }
    match app.run() {
        AppExit::Success => Ok(ExitCode::SUCCESS),
        AppExit::Error(code) => anyhow::bail!("the preview exited with error code {code}"),
    }
}

/// The visitor's language and the problems' for a preview: `--lang`, else the system's when
/// the kiosk offers it, else the kiosk's first language.
fn preview_language(
    lang: Option<&str>,
    languages: &[String],
) -> anyhow::Result<(String, MessageLanguage)> {
    let tag = |messages: MessageLanguage| match messages {
        MessageLanguage::Chinese => "zh",
        MessageLanguage::English => "en",
    };
    if let Some(lang) = lang {
        let messages = message_language(Some(lang))?;
        let language = tag(messages);
        if !languages.iter().any(|l| l == language) {
            anyhow::bail!(
                "the kiosk has no {language} (its languages: {}): give one of them with --lang",
                languages.join(", ")
            );
        }
        return Ok((language.to_owned(), messages));
    }
    let messages = MessageLanguage::from_locale();
    let language = if languages.iter().any(|l| l == tag(messages)) {
        tag(messages).to_owned()
    } else {
        languages
            .first()
            .cloned()
            .unwrap_or_else(|| "zh".to_owned())
    };
    Ok((language, messages))
}
