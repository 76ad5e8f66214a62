//! A story for one visitor: the page on screen and whether they asked to hear it read out.
//! The narration thread follows `narration` (crate::narration); drawing in `ui::story_screen`.

use crate::ui::StoryCommand;
use kepu_core::manifest::ExhibitManifest;
use kepu_core::wire::EventKind;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoryProgress {
    /// The page on screen, from 0.
    pub page: usize,
    pub narration: Listening,
}

/// What the visitor asked of a story's narration. Once on, it follows them from page to page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Listening {
    #[default]
    Off,
    On,
    Paused,
}

impl StoryProgress {
    pub fn apply(&mut self, manifest: &ExhibitManifest, command: &StoryCommand) -> Vec<EventKind> {
        match command {
            StoryCommand::TurnPage(delta) => self.turn_page(manifest, *delta),
            // Listen / pause / continue depends on what the sound device is doing: the
            // narration module, which knows, answers it and sets `narration`.
            StoryCommand::ToggleNarration => Vec::new(),
        }
    }

    /// Moves by `delta` pages, staying within the story's pages.
    pub fn turn_page(&mut self, manifest: &ExhibitManifest, delta: isize) -> Vec<EventKind> {
        let pages = manifest.pages.len();
        let target = self
            .page
            .saturating_add_signed(delta)
            .min(pages.saturating_sub(1));
        if target == self.page {
            return Vec::new();
        }
        self.page = target;
        vec![EventKind::StoryPageView {
            exhibit_id: manifest.id.clone(),
            page: u32::try_from(target + 1).unwrap_or(u32::MAX),
        }]
    }
}
