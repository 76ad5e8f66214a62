//! Simulation speed: nanoseconds per fixed step of each model, beside baselines in the same run:
//! a loop doing one f64 addition per iteration (the loop's own cost), and an explicit-Euler step
//! of the same force for the pendulum and the orbit (the cheapest integrator there is, which the
//! kiosk does not use because it gains energy every swing). Prints the median of several runs.
//!
//!     cargo bench -p kepu-core --no-default-features --bench sim

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kepu_core::sim::{EARTH, Orbit, Pendulum, Projectile};
use std::hint::black_box;
use std::time::{Duration, Instant};

const STEPS: u32 = 1_000_000;
const RUNS: usize = 7;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Median nanoseconds per step of `run`, which performs `STEPS` steps.
fn ns_per_step(mut run: impl FnMut()) -> f64 {
    let elapsed = median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                run();
                start.elapsed()
            })
            .collect(),
    );
    elapsed.as_secs_f64() * 1e9 / f64::from(STEPS)
}

fn main() {
    let additions = ns_per_step(|| {
        let mut sum = 0.0_f64;
        for _ in 0..STEPS {
            sum = black_box(sum + 1e-3);
        }
        black_box(sum);
    });

    let euler_pendulum = ns_per_step(|| {
        let (length, gravity, dt) = (1.0_f64, 9.81_f64, Pendulum::FIXED_STEP_S);
        let (mut angle, mut angular_velocity) = (1.0_f64, 0.0_f64);
        for _ in 0..STEPS {
            let acceleration = -(gravity / length) * angle.sin();
            angle += dt * angular_velocity;
            angular_velocity += dt * acceleration;
            black_box((angle, angular_velocity));
        }
    });

    let mut pendulum = Pendulum::new(1.0, 60.0, 9.81);
    let verlet_pendulum = ns_per_step(|| {
        for _ in 0..STEPS {
            pendulum.step(Pendulum::FIXED_STEP_S);
            black_box(pendulum.angle());
        }
    });

    // A long, light-drag flight (about 40 000 steps before it lands), restarted on landing: the
    // landing check and restart stay in the figure, as they are in the kiosk.
    let mut projectile = Projectile::new(45.0, 300.0, 9.81, 1e-4, 100.0);
    let rk4_projectile = ns_per_step(|| {
        for _ in 0..STEPS {
            if projectile.has_landed() {
                projectile.reset();
            }
            projectile.step(Projectile::FIXED_STEP_S);
            black_box(projectile.position());
        }
    });

    let euler_orbit = ns_per_step(|| {
        let (gm, dt) = (EARTH.gm, 1.0_f64);
        let (mut x, mut y, mut vx, mut vy) = (0.0_f64, EARTH.radius_m + 400e3, 7672.6_f64, 0.0_f64);
        for _ in 0..STEPS {
            let r_squared = x * x + y * y;
            let factor = -gm / (r_squared * r_squared.sqrt());
            x += dt * vx;
            y += dt * vy;
            vx += dt * factor * x;
            vy += dt * factor * y;
            black_box((x, y));
        }
    });

    let mut orbit = Orbit::new(EARTH, 400.0, 7.6726);
    let orbit_step = orbit.fixed_step_s();
    let verlet_orbit = ns_per_step(|| {
        for _ in 0..STEPS {
            orbit.step(orbit_step);
            black_box(orbit.position());
        }
    });
    assert!(!orbit.has_impacted());

    println!("steps per run: {STEPS}, median of {RUNS} runs");
    println!("baseline: one f64 addition per iteration     {additions:6.2} ns");
    println!("baseline: pendulum, explicit Euler           {euler_pendulum:6.2} ns/step");
    println!(
        "pendulum, velocity Verlet                    {verlet_pendulum:6.2} ns/step ({:.2}x Euler)",
        verlet_pendulum / euler_pendulum
    );
    println!(
        "projectile, RK4 with quadratic drag          {rk4_projectile:6.2} ns/step ({:.2}x the pendulum's Euler)",
        rk4_projectile / euler_pendulum
    );
    println!("baseline: orbit, explicit Euler              {euler_orbit:6.2} ns/step");
    println!(
        "orbit, velocity Verlet (with trail, impact)  {verlet_orbit:6.2} ns/step ({:.2}x Euler)",
        verlet_orbit / euler_orbit
    );
    // What one 60 Hz frame costs at the kiosk's step counts (1 ms steps for the pendulum and the
    // projectile), as a share of the 16.7 ms frame.
    let frame_ns = 1e9 / 60.0;
    let steps_per_frame = 1.0 / 60.0 / Pendulum::FIXED_STEP_S;
    println!(
        "per 60 Hz frame: pendulum {:.1} µs ({:.3}% of the frame), projectile {:.1} µs ({:.3}%)",
        verlet_pendulum * steps_per_frame / 1e3,
        verlet_pendulum * steps_per_frame / frame_ns * 100.0,
        rk4_projectile * steps_per_frame / 1e3,
        rk4_projectile * steps_per_frame / frame_ns * 100.0
    );
}
