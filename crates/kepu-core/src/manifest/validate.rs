//! The meaning checks on a parsed manifest: every problem, each located in the file.

use super::models::{self, model_names};
use super::source_map::{FieldPath, SourceMap};
use super::types::*;
use super::{
    MANIFEST_FILE, MAX_IDENTIFIER_LEN, MAX_INTENDED_SECS, MissingLanguage, Problem, Severity,
    ValidationRules, is_identifier,
};
use crate::at;
use crate::i18n::LocalizedText;
use crate::wire::check::{MAX_CHOICE_IDS, MAX_PAGE, MAX_SCORE};
use std::collections::{BTreeSet, HashSet};
use std::io::Read;
use std::path::{Component, Path};

pub(super) fn validate(
    manifest: &ExhibitManifest,
    folder: &Path,
    map: &SourceMap<'_>,
    rules: &ValidationRules,
) -> Vec<Problem> {
    let mut check = Checker {
        file: folder.join(MANIFEST_FILE),
        folder,
        map,
        rules,
        problems: Vec::new(),
    };
    check.identifier(&at!["id"], &manifest.id, "the exhibit id");
    check.text(&at!["title"], &manifest.title, "the title");
    if !manifest.summary.is_empty() {
        check.text(&at!["summary"], &manifest.summary, "the summary");
    }
    if let Some(thumbnail) = &manifest.thumbnail {
        check.image(&at!["thumbnail"], thumbnail, "the thumbnail");
    }
    if let Some(secs) = manifest.intended_secs {
        check.intended_secs(secs);
    }
    check.sections_belong_to(manifest);
    match manifest.kind {
        ExhibitKind::Story => check.story(manifest),
        ExhibitKind::Quiz => check.quiz(manifest),
        ExhibitKind::Hotspots => check.hotspots(manifest),
        ExhibitKind::Simulation => check.simulation(manifest),
        ExhibitKind::Sort => check.sort(manifest),
    }
    check.old_names(manifest);
    check.problems
}

struct Checker<'a, 's> {
    file: std::path::PathBuf,
    folder: &'a Path,
    map: &'a SourceMap<'s>,
    rules: &'a ValidationRules,
    problems: Vec<Problem>,
}

impl Checker<'_, '_> {
    fn push(&mut self, severity: Severity, path: &FieldPath, message: String) {
        let (line, column) = self.map.locate(path).unzip();
        self.problems.push(Problem {
            severity,
            file: self.file.clone(),
            line,
            column,
            message,
        });
    }

    /// Each field written under its old name: a warning (so `validate --strict` fails on it)
    /// at the old name, which the kiosk still reads.
    fn old_names(&mut self, m: &ExhibitManifest) {
        for renamed in OLD_NAMES {
            if !self.map.mentions(renamed.old) {
                continue;
            }
            for table in tables_at(m, renamed.table) {
                if let Some((line, column)) = self.map.locate_key(&table.child(renamed.old)) {
                    self.problems.push(Problem {
                        severity: Severity::Warning,
                        file: self.file.clone(),
                        line: Some(line),
                        column: Some(column),
                        message: format!(
                            "`{}` is the old name of `{}`: rename it to `{}`",
                            renamed.old, renamed.new, renamed.new
                        ),
                    });
                }
            }
        }
    }

    fn error(&mut self, path: &FieldPath, message: String) {
        self.push(Severity::Error, path, message);
    }

    fn warning(&mut self, path: &FieldPath, message: String) {
        self.push(Severity::Warning, path, message);
    }

    fn text(&mut self, path: &FieldPath, text: &LocalizedText, what: &str) {
        let missing = text.missing_languages(&self.rules.required_languages);
        if missing.is_empty() {
            return;
        }
        let missing = missing.join(", ");
        match self.rules.missing_language {
            MissingLanguage::Error => {
                self.error(path, format!("{what} has no text in {missing}"));
            }
            MissingLanguage::Fallback => self.warning(
                path,
                format!("{what} has no text in {missing}; visitors will see another language"),
            ),
        }
    }

