//! A simple pendulum at any release angle: θ'' = −(g/L)·sin θ, with no small-angle
//! approximation, so the exhibit can show that a wide swing takes longer than the school formula
//! 2π√(L/g) says.

use super::{ParameterValues, clamp_to_spec, parameter};
use std::f64::consts::TAU;

const MODEL: &str = "pendulum";

/// Surface gravity presets for the "take the pendulum to another world" buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Planet {
    Earth,
    Moon,
    Mars,
    Jupiter,
}

impl Planet {
    pub const ALL: [Planet; 4] = [Planet::Earth, Planet::Moon, Planet::Mars, Planet::Jupiter];

    /// Surface gravity in m/s².
    pub fn gravity(self) -> f64 {
        match self {
            Planet::Earth => 9.81,
            Planet::Moon => 1.62,
            Planet::Mars => 3.71,
            Planet::Jupiter => 24.79,
        }
    }

    /// A stable id the UI maps to a translated label.
    pub fn id(self) -> &'static str {
        match self {
            Planet::Earth => "earth",
            Planet::Moon => "moon",
            Planet::Mars => "mars",
            Planet::Jupiter => "jupiter",
        }
    }
}

/// A point mass on a massless rod, released from rest. The pivot is at (0, 0), y points up.
#[derive(Debug, Clone, PartialEq)]
pub struct Pendulum {
    length_m: f64,
    gravity: f64,
    release_angle_rad: f64,
    angle_rad: f64,
    angular_velocity: f64,
    /// Angular acceleration at the current angle, kept from the last step so each velocity-Verlet
    /// step evaluates sin θ once, not twice.
    angular_acceleration: f64,
    time_s: f64,
    /// Interpolated time of the last upward (θ from − to +) crossing of the vertical.
    last_upward_crossing_s: Option<f64>,
    measured_period_s: Option<f64>,
}

impl Pendulum {
    /// 1 ms: even the fastest pendulum the model allows (5 cm at 30 m/s², period 0.26 s) gets
    /// 250 steps per swing, which keeps velocity Verlet's period error below 10⁻⁴.
    pub const FIXED_STEP_S: f64 = 1e-3;

    /// Values are clamped into the ranges of [`crate::manifest::MODELS`] (length 0.05–100 m,
    /// angle 1–179°, gravity 0.1–30 m/s²).
    pub fn new(length_m: f64, release_angle_deg: f64, gravity: f64) -> Self {
        let length_m = clamp_to_spec(MODEL, "length", length_m);
        let gravity = clamp_to_spec(MODEL, "gravity", gravity);
        let release_angle_rad = clamp_to_spec(MODEL, "angle", release_angle_deg).to_radians();
        let mut pendulum = Self {
            length_m,
            gravity,
            release_angle_rad,
            angle_rad: release_angle_rad,
            angular_velocity: 0.0,
            angular_acceleration: 0.0,
            time_s: 0.0,
            last_upward_crossing_s: None,
            measured_period_s: None,
        };
        pendulum.reset();
        pendulum
    }

    /// From the manifest's `length` (m), `angle` (deg) and `gravity` (m/s²); missing values
    /// default to a 1 m pendulum released at 20° on Earth.
    pub fn from_parameters(values: &ParameterValues) -> Self {
        Self::new(
            parameter(MODEL, values, "length", 1.0),
            parameter(MODEL, values, "angle", 20.0),
            parameter(MODEL, values, "gravity", Planet::Earth.gravity()),
        )
    }

    /// Puts the bob back at its release angle, at rest, and forgets the measured period.
    pub fn reset(&mut self) {
        self.angle_rad = self.release_angle_rad;
        self.angular_velocity = 0.0;
        self.angular_acceleration = self.acceleration_at(self.release_angle_rad);
        self.time_s = 0.0;
        self.last_upward_crossing_s = None;
        self.measured_period_s = None;
    }

    fn acceleration_at(&self, angle_rad: f64) -> f64 {
        -(self.gravity / self.length_m) * angle_rad.sin()
    }

