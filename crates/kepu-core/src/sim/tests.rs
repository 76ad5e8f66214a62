//! The physics checks: each figure is compared with a closed-form result, and each printed
//! (`cargo test -- --nocapture`) so the error margins can be quoted.

use super::*;
use crate::manifest::MODELS;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::f64::consts::TAU;

fn relative_error(measured: f64, expected: f64) -> f64 {
    (measured - expected).abs() / expected.abs()
}

fn values(pairs: &[(&str, f64)]) -> ParameterValues {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

// ---------------------------------------------------------------------------------------------
// FixedStep

#[test]
fn fixed_step_runs_whole_steps_and_carries_the_remainder() {
    let mut clock = FixedStep::new(0.01, 100);
    assert_eq!(clock.advance(0.025), 2);
    assert!((clock.alpha() - 0.5).abs() < 1e-9);
    // The carried 5 ms plus 5 ms make one more step.
    assert_eq!(clock.advance(0.005), 1);
    assert!(clock.alpha() < 1e-9);

    let mut clock = FixedStep::new(1e-3, 1000);
    let total: u32 = (0..60).map(|_| clock.advance(1.0 / 60.0)).sum();
    assert!((999..=1000).contains(&total), "{total} steps in one second");
}

#[test]
fn fixed_step_caps_a_long_frame_and_drops_the_backlog() {
    let mut clock = FixedStep::new(1e-3, 250);
    // A 5 s stall: only the cap runs, and the next normal frame is not burdened by the rest.
    assert_eq!(clock.advance(5.0), 250);
    let next = clock.advance(1.0 / 60.0);
    assert!((16..=17).contains(&next), "{next}");
}

#[test]
fn fixed_step_ignores_backwards_and_broken_frame_times() {
    let mut clock = FixedStep::new(1e-3, 250);
    assert_eq!(clock.advance(-1.0), 0);
    assert_eq!(clock.advance(f64::NAN), 0);
    assert_eq!(clock.advance(f64::INFINITY), 0);
    assert_eq!(clock.advance(0.0025), 2);

    // A nonsense step length falls back rather than looping forever.
    let mut broken = FixedStep::new(0.0, 0);
    assert_eq!(broken.step_s(), 1e-3);
    assert_eq!(broken.max_steps_per_frame(), 1);
    assert_eq!(broken.advance(1.0), 1);

    clock.advance(0.0009);
    clock.reset();
    assert_eq!(clock.alpha(), 0.0);
}

/// Feeds `frames` through the model's own clock at `time_scale`; returns the model and the
/// number of steps it ran.
fn drive(mut model: SimModel, frames: &[f64]) -> (SimModel, u64) {
    let mut clock = model.clock();
    let time_scale = model.suggested_time_scale();
    let mut steps = 0u64;
    for frame in frames {
        let due = clock.advance(frame * time_scale);
        for _ in 0..due {
            model.step(clock.step_s());
        }
        steps += u64::from(due);
    }
    (model, steps)
}

fn frames_at(hz: f64, seconds: f64) -> Vec<f64> {
    let count = (seconds * hz).round() as usize;
    vec![1.0 / hz; count]
}

/// Frame durations between 4 ms and 45 ms (a stuttering kiosk), summing to `seconds`.
fn irregular_frames(seconds: f64, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut frames = Vec::new();
    let mut total = 0.0;
    while total < seconds {
        let frame = rng.random_range(0.004_f64..0.045).min(seconds - total);
        frames.push(frame);
        total += frame;
    }
    frames
}

#[test]
fn results_do_not_depend_on_the_frame_rate() {
    let models = [
        SimModel::from_manifest("pendulum", &values(&[("angle", 120.0)])),
        SimModel::from_manifest("projectile", &values(&[("drag", 0.02), ("speed", 25.0)])),
        SimModel::from_manifest("orbit", &values(&[("speed", 9.0)])),
    ];
    for model in models {
        let model = model.unwrap();
        let seconds = 3.0;
        let runs = [
            drive(model.clone(), &frames_at(60.0, seconds)),
            drive(model.clone(), &frames_at(144.0, seconds)),
            drive(model.clone(), &irregular_frames(seconds, 7)),
        ];
        let most_steps = runs.iter().map(|(_, steps)| *steps).max().unwrap();
        let caught_up: Vec<SimModel> = runs
            .into_iter()
            .map(|(mut run, steps)| {
                // Rounding in the accumulator may leave a run one step behind; compare at the
                // same simulated time by catching it up.
                assert!(most_steps - steps <= 1, "{steps} vs {most_steps} steps");
                for _ in steps..most_steps {
                    run.step(run.fixed_step_s());
                }
                run
            })
            .collect();
        assert!(caught_up[0].time() > 0.0);
        assert_eq!(caught_up[0], caught_up[1], "60 Hz vs 144 Hz: {model:?}");
        assert_eq!(caught_up[0], caught_up[2], "60 Hz vs irregular: {model:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Pendulum

/// Runs until the pendulum has measured a period (two upward crossings), at the fixed step.
fn measure_period(pendulum: &mut Pendulum) -> f64 {
    let limit = (4.0 * pendulum.exact_period() / Pendulum::FIXED_STEP_S) as u64;
    for _ in 0..limit {
        pendulum.step(Pendulum::FIXED_STEP_S);
        if let Some(period) = pendulum.measured_period() {
            return period;
        }
    }
    panic!("no period measured within four periods");
}

#[test]
fn pendulum_small_swing_matches_the_school_formula() {
    let mut pendulum = Pendulum::new(1.0, 5.0, 9.81);
    let expected = TAU * (1.0_f64 / 9.81).sqrt();
    assert!(relative_error(pendulum.small_angle_period(), expected) < 1e-12);
    let measured = measure_period(&mut pendulum);
    let error = relative_error(measured, expected);
    eprintln!(
        "pendulum 5°: measured {measured:.6} s, 2π√(L/g) {expected:.6} s, error {:.4}%",
        error * 100.0
    );
    assert!(error < 0.01);
}

#[test]
fn pendulum_large_swing_matches_the_elliptic_integral() {
    for angle in [30.0, 90.0, 150.0, 170.0] {
        for (length, planet) in [
            (1.0, Planet::Earth),
            (0.05, Planet::Jupiter),
            (20.0, Planet::Moon),
        ] {
            let mut pendulum = Pendulum::new(length, angle, planet.gravity());
            let exact = pendulum.exact_period();
            let measured = measure_period(&mut pendulum);
            let error = relative_error(measured, exact);
            eprintln!(
                "pendulum {angle}° L={length} m {}: measured {measured:.6} s, elliptic {exact:.6} s, error {:.5}%, small-angle formula off by {:.2}%",
                planet.id(),
                error * 100.0,
                relative_error(pendulum.small_angle_period(), exact) * 100.0
            );
            assert!(error < 0.005, "{angle}° {length} m {planet:?}: {error}");
        }
    }
}

#[test]
fn elliptic_period_has_the_known_large_angle_factors() {
    // T/T₀ = 1/AGM(1, cos(θ₀/2)); tabulated values of 2K(sin(θ₀/2))/π.
    for (angle, factor) in [
        (1.0, 1.000_019_0),
        (90.0, 1.180_340_6),
        (150.0, 1.762_204_6),
    ] {
        let pendulum = Pendulum::new(2.0, angle, 9.81);
        let ratio = pendulum.exact_period() / pendulum.small_angle_period();
        assert!((ratio - factor).abs() < 1e-6, "{angle}°: {ratio}");
    }
}

#[test]
fn pendulum_energy_stays_bounded_over_many_swings() {
    let mut pendulum = Pendulum::new(1.0, 160.0, 9.81);
    let start = pendulum.energy_per_kg();
    let mut worst: f64 = 0.0;
    for _ in 0..200_000 {
        pendulum.step(Pendulum::FIXED_STEP_S);
        worst = worst.max(relative_error(pendulum.energy_per_kg(), start));
    }
    eprintln!("pendulum 160°, 200 s: worst energy error {:.2e}", worst);
    assert!(worst < 1e-3);
}

#[test]
fn pendulum_bob_starts_at_the_release_angle_and_swings_through_the_bottom() {
    let mut pendulum = Pendulum::new(2.0, 90.0, 9.81);
    let (x, y) = pendulum.bob_position();
    assert!((x - 2.0).abs() < 1e-12 && y.abs() < 1e-12, "({x}, {y})");
    // A quarter of the exact period later it hangs at the bottom, moving left.
    let quarter = (pendulum.exact_period() / 4.0 / Pendulum::FIXED_STEP_S).round() as u64;
    for _ in 0..quarter {
        pendulum.step(Pendulum::FIXED_STEP_S);
    }
    let (x, y) = pendulum.bob_position();
    assert!(x.abs() < 0.01 && (y + 2.0).abs() < 1e-4, "({x}, {y})");
    assert!(pendulum.angular_velocity() < 0.0);
    assert!(pendulum.measured_period().is_none());

    pendulum.reset();
    assert_eq!(pendulum.angle_deg(), 90.0);
    assert_eq!(pendulum.time(), 0.0);
}

#[test]
fn gravity_presets() {
    let gravities: Vec<f64> = Planet::ALL.iter().map(|p| p.gravity()).collect();
    assert_eq!(gravities, [9.81, 1.62, 3.71, 24.79]);
    // On the Moon the same pendulum swings √(9.81/1.62) ≈ 2.46 times slower.
    let earth = Pendulum::new(1.0, 10.0, Planet::Earth.gravity());
    let moon = Pendulum::new(1.0, 10.0, Planet::Moon.gravity());
    let ratio = moon.small_angle_period() / earth.small_angle_period();
    assert!((ratio - (9.81_f64 / 1.62).sqrt()).abs() < 1e-12);
}

// ---------------------------------------------------------------------------------------------
// Projectile

fn fly(mut projectile: Projectile) -> Projectile {
    assert!(projectile.run_to_landing(10_000_000), "never landed");
    projectile
}

#[test]
fn projectile_without_drag_matches_the_textbook() {
    for (angle, speed, gravity) in [
        (45.0, 20.0, 9.81),
        (15.0, 50.0, 9.81),
        (60.0, 120.0, 9.81),
        (80.0, 5.0, 1.62),
        (30.0, 300.0, 24.79),
    ] {
        let projectile = fly(Projectile::new(angle, speed, gravity, 0.0, 30.0));
        let range = projectile.range().unwrap();
        let expected_range = speed * speed * (2.0 * f64::to_radians(angle)).sin() / gravity;
        assert!(relative_error(projectile.analytic_range(), expected_range) < 1e-12);
        let range_error = relative_error(range, expected_range);
        let peak_error =
            relative_error(projectile.peak_height(), projectile.analytic_peak_height());
        let time_error = relative_error(
            projectile.flight_time().unwrap(),
            projectile.analytic_flight_time(),
        );
        eprintln!(
            "projectile {angle}° {speed} m/s g={gravity}: range {range:.4} m vs {expected_range:.4} m (error {:.2e}%), peak error {:.2e}%, flight time error {:.2e}%",
            range_error * 100.0,
            peak_error * 100.0,
            time_error * 100.0
        );
        assert!(range_error < 0.01);
        assert!(peak_error < 0.01);
        assert!(time_error < 0.01);
    }
}

#[test]
fn drag_shortens_the_flight() {
    for drag in [0.001, 0.01, 0.1, 1.0] {
        let without = fly(Projectile::new(45.0, 30.0, 9.81, 0.0, 30.0));
        let with = fly(Projectile::new(45.0, 30.0, 9.81, drag, 30.0));
        eprintln!(
            "projectile 45° 30 m/s drag k={drag}/m: range {:.3} m (without {:.3} m), peak {:.3} m",
            with.range().unwrap(),
            without.range().unwrap(),
            with.peak_height()
        );
        assert!(with.has_drag() && !without.has_drag());
        assert!(with.range().unwrap() < without.range().unwrap());
        assert!(with.peak_height() < without.peak_height());
    }
    // Heavier drag, shorter still.
    let light = fly(Projectile::new(45.0, 30.0, 9.81, 0.01, 30.0));
    let heavy = fly(Projectile::new(45.0, 30.0, 9.81, 0.1, 30.0));
    assert!(heavy.range().unwrap() < light.range().unwrap());
}

#[test]
fn drag_matches_the_closed_form_of_a_vertical_throw() {
    // Straight up with quadratic drag the peak is ln(1 + k·v₀²/g)/(2k): a check of the drag term
    // itself, not just of its sign.
    let (speed, gravity, drag) = (40.0, 9.81, 0.05);
    let projectile = fly(Projectile::new(90.0, speed, gravity, drag, 30.0));
    let expected = (1.0 + drag * speed * speed / gravity).ln() / (2.0 * drag);
    let error = relative_error(projectile.peak_height(), expected);
    eprintln!(
        "vertical throw with drag: peak {:.5} m vs {expected:.5} m (error {:.2e}%)",
        projectile.peak_height(),
        error * 100.0
    );
    assert!(error < 1e-4);
    assert!(projectile.range().unwrap().abs() < 1e-9);
}

#[test]
fn hitting_the_target() {
    let mut projectile = Projectile::new(45.0, 20.0, 9.81, 0.0, 40.0);
    assert_eq!(projectile.miss_distance(40.0), None);
    assert!(!projectile.hit(40.0, 100.0), "no hit while in the air");
    projectile.run_to_landing(100_000);
    let range = projectile.range().unwrap(); // 40.77 m
    let miss = projectile.miss_distance(40.0).unwrap();
    assert!(
        (miss - (range - 40.0)).abs() < 1e-12 && miss > 0.0,
        "long by {miss}"
    );
    assert!(projectile.hit(40.0, 1.0));
    assert!(!projectile.hit(40.0, 0.5));
    assert!(projectile.miss_distance(45.0).unwrap() < 0.0, "short");
    assert_eq!(projectile.target_distance_m(), 40.0);
}

#[test]
fn projectile_stops_at_the_landing_point() {
    let mut projectile = fly(Projectile::new(30.0, 10.0, 9.81, 0.0, 30.0));
    let landed = projectile.clone();
    projectile.step(Projectile::FIXED_STEP_S);
    assert_eq!(projectile, landed);
    assert_eq!(projectile.position(), (projectile.range().unwrap(), 0.0));
    assert_eq!(projectile.time(), projectile.flight_time().unwrap());
    assert_eq!(projectile.trajectory().last(), Some(&projectile.position()));

    // Launched flat along the ground it lands at once.
    let flat = fly(Projectile::new(0.0, 10.0, 9.81, 0.0, 30.0));
    assert_eq!(flat.range(), Some(0.0));
}

#[test]
fn a_long_flight_keeps_a_bounded_trajectory() {
    // 43 s of flight is 43 000 steps; the drawing keeps the whole arc in at most 2048 points.
    let projectile = fly(Projectile::new(45.0, 300.0, 9.81, 0.0, 30.0));
    let points = projectile.trajectory();
    assert!(
        points.len() <= 2048 && points.len() > 500,
        "{}",
        points.len()
    );
    assert_eq!(points.first(), Some(&(0.0, 0.0)));
    let highest = points.iter().map(|p| p.1).fold(0.0, f64::max);
    assert!(relative_error(highest, projectile.analytic_peak_height()) < 0.01);
    assert!(
        points.windows(2).all(|w| w[1].0 > w[0].0),
        "x grows along the arc"
    );
}

// ---------------------------------------------------------------------------------------------
// Orbit

/// Worst relative change of the specific energy over `steps` steps.
fn energy_drift(orbit: &mut Orbit, steps: u64) -> f64 {
    let start = orbit.specific_energy();
    let mut worst: f64 = 0.0;
    for _ in 0..steps {
        orbit.step(orbit.fixed_step_s());
        worst = worst.max(relative_error(orbit.specific_energy(), start));
    }
    worst
}

#[test]
fn orbit_energy_is_conserved() {
    for (altitude_km, speed_km_s, expected) in [
        (400.0, 7.6726, OrbitOutcome::Circular),
        (400.0, 9.0, OrbitOutcome::Ellipse),
        (20_000.0, 3.0, OrbitOutcome::Ellipse),
        (35_786.0, 3.0747, OrbitOutcome::Circular),
    ] {
        let mut orbit = Orbit::new(EARTH, altitude_km, speed_km_s);
        assert_eq!(orbit.outcome(), expected);
        let start_momentum = orbit.specific_angular_momentum();
        let drift = energy_drift(&mut orbit, 100_000);
        let revolutions = orbit.time() / orbit.orbital_period_s().unwrap();
        eprintln!(
            "orbit {altitude_km} km {speed_km_s} km/s (e = {:.3}): worst energy error {:.2e}% over 100 000 steps ({revolutions:.1} revolutions)",
            orbit.eccentricity(),
            drift * 100.0
        );
        assert!(!orbit.has_impacted());
        assert!(drift < 1e-3);
        assert!(revolutions > 10.0, "the test must span many revolutions");
        // Verlet conserves angular momentum exactly for a central force, up to rounding.
        assert!(relative_error(orbit.specific_angular_momentum(), start_momentum) < 1e-9);
    }
}

#[test]
fn circular_orbit_comes_back_round_after_one_period() {
    let mut orbit = Orbit::new(
        EARTH,
        400.0,
        EARTH.circular_speed(EARTH.radius_m + 400e3) / 1e3,
    );
    assert!(orbit.eccentricity() < 1e-6);
    let start = orbit.position();
    let radius = orbit.radius_m();
    let steps = (orbit.circular_period_s() / orbit.fixed_step_s()).round() as u64;
    let mut worst_radius_error: f64 = 0.0;
    for _ in 0..steps {
        orbit.step(orbit.fixed_step_s());
        worst_radius_error = worst_radius_error.max(relative_error(orbit.radius_m(), radius));
    }
    let gap = (orbit.position().0 - start.0).hypot(orbit.position().1 - start.1);
    assert!(gap / radius < 1e-3, "{gap} m from the start");
    // Verlet's circle wobbles by a few parts per million (about 30 m at 6771 km).
    assert!(worst_radius_error < 1e-5, "{worst_radius_error}");
    assert!(orbit.trail().len() > 300, "{}", orbit.trail().len());
}

#[test]
fn outcome_by_launch_speed() {
    let radius = EARTH.radius_m + 400e3;
    let circular = EARTH.circular_speed(radius);
    let escape = EARTH.escape_speed(radius);
    assert!((circular - 7672.6).abs() < 0.1, "{circular}");
    assert!((escape - 10_850.7).abs() < 0.1, "{escape}");
    assert!(relative_error(escape / circular, 2.0_f64.sqrt()) < 1e-12);
    let cases = [
        (0.0, OrbitOutcome::FallsBack),
        (0.5 * circular, OrbitOutcome::FallsBack),
        (0.98 * circular, OrbitOutcome::FallsBack), // periapsis 116 km below the surface
        (0.985 * circular, OrbitOutcome::Ellipse),  // periapsis 8 km above it: it skims round
        (0.995 * circular, OrbitOutcome::Circular),
        (circular, OrbitOutcome::Circular),
        (1.009 * circular, OrbitOutcome::Circular),
        (1.02 * circular, OrbitOutcome::Ellipse),
        (0.5 * (circular + escape), OrbitOutcome::Ellipse),
        (0.999 * escape, OrbitOutcome::Ellipse),
        (1.001 * escape, OrbitOutcome::Escape),
        (30_000.0, OrbitOutcome::Escape),
    ];
    for (speed, expected) in cases {
        let outcome = OrbitOutcome::of_horizontal_launch(&EARTH, radius, speed);
        assert_eq!(outcome, expected, "{speed} m/s");
    }
    // High up, a launch well below circular speed still clears the surface: an ellipse.
    let high = EARTH.radius_m + 20_000e3;
    assert_eq!(
        OrbitOutcome::of_horizontal_launch(&EARTH, high, 0.8 * EARTH.circular_speed(high)),
        OrbitOutcome::Ellipse
    );
}

#[test]
fn too_slow_a_launch_hits_the_surface() {
    for speed_km_s in [0.0, 3.0, 7.0] {
        let mut orbit = Orbit::new(EARTH, 400.0, speed_km_s);
        assert_eq!(orbit.outcome(), OrbitOutcome::FallsBack);
        let mut steps = 0;
        while !orbit.has_impacted() && steps < 1_000_000 {
            orbit.step(orbit.fixed_step_s());
            steps += 1;
        }
        let impact = orbit.impact_point().unwrap();
        assert!(relative_error(impact.0.hypot(impact.1), EARTH.radius_m) < 1e-12);
        assert!(orbit.altitude_m().abs() < 1e-3);
        let frozen = orbit.clone();
        orbit.step(orbit.fixed_step_s());
        assert_eq!(orbit, frozen, "nothing moves after the impact");
        eprintln!(
            "orbit 400 km {speed_km_s} km/s: impact after {:.0} s at ({:.0}, {:.0}) m",
            orbit.time(),
            impact.0,
            impact.1
        );
        if speed_km_s == 0.0 {
            // Straight down: free fall from 400 km takes a little under five minutes.
            assert!(impact.0.abs() < 1e-6);
            assert!((250.0..320.0).contains(&orbit.time()), "{}", orbit.time());
        }
    }
}

#[test]
fn an_escape_keeps_going_out() {
    let mut orbit = Orbit::new(EARTH, 400.0, 12.0);
    assert_eq!(orbit.outcome(), OrbitOutcome::Escape);
    assert!(orbit.specific_energy() > 0.0);
    assert_eq!(orbit.apoapsis_radius_m(), None);
    assert_eq!(orbit.orbital_period_s(), None);
    let mut last_radius = orbit.radius_m();
    for _ in 0..50 {
        for _ in 0..1000 {
            orbit.step(orbit.fixed_step_s());
        }
        assert!(orbit.radius_m() > last_radius);
        last_radius = orbit.radius_m();
    }
    assert!(
        orbit.radius_m() > 20.0 * EARTH.radius_m,
        "{}",
        orbit.radius_m()
    );
    assert!(orbit.trail().len() <= 1024);
}

#[test]
fn ellipse_geometry() {
    let orbit = Orbit::new(EARTH, 400.0, 9.0);
    // Launched faster than circular, the launch point is the periapsis.
    assert!(relative_error(orbit.periapsis_radius_m(), EARTH.radius_m + 400e3) < 1e-9);
    let apoapsis = orbit.apoapsis_radius_m().unwrap();
    // Vis-viva at apoapsis: the same energy, and r·v (angular momentum) shared.
    let apoapsis_speed = orbit.specific_angular_momentum().abs() / apoapsis;
    let energy_there = 0.5 * apoapsis_speed * apoapsis_speed - EARTH.gm / apoapsis;
    assert!(relative_error(energy_there, orbit.specific_energy()) < 1e-9);
}

// ---------------------------------------------------------------------------------------------
// Building from the manifest

#[test]
fn every_manifest_model_can_be_built() {
    for spec in MODELS {
        let model = SimModel::from_manifest(spec.name, &ParameterValues::new()).unwrap();
        assert!(model.fixed_step_s() > 0.0);
        assert!(model.clock().max_steps_per_frame() >= 1);
    }
    assert_eq!(
        SimModel::from_manifest("lava-lamp", &ParameterValues::new()),
        Err(SimError::UnknownModel("lava-lamp".into()))
    );
}

#[test]
fn every_manifest_parameter_is_read_and_clamped() {
    for spec in MODELS {
        let default = SimModel::from_manifest(spec.name, &ParameterValues::new()).unwrap();
        for parameter in spec.parameters {
            let at_max =
                SimModel::from_manifest(spec.name, &values(&[(parameter.id, parameter.max)]))
                    .unwrap();
            let above = SimModel::from_manifest(
                spec.name,
                &values(&[(parameter.id, parameter.max * 10.0 + 1.0)]),
            )
            .unwrap();
            let at_min =
                SimModel::from_manifest(spec.name, &values(&[(parameter.id, parameter.min)]))
                    .unwrap();
            let below = SimModel::from_manifest(
                spec.name,
                &values(&[(parameter.id, parameter.min - 1000.0)]),
            )
            .unwrap();
            assert_ne!(at_max, at_min, "{}.{} is not read", spec.name, parameter.id);
            assert!(at_max != default || at_min != default);
            assert_eq!(
                above, at_max,
                "{}.{} is not clamped",
                spec.name, parameter.id
            );
            assert_eq!(
                below, at_min,
                "{}.{} is not clamped",
                spec.name, parameter.id
            );
            let not_a_number =
                SimModel::from_manifest(spec.name, &values(&[(parameter.id, f64::NAN)])).unwrap();
            assert_eq!(
                not_a_number, default,
                "{}.{}: NaN takes the default",
                spec.name, parameter.id
            );
        }
    }
}

#[test]
fn defaults_are_everyday_values() {
    let SimModel::Pendulum(pendulum) =
        SimModel::from_manifest("pendulum", &ParameterValues::new()).unwrap()
    else {
        panic!("not a pendulum");
    };
    assert_eq!(
        (
            pendulum.length_m(),
            pendulum.release_angle_deg(),
            pendulum.gravity()
        ),
        (1.0, 20.0, 9.81)
    );

    let projectile = Projectile::from_parameters(&values(&[("angle", 30.0)]));
    assert!((projectile.launch_angle_deg() - 30.0).abs() < 1e-12);
    assert_eq!(
        (
            projectile.launch_speed(),
            projectile.gravity(),
            projectile.drag()
        ),
        (20.0, 9.81, 0.0)
    );

    let orbit = Orbit::from_parameters(&values(&[("altitude", 1000.0)]));
    assert_eq!(orbit.launch_altitude_m(), 1_000_000.0);
    assert_eq!(
        orbit.outcome(),
        OrbitOutcome::Circular,
        "default speed is circular at that height"
    );
}

#[test]
fn initial_values_are_the_curators_defaults() {
    let manifest: crate::manifest::ExhibitManifest = toml::from_str(
        r#"
        id = "swing"
        kind = "simulation"
        title = { en = "Swing" }
        model = "pendulum"
        [[parameters]]
        id = "length"
        label = { en = "Length" }
        min = 0.5
        max = 3.0
        default = 2.0
        "#,
    )
    .unwrap();
    let initial = initial_values(&manifest.parameters);
    assert_eq!(initial, values(&[("length", 2.0)]));
    let SimModel::Pendulum(pendulum) = SimModel::from_manifest("pendulum", &initial).unwrap()
    else {
        panic!("not a pendulum");
    };
    assert_eq!(pendulum.length_m(), 2.0);
}

#[test]
fn decimating_trail_keeps_its_shape_in_bounded_memory() {
    let mut trail = DecimatingTrail::new(8, (0.0, 0.0));
    for i in 1..=1000 {
        trail.step((f64::from(i), 0.0));
    }
    let points = trail.points();
    assert!(points.len() <= 8);
    assert_eq!(points[0], (0.0, 0.0));
    assert!(points.windows(2).all(|w| w[1].0 > w[0].0));
    // The last point recorded is recent: within one recording interval of the end.
    assert!(points[points.len() - 1].0 > 1000.0 - 256.0, "{:?}", points);
}
