//! Validation speed: 1,000 generated exhibits (quizzes and stories, no images) loaded and
//! validated by `load_catalog`, beside a baseline in the same run: the same files read and
//! parsed as plain TOML tables (no typed model, no checks). Prints the median of several runs.
//!
//!     cargo bench -p kepu-core --no-default-features --bench validate

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kepu_core::manifest::{ValidationRules, load_catalog};
use std::path::Path;
use std::time::{Duration, Instant};

const EXHIBITS: usize = 1_000;
const RUNS: usize = 7;

fn quiz(n: usize) -> String {
    let mut text = format!(
        "id = \"quiz-{n}\"\nkind = \"quiz\"\ntitle = {{ zh = \"测验 {n}\", en = \"Quiz {n}\" }}\nsummary = {{ zh = \"说明\", en = \"About\" }}\naudiences = [\"adult\", \"senior\"]\n"
    );
    for q in 0..5 {
        text += &format!(
            "\n[[questions]]\nid = \"q{q}\"\nprompt = {{ zh = \"问题 {q}\", en = \"Question {q}\" }}\nexplanation = {{ zh = \"因为\", en = \"Because\" }}\n"
        );
        for c in 0..4 {
            let correct = if c == 1 { "correct = true\n" } else { "" };
            text += &format!(
                "\n[[questions.choices]]\nid = \"c{c}\"\nlabel = {{ zh = \"选项 {c}\", en = \"Choice {c}\" }}\n{correct}"
            );
        }
    }
    text
}

fn story(n: usize) -> String {
    let mut text = format!(
        "id = \"story-{n}\"\nkind = \"story\"\ntitle = {{ zh = \"故事 {n}\", en = \"Story {n}\" }}\n"
    );
    for p in 0..6 {
        text += &format!(
            "\n[[pages]]\ntext = {{ zh = \"第 {p} 页的文字，讲一个科学道理。\", en = \"Page {p} explains one scientific idea.\" }}\n"
        );
    }
    text
}

fn generate(root: &Path) {
    for n in 0..EXHIBITS {
        let folder = root.join(format!("exhibit-{n:04}"));
        std::fs::create_dir_all(&folder).unwrap();
        let text = if n % 2 == 0 { quiz(n) } else { story(n) };
        std::fs::write(folder.join("exhibit.toml"), text).unwrap();
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    let rules = ValidationRules::default();

    let baseline = median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let mut folders: Vec<_> = std::fs::read_dir(dir.path())
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .collect();
                folders.sort();
                for folder in folders {
                    let text = std::fs::read_to_string(folder.join("exhibit.toml")).unwrap();
                    let table: toml::Table = toml::from_str(&text).unwrap();
                    assert!(table.contains_key("id"));
                }
                start.elapsed()
            })
            .collect(),
    );
    let validate = median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let catalog = load_catalog(dir.path(), &rules);
                assert_eq!(
                    catalog.exhibits.len(),
                    EXHIBITS,
                    "{:?}",
                    catalog.all_problems().first()
                );
                start.elapsed()
            })
            .collect(),
    );
    println!("exhibits: {EXHIBITS} (half quizzes of 5 questions x 4 choices, half 6-page stories)");
    println!(
        "baseline (read + parse as plain TOML): {:.1} ms",
        baseline.as_secs_f64() * 1e3
    );
    println!(
        "load_catalog (read + parse + validate): {:.1} ms",
        validate.as_secs_f64() * 1e3
    );
    println!(
        "ratio: {:.2}x the baseline",
        validate.as_secs_f64() / baseline.as_secs_f64()
    );
}
