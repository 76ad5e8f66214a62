//! The sort, simulation and hotspots players on a headless kiosk, driven by simulated touches:
//! dragging an item into a bin, dragging a parameter's slider, pinching a picture.

use crate::harness::Kiosk;
use bevy::input::touch::TouchPhase;
use bevy::math::Vec2;
use kepu_core::sim::SimModel;
use kepu_core::wire::EventKind;
use kepu_kiosk::ui::UiCommand;
use kepu_kiosk::ui::{HotspotsCommand, SessionCommand, SimCommand, SortCommand};
use kepu_kiosk::visit::Player;
use std::time::Duration;

fn player(kiosk: &Kiosk) -> Player {
    kiosk
        .visit()
        .open
        .as_ref()
        .map(|o| o.player.clone())
        .expect("an exhibit should be open")
}

fn open(kiosk: &mut Kiosk, id: &str) {
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    // Cards beyond the first screen are reached through the topic filter in real use; tests
    // open by command the way the card does.
    kiosk
        .app
        .world_mut()
        .write_message(UiCommand::Session(SessionCommand::OpenExhibit(
            id.to_owned(),
        )));
    kiosk.frames(4);
    assert!(kiosk.visit().open.is_some(), "{id} did not open");
}

#[test]
fn sort_items_dragged_into_bins_with_feedback_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 600);
    open(&mut kiosk, "waste-sorting");
    let mut wrong_first = 0;
    for _ in 0..8 {
        let Player::Sort(game) = player(&kiosk) else {
            panic!("sort game expected");
        };
        let item = game.round.next_item().unwrap().clone();
        // Drag the card onto a wrong bin first for the battery, then onto the right bin.
        let card = kiosk.target_center(&UiCommand::Sort(SortCommand::PlaceItem {
            item: item.id.clone(),
            bin: String::new(),
        }));
        if item.id == "battery" {
            let wrong = kiosk.target_center(&UiCommand::Sort(SortCommand::PlaceItem {
                item: item.id.clone(),
                bin: "kitchen".into(),
            }));
            kiosk.drag(card, wrong, 8);
            let Player::Sort(game) = player(&kiosk) else {
                panic!()
            };
            let last = game.last.clone().unwrap();
            assert!(
                !last.placement.correct,
                "the kitchen bin is wrong for a battery"
            );
            assert!(!game.round.is_placed("battery"), "it stays on the pile");
            assert!(kiosk.targets().iter().any(|c| matches!(
                c,
                UiCommand::Sort(SortCommand::PlaceItem { item, .. }) if item == "battery"
            )));
            wrong_first += 1;
        }
        let bin = kiosk.target_center(&UiCommand::Sort(SortCommand::PlaceItem {
            item: item.id.clone(),
            bin: item.bin.clone(),
        }));
        let card = kiosk.target_center(&UiCommand::Sort(SortCommand::PlaceItem {
            item: item.id.clone(),
            bin: String::new(),
        }));
        kiosk.drag(card, bin, 8);
        let Player::Sort(game) = player(&kiosk) else {
            panic!()
        };
        assert!(
            game.round.is_placed(&item.id),
            "{} was dragged into its bin",
            item.id
        );
    }
    let Player::Sort(game) = player(&kiosk) else {
        panic!()
    };
    assert!(game.round.is_finished());
    let summary = game.round.summary();
    assert_eq!(
        (summary.right_first_try, summary.wrong_first_try),
        (7, wrong_first)
    );
    assert!(
        kiosk
            .targets()
            .contains(&UiCommand::Sort(SortCommand::SortAgain))
    );
    let placements: Vec<(String, bool)> = kiosk
        .outbox_events()
        .into_iter()
        .filter_map(|e| match e.event {
            EventKind::SortPlacement {
                item_id, correct, ..
            } => Some((item_id, correct)),
            _ => None,
        })
        .collect();
    assert_eq!(
        placements.len(),
        9,
        "one event per placement, right or wrong"
    );
    assert!(placements.contains(&("battery".to_owned(), false)));

    // Tapping a bin works too (for visitors who cannot drag).
    kiosk.tap(UiCommand::Sort(SortCommand::SortAgain));
    let Player::Sort(game) = player(&kiosk) else {
        panic!()
    };
    let item = game.round.next_item().unwrap().clone();
    kiosk.tap(UiCommand::Sort(SortCommand::PlaceItem {
        item: item.id.clone(),
        bin: item.bin.clone(),
    }));
    let Player::Sort(game) = player(&kiosk) else {
        panic!()
    };
    assert!(game.round.is_placed(&item.id));
}

