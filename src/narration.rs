//! Narration: a story page read out in the visitor's language, with play, pause and continue.
//! Decoding and the sound device live on their own thread (a slow disk or a missing sound card
//! never holds up a frame); this plugin keeps that thread doing what the visitor asked.
//!
//! Once the visitor presses "Listen", each page they turn to is read out until they pause. A
//! page without a recording in their language offers no narration: the voice always matches
//! the caption (the page text) on screen.

use crate::KioskSet;
use crate::content::Content;
use crate::play::story::Listening;
use crate::ui::StoryCommand;
use crate::ui::UiCommand;
use crate::visit::{Player, Visit};
use crate::wake::{Answers, Reply, WindowWaker};
use bevy::prelude::*;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

pub(super) fn plugin(app: &mut App) {
    let waker = WindowWaker::for_app(app);
    app.insert_resource(Narrator::start(waker))
        .add_systems(Update, follow_the_visitor.in_set(KioskSet::Session));
}

/// What the narration is doing, for the story screen's button.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum NarrationState {
    /// Nothing asked, or the visitor left the page.
    #[default]
    Off,
    Playing,
    Paused,
    /// The page's recording played to its end.
    Finished,
    /// It could not be played (no sound device, an unreadable file): the reason, for the log
    /// and a quiet note on screen.
    Failed(String),
}

/// Orders for the audio thread.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AudioCommand {
    /// Play this file from its start (replacing whatever played).
    Play(PathBuf),
    Pause,
    Resume,
    Stop,
}

/// What the audio thread reports back.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AudioReport {
    Finished(PathBuf),
    Failed(PathBuf, String),
}

/// The kiosk's end of the audio thread, and what it was last asked to do.
#[derive(Resource)]
pub struct Narrator {
    commands: Option<Sender<AudioCommand>>,
    reports: Answers<AudioReport>,
    /// The recording asked for (playing, paused or finished), if any.
    current: Option<PathBuf>,
    pub state: NarrationState,
}

impl Narrator {
    fn start(waker: WindowWaker) -> Self {
        let (commands, command_receiver) = mpsc::channel();
        let spawned = Answers::spawn("narration", waker, move |reports| {
            play_narration(&command_receiver, &reports);
        });
        let (commands, reports) = match spawned {
            Ok(reports) => (Some(commands), reports),
            Err(err) => {
                error!("cannot start the narration thread; stories are not read out: {err}");
                (None, Answers::disconnected())
            }
        };
        Self {
            commands,
            reports,
            current: None,
            state: NarrationState::Off,
        }
    }

    fn send(&self, command: AudioCommand) {
        if let Some(commands) = &self.commands {
            // Fails only if the thread is gone, which `start` already reported.
            let _ = commands.send(command);
        }
    }

    /// The recording asked for now, for tests and the figures.
    pub fn current(&self) -> Option<&std::path::Path> {
        self.current.as_deref()
    }
}

/// The recording for the page on screen in the visitor's language, if the visitor is on a
/// story page that has one.
pub fn page_narration(visit: &Visit, content: &Content) -> Option<(PathBuf, Listening)> {
    let open = visit.open.as_ref()?;
    let Player::Story(story) = &open.player else {
        return None;
    };
    let exhibit = content.catalog.exhibits.get(open.index)?;
    let file = exhibit
        .manifest
        .pages
        .get(story.page)?
        .narration
        .as_ref()?
        .for_language(&visit.language)?;
    Some((exhibit.asset_path(file), story.narration))
}

