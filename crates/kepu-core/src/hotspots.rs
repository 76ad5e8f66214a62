//! Hotspot geometry: which region of a hotspots image a tap lands in, and the bounds of
//! pinch-zoom and pan so the image can never be zoomed or dragged away.

use crate::manifest::Hotspot;

/// The hotspot under a point in image pixels; the last one listed wins where regions overlap
/// (curators list small details after the large areas that contain them).
pub fn hotspot_at(hotspots: &[Hotspot], x: f64, y: f64) -> Option<&Hotspot> {
    hotspots.iter().rev().find(|h| contains(h, x, y))
}

/// Whether a hotspot's region contains the point (image pixels).
pub fn contains(hotspot: &Hotspot, x: f64, y: f64) -> bool {
    if let Some([left, top, width, height]) = hotspot.rect {
        return x >= left && x <= left + width && y >= top && y <= top + height;
    }
    if let Some([cx, cy, r]) = hotspot.circle {
        return (x - cx).powi(2) + (y - cy).powi(2) <= r * r;
    }
    if let Some(points) = &hotspot.polygon {
        return polygon_contains(points, x, y);
    }
    false
}

/// Even-odd rule: a ray to the right crosses the outline an odd number of times from inside.
fn polygon_contains(points: &[[f64; 2]], x: f64, y: f64) -> bool {
    let mut inside = false;
    let mut previous = match points.last() {
        Some(p) => *p,
        None => return false,
    };
    for point in points {
        let ([x1, y1], [x2, y2]) = (previous, *point);
        if (y1 > y) != (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1) {
            inside = !inside;
        }
        previous = *point;
    }
    inside
}

/// How far in a visitor may zoom.
pub const MAX_ZOOM: f64 = 4.0;

/// The visible part of an image: a zoom (1 = the whole image fits) and the image point at the
/// centre of the view, as fractions of the image's width and height. Every change is clamped,
/// so the image always fills its frame: it can never be zoomed out past whole, zoomed in past
/// [`MAX_ZOOM`], or dragged off screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZoomPan {
    zoom: f64,
    centre: (f64, f64),
}

impl Default for ZoomPan {
    fn default() -> Self {
        Self {
            zoom: 1.0,
            centre: (0.5, 0.5),
        }
    }
}

impl ZoomPan {
    pub fn zoom(&self) -> f64 {
        self.zoom
    }

    pub fn centre(&self) -> (f64, f64) {
        self.centre
    }

    /// Zooms by `factor` keeping the image point under `focus` (a fraction of the view, 0..1
    /// each way) where it is, as a pinch does.
    pub fn zoom_by(&mut self, factor: f64, focus: (f64, f64)) {
        if !factor.is_finite() || factor <= 0.0 {
            return;
        }
        let before = self.view_to_image(focus);
        self.zoom = (self.zoom * factor).clamp(1.0, MAX_ZOOM);
        let after = self.view_to_image(focus);
        self.centre.0 += before.0 - after.0;
        self.centre.1 += before.1 - after.1;
        self.clamp();
    }

    /// Moves the image by a drag of `delta` (fractions of the view's size).
    pub fn pan_by(&mut self, delta: (f64, f64)) {
        if !(delta.0.is_finite() && delta.1.is_finite()) {
            return;
        }
        self.centre.0 -= delta.0 / self.zoom;
        self.centre.1 -= delta.1 / self.zoom;
        self.clamp();
    }

    /// The image point (fractions) shown at a view point (fractions).
    pub fn view_to_image(&self, view: (f64, f64)) -> (f64, f64) {
        (
            self.centre.0 + (view.0 - 0.5) / self.zoom,
            self.centre.1 + (view.1 - 0.5) / self.zoom,
        )
    }

    /// The visible part of the image as (left, top, right, bottom) fractions.
    pub fn visible(&self) -> (f64, f64, f64, f64) {
        let half = 0.5 / self.zoom;
        (
            self.centre.0 - half,
            self.centre.1 - half,
            self.centre.0 + half,
            self.centre.1 + half,
        )
    }

    fn clamp(&mut self) {
        let half = 0.5 / self.zoom;
        self.centre.0 = self.centre.0.clamp(half, 1.0 - half);
        self.centre.1 = self.centre.1.clamp(half, 1.0 - half);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hotspot(id: &str, region: &str) -> Hotspot {
        toml::from_str(&format!(
            "id = \"{id}\"\ntitle = {{ en = \"t\" }}\ntext = {{ en = \"x\" }}\n{region}"
        ))
        .unwrap()
    }

    #[test]
    fn taps_find_rectangles_circles_and_polygons_smallest_last() {
        let spots = vec![
            hotspot("room", "rect = [0, 0, 1000, 800]"),
            hotspot("lamp", "circle = [200, 200, 50]"),
            hotspot("roof", "polygon = [[400, 100], [600, 100], [500, 10]]"),
        ];
        let id = |x, y| hotspot_at(&spots, x, y).map(|h| h.id.as_str());
        assert_eq!(id(210.0, 190.0), Some("lamp"));
        assert_eq!(id(260.0, 260.0), Some("room"), "outside the circle");
        assert_eq!(id(500.0, 80.0), Some("roof"));
        assert_eq!(id(420.0, 20.0), Some("room"), "outside the triangle");
        assert_eq!(id(1200.0, 100.0), None);
    }

    #[test]
    fn zoom_keeps_the_pinched_point_still_and_stays_in_bounds() {
        let mut view = ZoomPan::default();
        view.zoom_by(0.5, (0.5, 0.5));
        assert_eq!(view, ZoomPan::default(), "never smaller than whole");
        let point = view.view_to_image((0.25, 0.25));
        view.zoom_by(2.0, (0.25, 0.25));
        let after = view.view_to_image((0.25, 0.25));
        assert!((point.0 - after.0).abs() < 1e-12 && (point.1 - after.1).abs() < 1e-12);
        view.zoom_by(100.0, (0.5, 0.5));
        assert_eq!(view.zoom(), MAX_ZOOM);
        view.pan_by((50.0, -50.0));
        let (left, top, right, bottom) = view.visible();
        assert!(left >= 0.0 && top >= 0.0 && right <= 1.0 && bottom <= 1.0);
        assert!(
            (left - 0.0).abs() < 1e-12,
            "dragged right as far as it goes"
        );
    }

    proptest! {
        #[test]
        fn any_gesture_sequence_keeps_the_image_filling_the_view(
            gestures in proptest::collection::vec(
                (0.01f64..20.0, 0.0f64..1.0, 0.0f64..1.0, -3.0f64..3.0, -3.0f64..3.0), 1..40)
        ) {
            let mut view = ZoomPan::default();
            for (factor, fx, fy, dx, dy) in gestures {
                view.zoom_by(factor, (fx, fy));
                view.pan_by((dx, dy));
                let (left, top, right, bottom) = view.visible();
                prop_assert!((1.0..=MAX_ZOOM).contains(&view.zoom()));
                prop_assert!(left >= -1e-12 && top >= -1e-12);
                prop_assert!(right <= 1.0 + 1e-12 && bottom <= 1.0 + 1e-12);
            }
        }
    }
}