#[test]
fn a_simulation_parameter_changed_by_dragging_its_slider_and_summarised_on_leaving() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 600);
    open(&mut kiosk, "pendulum-planets");
    let length_slider = kiosk
        .target_rects()
        .into_iter()
        .find(|(c, r)| {
            matches!(c, UiCommand::Simulation(SimCommand::SetParameter(id, _)) if id == "length")
                && r.width() > 150.0
        })
        .map(|(_, r)| r)
        .expect("the length slider");
    // Length 0.2..3.0 m: drag to about three quarters.
    let y = length_slider.center().y;
    let at = |share: f32| Vec2::new(length_slider.left() + length_slider.width() * share, y);
    kiosk.drag(at(0.3), at(0.75), 6);
    let Player::Simulation(sim) = player(&kiosk) else {
        panic!("simulation expected");
    };
    let length = sim.values["length"];
    assert!((2.2..=2.5).contains(&length), "length {length}");
    let SimModel::Pendulum(pendulum) = &sim.sim else {
        panic!("pendulum expected");
    };
    assert!(
        (pendulum.length_m() - length).abs() < 1e-9,
        "the model follows the slider"
    );

    // Moon gravity at one tap, then play for a few seconds of real time.
    kiosk.tap(UiCommand::Simulation(SimCommand::SetParameter(
        "gravity".into(),
        1.62,
    )));
    kiosk.tap(UiCommand::Simulation(SimCommand::SimPlay));
    for _ in 0..50 {
        kiosk.frames(1);
    }
    let Player::Simulation(sim) = player(&kiosk) else {
        panic!()
    };
    assert!(
        sim.running && sim.sim.time() > 4.0,
        "it ran: {} s",
        sim.sim.time()
    );
    kiosk.tap(UiCommand::Simulation(SimCommand::SimPause));
    kiosk.tap(UiCommand::Session(SessionCommand::GoHome));
    let summary = kiosk
        .outbox_events()
        .into_iter()
        .find_map(|e| match e.event {
            EventKind::SimulationSummary {
                parameter_changes,
                runs,
                played_ms,
                ..
            } => Some((parameter_changes, runs, played_ms)),
            _ => None,
        })
        .expect("one summary when leaving");
    assert!(summary.0["length"] >= 1);
    assert_eq!(summary.0["gravity"], 1);
    assert_eq!(summary.1, 1);
    assert!(summary.2 >= 4_000, "played {} ms", summary.2);
}

#[test]
fn a_pinch_zooms_the_picture_within_bounds_and_a_tap_opens_a_card() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 600);
    open(&mut kiosk, "home-hazards");
    // The picture decodes off the render thread; wait for it.
    for _ in 0..100 {
        if kiosk
            .targets()
            .contains(&UiCommand::Hotspots(HotspotsCommand::PanImage(0.0, 0.0)))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        kiosk.frames(1);
    }
    let picture = kiosk
        .target_rects()
        .into_iter()
        .find(|(c, _)| *c == UiCommand::Hotspots(HotspotsCommand::PanImage(0.0, 0.0)))
        .map(|(_, r)| r)
        .expect("the picture");
    let centre = Vec2::new(picture.center().x, picture.center().y);
    let zoom = |kiosk: &Kiosk| match player(kiosk) {
        Player::Hotspots(spots) => spots.view,
        _ => panic!("hotspots expected"),
    };

    // Two fingers spread apart, far beyond the largest zoom.
    let (a, b) = (kiosk.next_finger(), kiosk.next_finger());
    let offset = |d: f32| Vec2::new(d, 0.0);
    kiosk.touch(a, TouchPhase::Started, centre - offset(40.0));
    kiosk.touch(b, TouchPhase::Started, centre + offset(40.0));
    kiosk.frames(1);
    for step in 1..=20 {
        let d = 40.0 + 30.0 * step as f32;
        kiosk.touch(a, TouchPhase::Moved, centre - offset(d));
        kiosk.touch(b, TouchPhase::Moved, centre + offset(d));
        kiosk.frames(1);
    }
    kiosk.touch(a, TouchPhase::Ended, centre - offset(640.0));
    kiosk.touch(b, TouchPhase::Ended, centre + offset(640.0));
    kiosk.frames(3);
    let view = zoom(&kiosk);
    assert!(view.zoom() > 2.0, "the pinch zoomed in: {}", view.zoom());
    assert!(view.zoom() <= kepu_core::hotspots::MAX_ZOOM);
    let (left, top, right, bottom) = view.visible();
    assert!(left >= 0.0 && top >= 0.0 && right <= 1.0 && bottom <= 1.0);

    // Long one-finger drags cannot push the picture off the screen.
    for _ in 0..4 {
        kiosk.drag(
            centre - Vec2::new(400.0, 250.0),
            centre + Vec2::new(500.0, 300.0),
            12,
        );
    }
    let (left, top, right, bottom) = zoom(&kiosk).visible();
    assert!(left >= -1e-9 && top >= -1e-9 && right <= 1.0 + 1e-9 && bottom <= 1.0 + 1e-9);
    assert!(left < 1e-6 && top < 1e-6, "dragged to the top-left corner");

    // Pinching in past whole stops at whole.
    let (a, b) = (kiosk.next_finger(), kiosk.next_finger());
    kiosk.touch(a, TouchPhase::Started, centre - offset(500.0));
    kiosk.touch(b, TouchPhase::Started, centre + offset(500.0));
    kiosk.frames(1);
    for step in 1..=20 {
        let d = 500.0 - 24.0 * step as f32;
        kiosk.touch(a, TouchPhase::Moved, centre - offset(d));
        kiosk.touch(b, TouchPhase::Moved, centre + offset(d));
        kiosk.frames(1);
    }
    kiosk.touch(a, TouchPhase::Ended, centre - offset(20.0));
    kiosk.touch(b, TouchPhase::Ended, centre + offset(20.0));
    kiosk.frames(3);
    assert_eq!(zoom(&kiosk).zoom(), 1.0);

    // At whole size, a tap on the stove (its region in the picture's pixels) opens its card.
    let stove = (950.0 / 1600.0, 365.0 / 900.0);
    kiosk.tap_at(Vec2::new(
        picture.left() + picture.width() * stove.0,
        picture.top() + picture.height() * stove.1,
    ));
    let Player::Hotspots(spots) = player(&kiosk) else {
        panic!()
    };
    assert_eq!(spots.open.as_deref(), Some("gas-stove"));
    kiosk.tap(UiCommand::Hotspots(HotspotsCommand::OpenHotspot(
        "overloaded-socket".into(),
    )));
    kiosk.tap(UiCommand::Hotspots(HotspotsCommand::CloseHotspot));
    let opened: Vec<String> = kiosk
        .outbox_events()
        .into_iter()
        .filter_map(|e| match e.event {
            EventKind::HotspotOpen { hotspot_id, .. } => Some(hotspot_id),
            _ => None,
        })
        .collect();
    assert_eq!(opened, vec!["gas-stove", "overloaded-socket"]);
}

