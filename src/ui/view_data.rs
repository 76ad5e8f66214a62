//! The view data of a frame: everything the UI reads from the world, borrowed once, turned
//! into the [`KioskView`] every screen draws from.

use super::images::ImageCache;
use super::{ActiveTheme, KioskView};
use crate::content::{Content, KioskSettings};
use crate::staff::{Staff, StaffPhase};
use crate::visit::{IdlePhase, Screen, Visit};
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

/// Everything a frame of UI reads.
#[derive(SystemParam)]
pub struct ViewData<'w> {
    pub(super) screen: Res<'w, State<Screen>>,
    pub(super) theme: Res<'w, ActiveTheme>,
    pub(super) content: Res<'w, Content>,
    pub(super) settings: Res<'w, KioskSettings>,
    pub(super) visit: Res<'w, Visit>,
    pub(super) images: Res<'w, ImageCache>,
    pub(super) time: Res<'w, Time<Real>>,
    pub(super) staff: Res<'w, Staff>,
    pub(super) narrator: Res<'w, crate::narration::Narrator>,
    pub(super) models: Res<'w, super::models::ModelUis>,
    pub(super) preview: Option<Res<'w, crate::preview::Preview>>,
}

impl ViewData<'_> {
    pub fn view(&self) -> KioskView<'_> {
        let language = if self.visit.language.is_empty() {
            self.settings.default_language()
        } else {
            &self.visit.language
        };
        KioskView {
            screen: *self.screen.get(),
            theme: &self.theme.0,
            language,
            languages: &self.settings.languages,
            catalog: &self.content.catalog,
            visit: &self.visit,
            images: &self.images,
            still_there: match self.visit.idle_phase(
                self.time.elapsed(),
                self.settings.idle_timeout,
                self.settings.idle_countdown,
            ) {
                IdlePhase::StillThere { seconds_left } => Some(seconds_left),
                IdlePhase::Active | IdlePhase::Gone => None,
            },
            modes: self.visit.modes_or(self.settings.access_defaults),
            now_secs: self.time.elapsed_secs_f64(),
            slide_secs: self.settings.attract_slide.as_secs_f32(),
            attract_exhibits: self.settings.attract_exhibits.as_deref(),
            staff: (self.staff.phase != StaffPhase::Closed).then_some(&self.staff.view),
            narration: &self.narrator.state,
            models: &self.models,
            preview: self.preview.as_deref().map(|p| &p.view),
        }
    }

    /// Whether the theme changed since the last frame, so egui's visuals must follow.
    pub fn theme_changed(&self) -> bool {
        self.theme.is_changed()
    }
}
