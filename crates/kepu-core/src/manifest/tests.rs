//! Catalog-level behaviour, the schema and robustness. The one-mistake-per-case checks of
//! validation live in the corpus (tests/corpus, tests/corpus.rs); the dashboard's fields
//! (question themes, `intended_secs`) are checked here, every bound and wrong type of them.

use super::*;
use crate::at;
use proptest::prelude::*;
use std::path::Path;

/// A valid quiz, for tests here and of the lenient reading.
pub(super) const QUIZ: &str = r#"id = "quiz-one"
kind = "quiz"
title = { zh = "测验", en = "Quiz" }

[[questions]]
id = "q1"
prompt = { zh = "问题", en = "Question" }
explanation = { zh = "解释", en = "Explanation" }

[[questions.choices]]
id = "a"
label = { zh = "甲", en = "A" }
correct = true

[[questions.choices]]
id = "b"
label = { zh = "乙", en = "B" }
"#;

fn write_exhibit(root: &Path, folder: &str, manifest: &str) -> PathBuf {
    let dir = root.join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(MANIFEST_FILE), manifest).unwrap();
    dir
}

#[test]
fn the_sample_exhibits_are_valid_even_with_full_image_decoding() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
    let rules = ValidationRules {
        decode_images: true,
        ..ValidationRules::default()
    };
    let catalog = load_catalog(&samples, &rules);
    let problems: Vec<String> = catalog
        .all_problems()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let kinds: Vec<ExhibitKind> = catalog.exhibits.iter().map(|e| e.manifest.kind).collect();
    assert!(kinds.contains(&ExhibitKind::Story) && kinds.contains(&ExhibitKind::Quiz));
}

