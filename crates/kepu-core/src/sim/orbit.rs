//! Newton's cannon: a satellite launched horizontally above a planet falls back, circles, follows
//! an ellipse or escapes, depending only on its launch speed.

use super::{ParameterValues, clamp_to_spec, parameter};
use std::collections::VecDeque;
use std::f64::consts::TAU;

const MODEL: &str = "orbit";

/// Most trail points kept; older ones fall off the end, like a comet's tail.
const MAX_TRAIL_POINTS: usize = 1024;

/// A new trail point is recorded once the satellite has moved this fraction of its distance
/// from the planet's centre (about 0.9° of arc on a circle): evenly spaced on screen near and
/// far, and still spaced when it falls straight down.
const TRAIL_SPACING: f64 = 1.0 / 64.0;

/// Steps per circular period at the lowest point of the path (see [`Orbit::fixed_step_s`]).
const STEPS_PER_PERIOD: f64 = 2000.0;

/// Relative difference from the circular speed within which a launch counts as circular.
const CIRCULAR_TOLERANCE: f64 = 0.01;

/// The body being orbited, as a point mass with a hard surface.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CentralBody {
    /// Standard gravitational parameter GM (m³/s²).
    pub gm: f64,
    /// Mean radius (m).
    pub radius_m: f64,
}

/// The Earth: GM = 3.986004418 × 10¹⁴ m³/s², mean radius 6371 km.
pub const EARTH: CentralBody = CentralBody {
    gm: 3.986_004_418e14,
    radius_m: 6_371_000.0,
};

impl CentralBody {
    /// Speed of a circular orbit at `radius_m` from the centre: √(GM/r).
    pub fn circular_speed(&self, radius_m: f64) -> f64 {
        (self.gm / radius_m).sqrt()
    }

    /// Speed needed to never come back from `radius_m`: √(2GM/r).
    pub fn escape_speed(&self, radius_m: f64) -> f64 {
        (2.0 * self.gm / radius_m).sqrt()
    }

    /// Period of a circular orbit at `radius_m`: 2π√(r³/GM).
    pub fn circular_period(&self, radius_m: f64) -> f64 {
        TAU * (radius_m.powi(3) / self.gm).sqrt()
    }
}

/// What a launch leads to, as the exhibit names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrbitOutcome {
    /// Too slow: the path dips below the surface before it comes round.
    FallsBack,
    /// Within 1% of the circular speed.
    Circular,
    /// Bound, clearing the surface, not circular.
    Ellipse,
    /// Specific orbital energy of zero or more: it never comes back.
    Escape,
}

impl OrbitOutcome {
    /// Classifies a horizontal launch at `radius_m` from the centre with `speed` (m/s), from the
    /// specific orbital energy ε = v²/2 − GM/r and the periapsis a(1 − e).
    pub fn of_horizontal_launch(body: &CentralBody, radius_m: f64, speed: f64) -> OrbitOutcome {
        let energy = 0.5 * speed * speed - body.gm / radius_m;
        if energy >= 0.0 {
            return OrbitOutcome::Escape;
        }
        // Horizontal launch: the angular momentum is simply r·v.
        let periapsis = periapsis_radius(body.gm, energy, radius_m * speed);
        if periapsis < body.radius_m {
            return OrbitOutcome::FallsBack;
        }
        let circular = body.circular_speed(radius_m);
        if (speed - circular).abs() <= CIRCULAR_TOLERANCE * circular {
            OrbitOutcome::Circular
        } else {
            OrbitOutcome::Ellipse
        }
    }

    /// A stable id the UI maps to a translated explanation.
    pub fn id(self) -> &'static str {
        match self {
            OrbitOutcome::FallsBack => "falls_back",
            OrbitOutcome::Circular => "circular",
            OrbitOutcome::Ellipse => "ellipse",
            OrbitOutcome::Escape => "escape",
        }
    }
}

/// Eccentricity from the specific energy and angular momentum: e = √(1 + 2εh²/μ²). Rounding
/// can push the radicand a hair below zero for a perfect circle; that is e = 0.
fn eccentricity(gm: f64, energy: f64, angular_momentum: f64) -> f64 {
    (1.0 + 2.0 * energy * angular_momentum * angular_momentum / (gm * gm))
        .max(0.0)
        .sqrt()
}

/// Closest distance to the centre: h²/(μ(1 + e)), which holds for every conic, also a straight
/// fall (h = 0 gives 0) and an escape.
fn periapsis_radius(gm: f64, energy: f64, angular_momentum: f64) -> f64 {
    let e = eccentricity(gm, energy, angular_momentum);
    angular_momentum * angular_momentum / (gm * (1.0 + e))
}