    fn identifier(&mut self, path: &FieldPath, id: &str, what: &str) {
        if !is_identifier(id) {
            self.error(
                path,
                if crate::manifest::longest_digit_run(id) > crate::manifest::MAX_DIGITS_IN_A_ROW
                    && id.bytes().all(crate::manifest::is_identifier_byte)
                    && id.len() <= MAX_IDENTIFIER_LEN
                {
                    format!(
                        "{what} \"{id}\" has more than {} digits in a row; ids may not look like a phone number",
                        crate::manifest::MAX_DIGITS_IN_A_ROW
                    )
                } else {
                    format!("{what} \"{id}\" may only use lowercase letters a-z, digits, '-' and '_' (at most {MAX_IDENTIFIER_LEN})")
                },
            );
        }
    }

    /// A list longer than what one engagement event may carry about it (the server refuses
    /// such events, so the exhibit must not be shown).
    fn at_most(&mut self, path: &FieldPath, count: usize, limit: usize, what: &str) {
        if count > limit {
            self.error(
                path,
                format!("{what}: {count}, but at most {limit} are allowed"),
            );
        }
    }

    /// Checks that the ids of the list at `list` are valid and unique; `within` names the
    /// owner in messages about nested lists (" in question \"q1\"").
    fn unique_ids<'i>(
        &mut self,
        list: &FieldPath,
        ids: impl IntoIterator<Item = &'i str>,
        what: &str,
        within: &str,
    ) -> HashSet<&'i str> {
        let mut seen = HashSet::new();
        for (index, id) in ids.into_iter().enumerate() {
            let path = list.child(index).child("id");
            self.identifier(&path, id, what);
            if !seen.insert(id) {
                self.error(&path, format!("{what} \"{id}\" is used twice{within}"));
            }
        }
        seen
    }

    /// The asset's path inside the exhibit folder, or an error if it points elsewhere.
    fn asset(
        &mut self,
        path: &FieldPath,
        relative: &str,
        what: &str,
    ) -> Option<std::path::PathBuf> {
        let escapes = Path::new(relative)
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        if relative.is_empty() || escapes {
            self.error(
                path,
                format!("{what} \"{relative}\" must name a file inside the exhibit folder"),
            );
            return None;
        }
        let file = self.folder.join(relative);
        if !file.is_file() {
            self.error(
                path,
                format!(
                    "{what} \"{relative}\" does not exist in {}",
                    self.folder.display()
                ),
            );
            return None;
        }
        Some(file)
    }

    /// Checks an image asset; returns its size in pixels when it can be read.
    fn image(&mut self, path: &FieldPath, relative: &str, what: &str) -> Option<(u32, u32)> {
        let file = self.asset(path, relative, what)?;
        let size = if self.rules.decode_images {
            image::ImageReader::open(&file)
                .and_then(|r| r.with_guessed_format())
                .map_err(|e| e.to_string())
                .and_then(|r| r.decode().map_err(|e| e.to_string()))
                .map(|image| (image.width(), image.height()))
        } else {
            image::ImageReader::open(&file)
                .and_then(|r| r.with_guessed_format())
                .map_err(|e| e.to_string())
                .and_then(|r| r.into_dimensions().map_err(|e| e.to_string()))
        };
        if size.is_ok()
            && let Some(problem) = misnamed_picture(&file, relative)
        {
            // The kiosk opens pictures by their file ending: a PNG named .jpg would pass
            // here (its content is read) and not show on screen.
            self.error(path, format!("{what} {problem}"));
            return None;
        }
        match size {
            Ok((width, height)) => {
                let (screen_w, screen_h) = self.rules.screen;
                if width > 2 * screen_w || height > 2 * screen_h {
                    self.warning(
                        path,
                        format!(
                            "{what} \"{relative}\" is {width}×{height} pixels, far larger than the screen ({screen_w}×{screen_h}); scale it down to load faster and use less memory"
                        ),
                    );
                }
                Some((width, height))
            }
            Err(err) => {
                self.error(
                    path,
                    format!("{what} \"{relative}\" cannot be read as a PNG or JPEG image: {err}"),
                );
                None
            }
        }
    }

    fn audio(&mut self, path: &FieldPath, relative: &str, what: &str) {
        let Some(file) = self.asset(path, relative, what) else {
            return;
        };
        let mut head = [0u8; AUDIO_HEAD];
        let read = std::fs::File::open(&file).and_then(|mut f| f.read(&mut head));
        let head = match read {
            Ok(n) => &head[..n],
            Err(_) => &[][..],
        };
        if audio_format(head).is_some() {
            return;
        }
        let why = if head.starts_with(b"OggS") {
            // The player is built with Vorbis only: an Ogg file of Opus (what many recorders
            // and converters make) would stay silent.
            "is an Ogg file but not Ogg Vorbis (Opus, perhaps): convert it to Ogg Vorbis, WAV, MP3 or FLAC"
        } else if is_adts_aac(head) {
            "is AAC sound, which the kiosk does not play: convert it to Ogg Vorbis, WAV, MP3 or FLAC"
        } else {
            "is not an Ogg Vorbis, WAV, MP3 or FLAC file"
        };
        self.error(path, format!("{what} \"{relative}\" {why}"));
    }

    /// The length the curator intends, which the dashboard divides the median visit by.
    fn intended_secs(&mut self, secs: u32) {
        if !(1..=MAX_INTENDED_SECS).contains(&secs) {
            self.error(
                &at!["intended_secs"],
                format!(
                    "intended_secs = {secs} is outside 1 to {MAX_INTENDED_SECS}: give the seconds a visitor who takes the whole exhibit in spends on it (e.g. 120 for two minutes)"
                ),
            );
        }
    }

    /// Sections that only one kind uses must not appear in another.
    fn sections_belong_to(&mut self, m: &ExhibitManifest) {
        let sections: [(&str, ExhibitKind, bool); 10] = [
            ("pages", ExhibitKind::Story, !m.pages.is_empty()),
            ("questions", ExhibitKind::Quiz, !m.questions.is_empty()),
            ("pools", ExhibitKind::Quiz, !m.pools.is_empty()),
            (
                "time_limit_secs",
                ExhibitKind::Quiz,
                m.time_limit_secs.is_some(),
            ),
            ("image", ExhibitKind::Hotspots, m.image.is_some()),
            ("hotspots", ExhibitKind::Hotspots, !m.hotspots.is_empty()),
            ("model", ExhibitKind::Simulation, m.model.is_some()),
            (
                "parameters",
                ExhibitKind::Simulation,
                !m.parameters.is_empty(),
            ),
            ("bins", ExhibitKind::Sort, !m.bins.is_empty()),
            ("items", ExhibitKind::Sort, !m.items.is_empty()),
        ];
        for (section, owner, present) in sections {
            if present && owner != m.kind {
                self.error(
                    &at![section],
                    format!(
                        "a {} exhibit does not use `{section}`; it belongs to kind = \"{}\"",
                        m.kind.name(),
                        owner.name()
                    ),
                );
            }
        }
    }

    fn require_some(&mut self, count: usize, minimum: usize, path: &FieldPath, message: &str) {
        if count < minimum {
            self.error(path, message.to_owned());
        }
    }

    fn story(&mut self, m: &ExhibitManifest) {
        self.require_some(
            m.pages.len(),
            1,
            &at!["kind"],
            "a story needs at least one [[pages]] entry",
        );
        self.at_most(
            &at!["pages"],
            m.pages.len(),
            MAX_PAGE as usize,
            "pages in a story",
        );
        for (index, page) in m.pages.iter().enumerate() {
            let what = format!("page {}", index + 1);
            self.text(
                &at!["pages", index, "text"],
                &page.text,
                &format!("the text of {what}"),
            );
            if let Some(image) = &page.image {
                self.image(
                    &at!["pages", index, "image"],
                    image,
                    &format!("the image of {what}"),
                );
            }
            if let Some(narration) = &page.narration {
                for (language, file) in narration.files() {
                    let (path, whose) = match language {
                        Some(language) => (
                            at!["pages", index, "narration", language],
                            format!("the {language} narration of {what}"),
                        ),
                        None => (
                            at!["pages", index, "narration"],
                            format!("the narration of {what}"),
                        ),
                    };
                    self.audio(&path, file, &whose);
                }
            }
        }
    }

    fn quiz(&mut self, m: &ExhibitManifest) {
        self.require_some(
            m.questions.len(),
            1,
            &at!["kind"],
            "a quiz needs at least one [[questions]] entry",
        );
        // A question scores at most one point, and a score is bounded on the wire.
        self.at_most(
            &at!["questions"],
            m.questions.len(),
            MAX_SCORE as usize,
            "questions in a quiz",
        );
        let ids = self.unique_ids(
            &at!["questions"],
            m.questions.iter().map(|q| q.id.as_str()),
            "question id",
            "",
        );
        for (index, question) in m.questions.iter().enumerate() {
            self.question(index, question);
        }
        for (audience, question_ids) in &m.pools {
            let name = manifest_name(audience);
            if question_ids.is_empty() {
                self.error(
                    &at!["pools", name.as_str()],
                    format!("pool \"{name}\" has no questions"),
                );
            }
            for (i, id) in question_ids.iter().enumerate() {
                if !ids.contains(id.as_str()) {
                    self.error(
                        &at!["pools", name.as_str(), i],
                        format!(
                            "pool \"{name}\" names question \"{id}\", which this quiz does not have"
                        ),
                    );
                }
            }
        }
        if m.time_limit_secs == Some(0) {
            self.error(
                &at!["time_limit_secs"],
                "time_limit_secs = 0 would end the quiz at once; leave it out for no time limit"
                    .to_owned(),
            );
        }
    }

    fn question(&mut self, index: usize, q: &Question) {
        let at_q = at!["questions", index];
        let name = format!("question \"{}\"", q.id);
        self.text(
            &at_q.child("prompt"),
            &q.prompt,
            &format!("the prompt of {name}"),
        );
        self.text(
            &at_q.child("explanation"),
            &q.explanation,
            &format!("the explanation of {name}"),
        );
        if let Some(image) = &q.image {
            self.image(&at_q.child("image"), image, &format!("the image of {name}"));
        }
        let uses_choices = matches!(
            q.question_type,
            QuestionType::Single | QuestionType::Multiple | QuestionType::ImageChoice
        );
        let type_name = manifest_name(&q.question_type);
        let stray = [
            ("choices", !uses_choices && !q.choices.is_empty()),
            (
                "answer",
                q.question_type != QuestionType::TrueFalse && q.answer.is_some(),
            ),
            (
                "items",
                q.question_type != QuestionType::Ordering && !q.items.is_empty(),
            ),
            (
                "estimate",
                q.question_type != QuestionType::Estimate && q.estimate.is_some(),
            ),
        ];
        for (field, present) in stray {
            if present {
                self.error(
                    &at_q.child(field),
                    format!("{name} is a {type_name} question, which does not use `{field}`"),
                );
            }
        }
        if uses_choices {
            self.choices(&at_q, &name, q);
        }
        match q.question_type {
            QuestionType::TrueFalse if q.answer.is_none() => self.error(
                &at_q,
                format!("{name} is true_false and needs `answer = true` or `answer = false`"),
            ),
            QuestionType::Ordering => {
                if q.items.len() < 2 {
                    self.error(
                        &at_q,
                        format!("{name} is an ordering question and needs at least 2 items"),
                    );
                }
                self.at_most(
                    &at_q.child("items"),
                    q.items.len(),
                    MAX_CHOICE_IDS,
                    &format!("items in {name}"),
                );
                self.unique_ids(
                    &at_q.child("items"),
                    q.items.iter().map(|i| i.id.as_str()),
                    "item id",
                    &format!(" in {name}"),
                );
                for (i, item) in q.items.iter().enumerate() {
                    let path = at_q.child("items").child(i);
                    self.text(
                        &path.child("label"),
                        &item.label,
                        &format!("item \"{}\" of {name}", item.id),
                    );
                }
            }
            QuestionType::Estimate => match &q.estimate {
                None => self.error(
                    &at_q,
                    format!("{name} is an estimate question and needs [questions.estimate]"),
                ),
                Some(estimate) => self.estimate(&at_q.child("estimate"), &name, estimate),
            },
            _ => {}
        }
    }

    fn choices(&mut self, at_q: &FieldPath, name: &str, q: &Question) {
        if q.choices.len() < 2 {
            self.error(at_q, format!("{name} needs at least two choices"));
        }
        self.at_most(
            &at_q.child("choices"),
            q.choices.len(),
            MAX_CHOICE_IDS,
            &format!("choices in {name}"),
        );
        self.unique_ids(
            &at_q.child("choices"),
            q.choices.iter().map(|c| c.id.as_str()),
            "choice id",
            &format!(" in {name}"),
        );
        for (i, choice) in q.choices.iter().enumerate() {
            let path = at_q.child("choices").child(i);
            self.text(
                &path.child("label"),
                &choice.label,
                &format!("choice \"{}\" of {name}", choice.id),
            );
            match (&choice.image, q.question_type) {
                (Some(image), _) => {
                    self.image(
                        &path.child("image"),
                        image,
                        &format!("the image of choice \"{}\"", choice.id),
                    );
                }
                (None, QuestionType::ImageChoice) => self.error(
                    &path,
                    format!(
                        "choice \"{}\" of {name} needs an image: it is an image_choice question",
                        choice.id
                    ),
                ),
                (None, _) => {}
            }
        }
        let correct = q.choices.iter().filter(|c| c.correct).count();
        match q.question_type {
            QuestionType::Multiple if correct == 0 => self.error(
                at_q,
                format!("{name} is multiple choice and needs at least one choice with correct = true"),
            ),
            QuestionType::Single | QuestionType::ImageChoice if correct != 1 => self.error(
                at_q,
                format!("{name} is single choice and needs exactly one choice with correct = true (it has {correct})"),
            ),
            _ => {}
        }
    }

    fn estimate(&mut self, path: &FieldPath, name: &str, e: &Estimate) {
        let finite = [e.min, e.max, e.answer, e.tolerance]
            .iter()
            .all(|v| v.is_finite());
        if !finite || e.min >= e.max {
            self.error(
                &path.child("min"),
                format!(
                    "the slider of {name} needs min below max (it has min {} and max {})",
                    e.min, e.max
                ),
            );
            return;
        }
        if e.answer < e.min || e.answer > e.max {
            self.error(
                &path.child("answer"),
                format!(
                    "the answer {} of {name} is outside its slider's range {} to {}",
                    e.answer, e.min, e.max
                ),
            );
        }
        if e.tolerance < 0.0 {
            self.error(
                &path.child("tolerance"),
                format!("the tolerance of {name} cannot be negative"),
            );
        }
        if let Some(step) = e.step
            && !(step > 0.0 && step <= e.max - e.min)
        {
            self.error(
                &path.child("step"),
                format!(
                    "the step of {name} must be above 0 and at most max - min ({})",
                    e.max - e.min
                ),
            );
        }
        if let Some(unit) = &e.unit {
            self.text(&path.child("unit"), unit, &format!("the unit of {name}"));
        }
    }

    fn hotspots(&mut self, m: &ExhibitManifest) {
        let size = match &m.image {
            Some(image) => self.image(&at!["image"], image, "the hotspot image"),
            None => {
                self.error(
                    &at!["kind"],
                    "a hotspots exhibit needs `image = \"…\"`, the picture the regions are on"
                        .to_owned(),
                );
                None
            }
        };
        self.require_some(
            m.hotspots.len(),
            1,
            &at!["kind"],
            "a hotspots exhibit needs at least one [[hotspots]] entry",
        );
        self.unique_ids(
            &at!["hotspots"],
            m.hotspots.iter().map(|h| h.id.as_str()),
            "hotspot id",
            "",
        );
        for (index, hotspot) in m.hotspots.iter().enumerate() {
            let path = at!["hotspots", index];
            let name = format!("hotspot \"{}\"", hotspot.id);
            self.text(
                &path.child("title"),
                &hotspot.title,
                &format!("the title of {name}"),
            );
            self.text(
                &path.child("text"),
                &hotspot.text,
                &format!("the text of {name}"),
            );
            if let Some(image) = &hotspot.image {
                self.image(&path.child("image"), image, &format!("the image of {name}"));
            }
            self.region(&path, &name, hotspot, size);
        }
    }

    fn region(&mut self, path: &FieldPath, name: &str, h: &Hotspot, image: Option<(u32, u32)>) {
        let shapes = [h.rect.is_some(), h.circle.is_some(), h.polygon.is_some()];
        if shapes.iter().filter(|s| **s).count() != 1 {
            self.error(
                path,
                format!("{name} needs exactly one of `rect`, `circle` or `polygon`"),
            );
            return;
        }
        // The region's bounding box, and where it is written.
        let (field, bounds) = if let Some([x, y, w, h]) = h.rect {
            if w <= 0.0 || h <= 0.0 {
                self.error(
                    &path.child("rect"),
                    format!("the rect of {name} needs a width and height above 0"),
                );
                return;
            }
            ("rect", (x, y, x + w, y + h))
        } else if let Some([cx, cy, r]) = h.circle {
            if r <= 0.0 {
                self.error(
                    &path.child("circle"),
                    format!("the circle of {name} needs a radius above 0"),
                );
                return;
            }
            ("circle", (cx - r, cy - r, cx + r, cy + r))
        } else {
            let points = h.polygon.as_deref().unwrap_or_default();
            if points.len() < 3 {
                self.error(
                    &path.child("polygon"),
                    format!("the polygon of {name} needs at least 3 points"),
                );
                return;
            }
            let xs = points.iter().map(|p| p[0]);
            let ys = points.iter().map(|p| p[1]);
            (
                "polygon",
                (
                    xs.clone().fold(f64::INFINITY, f64::min),
                    ys.clone().fold(f64::INFINITY, f64::min),
                    xs.fold(f64::NEG_INFINITY, f64::max),
                    ys.fold(f64::NEG_INFINITY, f64::max),
                ),
            )
        };
        let (left, top, right, bottom) = bounds;
        if let Some((width, height)) = image
            && (left < 0.0 || top < 0.0 || right > f64::from(width) || bottom > f64::from(height))
        {
            self.error(
                &path.child(field),
                format!(
                    "the {field} of {name} reaches outside the image ({width}×{height} pixels): it spans x {left}–{right}, y {top}–{bottom}"
                ),
            );
        }
    }

    fn simulation(&mut self, m: &ExhibitManifest) {
        let Some(model_name) = &m.model else {
            self.error(
                &at!["kind"],
                format!(
                    "a simulation needs `model = \"…\"`, one of {}",
                    model_names()
                ),
            );
            return;
        };
        let Some(model) = models::model(model_name) else {
            self.error(
                &at!["model"],
                format!(
                    "there is no simulation model \"{model_name}\"; the models are {}",
                    model_names()
                ),
            );
            return;
        };
        self.require_some(
            m.parameters.len(),
            1,
            &at!["model"],
            "a simulation needs at least one [[parameters]] entry for visitors to change",
        );
        let mut seen = BTreeSet::new();
        for (index, parameter) in m.parameters.iter().enumerate() {
            let path = at!["parameters", index];
            let Some(spec) = model.parameter(&parameter.id) else {
                self.error(
                    &path.child("id"),
                    format!(
                        "the {} model has no parameter \"{}\"; it has {}",
                        model.name,
                        parameter.id,
                        model.parameter_names()
                    ),
                );
                continue;
            };
            if !seen.insert(parameter.id.as_str()) {
                self.error(
                    &path.child("id"),
                    format!("parameter \"{}\" is listed twice", parameter.id),
                );
            }
            let name = format!("parameter \"{}\"", parameter.id);
            self.text(
                &path.child("label"),
                &parameter.label,
                &format!("the label of {name}"),
            );
            // Written so that NaN (which TOML allows as `nan`) also fails.
            let ordered = parameter.min.is_finite()
                && parameter.max.is_finite()
                && parameter.min < parameter.max;
            if !ordered {
                self.error(&path.child("min"), format!("{name} needs min below max"));
                continue;
            }
            for (field, value) in [("min", parameter.min), ("max", parameter.max)] {
                if value < spec.min || value > spec.max {
                    self.error(
                        &path.child(field),
                        format!(
                            "{name} {field} = {value} is outside what the {} model allows ({} to {} {})",
                            model.name, spec.min, spec.max, spec.unit
                        ),
                    );
                }
            }
            if parameter.default < parameter.min || parameter.default > parameter.max {
                self.error(
                    &path.child("default"),
                    format!(
                        "{name} default = {} is outside its own range {} to {}",
                        parameter.default, parameter.min, parameter.max
                    ),
                );
            }
            if let Some(step) = parameter.step
                && !(step > 0.0 && step <= parameter.max - parameter.min)
            {
                self.error(
                    &path.child("step"),
                    format!("{name} step must be above 0 and at most max - min"),
                );
            }
        }
    }

    fn sort(&mut self, m: &ExhibitManifest) {
        self.require_some(
            m.bins.len(),
            2,
            &at!["kind"],
            "a sort exhibit needs at least two [[bins]]",
        );
        self.require_some(
            m.items.len(),
            1,
            &at!["kind"],
            "a sort exhibit needs at least one [[items]] entry",
        );
        let bins = self.unique_ids(
            &at!["bins"],
            m.bins.iter().map(|b| b.id.as_str()),
            "bin id",
            "",
        );
        for (index, bin) in m.bins.iter().enumerate() {
            let path = at!["bins", index];
            self.text(
                &path.child("label"),
                &bin.label,
                &format!("the label of bin \"{}\"", bin.id),
            );
            if let Some(color) = &bin.color {
                let valid = color.len() == 7
                    && color.starts_with('#')
                    && color[1..].chars().all(|c| c.is_ascii_hexdigit());
                if !valid {
                    self.error(
                        &path.child("color"),
                        format!("bin colour \"{color}\" must look like \"#2e7d32\""),
                    );
                }
            }
            if let Some(image) = &bin.image {
                self.image(
                    &path.child("image"),
                    image,
                    &format!("the image of bin \"{}\"", bin.id),
                );
            }
        }
        self.unique_ids(
            &at!["items"],
            m.items.iter().map(|i| i.id.as_str()),
            "item id",
            "",
        );
        for (index, item) in m.items.iter().enumerate() {
            let path = at!["items", index];
            let name = format!("item \"{}\"", item.id);
            self.text(
                &path.child("label"),
                &item.label,
                &format!("the label of {name}"),
            );
            self.text(
                &path.child("feedback"),
                &item.feedback,
                &format!("the feedback of {name}"),
            );
            if !bins.contains(item.bin.as_str()) {
                let known: Vec<&str> = m.bins.iter().map(|b| b.id.as_str()).collect();
                self.error(
                    &path.child("bin"),
                    format!(
                        "{name} goes in bin \"{}\", which does not exist; the bins are {}",
                        item.bin,
                        known.join(", ")
                    ),
                );
            }
            if let Some(image) = &item.image {
                self.image(&path.child("image"), image, &format!("the image of {name}"));
            }
        }
    }
}