#[test]
fn a_valid_quiz_parses_without_problems() {
    let root = tempfile::tempdir().unwrap();
    let folder = write_exhibit(root.path(), "q", QUIZ);
    let loaded = load_exhibit(&folder, &ValidationRules::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    assert_eq!(
        loaded.manifest.unwrap().questions[0].question_type,
        QuestionType::Single
    );
}

#[test]
fn missing_language_can_be_a_warning_with_fallback() {
    let root = tempfile::tempdir().unwrap();
    let folder = write_exhibit(
        root.path(),
        "q",
        &QUIZ.replace("en = \"Quiz\"", "fr = \"Quiz\""),
    );
    let strict = load_exhibit(&folder, &ValidationRules::default());
    assert_eq!(strict.problems[0].severity, Severity::Error);
    let lenient = load_exhibit(
        &folder,
        &ValidationRules {
            missing_language: MissingLanguage::Fallback,
            ..ValidationRules::default()
        },
    );
    assert_eq!(lenient.problems.len(), 1);
    assert_eq!(lenient.problems[0].severity, Severity::Warning);
    assert_eq!(lenient.problems[0].line, Some(3));
    assert!(
        lenient.problems[0]
            .message
            .contains("visitors will see another language")
    );
}

#[test]
fn a_broken_exhibit_is_left_out_and_the_rest_still_load() {
    let root = tempfile::tempdir().unwrap();
    write_exhibit(root.path(), "a-good", QUIZ);
    write_exhibit(root.path(), "b-broken", "this is not toml");
    write_exhibit(root.path(), "c-duplicate", QUIZ);
    std::fs::create_dir_all(root.path().join("shared-images")).unwrap();
    let catalog = load_catalog(root.path(), &ValidationRules::default());
    assert_eq!(catalog.exhibits.len(), 1);
    assert_eq!(catalog.exhibits[0].folder, root.path().join("a-good"));
    assert_eq!(catalog.rejected.len(), 2);
    let duplicate = &catalog.rejected[1].problems[0];
    assert!(duplicate.message.contains("already used"), "{duplicate}");
    assert_eq!((duplicate.line, duplicate.column), (Some(1), Some(1)));
    // The broken one's line, and the fields it lacks (read past its syntax error).
    assert_eq!(catalog.rejected[0].problems.len(), 2);
    assert_eq!(catalog.error_count(), 3);
}

#[test]
fn a_broken_edit_keeps_the_last_good_version_and_a_fix_replaces_it() {
    let root = tempfile::tempdir().unwrap();
    let rules = ValidationRules::default();
    write_exhibit(root.path(), "a-quiz", QUIZ);
    write_exhibit(
        root.path(),
        "b-other",
        &QUIZ.replace("quiz-one", "quiz-two"),
    );
    let shown = load_catalog(root.path(), &rules);
    assert_eq!(shown.exhibits.len(), 2);
    let fingerprint = folder_fingerprint(root.path());

    // A curator saves a broken edit of one exhibit and deletes the other.
    write_exhibit(
        root.path(),
        "a-quiz",
        &QUIZ.replace("kind = \"quiz\"", "kind = \"quiz"),
    );
    std::fs::remove_dir_all(root.path().join("b-other")).unwrap();
    assert_ne!(folder_fingerprint(root.path()), fingerprint);
    let merged = merge_reload(&shown, load_catalog(root.path(), &rules));
    assert_eq!(merged.exhibits.len(), 1);
    assert_eq!(
        merged.exhibits[0], shown.exhibits[0],
        "last good version kept"
    );
    assert_eq!(merged.rejected.len(), 1, "and its problems still reported");

    // The fix comes in.
    let fixed = QUIZ.replace(
        "title = { zh = \"测验\", en = \"Quiz\" }",
        "title = { zh = \"新测验\", en = \"New quiz\" }",
    );
    write_exhibit(root.path(), "a-quiz", &fixed);
    let merged = merge_reload(&merged, load_catalog(root.path(), &rules));
    assert_eq!(merged.exhibits[0].manifest.title.get("en", &[]), "New quiz");
    assert!(merged.rejected.is_empty());
}

#[test]
fn a_missing_exhibits_folder_is_reported_not_fatal() {
    let catalog = load_catalog(
        Path::new("/nonexistent/exhibits"),
        &ValidationRules::default(),
    );
    assert!(catalog.exhibits.is_empty());
    assert!(
        catalog.problems[0]
            .message
            .contains("cannot read the exhibits folder")
    );
}

#[test]
fn problems_print_as_file_line_column() {
    let problem = Problem::new(
        Severity::Error,
        Path::new("exhibits/x/exhibit.toml"),
        Some((3, 7)),
        Said::new("bad", "不对"),
    );
    assert_eq!(
        problem.to_string(),
        "exhibits/x/exhibit.toml:3:7: error: bad"
    );
    assert_eq!(problem.message_in(MessageLanguage::Chinese), "不对");
    // Both languages go into the JSON of `validate --format json`.
    let json = serde_json::to_value(&problem).unwrap();
    assert_eq!(json["message"], "bad");
    assert_eq!(json["message_zh"], "不对");
}

#[test]
fn the_message_language_comes_from_a_tag_or_the_first_locale_variable_set() {
    use MessageLanguage::{Chinese, English};
    for (tag, language) in [
        ("zh", Some(Chinese)),
        ("ZH", Some(Chinese)),
        ("zh-CN", Some(Chinese)),
        ("zh_CN.UTF-8", Some(Chinese)),
        ("zh-Hant", Some(Chinese)),
        ("en", Some(English)),
        ("en_GB.UTF-8", Some(English)),
        ("fr", None),
        ("", None),
        ("chinese", None),
    ] {
        assert_eq!(MessageLanguage::from_tag(tag), language, "{tag:?}");
    }
    let locale = MessageLanguage::from_locale_values;
    assert_eq!(locale(None, None, None), English);
    assert_eq!(locale(None, None, Some("zh_CN.UTF-8")), Chinese);
    assert_eq!(locale(None, None, Some("en_US.UTF-8")), English);
    assert_eq!(locale(None, None, Some("C")), English);
    // LC_ALL over LC_MESSAGES over LANG; an empty one does not count.
    assert_eq!(
        locale(Some("en_US.UTF-8"), Some("zh_CN"), Some("zh_CN")),
        English
    );
    assert_eq!(
        locale(Some(""), Some("zh_CN.UTF-8"), Some("en_US")),
        Chinese
    );
    assert_eq!(locale(None, Some("en_US"), Some("zh_CN")), English);
    assert_eq!(locale(Some(""), Some(""), Some("zh_TW.UTF-8")), Chinese);
}

#[test]
fn a_problem_renders_in_either_language_with_the_same_caret() {
    let source = "id = \"x\"\nkind ＝ \"story\"\ntitle = { zh = \"故事\", en = \"Story\" }\n";
    let problems =
        parse_and_validate(source, Path::new("ex"), &ValidationRules::default()).problems;
    let [problem] = problems.as_slice() else {
        panic!("{problems:#?}");
    };
    assert_eq!(
        problem.render_in(source, MessageLanguage::Chinese),
        "ex/exhibit.toml:2:6: 错误: `＝` 是全角字符：请换成半角的 `=`（切换到英文输入法再打）\n  |\n2 | kind ＝ \"story\"\n  |      ^"
    );
    assert_eq!(
        problem.render_in(source, MessageLanguage::English),
        problem.render(source)
    );
    assert!(
        problem
            .render(source)
            .starts_with("ex/exhibit.toml:2:6: error: `＝` is a full-width character: type `=`\n")
    );
    let warning = Problem {
        severity: Severity::Warning,
        ..problem.clone()
    };
    assert!(
        warning
            .render_in(source, MessageLanguage::Chinese)
            .starts_with("ex/exhibit.toml:2:6: 警告: ")
    );
}

#[test]
fn source_map_locates_nested_fields_and_falls_back_to_ancestors() {
    let map = SourceMap::new(QUIZ);
    assert_eq!(map.locate(&at!["kind"]), Some((2, 8)));
    assert_eq!(
        map.locate(&at!["questions", 0, "choices", 1, "id"]),
        Some((16, 6))
    );
    // A field that is not written points at the closest thing that is.
    assert_eq!(
        map.locate(&at!["questions", 0, "choices", 1, "image"]),
        map.locate(&at!["questions", 0, "choices", 1])
    );
    assert_eq!(at!["questions", 0, "id"].to_string(), "questions[0].id");
}

#[test]
fn the_json_schema_describes_every_kind_and_rejects_unknown_fields() {
    let schema = json_schema();
    let text = schema.to_string();
    for kind in ["story", "quiz", "hotspots", "simulation", "sort"] {
        assert!(
            text.contains(&format!("\"{kind}\"")),
            "{kind} missing from the schema"
        );
    }
    assert_eq!(
        schema["additionalProperties"],
        serde_json::Value::Bool(false)
    );
    let required = schema["required"].as_array().unwrap();
    for field in ["id", "kind", "title"] {
        assert!(
            required.contains(&serde_json::Value::from(field)),
            "{field}"
        );
    }
    // The dashboard's fields: editors complete them and every theme name.
    assert!(!required.contains(&serde_json::Value::from("intended_secs")));
    assert_eq!(schema["properties"]["intended_secs"]["minimum"], 1);
    assert_eq!(
        schema["properties"]["intended_secs"]["maximum"],
        MAX_INTENDED_SECS
    );
    assert!(
        schema["properties"]["intended_secs"]["description"]
            .as_str()
            .unwrap()
            .contains("takes it all in"),
        "{}",
        schema["properties"]["intended_secs"]
    );
    assert!(
        schema["$defs"]["Question"]["properties"]["theme"].is_object(),
        "{}",
        schema["$defs"]["Question"]
    );
    for theme in LiteracyTheme::ALL {
        assert!(
            text.contains(&format!("\"{}\"", theme.name())),
            "{} missing from the schema",
            theme.name()
        );
    }
    // A hotspots exhibit's mode: an editor completes `explore` and `find` and nothing else.
    let mode = schema["$defs"]["HotspotsMode"].to_string();
    assert!(
        mode.contains("\"explore\"") && mode.contains("\"find\""),
        "{mode}"
    );
    assert!(
        schema["properties"]["mode"]
            .to_string()
            .contains("HotspotsMode"),
        "{}",
        schema["properties"]["mode"]
    );
}

fn rules() -> ValidationRules {
    ValidationRules::default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Arbitrary text never panics the parser or the validator.
    #[test]
    fn arbitrary_text_never_panics(source in "\\PC{0,400}") {
        let root = tempfile::tempdir().unwrap();
        let _ = parse_and_validate(&source, root.path(), &rules());
    }

    /// A valid manifest with a line cut, duplicated or garbled anywhere never panics, and any
    /// problem found is located in the file and said in Chinese as well.
    #[test]
    fn mutated_manifests_never_panic(line in 0usize..20, mutation in 0u8..4, junk in "[ -~]{0,12}") {
        let mut lines: Vec<String> = QUIZ.lines().map(str::to_owned).collect();
        let at = line % lines.len();
        match mutation {
            0 => { lines.remove(at); }
            1 => { let copy = lines[at].clone(); lines.insert(at, copy); }
            2 => lines[at].push_str(&junk),
            _ => lines[at] = junk.clone(),
        }
        let source = lines.join("\n");
        let root = tempfile::tempdir().unwrap();
        let loaded = parse_and_validate(&source, root.path(), &rules());
        for problem in &loaded.problems {
            prop_assert!(!problem.message.is_empty());
            // Said in Chinese too, whatever the mistake.
            prop_assert!(
                problem.message_zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{problem}: {}",
                problem.message_zh
            );
            if let Some(line) = problem.line {
                prop_assert!(line >= 1 && line <= source.lines().count().max(1) + 1);
            }
        }
    }
}

#[test]
fn a_field_of_another_question_type_is_named_with_the_type() {
    let root = tempfile::tempdir().unwrap();
    let stray = QUIZ.replace(
        "id = \"q1\"",
        "id = \"q1\"\ntype = \"true_false\"\nanswer = true",
    );
    let folder = write_exhibit(root.path(), "q", &stray);
    let problems = load_exhibit(&folder, &ValidationRules::default()).problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .message
            .contains("is a true_false question, which does not use `choices`"),
        "{}",
        problems[0]
    );
}

