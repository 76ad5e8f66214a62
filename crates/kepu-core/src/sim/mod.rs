//! The maths of the simulation exhibits, apart from any drawing: each built-in model of
//! [`crate::manifest::MODELS`] is a plain struct with a `step(dt)` and accessors for what the
//! screen draws and explains.
//!
//! Models advance by a fixed time step, never by the frame's duration, so a visitor sees the same
//! swing, flight and orbit on a 60 Hz panel, a 144 Hz one or a kiosk that stutters: the frame
//! time goes into a [`FixedStep`] accumulator, which says how many fixed steps to run.
//!
//! Units are SI inside the models (m, s, rad, m/s); constructors and `from_parameters` take the
//! manifest's units (degrees, km, km/s) and convert once.

mod orbit;
mod pendulum;
mod projectile;

pub use orbit::{CentralBody, EARTH, Orbit, OrbitOutcome};
pub use pendulum::{Pendulum, Planet};
pub use projectile::Projectile;

use crate::manifest::{Parameter, model};
use std::collections::BTreeMap;

/// Parameter values by parameter id, in the units of [`crate::manifest::MODELS`].
pub type ParameterValues = BTreeMap<String, f64>;

/// Turns frame durations into a whole number of fixed simulation steps.
///
/// Leftover time smaller than one step is carried into the next frame, so over many frames the
/// simulated time follows the wall clock whatever the frame rate. A long frame (the window was
/// dragged, the machine stalled) runs at most `max_steps_per_frame` steps and drops the rest:
/// catching up in full would make the next frame longer still, and the kiosk would spiral into
/// running nothing but physics. The simulation then lags the wall clock, which nobody notices.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedStep {
    step_s: f64,
    max_steps_per_frame: u32,
    accumulated_s: f64,
}

impl FixedStep {
    /// `step_s` is the simulated time of one step; a non-positive or non-finite step falls back
    /// to one millisecond rather than making [`FixedStep::advance`] loop forever or divide by 0.
    pub fn new(step_s: f64, max_steps_per_frame: u32) -> Self {
        let step_s = if step_s.is_finite() && step_s > 0.0 {
            step_s
        } else {
            1e-3
        };
        Self {
            step_s,
            max_steps_per_frame: max_steps_per_frame.max(1),
            accumulated_s: 0.0,
        }
    }

    /// Adds a frame's duration (in simulated seconds) and returns how many steps to run now.
    /// Negative or non-finite durations count as zero: a clock that jumps back must not rewind
    /// or poison the accumulator.
    pub fn advance(&mut self, frame_dt_s: f64) -> u32 {
        if frame_dt_s.is_finite() && frame_dt_s > 0.0 {
            self.accumulated_s += frame_dt_s;
        }
        let due = (self.accumulated_s / self.step_s).floor();
        if due >= f64::from(self.max_steps_per_frame) {
            // Drop the backlog: see the type's documentation for why.
            self.accumulated_s = 0.0;
            return self.max_steps_per_frame;
        }
        // `due` is below `max_steps_per_frame`, a u32, and not negative: the cast is exact.
        let steps = due as u32;
        self.accumulated_s -= due * self.step_s;
        // Rounding can leave a hair below zero; a negative remainder would steal from the next
        // frame.
        self.accumulated_s = self.accumulated_s.max(0.0);
        steps
    }

    /// The simulated time of one step, in seconds.
    pub fn step_s(&self) -> f64 {
        self.step_s
    }

    pub fn max_steps_per_frame(&self) -> u32 {
        self.max_steps_per_frame
    }

    /// How far into the next step the clock stands, from 0 to 1: a renderer can blend the last
    /// two states by this fraction for smooth motion between steps.
    pub fn alpha(&self) -> f64 {
        (self.accumulated_s / self.step_s).clamp(0.0, 1.0)
    }

    /// Forgets leftover time, e.g. when a visitor restarts a simulation.
    pub fn reset(&mut self) {
        self.accumulated_s = 0.0;
    }
}

/// Why a simulation could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error("there is no simulation model \"{0}\"")]
    UnknownModel(String),
}

/// One of the built-in models, chosen by the manifest's `model = "…"`.
#[derive(Debug, Clone, PartialEq)]
pub enum SimModel {
    Pendulum(Pendulum),
    Projectile(Projectile),
    Orbit(Orbit),
}

impl SimModel {
    /// Builds the model a manifest names from the visitor's current parameter values. A value
    /// that is missing (the curator did not offer that slider) takes the model's everyday
    /// default (Earth's gravity, a 1 m pendulum, …), not the middle of the allowed range, which
    /// would be e.g. 15 m/s² of gravity; every value is clamped into the range the model allows.
    pub fn from_manifest(model_name: &str, values: &ParameterValues) -> Result<Self, SimError> {
        match model_name {
            "pendulum" => Ok(Self::Pendulum(Pendulum::from_parameters(values))),
            "projectile" => Ok(Self::Projectile(Projectile::from_parameters(values))),
            "orbit" => Ok(Self::Orbit(Orbit::from_parameters(values))),
            other => Err(SimError::UnknownModel(other.to_owned())),
        }
    }