/// The path of every table of `m` at `pattern` (an [`OldName`]'s table).
fn tables_at(m: &ExhibitManifest, pattern: &[&str]) -> Vec<FieldPath> {
    match pattern {
        ["questions", "*", list @ ("choices" | "items"), "*"] => m
            .questions
            .iter()
            .enumerate()
            .flat_map(|(q, question)| {
                let count = if *list == "choices" {
                    question.choices.len()
                } else {
                    question.items.len()
                };
                (0..count).map(move |entry| at!["questions", q, *list, entry])
            })
            .collect(),
        ["items", "*"] => (0..m.items.len())
            .map(|entry| at!["items", entry])
            .collect(),
        _ => Vec::new(),
    }
}

/// The name a curator writes for an enum value (`true_false`, `civil-servant`), taken from its
/// serde form so messages can never disagree with the format.
fn manifest_name(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Why a readable picture's file name does not match what it is (`None`: it does): the kiosk
/// opens pictures by their ending, so `photo.jpg` holding a PNG would not show.
fn misnamed_picture(file: &Path, relative: &str) -> Option<String> {
    use image::ImageFormat;
    let content = image::ImageReader::open(file)
        .and_then(|r| r.with_guessed_format())
        .ok()?
        .format()?;
    let named = ImageFormat::from_path(file).ok();
    if named == Some(content) {
        return None;
    }
    let (kind, ending) = match content {
        ImageFormat::Png => ("PNG", "png"),
        ImageFormat::Jpeg => ("JPEG", "jpg"),
        _ => return None,
    };
    let stem = Path::new(relative).with_extension(ending);
    Some(format!(
        "\"{relative}\" is a {kind} picture, but its name does not end in .{ending}: rename the file to \"{}\" (and the name here)",
        stem.display()
    ))
}

/// Bytes read from the start of a sound file to tell its format (an Ogg file's first packet,
/// which names its codec, starts at byte 28).
const AUDIO_HEAD: usize = 64;

/// Recognises the audio formats the kiosk plays, by their first bytes: Ogg Vorbis, WAV, FLAC
/// and MP3.
pub fn audio_format(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"OggS") {
        head.windows(7).any(|w| w == b"\x01vorbis").then_some("ogg")
    } else if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WAVE" {
        Some("wav")
    } else if head.starts_with(b"fLaC") {
        Some("flac")
    } else if head.starts_with(b"ID3") || is_mpeg_audio_frame(head) {
        Some("mp3")
    } else {
        None
    }
}

/// An MPEG audio frame header (11 sync bits) of layer I, II or III: MP3 and its kin.
fn is_mpeg_audio_frame(head: &[u8]) -> bool {
    head.len() >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0 && head[1] & 0x06 != 0
}

/// An ADTS header: the same sync bits with layer 0, raw AAC (`.aac`).
fn is_adts_aac(head: &[u8]) -> bool {
    head.len() >= 2 && head[0] == 0xFF && head[1] & 0xF0 == 0xF0 && head[1] & 0x06 == 0
}