#[test]
fn lists_longer_than_an_engagement_event_may_carry_are_refused() {
    use crate::wire::check::MAX_CHOICE_IDS;
    let root = tempfile::tempdir().unwrap();
    let choice = |i: usize| {
        format!("\n[[questions.choices]]\nid = \"c{i}\"\nlabel = {{ zh = \"甲\", en = \"A\" }}\n")
    };
    let at_most: String = (0..MAX_CHOICE_IDS - 2).map(choice).collect();
    let folder = write_exhibit(root.path(), "ok", &format!("{QUIZ}{at_most}"));
    let problems = load_exhibit(&folder, &ValidationRules::default()).problems;
    assert!(problems.is_empty(), "{problems:?}");
    let one_more: String = (0..MAX_CHOICE_IDS - 1).map(choice).collect();
    let folder = write_exhibit(root.path(), "too-many", &format!("{QUIZ}{one_more}"));
    let problems = load_exhibit(&folder, &ValidationRules::default()).problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .message
            .contains("choices in question \"q1\": 65, but at most 64 are allowed"),
        "{}",
        problems[0]
    );
}

#[test]
fn the_identifier_rule_is_the_manifests() {
    for id in [
        "a",
        "emergency-quiz",
        "t36-5",
        "target_distance",
        "119",
        &"z".repeat(64),
    ] {
        assert!(is_identifier(id), "{id}");
    }
    for id in [
        "",
        "A",
        "a b",
        "a.b",
        "a@b",
        "é",
        "a\u{202e}",
        &"z".repeat(65),
    ] {
        assert!(!is_identifier(id), "{id:?}");
    }
}

