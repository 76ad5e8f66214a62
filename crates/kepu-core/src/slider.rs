//! A number a visitor sets with a slider (a simulation's parameter, an estimate question): the
//! range and step the manifest gives, and where a finger's value lands on them. The kiosk's
//! player state and its drawing both snap through this one piece.

/// A slider range as the manifest gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SliderRange {
    pub min: f64,
    pub max: f64,
    pub step: Option<f64>,
}

impl SliderRange {
    /// `value` moved into the range and onto its step.
    pub fn snap(&self, value: f64) -> f64 {
        let clamped = value.clamp(self.min, self.max);
        match self.step {
            Some(step) if step > 0.0 => {
                let steps = ((clamped - self.min) / step).round();
                (self.min + steps * step).clamp(self.min, self.max)
            }
            _ => clamped,
        }
    }

    /// The step of one press on − or +: the manifest's, else a hundredth of the range.
    pub fn button_step(&self) -> f64 {
        self.step
            .filter(|s| *s > 0.0)
            .unwrap_or((self.max - self.min) / 100.0)
    }
}

impl From<&crate::manifest::Estimate> for SliderRange {
    fn from(estimate: &crate::manifest::Estimate) -> Self {
        Self {
            min: estimate.min,
            max: estimate.max,
            step: estimate.step,
        }
    }
}

impl From<&crate::manifest::Parameter> for SliderRange {
    fn from(parameter: &crate::manifest::Parameter) -> Self {
        Self {
            min: parameter.min,
            max: parameter.max,
            step: parameter.step,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapping_stays_in_range_and_on_step() {
        let range = SliderRange {
            min: 0.0,
            max: 400.0,
            step: Some(10.0),
        };
        assert_eq!(range.snap(147.0), 150.0);
        assert_eq!(range.snap(-5.0), 0.0);
        assert_eq!(range.snap(1e9), 400.0);
        assert_eq!(range.button_step(), 10.0);
        let free = SliderRange {
            step: None,
            ..range
        };
        assert_eq!(free.snap(147.3), 147.3);
        assert_eq!(free.button_step(), 4.0);
    }
}