    /// One velocity-Verlet step. Verlet is symplectic: the swing's energy stays bounded for
    /// hours instead of slowly growing (explicit Euler) or dying away (RK4's tiny damping), and a
    /// kiosk runs all day.
    pub fn step(&mut self, dt_s: f64) {
        let previous_angle = self.angle_rad;
        let half_kick = self.angular_velocity + 0.5 * dt_s * self.angular_acceleration;
        self.angle_rad += dt_s * half_kick;
        self.angular_acceleration = self.acceleration_at(self.angle_rad);
        self.angular_velocity = half_kick + 0.5 * dt_s * self.angular_acceleration;

        if previous_angle < 0.0 && self.angle_rad >= 0.0 {
            // Near the vertical θ'' ≈ 0, so θ is almost linear across one step and linear
            // interpolation places the crossing far more precisely than the step length.
            let fraction = -previous_angle / (self.angle_rad - previous_angle);
            let crossing_s = self.time_s + fraction * dt_s;
            if let Some(previous_crossing) = self.last_upward_crossing_s {
                self.measured_period_s = Some(crossing_s - previous_crossing);
            }
            self.last_upward_crossing_s = Some(crossing_s);
        }
        self.time_s += dt_s;
    }

    /// The school formula 2π√(L/g), exact only for vanishingly small swings.
    pub fn small_angle_period(&self) -> f64 {
        TAU * (self.length_m / self.gravity).sqrt()
    }

    /// The exact period at this release angle: 2π√(L/g) / AGM(1, cos(θ₀/2)), the complete
    /// elliptic integral of the first kind computed by the arithmetic-geometric mean. It grows
    /// without bound as the release angle approaches 180° (the bob balancing upside down).
    pub fn exact_period(&self) -> f64 {
        self.small_angle_period()
            / arithmetic_geometric_mean(1.0, (self.release_angle_rad / 2.0).cos())
    }

    /// The period as the simulation shows it: the time between the last two upward crossings of
    /// the vertical. `None` until the bob has crossed upward twice (about 1¾ periods).
    pub fn measured_period(&self) -> Option<f64> {
        self.measured_period_s
    }

    /// Bob position in metres from the pivot, y up (hanging straight down is (0, −L)).
    pub fn bob_position(&self) -> (f64, f64) {
        let (sin, cos) = self.angle_rad.sin_cos();
        (self.length_m * sin, -self.length_m * cos)
    }

    /// Angle from the vertical in radians, positive to the right.
    pub fn angle(&self) -> f64 {
        self.angle_rad
    }

    pub fn angle_deg(&self) -> f64 {
        self.angle_rad.to_degrees()
    }

    /// Angular velocity in rad/s.
    pub fn angular_velocity(&self) -> f64 {
        self.angular_velocity
    }

    /// Kinetic plus potential energy per kilogram of bob (J/kg), zero hanging at rest.
    pub fn energy_per_kg(&self) -> f64 {
        let speed = self.length_m * self.angular_velocity;
        0.5 * speed * speed + self.gravity * self.length_m * (1.0 - self.angle_rad.cos())
    }

    pub fn time(&self) -> f64 {
        self.time_s
    }

    pub fn length_m(&self) -> f64 {
        self.length_m
    }

    pub fn gravity(&self) -> f64 {
        self.gravity
    }

    pub fn release_angle_deg(&self) -> f64 {
        self.release_angle_rad.to_degrees()
    }

    /// The release angle the period formula is about, in radians.
    pub fn release_angle(&self) -> f64 {
        self.release_angle_rad
    }
}

/// The arithmetic-geometric mean of two positive numbers; converges quadratically, so a handful
/// of rounds reach full f64 precision. The round limit only guards against a non-terminating
/// loop on NaN input.
fn arithmetic_geometric_mean(a: f64, b: f64) -> f64 {
    let (mut a, mut b) = (a, b);
    for _ in 0..64 {
        if (a - b).abs() <= 1e-15 * a.abs() {
            break;
        }
        (a, b) = (0.5 * (a + b), (a * b).sqrt());
    }
    a
}