#[test]
fn a_syntax_error_the_toml_crate_gives_no_words_for_still_gets_a_message() {
    let root = tempfile::tempdir().unwrap();
    let loaded = parse_and_validate(
        "id = \"x\"\nkind = \"story\"\ntitle = { en = \"X\" }\nA=",
        root.path(),
        &rules(),
    );
    assert_eq!(loaded.problems.len(), 1, "{:#?}", loaded.problems);
    assert!(
        loaded.problems[0]
            .message
            .contains("`A` has nothing after `=`"),
        "{}",
        loaded.problems[0]
    );
}

/// `QUIZ` with `line` added after the first question's id (so at line 7).
fn quiz_with_question_line(line: &str) -> String {
    QUIZ.replace("id = \"q1\"", &format!("id = \"q1\"\n{line}"))
}

/// `QUIZ` with `line` added before the title (so at line 3).
fn quiz_with_top_line(line: &str) -> String {
    QUIZ.replace("title =", &format!("{line}\ntitle ="))
}

#[test]
fn a_question_may_name_its_literacy_theme() {
    let root = tempfile::tempdir().unwrap();
    let loaded = parse_and_validate(
        &quiz_with_question_line("theme = \"anti_fraud\""),
        root.path(),
        &rules(),
    );
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let manifest = loaded.manifest.unwrap();
    assert_eq!(manifest.questions[0].theme, Some(LiteracyTheme::AntiFraud));
    // It is written back under the same name, and left out when there is none.
    let written = toml::to_string(&manifest).unwrap();
    assert!(written.contains("theme = \"anti_fraud\""), "{written}");
    let without = parse_and_validate(QUIZ, root.path(), &rules())
        .manifest
        .unwrap();
    assert_eq!(without.questions[0].theme, None);
    assert!(!toml::to_string(&without).unwrap().contains("theme"));
}