/// A satellite around a [`CentralBody`] at the origin; it starts straight above the centre,
/// at (0, r), moving in +x. Positions in metres, velocities in m/s.
#[derive(Debug, Clone, PartialEq)]
pub struct Orbit {
    body: CentralBody,
    launch_radius_m: f64,
    launch_speed: f64,
    step_s: f64,
    position: (f64, f64),
    velocity: (f64, f64),
    /// Acceleration at the current position, kept so each Verlet step computes gravity once.
    acceleration: (f64, f64),
    time_s: f64,
    impact_point: Option<(f64, f64)>,
    trail: VecDeque<(f64, f64)>,
}

impl Orbit {
    /// A launch from `altitude_km` above the surface at `speed_km_s`, in the manifest's units,
    /// clamped into its ranges (altitude 100–100 000 km, speed 0–30 km/s).
    pub fn new(body: CentralBody, altitude_km: f64, speed_km_s: f64) -> Self {
        let altitude_m = clamp_to_spec(MODEL, "altitude", altitude_km) * 1e3;
        let launch_speed = clamp_to_spec(MODEL, "speed", speed_km_s) * 1e3;
        let launch_radius_m = body.radius_m + altitude_m;
        let mut orbit = Self {
            body,
            launch_radius_m,
            launch_speed,
            step_s: 1.0,
            position: (0.0, launch_radius_m),
            velocity: (launch_speed, 0.0),
            acceleration: (0.0, 0.0),
            time_s: 0.0,
            impact_point: None,
            trail: VecDeque::new(),
        };
        orbit.step_s = orbit.choose_step();
        orbit.reset();
        orbit
    }

    /// From the manifest's `altitude` (km) and `speed` (km/s) around the Earth; a missing
    /// altitude is the space station's 400 km and a missing speed the circular speed there.
    pub fn from_parameters(values: &ParameterValues) -> Self {
        let altitude_km = parameter(MODEL, values, "altitude", 400.0);
        let circular_km_s = EARTH.circular_speed(EARTH.radius_m + altitude_km * 1e3) / 1e3;
        let speed_km_s = parameter(MODEL, values, "speed", circular_km_s);
        Self::new(EARTH, altitude_km, speed_km_s)
    }

    /// The step is a fixed fraction of the circular period at the lowest point the path reaches
    /// (the launch point, the periapsis, or the surface if it falls), where the satellite moves
    /// fastest: a step short enough there is short enough everywhere, and it stays fixed for the
    /// whole flight because a changing step would break the integrator's energy conservation.
    fn choose_step(&self) -> f64 {
        let energy = self.specific_energy();
        let lowest = periapsis_radius(self.body.gm, energy, self.specific_angular_momentum())
            .clamp(self.body.radius_m, self.launch_radius_m);
        self.body.circular_period(lowest) / STEPS_PER_PERIOD
    }

    /// Back at the launch point with the launch velocity.
    pub fn reset(&mut self) {
        self.position = (0.0, self.launch_radius_m);
        self.velocity = (self.launch_speed, 0.0);
        self.acceleration = self.gravity_at(self.position);
        self.time_s = 0.0;
        self.impact_point = None;
        self.trail.clear();
        self.trail.push_back(self.position);
    }

    fn gravity_at(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let r_squared = x * x + y * y;
        let factor = -self.body.gm / (r_squared * r_squared.sqrt());
        (factor * x, factor * y)
    }

    /// One velocity-Verlet (kick–drift–kick) step. Verlet is symplectic: the orbit's energy
    /// oscillates slightly but does not drift, so a circle stays a circle for as long as the
    /// exhibit runs, where RK4 would slowly spiral. Stops at the surface.
    pub fn step(&mut self, dt_s: f64) {
        if self.impact_point.is_some() {
            return;
        }
        let previous = self.position;
        let half_kick = (
            self.velocity.0 + 0.5 * dt_s * self.acceleration.0,
            self.velocity.1 + 0.5 * dt_s * self.acceleration.1,
        );
        self.position = (
            previous.0 + dt_s * half_kick.0,
            previous.1 + dt_s * half_kick.1,
        );
        self.acceleration = self.gravity_at(self.position);
        self.velocity = (
            half_kick.0 + 0.5 * dt_s * self.acceleration.0,
            half_kick.1 + 0.5 * dt_s * self.acceleration.1,
        );

        // Squared distances on the hot path: the square roots are only needed at the impact.
        let radius_squared = self.position.0 * self.position.0 + self.position.1 * self.position.1;
        if radius_squared < self.body.radius_m * self.body.radius_m {
            let radius = radius_squared.sqrt();
            // Interpolate where along this step it met the surface, so the impact point and time
            // do not depend on where the step boundaries fell.
            let previous_radius = previous.0.hypot(previous.1);
            let fraction = ((previous_radius - self.body.radius_m) / (previous_radius - radius))
                .clamp(0.0, 1.0);
            let crossing = (
                previous.0 + fraction * (self.position.0 - previous.0),
                previous.1 + fraction * (self.position.1 - previous.1),
            );
            // Put it exactly on the surface for drawing (the chord dips slightly inside).
            let scale = self.body.radius_m / crossing.0.hypot(crossing.1).max(f64::MIN_POSITIVE);
            let impact = (crossing.0 * scale, crossing.1 * scale);
            self.position = impact;
            self.time_s += fraction * dt_s;
            self.impact_point = Some(impact);
            self.push_trail(impact);
            return;
        }
        self.time_s += dt_s;
        if let Some(&last) = self.trail.back() {
            let (dx, dy) = (self.position.0 - last.0, self.position.1 - last.1);
            if dx * dx + dy * dy >= TRAIL_SPACING * TRAIL_SPACING * radius_squared {
                self.push_trail(self.position);
            }
        }
    }

