//! The manifest format: what a curator writes in `exhibit.toml`. One flat table per exhibit;
//! each kind uses its own sections. Unknown fields are errors, so a typo is never silently
//! ignored. docs/manifest.md documents every field; `kepu-kiosk schema` prints the JSON Schema
//! generated from these types.

use crate::i18n::LocalizedText;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExhibitKind {
    /// Pages of text and image, with optional narration; the visitor swipes between them.
    Story,
    /// Questions of several types, an explanation after each answer, a score at the end.
    Quiz,
    /// A large image with tappable regions that open info cards.
    Hotspots,
    /// A built-in real-time model with curator-chosen parameters.
    Simulation,
    /// Items the visitor drags into bins.
    Sort,
}

impl ExhibitKind {
    /// Every kind, in the order docs/manifest.md describes them.
    pub const ALL: [Self; 5] = [
        Self::Story,
        Self::Quiz,
        Self::Hotspots,
        Self::Simulation,
        Self::Sort,
    ];

    /// The name a curator writes (`kind = "story"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Story => "story",
            Self::Quiz => "quiz",
            Self::Hotspots => "hotspots",
            Self::Simulation => "simulation",
            Self::Sort => "sort",
        }
    }
}

/// Who an exhibit, or a quiz's question pool, is for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    Child,
    Youth,
    Adult,
    Senior,
    Family,
    Rural,
    Worker,
    CivilServant,
}

/// A science-literacy theme the district monitors: the themes of the district's plan for
/// citizens' science literacy (docs/manifest.md says where each comes from). A quiz question
/// names the one it tests, so the staff dashboard can report the share of right answers per
/// theme and audience.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LiteracyTheme {
    /// Scientific spirit, thinking and method: evidence, reasoning, questioning (科学精神、科学方法).
    ScientificMethod,
    /// The basic knowledge of science: matter, energy, life, the Earth and space (必要科技知识).
    ScienceKnowledge,
    /// New science and technology and innovation: AI, big science, recent discoveries (前沿科技).
    FrontierTechnology,
    /// Health: diet, exercise, mental health, medicines, hygiene and disease (健康素养).
    Health,
    /// Food safety: storage, hygiene, labels, additives (食品安全).
    FoodSafety,
    /// Emergencies and safety: disasters, fire, first aid, hazards at home (防灾避害、应急处置).
    Emergency,
    /// Fraud and scams, in particular by telephone and online (防骗、防诈).
    AntiFraud,
    /// Digital life: using smart devices and judging information online (数字素养).
    DigitalLiteracy,
    /// Green living and ecology: waste sorting, saving energy, nature (绿色、环保、生态文明).
    GreenLiving,
    /// Skills for work and farming: technology at work and on the farm (劳动、生产技能).
    WorkSkills,
}

impl LiteracyTheme {
    /// Every theme, in the order reports list them.
    pub const ALL: [Self; 10] = [
        Self::ScientificMethod,
        Self::ScienceKnowledge,
        Self::FrontierTechnology,
        Self::Health,
        Self::FoodSafety,
        Self::Emergency,
        Self::AntiFraud,
        Self::DigitalLiteracy,
        Self::GreenLiving,
        Self::WorkSkills,
    ];