#[test]
fn an_unknown_theme_is_refused_at_its_line_with_every_theme_named() {
    let root = tempfile::tempdir().unwrap();
    for (written, value, suggestion) in [
        ("theme = \"safety\"", "`safety`", None),
        ("theme = \"Health\"", "`Health`", Some("health")),
        ("theme = \"anti-fraud\"", "`anti-fraud`", Some("anti_fraud")),
    ] {
        let loaded = parse_and_validate(&quiz_with_question_line(written), root.path(), &rules());
        assert!(loaded.manifest.is_none(), "{written}");
        let [problem] = loaded.problems.as_slice() else {
            panic!("{written}: {:?}", loaded.problems);
        };
        assert_eq!(problem.severity, Severity::Error);
        assert_eq!(
            (problem.line, problem.column),
            (Some(7), Some(9)),
            "{problem}"
        );
        assert!(
            problem
                .message
                .starts_with(&format!("unknown theme {value}")),
            "{problem}"
        );
        let listed: Vec<&str> = problem
            .message
            .split("use one of ")
            .nth(1)
            .unwrap()
            .split(" (")
            .next()
            .unwrap()
            .split(", ")
            .collect();
        let every: Vec<&str> = LiteracyTheme::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(listed, every, "{problem}");
        match suggestion {
            Some(name) => assert!(
                problem
                    .message
                    .ends_with(&format!("(did you mean `{name}`?)")),
                "{problem}"
            ),
            None => assert!(!problem.message.contains("did you mean"), "{problem}"),
        }
    }
}

#[test]
fn a_theme_that_is_not_a_name_in_quotes_gets_a_curators_message() {
    let root = tempfile::tempdir().unwrap();
    let loaded = parse_and_validate(&quiz_with_question_line("theme = 3"), root.path(), &rules());
    let [problem] = loaded.problems.as_slice() else {
        panic!("{:?}", loaded.problems);
    };
    assert_eq!(problem.line, Some(7));
    assert!(problem.message.contains("a name in quotes"), "{problem}");
}

#[test]
fn intended_secs_is_from_one_second_to_an_hour() {
    let root = tempfile::tempdir().unwrap();
    for secs in [1, 90, MAX_INTENDED_SECS] {
        let loaded = parse_and_validate(
            &quiz_with_top_line(&format!("intended_secs = {secs}")),
            root.path(),
            &rules(),
        );
        assert!(loaded.problems.is_empty(), "{secs}: {:?}", loaded.problems);
        assert_eq!(loaded.manifest.unwrap().intended_secs, Some(secs));
    }
    assert_eq!(
        parse_and_validate(QUIZ, root.path(), &rules())
            .manifest
            .unwrap()
            .intended_secs,
        None
    );
    for (written, words) in [
        (
            "intended_secs = 0",
            "intended_secs = 0 is outside 1 to 3600",
        ),
        (
            "intended_secs = 3601",
            "intended_secs = 3601 is outside 1 to 3600",
        ),
        (
            "intended_secs = 120000",
            "intended_secs = 120000 is outside 1 to 3600",
        ),
        (
            "intended_secs = -5",
            "`intended_secs` must be a whole number of 0 or more, not -5",
        ),
        (
            "intended_secs = 90.5",
            "`intended_secs` must be a whole number, without decimals: `90.5` has some",
        ),
        (
            "intended_secs = \"90\"",
            "`intended_secs` must be a whole number, like `90` — remove the quotes",
        ),
        (
            "intended_secs = 99999999999",
            "`intended_secs` must be a whole number up to 4294967295, not 99999999999",
        ),
    ] {
        let loaded = parse_and_validate(&quiz_with_top_line(written), root.path(), &rules());
        let [problem] = loaded.problems.as_slice() else {
            panic!("{written}: {:?}", loaded.problems);
        };
        assert_eq!(problem.severity, Severity::Error, "{problem}");
        assert_eq!(
            (problem.line, problem.column),
            (Some(3), Some(17)),
            "{problem}"
        );
        assert!(problem.message.contains(words), "{written}: {problem}");
    }
}