    fn push_trail(&mut self, point: (f64, f64)) {
        if self.trail.len() >= MAX_TRAIL_POINTS {
            self.trail.pop_front();
        }
        self.trail.push_back(point);
    }

    /// The step this orbit is accurate at (s of simulated time); see `choose_step`.
    pub fn fixed_step_s(&self) -> f64 {
        self.step_s
    }

    /// What the launch leads to (see [`OrbitOutcome::of_horizontal_launch`]).
    pub fn outcome(&self) -> OrbitOutcome {
        OrbitOutcome::of_horizontal_launch(&self.body, self.launch_radius_m, self.launch_speed)
    }

    /// Whether the integration has reached the surface.
    pub fn has_impacted(&self) -> bool {
        self.impact_point.is_some()
    }

    /// Where it hit the surface (m from the centre), once it has.
    pub fn impact_point(&self) -> Option<(f64, f64)> {
        self.impact_point
    }

    /// Recent positions, oldest first, for drawing the path.
    pub fn trail(&self) -> impl ExactSizeIterator<Item = (f64, f64)> + '_ {
        self.trail.iter().copied()
    }

    /// Position (m) relative to the planet's centre.
    pub fn position(&self) -> (f64, f64) {
        self.position
    }

    /// Velocity (m/s).
    pub fn velocity(&self) -> (f64, f64) {
        self.velocity
    }

    pub fn radius_m(&self) -> f64 {
        self.position.0.hypot(self.position.1)
    }

    pub fn altitude_m(&self) -> f64 {
        self.radius_m() - self.body.radius_m
    }

    pub fn speed(&self) -> f64 {
        self.velocity.0.hypot(self.velocity.1)
    }

    /// ε = v²/2 − GM/r (J/kg): negative for a bound orbit, conserved by the true motion.
    pub fn specific_energy(&self) -> f64 {
        let speed = self.speed();
        0.5 * speed * speed - self.body.gm / self.radius_m()
    }

    /// h = x·v_y − y·v_x (m²/s), conserved by the true motion.
    pub fn specific_angular_momentum(&self) -> f64 {
        self.position.0 * self.velocity.1 - self.position.1 * self.velocity.0
    }

    pub fn eccentricity(&self) -> f64 {
        eccentricity(
            self.body.gm,
            self.specific_energy(),
            self.specific_angular_momentum(),
        )
    }

    /// Closest approach to the centre of the current path (m).
    pub fn periapsis_radius_m(&self) -> f64 {
        periapsis_radius(
            self.body.gm,
            self.specific_energy(),
            self.specific_angular_momentum(),
        )
    }

    /// Farthest distance from the centre (m); `None` for an escape.
    pub fn apoapsis_radius_m(&self) -> Option<f64> {
        let energy = self.specific_energy();
        (energy < 0.0).then(|| {
            let semi_major_axis = -self.body.gm / (2.0 * energy);
            semi_major_axis * (1.0 + self.eccentricity())
        })
    }

    /// Time for one revolution, 2π√(a³/GM); `None` for an escape.
    pub fn orbital_period_s(&self) -> Option<f64> {
        let energy = self.specific_energy();
        (energy < 0.0).then(|| {
            let semi_major_axis = -self.body.gm / (2.0 * energy);
            TAU * (semi_major_axis.powi(3) / self.body.gm).sqrt()
        })
    }

    /// √(GM/r) at the launch point (m/s): the speed that would give a circle.
    pub fn circular_speed(&self) -> f64 {
        self.body.circular_speed(self.launch_radius_m)
    }

    /// √(2GM/r) at the launch point (m/s).
    pub fn escape_speed(&self) -> f64 {
        self.body.escape_speed(self.launch_radius_m)
    }

    /// Period of a circular orbit at the launch altitude (s).
    pub fn circular_period_s(&self) -> f64 {
        self.body.circular_period(self.launch_radius_m)
    }

    pub fn launch_speed(&self) -> f64 {
        self.launch_speed
    }

    pub fn launch_altitude_m(&self) -> f64 {
        self.launch_radius_m - self.body.radius_m
    }

    pub fn body(&self) -> &CentralBody {
        &self.body
    }

    pub fn time(&self) -> f64 {
        self.time_s
    }
}