    /// The name a curator writes (`theme = "anti_fraud"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::ScientificMethod => "scientific_method",
            Self::ScienceKnowledge => "science_knowledge",
            Self::FrontierTechnology => "frontier_technology",
            Self::Health => "health",
            Self::FoodSafety => "food_safety",
            Self::Emergency => "emergency",
            Self::AntiFraud => "anti_fraud",
            Self::DigitalLiteracy => "digital_literacy",
            Self::GreenLiving => "green_living",
            Self::WorkSkills => "work_skills",
        }
    }

    /// The theme's name for staff reading Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::ScientificMethod => "科学精神与科学方法",
            Self::ScienceKnowledge => "基础科学知识",
            Self::FrontierTechnology => "前沿科技与创新",
            Self::Health => "健康生活",
            Self::FoodSafety => "食品安全",
            Self::Emergency => "应急避险与安全",
            Self::AntiFraud => "防骗防诈",
            Self::DigitalLiteracy => "数字素养",
            Self::GreenLiving => "绿色生活与生态环保",
            Self::WorkSkills => "劳动与生产技能",
        }
    }

    /// The theme's name for staff reading English.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::ScientificMethod => "Scientific method and spirit",
            Self::ScienceKnowledge => "Basic science knowledge",
            Self::FrontierTechnology => "Frontier science and innovation",
            Self::Health => "Health",
            Self::FoodSafety => "Food safety",
            Self::Emergency => "Emergencies and safety",
            Self::AntiFraud => "Fraud prevention",
            Self::DigitalLiteracy => "Digital literacy",
            Self::GreenLiving => "Green living and ecology",
            Self::WorkSkills => "Skills for work and farming",
        }
    }

    /// The label in `language`: Chinese for `zh`, `yue` and their variants (`zh-hant`),
    /// English for every other language.
    pub fn label(self, language: &str) -> &'static str {
        let base = language.split('-').next().unwrap_or_default();
        if base == "zh" || base == "yue" {
            self.label_zh()
        } else {
            self.label_en()
        }
    }

    /// The theme a curator's name stands for (the inverse of [`Self::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|theme| theme.name() == name)
    }
}

/// A field renamed so that one idea has one name: the words on a button, tile or card are a
/// `label` everywhere (`title` is a heading, `text` a paragraph). The old names are still read,
/// so existing exhibits load, with a warning at each use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OldName {
    /// Where the table is, as keys from the top: `"*"` stands for any entry of a list.
    pub table: &'static [&'static str],
    pub old: &'static str,
    pub new: &'static str,
    /// What such a table is, in docs/manifest.md's words.
    pub what: &'static str,
}

/// Every old field name still read (each is a `serde(alias)` below).
pub const OLD_NAMES: &[OldName] = &[
    OldName {
        table: &["questions", "*", "choices", "*"],
        old: "text",
        new: "label",
        what: "a question's choice",
    },
    OldName {
        table: &["questions", "*", "items", "*"],
        old: "text",
        new: "label",
        what: "an ordering question's item",
    },
    OldName {
        table: &["items", "*"],
        old: "name",
        new: "label",
        what: "a sort item",
    },
];

/// One `exhibit.toml`, exactly as the curator wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExhibitManifest {
    /// Stable identifier used in statistics: lowercase letters, digits, `-` and `_`.
    pub id: String,
    pub kind: ExhibitKind,
    pub title: LocalizedText,
    /// One line for the home screen's card.
    #[serde(default, skip_serializing_if = "LocalizedText::is_empty")]
    pub summary: LocalizedText,
    /// Card image, relative to the exhibit folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<Audience>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    /// How long a visitor who takes it all in spends, as the curator intends it, in seconds
    /// (1 to 3600). The staff dashboard divides the median visit by it ("holding power").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = super::MAX_INTENDED_SECS))]
    pub intended_secs: Option<u32>,

    /// story: the pages, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<StoryPage>,

    /// quiz: every question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
    /// quiz: which questions each audience gets (question ids); audiences not listed, and
    /// visitors who did not say who they are, get every question.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pools: BTreeMap<Audience, Vec<String>>,
    /// quiz: optional time limit for the whole quiz; off when absent (nobody is rushed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_secs: Option<u32>,

    /// hotspots: the large image the regions refer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// hotspots: the tappable regions, in the image's pixel coordinates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hotspots: Vec<Hotspot>,
    /// hotspots: how the regions are played; `explore` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<HotspotsMode>,

    /// simulation: the built-in model (`pendulum`, `projectile`, `orbit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// simulation: the parameters the visitor can change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,

    /// sort: the bins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bins: Vec<Bin>,
    /// sort: the items to put into bins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<SortItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StoryPage {
    pub text: LocalizedText,
    /// Image file relative to the exhibit folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Narration audio (Ogg Vorbis, WAV, MP3 or FLAC); the page text is its caption. One file
    /// per language (`narration = { zh = "p1-zh.ogg", en = "p1-en.ogg" }`), or one file for
    /// every language (`narration = "music.ogg"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narration: Option<Narration>,
}