/// Applies the visitor's "Listen / Pause / Continue" and keeps the audio thread in step with
/// the page, language and session: a new page or language starts its own recording, leaving
/// the story (or the session ending) stops it.
fn follow_the_visitor(
    content: Res<Content>,
    mut visit: ResMut<Visit>,
    mut narrator: ResMut<Narrator>,
    mut ui_commands: MessageReader<UiCommand>,
) {
    for report in narrator.reports.drain() {
        match report {
            AudioReport::Finished(path) if narrator.current.as_ref() == Some(&path) => {
                narrator.state = NarrationState::Finished;
            }
            AudioReport::Failed(path, reason) if narrator.current.as_ref() == Some(&path) => {
                warn!("cannot play the narration {}: {reason}", path.display());
                narrator.state = NarrationState::Failed(reason);
            }
            _ => {}
        }
    }
    let mut replay = false;
    if ui_commands
        .read()
        .any(|command| *command == UiCommand::Story(StoryCommand::ToggleNarration))
        && let Some(open) = &mut visit.open
        && let Player::Story(story) = &mut open.player
    {
        story.narration = match (story.narration, &narrator.state) {
            (Listening::On, NarrationState::Playing) => Listening::Paused,
            // "Listen again" after the end or a failure, or "Continue" after a pause.
            (Listening::On, _) => {
                replay = true;
                Listening::On
            }
            (Listening::Off | Listening::Paused, _) => Listening::On,
        };
    }
    let wanted = page_narration(&visit, &content);
    match wanted {
        Some((path, Listening::On)) => {
            let same = narrator.current.as_ref() == Some(&path);
            if !same || replay {
                narrator.send(AudioCommand::Play(path.clone()));
                narrator.current = Some(path);
                narrator.state = NarrationState::Playing;
            } else if narrator.state == NarrationState::Paused {
                narrator.send(AudioCommand::Resume);
                narrator.state = NarrationState::Playing;
            }
        }
        Some((path, Listening::Paused)) if narrator.current.as_ref() == Some(&path) => {
            if narrator.state == NarrationState::Playing {
                narrator.send(AudioCommand::Pause);
                narrator.state = NarrationState::Paused;
            }
        }
        _ => {
            if narrator.current.take().is_some() {
                narrator.send(AudioCommand::Stop);
            }
            narrator.state = NarrationState::Off;
        }
    }
}

/// How long the sound device stays open after the last narration: reopening it costs a
/// moment, keeping it open costs a little CPU for every period of silence it plays.
const DEVICE_LINGER: Duration = Duration::from_secs(30);

/// How often a playing narration is checked for its end.
const END_CHECK: Duration = Duration::from_millis(200);

/// The audio thread: opens the default sound device when first needed, decodes and plays one
/// recording at a time, reports its end, and closes the device when it has been idle a while.
fn play_narration(commands: &Receiver<AudioCommand>, reports: &Reply<AudioReport>) {
    let mut device: Option<rodio::MixerDeviceSink> = None;
    let mut playing: Option<(PathBuf, rodio::Player)> = None;
    let mut idle_since = Instant::now();
    loop {
        let wait = if playing.is_some() {
            END_CHECK
        } else if device.is_some() {
            DEVICE_LINGER
        } else {
            Duration::MAX
        };
        let command = if wait == Duration::MAX {
            commands.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            commands.recv_timeout(wait)
        };
        match command {
            Ok(AudioCommand::Play(path)) => {
                playing = None;
                match start(&mut device, &path) {
                    Ok(player) => playing = Some((path, player)),
                    Err(reason) => {
                        reports.send(AudioReport::Failed(path, reason));
                    }
                }
            }
            Ok(AudioCommand::Pause) => {
                if let Some((_, player)) = &playing {
                    player.pause();
                }
            }
            Ok(AudioCommand::Resume) => {
                if let Some((_, player)) = &playing {
                    player.play();
                }
            }
            Ok(AudioCommand::Stop) => playing = None,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if let Some((path, player)) = &playing
            && player.empty()
        {
            reports.send(AudioReport::Finished(path.clone()));
            playing = None;
        }
        if playing.is_some() {
            idle_since = Instant::now();
        } else if device.is_some() && idle_since.elapsed() >= DEVICE_LINGER {
            device = None;
        }
    }
}

/// Opens the device if needed, and starts `path` on it.
fn start(
    device: &mut Option<rodio::MixerDeviceSink>,
    path: &std::path::Path,
) -> Result<rodio::Player, String> {
    let file = std::fs::File::open(path).map_err(|err| format!("cannot open it: {err}"))?;
    let source =
        rodio::Decoder::try_from(file).map_err(|err| format!("cannot decode it: {err}"))?;
    if device.is_none() {
        let mut opened = rodio::DeviceSinkBuilder::open_default_sink()
            .map_err(|err| format!("no sound device: {err}"))?;
        opened.log_on_drop(false);
        *device = Some(opened);
    }
    let mixer = device
        .as_ref()
        .map(rodio::MixerDeviceSink::mixer)
        .ok_or_else(|| "no sound device".to_owned())?;
    let player = rodio::Player::connect_new(mixer);
    player.append(source);
    Ok(player)
}
