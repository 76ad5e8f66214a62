//! The meaning checks on a parsed manifest: every problem, each located in the file and said
//! in English and Chinese. A problem names what it is about with a phrase ("the image of
//! question \"q1\"") that is built in both languages ([`Said`]) and put into the sentence.

use super::models::{self, model_names};
use super::source_map::{FieldPath, SourceMap};
use super::types::*;
use super::{
    MANIFEST_FILE, MAX_DIGITS_IN_A_ROW, MAX_IDENTIFIER_LEN, MAX_INTENDED_SECS, MissingLanguage,
    Problem, Said, Severity, ValidationRules, is_identifier, is_identifier_byte, longest_digit_run,
    said,
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
    check.identifier(
        &at!["id"],
        &manifest.id,
        &Said::new("the exhibit id", "展品编号（id）"),
    );
    check.text(
        &at!["title"],
        &manifest.title,
        &Said::new("the title", "标题（title）"),
    );
    if !manifest.summary.is_empty() {
        check.text(
            &at!["summary"],
            &manifest.summary,
            &Said::new("the summary", "简介（summary）"),
        );
    }
    if let Some(thumbnail) = &manifest.thumbnail {
        check.image(
            &at!["thumbnail"],
            thumbnail,
            &Said::new("the thumbnail", "缩略图（thumbnail）"),
        );
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
    fn push(&mut self, severity: Severity, path: &FieldPath, message: Said) {
        let at = self.map.locate(path);
        self.problems
            .push(Problem::new(severity, &self.file, at, message));
    }

    fn error(&mut self, path: &FieldPath, message: Said) {
        self.push(Severity::Error, path, message);
    }

    fn warning(&mut self, path: &FieldPath, message: Said) {
        self.push(Severity::Warning, path, message);
    }

    /// Each field written under its old name: a warning (so `validate --strict` fails on it)
    /// at the old name, which the kiosk still reads.
    fn old_names(&mut self, m: &ExhibitManifest) {
        for renamed in OLD_NAMES {
            if !self.map.mentions(renamed.old) {
                continue;
            }
            let (old, new) = (renamed.old, renamed.new);
            for table in tables_at(m, renamed.table) {
                if let Some(at) = self.map.locate_key(&table.child(old)) {
                    let message = said!(
                        "`{old}` is the old name of `{new}`: rename it to `{new}`",
                        "`{old}` 是 `{new}` 的旧名字：请改成 `{new}`"
                    );
                    self.problems.push(Problem::new(
                        Severity::Warning,
                        &self.file,
                        Some(at),
                        message,
                    ));
                }
            }
        }
    }

    fn text(&mut self, path: &FieldPath, text: &LocalizedText, what: &Said) {
        let missing = text.missing_languages(&self.rules.required_languages);
        if missing.is_empty() {
            return;
        }
        let languages = Said::new(
            missing.join(", "),
            missing
                .iter()
                .map(|code| language_in_chinese(code))
                .collect::<Vec<_>>()
                .join("、"),
        );
        match self.rules.missing_language {
            MissingLanguage::Error => self.error(
                path,
                said!("{what} has no text in {languages}", "{what}缺少{languages}文字"; what, languages),
            ),
            MissingLanguage::Fallback => self.warning(
                path,
                said!(
                    "{what} has no text in {languages}; visitors will see another language",
                    "{what}缺少{languages}文字，观众会看到另一种语言的文字";
                    what, languages
                ),
            ),
        }
    }

    fn identifier(&mut self, path: &FieldPath, id: &str, what: &Said) {
        if is_identifier(id) {
            return;
        }
        let only_too_many_digits = longest_digit_run(id) > MAX_DIGITS_IN_A_ROW
            && id.bytes().all(is_identifier_byte)
            && id.len() <= MAX_IDENTIFIER_LEN;
        let message = if only_too_many_digits {
            said!(
                "{what} \"{id}\" has more than {MAX_DIGITS_IN_A_ROW} digits in a row; ids may not look like a phone number",
                "{what}“{id}”里连着的数字超过 {MAX_DIGITS_IN_A_ROW} 个：编号不能像电话号码";
                what
            )
        } else {
            said!(
                "{what} \"{id}\" may only use lowercase letters a-z, digits, '-' and '_' (at most {MAX_IDENTIFIER_LEN})",
                "{what}“{id}”只能用小写字母 a-z、数字、- 和 _（最多 {MAX_IDENTIFIER_LEN} 个）";
                what
            )
        };
        self.error(path, message);
    }

    /// A list longer than what one engagement event may carry about it (the server refuses
    /// such events, so the exhibit must not be shown).
    fn at_most(&mut self, path: &FieldPath, count: usize, limit: usize, what: &Said) {
        if count > limit {
            self.error(
                path,
                said!(
                    "{what}: {count}, but at most {limit} are allowed",
                    "{what}有 {count} 个，最多只能有 {limit} 个";
                    what
                ),
            );
        }
    }

    /// Checks that the ids of the list at `list` are valid and unique; `within` names the
    /// owner in messages about nested lists (" in question \"q1\"", "题目“q1”中的").
    fn unique_ids<'i>(
        &mut self,
        list: &FieldPath,
        ids: impl IntoIterator<Item = &'i str>,
        what: &Said,
        within: &Said,
    ) -> HashSet<&'i str> {
        let mut seen = HashSet::new();
        for (index, id) in ids.into_iter().enumerate() {
            let path = list.child(index).child("id");
            self.identifier(&path, id, what);
            if !seen.insert(id) {
                self.error(
                    &path,
                    said!(
                        "{what} \"{id}\" is used twice{within}",
                        "{within}{what}“{id}”用了两次：每个编号只能用一次";
                        what, within
                    ),
                );
            }
        }
        seen
    }

    /// The asset's path inside the exhibit folder, or an error if it points elsewhere.
    fn asset(
        &mut self,
        path: &FieldPath,
        relative: &str,
        what: &Said,
    ) -> Option<std::path::PathBuf> {
        let escapes = Path::new(relative)
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        if relative.is_empty() || escapes {
            self.error(
                path,
                said!(
                    "{what} \"{relative}\" must name a file inside the exhibit folder",
                    "{what}“{relative}”必须是展品文件夹里的文件";
                    what
                ),
            );
            return None;
        }
        let file = self.folder.join(relative);
        if !file.is_file() {
            let folder = self.folder.display();
            let message = match name_in_another_case(&file) {
                Some(actual) => said!(
                    "{what} \"{relative}\" does not exist in {folder}, but \"{actual}\" does: a file's name must match in capital and small letters",
                    "{what}“{relative}”在 {folder} 里找不到，但有“{actual}”：文件名的大小写必须完全一致";
                    what
                ),
                None => said!(
                    "{what} \"{relative}\" does not exist in {folder}",
                    "{what}“{relative}”在 {folder} 里找不到";
                    what
                ),
            };
            self.error(path, message);
            return None;
        }
        Some(file)
    }

    /// Checks an image asset; returns its size in pixels when it can be read.
    fn image(&mut self, path: &FieldPath, relative: &str, what: &Said) -> Option<(u32, u32)> {
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
            self.error(
                path,
                said!("{what} {problem}", "{what}{problem}"; what, problem),
            );
            return None;
        }
        match size {
            Ok((width, height)) => {
                let (screen_w, screen_h) = self.rules.screen;
                if width > 2 * screen_w || height > 2 * screen_h {
                    self.warning(
                        path,
                        said!(
                            "{what} \"{relative}\" is {width}×{height} pixels, far larger than the screen ({screen_w}×{screen_h}); scale it down to load faster and use less memory",
                            "{what}“{relative}”有 {width}×{height} 像素，比屏幕（{screen_w}×{screen_h}）大得多：请把它缩小，加载更快，也更省内存";
                            what
                        ),
                    );
                }
                Some((width, height))
            }
            Err(err) => {
                self.error(
                    path,
                    said!(
                        "{what} \"{relative}\" cannot be read as a PNG or JPEG image: {err}",
                        "{what}“{relative}”无法作为 PNG 或 JPEG 图片打开：{err}";
                        what
                    ),
                );
                None
            }
        }
    }

    fn audio(&mut self, path: &FieldPath, relative: &str, what: &Said) {
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
            Said::new(
                "is an Ogg file but not Ogg Vorbis (Opus, perhaps): convert it to Ogg Vorbis, WAV, MP3 or FLAC",
                "是 Ogg 文件，但不是 Ogg Vorbis（可能是 Opus）：请转换成 Ogg Vorbis、WAV、MP3 或 FLAC",
            )
        } else if is_adts_aac(head) {
            Said::new(
                "is AAC sound, which the kiosk does not play: convert it to Ogg Vorbis, WAV, MP3 or FLAC",
                "是 AAC 声音，展台播放不了：请转换成 Ogg Vorbis、WAV、MP3 或 FLAC",
            )
        } else {
            Said::new(
                "is not an Ogg Vorbis, WAV, MP3 or FLAC file",
                "不是 Ogg Vorbis、WAV、MP3 或 FLAC 声音文件",
            )
        };
        self.error(
            path,
            said!("{what} \"{relative}\" {why}", "{what}“{relative}”{why}"; what, why),
        );
    }

    /// The length the curator intends, which the dashboard divides the median visit by.
    fn intended_secs(&mut self, secs: u32) {
        if !(1..=MAX_INTENDED_SECS).contains(&secs) {
            self.error(
                &at!["intended_secs"],
                said!(
                    "intended_secs = {secs} is outside 1 to {MAX_INTENDED_SECS}: give the seconds a visitor who takes the whole exhibit in spends on it (e.g. 120 for two minutes)",
                    "intended_secs = {secs} 不在 1 到 {MAX_INTENDED_SECS} 之间：请填观众看完整个展品大约要用的秒数（例如两分钟填 120）"
                ),
            );
        }
    }

    /// Sections that only one kind uses must not appear in another.
    fn sections_belong_to(&mut self, m: &ExhibitManifest) {
        let sections: [(&str, ExhibitKind, bool); 11] = [
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
            ("mode", ExhibitKind::Hotspots, m.mode.is_some()),
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
                let (kind, owner) = (m.kind.name(), owner.name());
                self.error(
                    &at![section],
                    said!(
                        "a {kind} exhibit does not use `{section}`; it belongs to kind = \"{owner}\"",
                        "{kind} 类展品不用 `{section}`，它属于 kind = \"{owner}\" 的展品"
                    ),
                );
            }
        }
    }

    fn require_some(&mut self, count: usize, minimum: usize, path: &FieldPath, message: Said) {
        if count < minimum {
            self.error(path, message);
        }
    }

    fn story(&mut self, m: &ExhibitManifest) {
        self.require_some(
            m.pages.len(),
            1,
            &at!["kind"],
            Said::new(
                "a story needs at least one [[pages]] entry",
                "故事至少需要一页：写一个 [[pages]]",
            ),
        );
        self.at_most(
            &at!["pages"],
            m.pages.len(),
            MAX_PAGE as usize,
            &Said::new("pages in a story", "故事的页"),
        );
        for (index, page) in m.pages.iter().enumerate() {
            let number = index + 1;
            let page_n = said!("page {number}", "第 {number} 页");
            self.text(
                &at!["pages", index, "text"],
                &page.text,
                &said!("the text of {page_n}", "{page_n}的文字"; page_n),
            );
            if let Some(image) = &page.image {
                self.image(
                    &at!["pages", index, "image"],
                    image,
                    &said!("the image of {page_n}", "{page_n}的图片"; page_n),
                );
            }
            if let Some(narration) = &page.narration {
                for (language, file) in narration.files() {
                    let (path, whose) = match language {
                        Some(language) => (
                            at!["pages", index, "narration", language],
                            said!(
                                "the {language} narration of {page_n}",
                                "{page_n}的 {language} 配音";
                                page_n
                            ),
                        ),
                        None => (
                            at!["pages", index, "narration"],
                            said!("the narration of {page_n}", "{page_n}的配音"; page_n),
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
            Said::new(
                "a quiz needs at least one [[questions]] entry",
                "测验至少需要一道题：写一个 [[questions]]",
            ),
        );
        // A question scores at most one point, and a score is bounded on the wire.
        self.at_most(
            &at!["questions"],
            m.questions.len(),
            MAX_SCORE as usize,
            &Said::new("questions in a quiz", "测验的题目"),
        );
        let ids = self.unique_ids(
            &at!["questions"],
            m.questions.iter().map(|q| q.id.as_str()),
            &Said::new("question id", "题目编号"),
            &Said::default(),
        );
        for (index, question) in m.questions.iter().enumerate() {
            self.question(index, question);
        }
        for (audience, question_ids) in &m.pools {
            let name = manifest_name(audience);
            if question_ids.is_empty() {
                self.error(
                    &at!["pools", name.as_str()],
                    said!("pool \"{name}\" has no questions", "题库“{name}”里没有题目"),
                );
            }
            for (i, id) in question_ids.iter().enumerate() {
                if !ids.contains(id.as_str()) {
                    self.error(
                        &at!["pools", name.as_str(), i],
                        said!(
                            "pool \"{name}\" names question \"{id}\", which this quiz does not have",
                            "题库“{name}”里的题目“{id}”在这个测验里没有"
                        ),
                    );
                }
            }
        }
        if m.time_limit_secs == Some(0) {
            self.error(
                &at!["time_limit_secs"],
                Said::new(
                    "time_limit_secs = 0 would end the quiz at once; leave it out for no time limit",
                    "time_limit_secs = 0 会让测验一开始就结束；不想限时，就删掉这一行",
                ),
            );
        }
    }

    fn question(&mut self, index: usize, q: &Question) {
        let at_q = at!["questions", index];
        let id = &q.id;
        let name = said!("question \"{id}\"", "题目“{id}”");
        self.text(
            &at_q.child("prompt"),
            &q.prompt,
            &said!("the prompt of {name}", "{name}的题干（prompt）"; name),
        );
        self.text(
            &at_q.child("explanation"),
            &q.explanation,
            &said!("the explanation of {name}", "{name}的解释（explanation）"; name),
        );
        if let Some(image) = &q.image {
            self.image(
                &at_q.child("image"),
                image,
                &said!("the image of {name}", "{name}的图片"; name),
            );
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
                    said!(
                        "{name} is a {type_name} question, which does not use `{field}`",
                        "{name}是 {type_name} 题，不用 `{field}`";
                        name
                    ),
                );
            }
        }
        if uses_choices {
            self.choices(&at_q, &name, q);
        }
        match q.question_type {
            QuestionType::TrueFalse if q.answer.is_none() => self.error(
                &at_q,
                said!(
                    "{name} is true_false and needs `answer = true` or `answer = false`",
                    "{name}是判断题（true_false），要写 `answer = true` 或 `answer = false`";
                    name
                ),
            ),
            QuestionType::Ordering => {
                if q.items.len() < 2 {
                    self.error(
                        &at_q,
                        said!(
                            "{name} is an ordering question and needs at least 2 items",
                            "{name}是排序题，至少需要 2 个排序项";
                            name
                        ),
                    );
                }
                self.at_most(
                    &at_q.child("items"),
                    q.items.len(),
                    MAX_CHOICE_IDS,
                    &said!("items in {name}", "{name}的排序项"; name),
                );
                self.unique_ids(
                    &at_q.child("items"),
                    q.items.iter().map(|i| i.id.as_str()),
                    &Said::new("item id", "排序项编号"),
                    &said!(" in {name}", "{name}中的"; name),
                );
                for (i, item) in q.items.iter().enumerate() {
                    let path = at_q.child("items").child(i);
                    let item_id = &item.id;
                    self.text(
                        &path.child("label"),
                        &item.label,
                        &said!("item \"{item_id}\" of {name}", "{name}的排序项“{item_id}”"; name),
                    );
                }
            }
            QuestionType::Estimate => match &q.estimate {
                None => self.error(
                    &at_q,
                    said!(
                        "{name} is an estimate question and needs [questions.estimate]",
                        "{name}是估数题（estimate），需要写 [questions.estimate] 一节";
                        name
                    ),
                ),
                Some(estimate) => self.estimate(&at_q.child("estimate"), &name, estimate),
            },
            _ => {}
        }
    }

    fn choices(&mut self, at_q: &FieldPath, name: &Said, q: &Question) {
        if q.choices.len() < 2 {
            self.error(
                at_q,
                said!(
                    "{name} needs at least two choices",
                    "{name}至少需要两个选项";
                    name
                ),
            );
        }
        self.at_most(
            &at_q.child("choices"),
            q.choices.len(),
            MAX_CHOICE_IDS,
            &said!("choices in {name}", "{name}的选项"; name),
        );
        self.unique_ids(
            &at_q.child("choices"),
            q.choices.iter().map(|c| c.id.as_str()),
            &Said::new("choice id", "选项编号"),
            &said!(" in {name}", "{name}中的"; name),
        );
        for (i, choice) in q.choices.iter().enumerate() {
            let path = at_q.child("choices").child(i);
            let choice_id = &choice.id;
            self.text(
                &path.child("label"),
                &choice.label,
                &said!("choice \"{choice_id}\" of {name}", "{name}的选项“{choice_id}”"; name),
            );
            match (&choice.image, q.question_type) {
                (Some(image), _) => {
                    self.image(
                        &path.child("image"),
                        image,
                        &said!(
                            "the image of choice \"{choice_id}\"",
                            "选项“{choice_id}”的图片"
                        ),
                    );
                }
                (None, QuestionType::ImageChoice) => self.error(
                    &path,
                    said!(
                        "choice \"{choice_id}\" of {name} needs an image: it is an image_choice question",
                        "{name}的选项“{choice_id}”需要图片：这是看图选择题（image_choice）";
                        name
                    ),
                ),
                (None, _) => {}
            }
        }
        let correct = q.choices.iter().filter(|c| c.correct).count();
        match q.question_type {
            QuestionType::Multiple if correct == 0 => self.error(
                at_q,
                said!(
                    "{name} is multiple choice and needs at least one choice with correct = true",
                    "{name}是多选题，至少要有一个选项写 correct = true";
                    name
                ),
            ),
            QuestionType::Single | QuestionType::ImageChoice if correct != 1 => self.error(
                at_q,
                said!(
                    "{name} is single choice and needs exactly one choice with correct = true (it has {correct})",
                    "{name}是单选题，要正好有一个选项写 correct = true（现在有 {correct} 个）";
                    name
                ),
            ),
            _ => {}
        }
    }

    fn estimate(&mut self, path: &FieldPath, name: &Said, e: &Estimate) {
        let finite = [e.min, e.max, e.answer, e.tolerance]
            .iter()
            .all(|v| v.is_finite());
        let (min, max, answer) = (e.min, e.max, e.answer);
        if !finite || min >= max {
            self.error(
                &path.child("min"),
                said!(
                    "the slider of {name} needs min below max (it has min {min} and max {max})",
                    "{name}的滑块要 min 小于 max（现在 min 是 {min}，max 是 {max}）";
                    name
                ),
            );
            return;
        }
        if answer < min || answer > max {
            self.error(
                &path.child("answer"),
                said!(
                    "the answer {answer} of {name} is outside its slider's range {min} to {max}",
                    "{name}的答案 {answer} 不在滑块的范围 {min} 到 {max} 之内";
                    name
                ),
            );
        }
        if e.tolerance < 0.0 {
            self.error(
                &path.child("tolerance"),
                said!(
                    "the tolerance of {name} cannot be negative",
                    "{name}的误差范围（tolerance）不能是负数";
                    name
                ),
            );
        }
        let range = max - min;
        if let Some(step) = e.step
            && !(step > 0.0 && step <= range)
        {
            self.error(
                &path.child("step"),
                said!(
                    "the step of {name} must be above 0 and at most max - min ({range})",
                    "{name}的步长（step）要大于 0，且不超过 max - min（{range}）";
                    name
                ),
            );
        }
        if let Some(unit) = &e.unit {
            self.text(
                &path.child("unit"),
                unit,
                &said!("the unit of {name}", "{name}的单位（unit）"; name),
            );
        }
    }

    fn hotspots(&mut self, m: &ExhibitManifest) {
        let size = match &m.image {
            Some(image) => self.image(
                &at!["image"],
                image,
                &Said::new("the hotspot image", "热点大图（image）"),
            ),
            None => {
                self.error(
                    &at!["kind"],
                    Said::new(
                        "a hotspots exhibit needs `image = \"…\"`, the picture the regions are on",
                        "热点展品要写 `image = \"…\"`：热点所在的那张图",
                    ),
                );
                None
            }
        };
        self.require_some(
            m.hotspots.len(),
            1,
            &at!["kind"],
            Said::new(
                "a hotspots exhibit needs at least one [[hotspots]] entry",
                "热点展品至少需要一个热点：写一个 [[hotspots]]",
            ),
        );
        self.unique_ids(
            &at!["hotspots"],
            m.hotspots.iter().map(|h| h.id.as_str()),
            &Said::new("hotspot id", "热点编号"),
            &Said::default(),
        );
        for (index, hotspot) in m.hotspots.iter().enumerate() {
            let path = at!["hotspots", index];
            let id = &hotspot.id;
            let name = said!("hotspot \"{id}\"", "热点“{id}”");
            self.text(
                &path.child("title"),
                &hotspot.title,
                &said!("the title of {name}", "{name}的标题（title）"; name),
            );
            self.text(
                &path.child("text"),
                &hotspot.text,
                &said!("the text of {name}", "{name}的说明（text）"; name),
            );
            if let Some(image) = &hotspot.image {
                self.image(
                    &path.child("image"),
                    image,
                    &said!("the image of {name}", "{name}的图片"; name),
                );
            }
            self.region(&path, &name, hotspot, size);
        }
    }

    fn region(&mut self, path: &FieldPath, name: &Said, h: &Hotspot, image: Option<(u32, u32)>) {
        let shapes = [h.rect.is_some(), h.circle.is_some(), h.polygon.is_some()];
        if shapes.iter().filter(|s| **s).count() != 1 {
            self.error(
                path,
                said!(
                    "{name} needs exactly one of `rect`, `circle` or `polygon`",
                    "{name}要写 `rect`、`circle`、`polygon` 中的一个，而且只能写一个";
                    name
                ),
            );
            return;
        }
        // The region's bounding box, and where it is written.
        let (field, bounds) = if let Some([x, y, w, h]) = h.rect {
            if w <= 0.0 || h <= 0.0 {
                self.error(
                    &path.child("rect"),
                    said!(
                        "the rect of {name} needs a width and height above 0",
                        "{name}的 rect 宽和高都要大于 0";
                        name
                    ),
                );
                return;
            }
            ("rect", (x, y, x + w, y + h))
        } else if let Some([cx, cy, r]) = h.circle {
            if r <= 0.0 {
                self.error(
                    &path.child("circle"),
                    said!(
                        "the circle of {name} needs a radius above 0",
                        "{name}的 circle 半径要大于 0";
                        name
                    ),
                );
                return;
            }
            ("circle", (cx - r, cy - r, cx + r, cy + r))
        } else {
            let points = h.polygon.as_deref().unwrap_or_default();
            if points.len() < 3 {
                self.error(
                    &path.child("polygon"),
                    said!(
                        "the polygon of {name} needs at least 3 points",
                        "{name}的 polygon 至少需要 3 个点";
                        name
                    ),
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
                said!(
                    "the {field} of {name} reaches outside the image ({width}×{height} pixels): it spans x {left}–{right}, y {top}–{bottom}",
                    "{name}的 {field} 超出了图片（{width}×{height} 像素）：它占 x {left}–{right}，y {top}–{bottom}";
                    name
                ),
            );
        }
    }

    fn simulation(&mut self, m: &ExhibitManifest) {
        let models = model_names();
        let Some(model_name) = &m.model else {
            self.error(
                &at!["kind"],
                said!(
                    "a simulation needs `model = \"…\"`, one of {models}",
                    "模拟展品要写 `model = \"…\"`，可选：{models}"
                ),
            );
            return;
        };
        let Some(model) = models::model(model_name) else {
            self.error(
                &at!["model"],
                said!(
                    "there is no simulation model \"{model_name}\"; the models are {models}",
                    "没有叫“{model_name}”的模拟模型；可用的模型有：{models}"
                ),
            );
            return;
        };
        self.require_some(
            m.parameters.len(),
            1,
            &at!["model"],
            Said::new(
                "a simulation needs at least one [[parameters]] entry for visitors to change",
                "模拟展品至少需要一个让观众调节的参数：写一个 [[parameters]]",
            ),
        );
        let model_id = model.name;
        let mut seen = BTreeSet::new();
        for (index, parameter) in m.parameters.iter().enumerate() {
            let path = at!["parameters", index];
            let id = &parameter.id;
            let Some(spec) = model.parameter(id) else {
                let parameters = model.parameter_names();
                self.error(
                    &path.child("id"),
                    said!(
                        "the {model_id} model has no parameter \"{id}\"; it has {parameters}",
                        "{model_id} 模型没有参数“{id}”；它的参数有：{parameters}"
                    ),
                );
                continue;
            };
            if !seen.insert(id.as_str()) {
                self.error(
                    &path.child("id"),
                    said!("parameter \"{id}\" is listed twice", "参数“{id}”写了两次"),
                );
            }
            let name = said!("parameter \"{id}\"", "参数“{id}”");
            self.text(
                &path.child("label"),
                &parameter.label,
                &said!("the label of {name}", "{name}的标签（label）"; name),
            );
            // Written so that NaN (which TOML allows as `nan`) also fails.
            let (min, max, default) = (parameter.min, parameter.max, parameter.default);
            let ordered = min.is_finite() && max.is_finite() && min < max;
            if !ordered {
                self.error(
                    &path.child("min"),
                    said!("{name} needs min below max", "{name}要 min 小于 max"; name),
                );
                continue;
            }
            let (lowest, highest, unit) = (spec.min, spec.max, spec.unit);
            for (field, value) in [("min", min), ("max", max)] {
                if value < lowest || value > highest {
                    self.error(
                        &path.child(field),
                        said!(
                            "{name} {field} = {value} is outside what the {model_id} model allows ({lowest} to {highest} {unit})",
                            "{name}的 {field} = {value} 超出了 {model_id} 模型允许的范围（{lowest} 到 {highest} {unit}）";
                            name
                        ),
                    );
                }
            }
            if default < min || default > max {
                self.error(
                    &path.child("default"),
                    said!(
                        "{name} default = {default} is outside its own range {min} to {max}",
                        "{name}的 default = {default} 不在它自己的范围 {min} 到 {max} 之内";
                        name
                    ),
                );
            }
            if let Some(step) = parameter.step
                && !(step > 0.0 && step <= max - min)
            {
                self.error(
                    &path.child("step"),
                    said!(
                        "{name} step must be above 0 and at most max - min",
                        "{name}的 step 要大于 0，且不超过 max - min";
                        name
                    ),
                );
            }
        }
    }

    fn sort(&mut self, m: &ExhibitManifest) {
        self.require_some(
            m.bins.len(),
            2,
            &at!["kind"],
            Said::new(
                "a sort exhibit needs at least two [[bins]]",
                "分类展品至少需要两个分类箱：写两个 [[bins]]",
            ),
        );
        self.require_some(
            m.items.len(),
            1,
            &at!["kind"],
            Said::new(
                "a sort exhibit needs at least one [[items]] entry",
                "分类展品至少需要一件物品：写一个 [[items]]",
            ),
        );
        let bins = self.unique_ids(
            &at!["bins"],
            m.bins.iter().map(|b| b.id.as_str()),
            &Said::new("bin id", "分类箱编号"),
            &Said::default(),
        );
        for (index, bin) in m.bins.iter().enumerate() {
            let path = at!["bins", index];
            let id = &bin.id;
            self.text(
                &path.child("label"),
                &bin.label,
                &said!("the label of bin \"{id}\"", "分类箱“{id}”的标签（label）"),
            );
            if let Some(color) = &bin.color {
                let valid = color.len() == 7
                    && color.starts_with('#')
                    && color[1..].chars().all(|c| c.is_ascii_hexdigit());
                if !valid {
                    self.error(
                        &path.child("color"),
                        said!(
                            "bin colour \"{color}\" must look like \"#2e7d32\"",
                            "分类箱颜色“{color}”要写成 \"#2e7d32\" 这样：# 加六位十六进制数字"
                        ),
                    );
                }
            }
            if let Some(image) = &bin.image {
                self.image(
                    &path.child("image"),
                    image,
                    &said!("the image of bin \"{id}\"", "分类箱“{id}”的图片"),
                );
            }
        }
        self.unique_ids(
            &at!["items"],
            m.items.iter().map(|i| i.id.as_str()),
            &Said::new("item id", "物品编号"),
            &Said::default(),
        );
        for (index, item) in m.items.iter().enumerate() {
            let path = at!["items", index];
            let id = &item.id;
            let name = said!("item \"{id}\"", "物品“{id}”");
            self.text(
                &path.child("label"),
                &item.label,
                &said!("the label of {name}", "{name}的标签（label）"; name),
            );
            self.text(
                &path.child("feedback"),
                &item.feedback,
                &said!("the feedback of {name}", "{name}的反馈（feedback）"; name),
            );
            if !bins.contains(item.bin.as_str()) {
                let bin = &item.bin;
                let known: Vec<&str> = m.bins.iter().map(|b| b.id.as_str()).collect();
                let (known_en, known_zh) = (known.join(", "), known.join("、"));
                self.error(
                    &path.child("bin"),
                    said!(
                        "{name} goes in bin \"{bin}\", which does not exist; the bins are {known_en}",
                        "{name}要放进的分类箱“{bin}”不存在；现有的分类箱：{known_zh}";
                        name
                    ),
                );
            }
            if let Some(image) = &item.image {
                self.image(
                    &path.child("image"),
                    image,
                    &said!("the image of {name}", "{name}的图片"; name),
                );
            }
        }
    }
}

/// A language's name in Chinese, for "缺少英文文字"; a code without one is shown as written.
fn language_in_chinese(code: &str) -> String {
    match code {
        "zh" | "zh-hans" => "中文".to_owned(),
        "zh-hant" => "繁体中文".to_owned(),
        "en" => "英文".to_owned(),
        "yue" => "粤语".to_owned(),
        other => format!(" {other} "),
    }
}

/// The name of a file that is there under `file`'s name in other capital and small letters
/// (`Pic.png` for `pic.png`): the kiosk's file system tells them apart.
fn name_in_another_case(file: &Path) -> Option<String> {
    let wanted = file.file_name()?.to_str()?.to_lowercase();
    std::fs::read_dir(file.parent()?)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .find(|name| name.to_lowercase() == wanted)
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
fn misnamed_picture(file: &Path, relative: &str) -> Option<Said> {
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
    let renamed = Path::new(relative).with_extension(ending);
    let renamed = renamed.display();
    Some(said!(
        "\"{relative}\" is a {kind} picture, but its name does not end in .{ending}: rename the file to \"{renamed}\" (and the name here)",
        "“{relative}”其实是 {kind} 图片，文件名却不以 .{ending} 结尾：把文件改名为“{renamed}”（这里写的名字也一起改）"
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
