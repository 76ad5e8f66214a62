//! A ball launched from the ground, with or without air drag, flying until it lands: the exhibit
//! compares its flight with the drag-free parabola and scores a shot at a target.

use super::{DecimatingTrail, ParameterValues, clamp_to_spec, parameter};

const MODEL: &str = "projectile";

/// Most trajectory points kept for drawing; a long flight is thinned out rather than cut off.
const MAX_TRAJECTORY_POINTS: usize = 2048;

/// Position and velocity, in metres and m/s; x along the ground, y up.
#[derive(Debug, Clone, Copy, PartialEq)]
struct State {
    x: f64,
    y: f64,
    vx: f64,
    vy: f64,
}

impl State {
    fn plus(self, derivative: State, dt: f64) -> State {
        State {
            x: self.x + dt * derivative.x,
            y: self.y + dt * derivative.y,
            vx: self.vx + dt * derivative.vx,
            vy: self.vy + dt * derivative.vy,
        }
    }
}

/// Where and when the ball came back down.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Landing {
    distance_m: f64,
    time_s: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Projectile {
    launch_angle_rad: f64,
    launch_speed: f64,
    gravity: f64,
    /// k in a = −k·|v|·v (1/m); zero means no air.
    drag: f64,
    target_distance_m: f64,
    state: State,
    time_s: f64,
    peak_height_m: f64,
    landing: Option<Landing>,
    trajectory: DecimatingTrail,
}

impl Projectile {
    /// 1 ms: RK4 stays stable while k·|v|·dt is below about 2.8, and the stiffest flight the
    /// model allows (k = 1/m at 300 m/s) has k·|v|·dt = 0.3.
    pub const FIXED_STEP_S: f64 = 1e-3;

    /// Values are clamped into the ranges of [`crate::manifest::MODELS`] (angle 0–90°, speed
    /// 0.1–300 m/s, gravity 0.1–30 m/s², drag 0–1 /m, target 1–10 000 m). `drag` is k in
    /// a = −k·|v|·v; 0 turns air resistance off.
    pub fn new(
        launch_angle_deg: f64,
        launch_speed: f64,
        gravity: f64,
        drag: f64,
        target_distance_m: f64,
    ) -> Self {
        let launch_angle_rad = clamp_to_spec(MODEL, "angle", launch_angle_deg).to_radians();
        let launch_speed = clamp_to_spec(MODEL, "speed", launch_speed);
        let mut projectile = Self {
            launch_angle_rad,
            launch_speed,
            gravity: clamp_to_spec(MODEL, "gravity", gravity),
            drag: clamp_to_spec(MODEL, "drag", drag),
            target_distance_m: clamp_to_spec(MODEL, "target_distance", target_distance_m),
            state: State {
                x: 0.0,
                y: 0.0,
                vx: 0.0,
                vy: 0.0,
            },
            time_s: 0.0,
            peak_height_m: 0.0,
            landing: None,
            trajectory: DecimatingTrail::new(MAX_TRAJECTORY_POINTS, (0.0, 0.0)),
        };
        projectile.reset();
        projectile
    }

    /// From the manifest's `angle` (deg), `speed` (m/s), `gravity` (m/s²), `drag` (1/m) and
    /// `target_distance` (m); missing values default to 45° at 20 m/s on Earth without drag, at
    /// a target 30 m away.
    pub fn from_parameters(values: &ParameterValues) -> Self {
        Self::new(
            parameter(MODEL, values, "angle", 45.0),
            parameter(MODEL, values, "speed", 20.0),
            parameter(MODEL, values, "gravity", 9.81),
            parameter(MODEL, values, "drag", 0.0),
            parameter(MODEL, values, "target_distance", 30.0),
        )
    }

    /// Back on the ground at the origin, about to launch.
    pub fn reset(&mut self) {
        let (sin, cos) = self.launch_angle_rad.sin_cos();
        self.state = State {
            x: 0.0,
            y: 0.0,
            vx: self.launch_speed * cos,
            vy: self.launch_speed * sin,
        };
        self.time_s = 0.0;
        self.peak_height_m = 0.0;
        self.landing = None;
        self.trajectory = DecimatingTrail::new(MAX_TRAJECTORY_POINTS, (0.0, 0.0));
    }

    fn derivative(&self, s: State) -> State {
        // sqrt rather than hypot: hypot's overflow guard costs several times more and speeds here
        // are at most a few hundred m/s.
        let drag_per_speed = self.drag * (s.vx * s.vx + s.vy * s.vy).sqrt();
        State {
            x: s.vx,
            y: s.vy,
            vx: -drag_per_speed * s.vx,
            vy: -self.gravity - drag_per_speed * s.vy,
        }
    }

