//! A simulation for one visitor: the model, its parameters as the visitor set them, and how
//! they played with it, summarised in one event when they leave.

use crate::ui::SimCommand;
use kepu_core::manifest::ExhibitManifest;
use kepu_core::sim::{FixedStep, ParameterValues, SimModel, initial_values};
use kepu_core::slider::SliderRange;
use kepu_core::wire::EventKind;
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct SimProgress {
    pub model_name: String,
    pub values: ParameterValues,
    pub sim: SimModel,
    clock: FixedStep,
    pub running: bool,
    /// How many times each parameter was changed.
    pub changes: BTreeMap<String, u32>,
    /// Play presses and resets.
    pub runs: u32,
    /// Simulated run time on screen, real seconds.
    pub played: Duration,
}

impl SimProgress {
    /// Changes by the visitor; none is an event of its own (the visit's summary is recorded
    /// when they leave).
    pub fn apply(&mut self, manifest: &ExhibitManifest, command: &SimCommand) -> Vec<EventKind> {
        match command {
            SimCommand::SetParameter(id, value) => self.set_parameter(manifest, id, *value),
            SimCommand::SimPlay => self.play(),
            SimCommand::SimPause => self.pause(),
            SimCommand::SimReset => self.reset(),
        }
        Vec::new()
    }

    /// The model at the curator's defaults, paused.
    pub fn new(manifest: &ExhibitManifest) -> Option<Self> {
        let model_name = manifest.model.clone()?;
        let values = initial_values(&manifest.parameters);
        let sim = SimModel::from_manifest(&model_name, &values).ok()?;
        Some(Self {
            clock: sim.clock(),
            model_name,
            values,
            sim,
            running: false,
            changes: BTreeMap::new(),
            runs: 0,
            played: Duration::ZERO,
        })
    }

    /// Sets a parameter (clamped to the manifest's slider range and step) and restarts the
    /// model from its release with the new value, keeping play or pause.
    pub fn set_parameter(&mut self, manifest: &ExhibitManifest, id: &str, value: f64) {
        let Some(parameter) = manifest.parameters.iter().find(|p| p.id == id) else {
            return;
        };
        if !value.is_finite() {
            return;
        }
        let value = SliderRange::from(parameter).snap(value);
        if self.values.get(id) == Some(&value) {
            return;
        }
        self.values.insert(id.to_owned(), value);
        *self.changes.entry(id.to_owned()).or_default() += 1;
        self.rebuild();
    }

    pub fn play(&mut self) {
        if !self.running {
            self.running = true;
            self.runs += 1;
        }
    }

    pub fn pause(&mut self) {
        self.running = false;
    }

    /// Back to the release point, paused.
    pub fn reset(&mut self) {
        self.running = false;
        self.rebuild();
    }

    fn rebuild(&mut self) {
        if let Ok(sim) = SimModel::from_manifest(&self.model_name, &self.values) {
            self.clock = sim.clock();
            self.sim = sim;
        }
    }

    /// Advances by one frame of real time, at the model's suggested speed, in fixed steps (so
    /// the physics never depends on the frame rate).
    pub fn advance(&mut self, frame: Duration) {
        if !self.running {
            return;
        }
        self.played += frame;
        let steps = self
            .clock
            .advance(frame.as_secs_f64() * self.sim.suggested_time_scale());
        let dt = self.sim.fixed_step_s();
        for _ in 0..steps {
            self.sim.step(dt);
        }
    }

    /// The visit's summary, for when the visitor leaves.
    pub fn summary(&self, exhibit_id: &str) -> EventKind {
        EventKind::SimulationSummary {
            exhibit_id: exhibit_id.to_owned(),
            parameter_changes: self.changes.clone(),
            played_ms: u64::try_from(self.played.as_millis()).unwrap_or(u64::MAX),
            runs: self.runs,
        }
    }
}
