//! The corpus of broken exhibits (tests/corpus, written by tools/make_corpus.py): each folder
//! holds one curator mistake (or several, or none) and expect.toml lists exactly the problems
//! `validate` must report, with severity, line, column where given and the words of the message
//! in English and in Chinese.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kepu_core::manifest::{MessageLanguage, Severity, ValidationRules, load_catalog, load_exhibit};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Expect {
    #[serde(default)]
    problem: Vec<ExpectedProblem>,
}

#[derive(Deserialize, Debug)]
struct ExpectedProblem {
    severity: String,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
    message_zh: String,
}

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

fn rules() -> ValidationRules {
    ValidationRules {
        decode_images: true,
        ..ValidationRules::default()
    }
}

#[test]
fn every_case_reports_exactly_its_problems_at_their_lines() {
    let cases = corpus();
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expect: Expect =
            toml::from_str(&std::fs::read_to_string(case.join("expect.toml")).unwrap()).unwrap();
        let problems = load_exhibit(&case, &rules()).problems;
        let report: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems.len(),
            expect.problem.len(),
            "{name}: expected {:#?}, got {report:#?}",
            expect.problem
        );
        for expected in &expect.problem {
            let severity = match expected.severity.as_str() {
                "error" => Severity::Error,
                _ => Severity::Warning,
            };
            let found = problems.iter().any(|p| {
                p.severity == severity
                    && p.message.contains(&expected.message)
                    && p.message_in(MessageLanguage::Chinese)
                        .contains(&expected.message_zh)
                    && (expected.line.is_none() || p.line == expected.line)
                    && p.line.is_some() == expected.line.is_some()
                    && (expected.column.is_none() || p.column == expected.column)
            });
            let chinese: Vec<String> = problems
                .iter()
                .map(|p| p.render_in("", MessageLanguage::Chinese))
                .collect();
            assert!(
                found,
                "{name}: no problem like {expected:#?} in {report:#?} {chinese:#?}"
            );
        }
        for problem in &problems {
            assert!(problem.file.ends_with("exhibit.toml"), "{name}: {problem}");
        }
    }
}

#[test]
fn loading_the_whole_corpus_keeps_only_the_cases_without_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let catalog = load_catalog(&root, &rules());
    let shown: Vec<String> = catalog
        .exhibits
        .iter()
        .map(|e| e.folder.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        shown,
        [
            "15-oversized-image",
            "39-bom-and-crlf",
            "40-old-field-names"
        ],
        "only the cases with just warnings, and the valid one, are shown"
    );
    assert_eq!(catalog.warnings.len(), 1 + 4);
    assert_eq!(catalog.rejected.len(), corpus().len() - 3);
    // Every problem is said in Chinese too, not left in English.
    for problem in catalog.all_problems() {
        let chinese = problem.message_in(MessageLanguage::Chinese);
        assert!(
            chinese != problem.message
                && chinese
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{problem}: {chinese}"
        );
    }
}

/// The case of a byte-order mark and Windows line ends has both (a checkout could lose them).
#[test]
fn the_bom_and_crlf_case_has_both() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/39-bom-and-crlf");
    let text = std::fs::read_to_string(root.join("exhibit.toml")).unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert_eq!(text.matches("\r\n").count(), text.matches('\n').count());
    let loaded = load_exhibit(&root, &rules());
    assert_eq!(loaded.problems, []);
    assert_eq!(loaded.manifest.unwrap().id, "case-39");
    assert_eq!(loaded.id_location, Some((1, 1)));
}

/// The examples in docs/manifest.md are real manifests: each parses with today's format (so
/// the guide cannot drift from the code).
#[test]
fn every_example_in_the_curators_guide_parses() {
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/manifest.md"),
    )
    .unwrap();
    let examples: Vec<&str> = guide
        .split("```toml")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .collect();
    assert_eq!(examples.len(), 5, "one example per kind");
    for example in examples {
        let manifest: kepu_core::manifest::ExhibitManifest =
            toml::from_str(example).unwrap_or_else(|e| panic!("{e}\n{example}"));
        let dir = tempfile::tempdir().unwrap();
        // Only asset problems may remain (the guide's pictures are not in a folder).
        let problems = kepu_core::manifest::parse_and_validate(
            example,
            dir.path(),
            &ValidationRules::default(),
        )
        .problems;
        for problem in problems {
            assert!(
                problem.message.contains("does not exist"),
                "{}: {problem}",
                manifest.id
            );
        }
    }
}