    /// One classical Runge–Kutta (RK4) step. Drag takes energy out of the flight, so a
    /// symplectic scheme has nothing to conserve here; RK4's fourth-order accuracy is what
    /// matters, and without drag it is exact for the constant acceleration of a parabola. Does
    /// nothing once the ball has landed.
    pub fn step(&mut self, dt_s: f64) {
        if self.landing.is_some() {
            return;
        }
        let s = self.state;
        let k1 = self.derivative(s);
        let k2 = self.derivative(s.plus(k1, 0.5 * dt_s));
        let k3 = self.derivative(s.plus(k2, 0.5 * dt_s));
        let k4 = self.derivative(s.plus(k3, dt_s));
        let next = State {
            x: s.x + dt_s / 6.0 * (k1.x + 2.0 * k2.x + 2.0 * k3.x + k4.x),
            y: s.y + dt_s / 6.0 * (k1.y + 2.0 * k2.y + 2.0 * k3.y + k4.y),
            vx: s.vx + dt_s / 6.0 * (k1.vx + 2.0 * k2.vx + 2.0 * k3.vx + k4.vx),
            vy: s.vy + dt_s / 6.0 * (k1.vy + 2.0 * k2.vy + 2.0 * k3.vy + k4.vy),
        };

        if next.y < 0.0 {
            // It touched down inside this step: interpolate where, so the range does not depend
            // on where the step boundaries fell. `s.y` is never negative here, so the fraction
            // lies in [0, 1].
            let fraction = s.y / (s.y - next.y);
            let landing = Landing {
                distance_m: s.x + fraction * (next.x - s.x),
                time_s: self.time_s + fraction * dt_s,
            };
            self.state = State {
                x: landing.distance_m,
                y: 0.0,
                vx: s.vx + fraction * (next.vx - s.vx),
                vy: s.vy + fraction * (next.vy - s.vy),
            };
            self.time_s = landing.time_s;
            self.landing = Some(landing);
            self.trajectory.push((landing.distance_m, 0.0));
            return;
        }
        self.state = next;
        self.time_s += dt_s;
        self.peak_height_m = self.peak_height_m.max(next.y);
        self.trajectory.step((next.x, next.y));
    }

    /// Runs whole steps of [`Self::FIXED_STEP_S`] until the ball lands or `max_steps` ran, e.g.
    /// to draw the predicted arc before the visitor lets go; returns whether it landed.
    pub fn run_to_landing(&mut self, max_steps: u64) -> bool {
        for _ in 0..max_steps {
            if self.landing.is_some() {
                break;
            }
            self.step(Self::FIXED_STEP_S);
        }
        self.landing.is_some()
    }

    pub fn has_landed(&self) -> bool {
        self.landing.is_some()
    }

    /// Ball position (m), x along the ground, y up.
    pub fn position(&self) -> (f64, f64) {
        (self.state.x, self.state.y)
    }

    /// Ball velocity (m/s).
    pub fn velocity(&self) -> (f64, f64) {
        (self.state.vx, self.state.vy)
    }

    /// Points along the flight so far, from the launch point, for drawing; bounded in number.
    pub fn trajectory(&self) -> &[(f64, f64)] {
        self.trajectory.points()
    }

    /// Horizontal distance from launch to landing (m); `None` while in the air.
    pub fn range(&self) -> Option<f64> {
        self.landing.map(|l| l.distance_m)
    }

    /// Time from launch to landing (s); `None` while in the air.
    pub fn flight_time(&self) -> Option<f64> {
        self.landing.map(|l| l.time_s)
    }

    /// Highest point reached so far (m).
    pub fn peak_height(&self) -> f64 {
        self.peak_height_m
    }

    /// The textbook range without air, v²·sin(2θ)/g, to set beside the simulated one.
    pub fn analytic_range(&self) -> f64 {
        self.launch_speed.powi(2) * (2.0 * self.launch_angle_rad).sin() / self.gravity
    }

    /// The textbook peak height without air, v²·sin²θ/(2g).
    pub fn analytic_peak_height(&self) -> f64 {
        (self.launch_speed * self.launch_angle_rad.sin()).powi(2) / (2.0 * self.gravity)
    }

    /// The textbook flight time without air, 2·v·sin θ/g.
    pub fn analytic_flight_time(&self) -> f64 {
        2.0 * self.launch_speed * self.launch_angle_rad.sin() / self.gravity
    }

    /// How far the landing point lies beyond the target (m): positive long, negative short;
    /// `None` while in the air.
    pub fn miss_distance(&self, target_distance_m: f64) -> Option<f64> {
        self.range().map(|range| range - target_distance_m)
    }

    /// Whether the ball has landed within `tolerance_m` of the target.
    pub fn hit(&self, target_distance_m: f64, tolerance_m: f64) -> bool {
        self.miss_distance(target_distance_m)
            .is_some_and(|miss| miss.abs() <= tolerance_m)
    }

    pub fn time(&self) -> f64 {
        self.time_s
    }

    pub fn launch_angle_deg(&self) -> f64 {
        self.launch_angle_rad.to_degrees()
    }

    pub fn launch_speed(&self) -> f64 {
        self.launch_speed
    }

    pub fn gravity(&self) -> f64 {
        self.gravity
    }

    /// k in a = −k·|v|·v (1/m).
    pub fn drag(&self) -> f64 {
        self.drag
    }

    pub fn has_drag(&self) -> bool {
        self.drag > 0.0
    }

    /// The manifest's target distance (m), for [`Self::hit`] and [`Self::miss_distance`].
    pub fn target_distance_m(&self) -> f64 {
        self.target_distance_m
    }
}