/// A page's narration: a recording per language, or one for all.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Narration {
    Everyone(String),
    PerLanguage(std::collections::BTreeMap<String, String>),
}

/// Read by hand rather than as an untagged enum: serde's untagged reading accepts a date (TOML
/// hands it over as a table) and refuses anything else only as "matched no variant", so a
/// narration of the wrong shape is refused here as a whole, once, for what it should be.
impl<'de> Deserialize<'de> for Narration {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NarrationVisitor)
    }
}

struct NarrationVisitor;

/// The key under which the TOML reader hands over a date as a table.
const TOML_DATE_KEY: &str = "$__toml_private_datetime";

impl<'de> serde::de::Visitor<'de> for NarrationVisitor {
    type Value = Narration;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a sound file, or a sound file per language")
    }

    fn visit_str<E: serde::de::Error>(self, file: &str) -> Result<Narration, E> {
        Ok(Narration::Everyone(file.to_owned()))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Narration, A::Error> {
        use serde::de::{Error, Unexpected};
        let mut files = BTreeMap::new();
        while let Some(language) = map.next_key::<String>()? {
            if language == TOML_DATE_KEY {
                return Err(A::Error::invalid_type(Unexpected::Other("a date"), &self));
            }
            let file = map
                .next_value::<String>()
                .map_err(|_| A::Error::invalid_type(Unexpected::Map, &self))?;
            files.insert(language, file);
        }
        Ok(Narration::PerLanguage(files))
    }
}

impl Narration {
    /// The recording for a visitor reading `language`; `None` when there is none in it (the
    /// kiosk then offers no narration rather than a voice that does not match the captions).
    pub fn for_language(&self, language: &str) -> Option<&str> {
        match self {
            Self::Everyone(file) => Some(file),
            Self::PerLanguage(files) => files.get(language).map(String::as_str),
        }
    }