#[test]
fn the_literacy_themes_names_labels_and_schema_agree() {
    let mut names = std::collections::BTreeSet::new();
    for theme in LiteracyTheme::ALL {
        let name = theme.name();
        assert_eq!(serde_json::to_value(theme).unwrap(), name, "serde form");
        assert_eq!(LiteracyTheme::from_name(name), Some(theme));
        assert!(names.insert(name), "{name} twice");
        assert!(
            name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{name} is snake_case"
        );
        assert!(
            theme
                .label_zh()
                .chars()
                .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{name}: {} is Chinese",
            theme.label_zh()
        );
        assert!(theme.label_en().is_ascii() && !theme.label_en().is_empty());
        assert_eq!(theme.label("zh"), theme.label_zh());
        assert_eq!(theme.label("zh-hant"), theme.label_zh());
        assert_eq!(theme.label("yue"), theme.label_zh());
        assert_eq!(theme.label("en"), theme.label_en());
        assert_eq!(theme.label("fr"), theme.label_en());
        assert_eq!(theme.label("zhx"), theme.label_en());
    }
    assert_eq!(LiteracyTheme::from_name("safety"), None);
    let labels: std::collections::BTreeSet<_> =
        LiteracyTheme::ALL.iter().map(|t| t.label_zh()).collect();
    assert_eq!(
        labels.len(),
        LiteracyTheme::ALL.len(),
        "labels are distinct"
    );

    // `ALL` holds every variant: the schema (generated from the enum itself) lists exactly
    // these names, in this order.
    let schema = serde_json::to_value(schemars::schema_for!(LiteracyTheme)).unwrap();
    let in_schema: Vec<&str> = schema["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|variant| variant["const"].as_str().unwrap())
        .collect();
    let all: Vec<&str> = LiteracyTheme::ALL.iter().map(|t| t.name()).collect();
    assert_eq!(in_schema, all);
}

#[test]
fn every_sample_exhibit_gives_its_length_and_every_sample_question_its_theme() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
    let catalog = load_catalog(&samples, &rules());
    assert!(catalog.rejected.is_empty(), "{:?}", catalog.rejected);
    let mut themes = std::collections::BTreeSet::new();
    for exhibit in &catalog.exhibits {
        assert!(
            exhibit.manifest.intended_secs.is_some(),
            "{} has no intended_secs",
            exhibit.id()
        );
        for question in &exhibit.manifest.questions {
            let theme = question.theme;
            assert!(
                theme.is_some(),
                "{}: {} has no theme",
                exhibit.id(),
                question.id
            );
            themes.extend(theme);
        }
    }
    assert!(
        themes.len() >= 3,
        "the samples show several themes: {themes:?}"
    );
}

