use super::*;
use std::path::Path;

const QUIZ: &str = r#"id = "quiz-one"
kind = "quiz"
title = { zh = "测验", en = "Quiz" }

[[questions]]
id = "q1"
prompt = { zh = "问题", en = "Question" }
explanation = { zh = "解释", en = "Explanation" }

[[questions.choices]]
id = "a"
text = { zh = "甲", en = "A" }
correct = true

[[questions.choices]]
id = "b"
text = { zh = "乙", en = "B" }
"#;

fn write_exhibit(root: &Path, folder: &str, manifest: &str) -> PathBuf {
    let dir = root.join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(MANIFEST_FILE), manifest).unwrap();
    dir
}

fn problems_of(manifest: &str) -> Vec<Problem> {
    let root = tempfile::tempdir().unwrap();
    let folder = write_exhibit(root.path(), "x", manifest);
    load_exhibit(&folder, &ValidationRules::default()).1
}

fn assert_one_error(manifest: &str, line: Option<usize>, needle: &str) {
    let problems = problems_of(manifest);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].severity, Severity::Error);
    assert_eq!(problems[0].line, line, "{}", problems[0]);
    assert!(problems[0].message.contains(needle), "{}", problems[0]);
}

#[test]
fn the_sample_exhibits_are_valid() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
    let catalog = load_catalog(&samples, &ValidationRules::default());
    let problems: Vec<String> = catalog
        .all_problems()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let kinds: Vec<ExhibitKind> = catalog.exhibits.iter().map(|e| e.manifest.kind).collect();
    assert!(kinds.contains(&ExhibitKind::Story) && kinds.contains(&ExhibitKind::Quiz));
    let quiz = catalog
        .exhibits
        .iter()
        .find(|e| e.manifest.kind == ExhibitKind::Quiz)
        .unwrap();
    assert!(quiz.manifest.questions.len() >= 3);
}

#[test]
fn a_valid_quiz_parses_without_problems() {
    assert!(problems_of(QUIZ).is_empty());
}

#[test]
fn toml_syntax_error_has_line_and_column() {
    let broken = QUIZ.replace("kind = \"quiz\"", "kind = \"quiz");
    let problems = problems_of(&broken);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, Some(2));
    assert!(problems[0].column.is_some());
}

#[test]
fn unknown_field_is_an_error_at_its_line() {
    let typo = QUIZ.replace("explanation =", "explaination =");
    let problems = problems_of(&typo);
    assert_eq!(problems[0].line, Some(8), "{}", problems[0]);
    assert!(
        problems[0].message.contains("explaination"),
        "{}",
        problems[0]
    );
}

#[test]
fn missing_required_field_is_named() {
    let missing = QUIZ.replace("title = { zh = \"测验\", en = \"Quiz\" }\n", "");
    let problems = problems_of(&missing);
    assert!(problems[0].message.contains("title"), "{}", problems[0]);
}

#[test]
fn unknown_kind_is_an_error() {
    let problems = problems_of(&QUIZ.replace("kind = \"quiz\"", "kind = \"puzzle\""));
    assert!(problems[0].message.contains("puzzle"), "{}", problems[0]);
    assert_eq!(problems[0].line, Some(2));
}

#[test]
fn missing_language_is_an_error() {
    assert_one_error(
        &QUIZ.replace(
            "title = { zh = \"测验\", en = \"Quiz\" }",
            "title = { zh = \"测验\" }",
        ),
        Some(3),
        "the title has no text in en",
    );
}

#[test]
fn single_choice_needs_exactly_one_correct_answer() {
    let two_correct = QUIZ.replace(
        "text = { zh = \"乙\", en = \"B\" }",
        "text = { zh = \"乙\", en = \"B\" }\ncorrect = true",
    );
    assert_one_error(
        &two_correct,
        Some(5),
        "exactly one choice with correct = true (it has 2)",
    );
    let none_correct = QUIZ.replace("correct = true", "");
    assert_one_error(&none_correct, Some(5), "(it has 0)");
}

#[test]
fn duplicate_choice_ids_are_errors() {
    assert_one_error(
        &QUIZ.replace("id = \"b\"", "id = \"a\""),
        Some(15),
        "choice id \"a\" is used twice",
    );
}

#[test]
fn a_quiz_without_questions_and_a_story_without_pages_are_errors() {
    let empty_quiz = "id = \"q\"\nkind = \"quiz\"\ntitle = { zh = \"测\", en = \"Q\" }\n";
    assert_one_error(empty_quiz, Some(2), "at least one [[questions]]");
    let empty_story = empty_quiz.replace("\"quiz\"", "\"story\"");
    assert_one_error(&empty_story, Some(2), "at least one [[pages]]");
}

#[test]
fn missing_image_is_named_with_its_page() {
    let story = "id = \"s\"\nkind = \"story\"\ntitle = { zh = \"故事\", en = \"Story\" }\n\n[[pages]]\ntext = { zh = \"一\", en = \"One\" }\nimage = \"nope.jpg\"\n";
    assert_one_error(story, Some(5), "page 1 image \"nope.jpg\" does not exist");
}

#[test]
fn bad_exhibit_id_is_an_error() {
    assert_one_error(&QUIZ.replace("quiz-one", "Quiz One"), Some(1), "lowercase");
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
    assert_eq!(duplicate.line, Some(1));
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
    let problem = Problem {
        severity: Severity::Error,
        file: PathBuf::from("exhibits/x/exhibit.toml"),
        line: Some(3),
        column: Some(7),
        message: "bad".into(),
    };
    assert_eq!(
        problem.to_string(),
        "exhibits/x/exhibit.toml:3:7: error: bad"
    );
}