    pub fn step(&mut self, dt_s: f64) {
        match self {
            Self::Pendulum(m) => m.step(dt_s),
            Self::Projectile(m) => m.step(dt_s),
            Self::Orbit(m) => m.step(dt_s),
        }
    }

    /// Simulated seconds since the start.
    pub fn time(&self) -> f64 {
        match self {
            Self::Pendulum(m) => m.time(),
            Self::Projectile(m) => m.time(),
            Self::Orbit(m) => m.time(),
        }
    }

    /// The step each model is accurate at (see each model's `FIXED_STEP_S`/`fixed_step`).
    pub fn fixed_step_s(&self) -> f64 {
        match self {
            Self::Pendulum(_) => Pendulum::FIXED_STEP_S,
            Self::Projectile(_) => Projectile::FIXED_STEP_S,
            Self::Orbit(m) => m.fixed_step_s(),
        }
    }

    /// Simulated seconds per wall-clock second that make the exhibit watchable: a pendulum
    /// swings in real time (visitors time it by eye), a long flight is sped up to about ten
    /// seconds, an orbit to about twenty seconds per circular period.
    pub fn suggested_time_scale(&self) -> f64 {
        match self {
            Self::Pendulum(_) => 1.0,
            Self::Projectile(m) => (m.analytic_flight_time() / 10.0).max(1.0),
            Self::Orbit(m) => m.circular_period_s() / 20.0,
        }
    }

    /// A [`FixedStep`] for this model, capped so that one frame never runs more than a quarter
    /// of a second's worth of steps at the suggested time scale.
    pub fn clock(&self) -> FixedStep {
        let step_s = self.fixed_step_s();
        let quarter_second = 0.25 * self.suggested_time_scale() / step_s;
        // Saturating float-to-int cast; at least one step so the model always moves.
        FixedStep::new(step_s, (quarter_second.ceil() as u32).max(1))
    }
}

/// The curator's default for each parameter a manifest offers: the values a simulation starts
/// with before the visitor touches a slider.
pub fn initial_values(parameters: &[Parameter]) -> ParameterValues {
    parameters
        .iter()
        .map(|p| (p.id.clone(), p.default))
        .collect()
}

/// A parameter's value: the given one if finite, else `fallback`, clamped into the range
/// [`crate::manifest::MODELS`] allows, so no slider or hand-edited manifest can hand a model a
/// zero length or a negative gravity.
pub(crate) fn parameter(
    model_name: &str,
    values: &ParameterValues,
    id: &str,
    fallback: f64,
) -> f64 {
    let value = values
        .get(id)
        .copied()
        .filter(|v| v.is_finite())
        .unwrap_or(fallback);
    clamp_to_spec(model_name, id, value)
}

/// Clamps `value` into the allowed range of `model_name`'s parameter `id`; unknown ids pass
/// through (every caller names a known one; the tests check that).
pub(crate) fn clamp_to_spec(model_name: &str, id: &str, value: f64) -> f64 {
    let value = if value.is_finite() { value } else { 0.0 };
    match model(model_name).and_then(|m| m.parameter(id)) {
        Some(spec) => value.clamp(spec.min, spec.max),
        None => value,
    }
}

/// Appends `point` to a trail kept below `max_points`: when full, every other point is dropped
/// and points are recorded half as often, so a long flight keeps its whole shape at a coarser
/// spacing, in bounded memory.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DecimatingTrail {
    points: Vec<(f64, f64)>,
    max_points: usize,
    record_every: u64,
    steps_since_record: u64,
}

impl DecimatingTrail {
    pub(crate) fn new(max_points: usize, first: (f64, f64)) -> Self {
        Self {
            points: vec![first],
            max_points: max_points.max(4),
            record_every: 1,
            steps_since_record: 0,
        }
    }

    /// Called once per step.
    pub(crate) fn step(&mut self, point: (f64, f64)) {
        self.steps_since_record += 1;
        if self.steps_since_record < self.record_every {
            return;
        }
        self.steps_since_record = 0;
        self.push(point);
    }

    /// Records a point whatever the spacing (the landing point, the impact point).
    pub(crate) fn push(&mut self, point: (f64, f64)) {
        if self.points.len() >= self.max_points {
            let mut index = 0;
            self.points.retain(|_| {
                index += 1;
                index % 2 == 1
            });
            self.record_every = self.record_every.saturating_mul(2);
        }
        self.points.push(point);
    }

    pub(crate) fn points(&self) -> &[(f64, f64)] {
        &self.points
    }
}

#[cfg(test)]
mod tests;
