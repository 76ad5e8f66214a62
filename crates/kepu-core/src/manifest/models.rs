//! The built-in simulation models a manifest can name, with the physically sensible range of
//! each parameter. A manifest picks a narrower slider range inside it.

/// A parameter a model understands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParameterSpec {
    pub id: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelSpec {
    pub name: &'static str,
    pub parameters: &'static [ParameterSpec],
}

const fn p(id: &'static str, unit: &'static str, min: f64, max: f64) -> ParameterSpec {
    ParameterSpec { id, unit, min, max }
}

pub const MODELS: &[ModelSpec] = &[
    ModelSpec {
        name: "pendulum",
        parameters: &[
            p("length", "m", 0.05, 100.0),
            p("angle", "deg", 1.0, 179.0),
            p("gravity", "m/s²", 0.1, 30.0),
        ],
    },
    ModelSpec {
        name: "projectile",
        parameters: &[
            p("angle", "deg", 0.0, 90.0),
            p("speed", "m/s", 0.1, 300.0),
            p("gravity", "m/s²", 0.1, 30.0),
            p("drag", "1/m", 0.0, 1.0),
            p("target_distance", "m", 1.0, 10_000.0),
        ],
    },
    ModelSpec {
        name: "orbit",
        parameters: &[
            p("speed", "km/s", 0.0, 30.0),
            p("altitude", "km", 100.0, 100_000.0),
        ],
    },
];

pub fn model(name: &str) -> Option<&'static ModelSpec> {
    MODELS.iter().find(|m| m.name == name)
}

impl ModelSpec {
    pub fn parameter(&self, id: &str) -> Option<&'static ParameterSpec> {
        self.parameters.iter().find(|p| p.id == id)
    }

    pub fn parameter_names(&self) -> String {
        self.parameters
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub fn model_names() -> String {
    MODELS.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
}