#[test]
fn checking_takes_a_folder_of_exhibits_one_exhibit_or_its_manifest_and_refuses_nothing() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
    let all = load_for_checking(&samples, &rules()).unwrap();
    assert!(all.exhibits.len() > 1 && all.rejected.is_empty());
    let one = load_for_checking(&samples.join("phone-scams"), &rules()).unwrap();
    assert_eq!(one.exhibits.len(), 1);
    assert_eq!(one.exhibits[0].id(), "phone-scams");
    let file = load_for_checking(&samples.join("phone-scams/exhibit.toml"), &rules()).unwrap();
    assert_eq!(file.exhibits.len(), 1);

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/04-unknown-kind");
    let broken = load_for_checking(&corpus, &rules()).unwrap();
    assert!(broken.exhibits.is_empty());
    assert_eq!(broken.rejected.len(), 1);
    assert!(broken.error_count() >= 1);

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("pictures")).unwrap();
    assert_eq!(
        load_for_checking(dir.path(), &rules()).unwrap_err(),
        CheckTargetError::Empty(dir.path().to_owned())
    );
    let missing = dir.path().join("nothing-here");
    assert_eq!(
        load_for_checking(&missing, &rules()).unwrap_err(),
        CheckTargetError::Missing(missing.clone())
    );
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "hello").unwrap();
    assert!(matches!(
        load_for_checking(&notes, &rules()),
        Err(CheckTargetError::NotAManifest(_))
    ));
    // Each in English (its Display) and in Chinese.
    let empty = CheckTargetError::Empty(PathBuf::from("exhibits"));
    assert_eq!(
        empty.to_string(),
        "exhibits holds no exhibits: a folder of exhibits has one folder per exhibit, each with an exhibit.toml"
    );
    assert_eq!(
        empty.message_in(MessageLanguage::English),
        empty.to_string()
    );
    assert_eq!(
        empty.message_in(MessageLanguage::Chinese),
        "exhibits 里没有展品：展品总文件夹里每个展品占一个文件夹，每个文件夹里有一个 exhibit.toml"
    );
    assert!(
        CheckTargetError::Missing(missing)
            .message_in(MessageLanguage::Chinese)
            .ends_with("不存在：请给出展品总文件夹、某一个展品的文件夹，或它的 exhibit.toml")
    );
    assert!(
        CheckTargetError::NotAManifest(notes)
            .message_in(MessageLanguage::Chinese)
            .ends_with(
                "不是 exhibit.toml：请给出展品总文件夹、某一个展品的文件夹，或它的 exhibit.toml"
            )
    );
}

#[test]
fn a_picture_whose_name_does_not_match_what_it_is_is_an_error_in_both_readings() {
    // A PNG saved as `cover.jpg`: its content reads, but the kiosk opens pictures by their
    // ending and would not show it.
    let root = tempfile::tempdir().unwrap();
    let manifest = QUIZ.replacen(
        "title = { zh = \"测验\", en = \"Quiz\" }",
        "title = { zh = \"测验\", en = \"Quiz\" }\nthumbnail = \"cover.jpg\"",
        1,
    );
    let dir = write_exhibit(root.path(), "quiz-one", &manifest);
    image::RgbImage::new(64, 36)
        .save_with_format(dir.join("cover.jpg"), image::ImageFormat::Png)
        .unwrap();
    for decode_images in [false, true] {
        let rules = ValidationRules {
            decode_images,
            ..rules()
        };
        let loaded = load_exhibit(&dir, &rules);
        let messages: Vec<&str> = loaded.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(loaded.problems.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains("\"cover.jpg\" is a PNG picture")
                && messages[0].contains("rename the file to \"cover.png\""),
            "{messages:?}"
        );
        assert_eq!(loaded.problems[0].severity, Severity::Error);
    }
    // Named as what it is: no problem.
    std::fs::rename(dir.join("cover.jpg"), dir.join("cover.png")).unwrap();
    let fixed = manifest.replace("cover.jpg", "cover.png");
    std::fs::write(dir.join(MANIFEST_FILE), fixed).unwrap();
    assert_eq!(load_exhibit(&dir, &rules()).problems, []);
}