    /// Every file it names, with the language it is for (`None`: all).
    pub fn files(&self) -> Vec<(Option<&str>, &str)> {
        match self {
            Self::Everyone(file) => vec![(None, file.as_str())],
            Self::PerLanguage(files) => files
                .iter()
                .map(|(language, file)| (Some(language.as_str()), file.as_str()))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    /// One right choice.
    #[default]
    Single,
    /// Several right choices; partial credit (see docs/manifest.md).
    Multiple,
    /// A statement that is true or false (`answer = true`).
    TrueFalse,
    /// Choices shown as pictures; one right choice.
    ImageChoice,
    /// Put `items` in order (they are written in the right order).
    Ordering,
    /// A number on a slider (`[questions.estimate]`).
    Estimate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    /// Question type; `single` when absent.
    #[serde(rename = "type", default)]
    pub question_type: QuestionType,
    pub prompt: LocalizedText,
    /// Shown after the visitor answered, right or wrong.
    pub explanation: LocalizedText,
    /// The science-literacy theme the question tests; the staff dashboard reports right
    /// answers per theme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<LiteracyTheme>,
    /// Optional illustration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// single, multiple, image_choice: the choices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// Shuffle the choices or items for each visitor (set false to keep "all of the above" last).
    #[serde(default = "yes")]
    pub shuffle: bool,
    /// true_false: whether the statement is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<bool>,
    /// ordering: the items, written in the right order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<OrderItem>,
    /// estimate: the slider and the right answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<Estimate>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    /// The words on the choice's button. Formerly `text` (still read, with a warning).
    #[serde(alias = "text")]
    pub label: LocalizedText,
    #[serde(default)]
    pub correct: bool,
    /// image_choice: the picture to tap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderItem {
    pub id: String,
    /// The words on the item's tile. Formerly `text` (still read, with a warning).
    #[serde(alias = "text")]
    pub label: LocalizedText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Estimate {
    pub min: f64,
    pub max: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
    pub answer: f64,
    /// Answers within this distance of `answer` count as right.
    pub tolerance: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<LocalizedText>,
}

/// How a hotspots picture is played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HotspotsMode {
    /// Every region is outlined; the visitor taps any of them to read its card.
    #[default]
    Explore,
    /// A search ("spot the hazards"): the regions stay hidden until the visitor taps inside
    /// one, the screen counts how many are found, and a hint appears after a while without a
    /// find.
    Find,
}

impl ExhibitManifest {
    /// The hotspots mode the manifest asks for, `explore` when it says none.
    pub fn hotspots_mode(&self) -> HotspotsMode {
        self.mode.unwrap_or_default()
    }
}

/// A tappable region: exactly one of `rect`, `circle` or `polygon`, in image pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hotspot {
    pub id: String,
    pub title: LocalizedText,
    pub text: LocalizedText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// `[x, y, width, height]` from the image's top-left corner.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "exactly"
    )]
    pub rect: Option<[f64; 4]>,
    /// `[centre_x, centre_y, radius]`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "exactly"
    )]
    pub circle: Option<[f64; 3]>,
    /// `[[x, y], [x, y], ...]`, at least three points.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "points"
    )]
    pub polygon: Option<Vec<[f64; 2]>>,
}

/// A list of exactly `N` numbers. Serde's own arrays take the first `N` values of a longer
/// list and say nothing: `circle = [1, 2, 3, 4]` would pass as `[1, 2, 3]`.
struct Exactly<const N: usize>([f64; N]);

impl<'de, const N: usize> Deserialize<'de> for Exactly<N> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ExactlyVisitor::<N>).map(Self)
    }
}

struct ExactlyVisitor<const N: usize>;

impl<'de, const N: usize> serde::de::Visitor<'de> for ExactlyVisitor<N> {
    type Value = [f64; N];

    /// Serde's words for an array, which the lenient reading turns into "must be a list of N
    /// numbers".
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "an array of length {N}")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<[f64; N], A::Error> {
        let mut numbers = [0.0; N];
        let mut length = 0;
        while let Some(number) = seq.next_element::<f64>()? {
            if let Some(slot) = numbers.get_mut(length) {
                *slot = number;
            }
            length += 1;
        }
        if length != N {
            return Err(serde::de::Error::invalid_length(length, &self));
        }
        Ok(numbers)
    }
}

fn exactly<'de, D: serde::Deserializer<'de>, const N: usize>(
    deserializer: D,
) -> Result<Option<[f64; N]>, D::Error> {
    Ok(Option::<Exactly<N>>::deserialize(deserializer)?.map(|numbers| numbers.0))
}

fn points<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<[f64; 2]>>, D::Error> {
    Ok(Option::<Vec<Exactly<2>>>::deserialize(deserializer)?
        .map(|points| points.into_iter().map(|point| point.0).collect()))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// One of the model's parameters (see docs/manifest.md).
    pub id: String,
    pub label: LocalizedText,
    pub min: f64,
    pub max: f64,
    pub default: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bin {
    pub id: String,
    pub label: LocalizedText,
    /// Colour as `#rrggbb` (Beijing's bins: kitchen green, recyclables blue, hazardous red,
    /// other grey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SortItem {
    pub id: String,
    /// The words on the item's card. Formerly `name` (still read, with a warning).
    #[serde(alias = "name")]
    pub label: LocalizedText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The id of the right bin.
    pub bin: String,
    /// Why it belongs there, shown after the visitor placed it.
    pub feedback: LocalizedText,
}