/// The canvas's rectangle: the screen left of the controls, between the bars. Found from the
/// targets around it rather than assumed.
fn canvas(kiosk: &Kiosk) -> bevy_egui::egui::Rect {
    let targets = kiosk.target_rects();
    let controls_left = targets
        .iter()
        .filter(|(c, _)| matches!(c, UiCommand::Simulation(SimCommand::SetParameter(..))))
        .map(|(_, r)| r.left())
        .fold(f32::INFINITY, f32::min);
    let top = targets
        .iter()
        .filter(|(c, _)| *c == UiCommand::Session(SessionCommand::GoHome))
        .map(|(_, r)| r.bottom())
        .fold(0.0, f32::max);
    bevy_egui::egui::Rect::from_min_max(
        bevy_egui::egui::pos2(0.0, top + 20.0),
        bevy_egui::egui::pos2(controls_left - 20.0, 900.0),
    )
}

#[test]
fn dragging_on_the_canvas_sets_the_release_angle_and_aims_the_launch() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 600);
    open(&mut kiosk, "pendulum-planets");
    let area = canvas(&kiosk);
    // The bob dragged out to the right and up: about 45° from straight down.
    let pivot_y = area.top() + area.height() * 0.1;
    let centre_x = area.center().x;
    kiosk.drag(
        Vec2::new(centre_x, area.bottom() - 40.0),
        Vec2::new(centre_x + 300.0, pivot_y + 300.0),
        6,
    );
    let Player::Simulation(sim) = player(&kiosk) else {
        panic!("simulation expected");
    };
    let angle = sim.values["angle"];
    assert!((35.0..=55.0).contains(&angle), "release angle {angle}°");

    kiosk.tap(UiCommand::Session(SessionCommand::GoHome));
    open(&mut kiosk, "projectile-target");
    let area = canvas(&kiosk);
    let launch = Vec2::new(area.left() + 40.0, area.bottom() - 40.0);
    let before = match player(&kiosk) {
        Player::Simulation(sim) => sim.values["speed"],
        _ => panic!("simulation expected"),
    };
    // Aim steeply (60° up) and pull far: a steep, fast launch.
    let pull = area.width() * 0.45;
    let aim = Vec2::new(pull * 0.5, -pull * 0.866);
    kiosk.drag(launch + aim * 0.2, launch + aim, 6);
    let Player::Simulation(sim) = player(&kiosk) else {
        panic!("simulation expected");
    };
    let (angle, speed) = (sim.values["angle"], sim.values["speed"]);
    assert!((50.0..=70.0).contains(&angle), "launch angle {angle}°");
    assert!(speed > before, "speed {before} -> {speed}");
}