#[test]
fn sounds_the_player_cannot_play_are_named_by_what_they_are() {
    // The first page of an Ogg stream: "OggS", the page header, then the first packet.
    let ogg = |packet: &[u8]| {
        let mut head = b"OggS\x00\x02".to_vec();
        head.resize(28, 0);
        head.extend_from_slice(packet);
        head
    };
    let vorbis = ogg(b"\x01vorbis\x00\x00\x00\x00\x02\x44\xac\x00\x00");
    let opus = ogg(b"OpusHead\x01\x02\x38\x01\x80\xbb\x00\x00");
    assert_eq!(validate::audio_format(&vorbis), Some("ogg"));
    assert_eq!(validate::audio_format(&opus), None);
    // MP3 frames (layer III) and an ID3 tag; raw AAC's ADTS header (layer 0) is not MP3.
    assert_eq!(
        validate::audio_format(&[0xFF, 0xFB, 0x90, 0x64]),
        Some("mp3")
    );
    assert_eq!(validate::audio_format(b"ID3\x04\x00"), Some("mp3"));
    assert_eq!(validate::audio_format(&[0xFF, 0xF1, 0x50, 0x80]), None);

    let root = tempfile::tempdir().unwrap();
    let story = |file: &str| {
        format!(
            r#"id = "story-one"
kind = "story"
title = {{ zh = "故事", en = "Story" }}

[[pages]]
text = {{ zh = "一", en = "One" }}
narration = {{ zh = "{file}", en = "{file}" }}
"#
        )
    };
    for (file, bytes, says) in [
        (
            "voice.ogg",
            opus.clone(),
            "is an Ogg file but not Ogg Vorbis (Opus, perhaps)",
        ),
        (
            "voice.aac",
            vec![0xFF, 0xF1, 0x50, 0x80, 0, 0],
            "is AAC sound",
        ),
        ("voice.ogg", vorbis.clone(), ""),
    ] {
        let dir = write_exhibit(root.path(), "story-one", &story(file));
        std::fs::write(dir.join(file), &bytes).unwrap();
        let loaded = load_exhibit(&dir, &rules());
        let messages: Vec<&str> = loaded.problems.iter().map(|p| p.message.as_str()).collect();
        if says.is_empty() {
            assert!(messages.is_empty(), "{messages:?}");
        } else {
            assert_eq!(messages.len(), 2, "one per language: {messages:?}");
            assert!(messages.iter().all(|m| m.contains(says)), "{messages:?}");
        }
    }
}

#[test]
fn the_words_on_choices_items_and_sort_items_are_a_label_and_the_old_names_still_load() {
    // The schema editors complete from names the new field only.
    let schema = json_schema().to_string();
    for (definition, old) in [
        ("Choice", "text"),
        ("OrderItem", "text"),
        ("SortItem", "name"),
    ] {
        let properties = &json_schema()["$defs"][definition]["properties"];
        assert!(properties.get("label").is_some(), "{definition}: {schema}");
        assert!(properties.get(old).is_none(), "{definition}: {schema}");
    }
    // A sort item's old `name`: loaded as the label, with a warning at the old name.
    let sort = r#"id = "sort-one"
kind = "sort"
title = { zh = "分类", en = "Sorting" }

[[bins]]
id = "a"
label = { zh = "甲", en = "A" }

[[bins]]
id = "b"
label = { zh = "乙", en = "B" }

[[items]]
id = "battery"
name = { zh = "电池", en = "Battery" }
bin = "a"
feedback = { zh = "因为", en = "Because" }
"#;
    let root = tempfile::tempdir().unwrap();
    let loaded = parse_and_validate(sort, root.path(), &ValidationRules::default());
    let manifest = loaded.manifest.unwrap();
    assert_eq!(manifest.items[0].label.get("en", &[]), "Battery");
    let [warning] = loaded.problems.as_slice() else {
        panic!("{:#?}", loaded.problems);
    };
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!((warning.line, warning.column), (Some(15), Some(1)));
    assert_eq!(
        warning.message,
        "`name` is the old name of `label`: rename it to `label`"
    );
    // Where a check of the label finds a problem, it points at the old name's value.
    let untranslated = sort.replace(
        "name = { zh = \"电池\", en = \"Battery\" }",
        "name = { zh = \"电池\" }",
    );
    let problems =
        parse_and_validate(&untranslated, root.path(), &ValidationRules::default()).problems;
    assert!(
        problems.iter().any(|p| p.severity == Severity::Error
            && (p.line, p.column) == (Some(15), Some(8))
            && p.message == "the label of item \"battery\" has no text in en"),
        "{problems:#?}"
    );
}
