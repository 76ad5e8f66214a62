//! The kiosk's own words (buttons, headings), in every language the kiosk ships. Exhibit text
//! comes from manifests; these are the few strings around it. Unknown languages get English.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phrase {
    TouchToStart,
    Home,
    StartOver,
    Previous,
    Next,
    PageOf,
    QuestionOf,
    Correct,
    NotQuite,
    NextQuestion,
    SeeResults,
    YourScore,
    BackHome,
    NoExhibits,
    Loading,
    StillThere,
    TouchToContinue,
}

/// `PageOf`, `QuestionOf` and `YourScore` contain `{a}` and `{b}` placeholders.
pub fn phrase(phrase: Phrase, language: &str) -> &'static str {
    let chinese = language == "zh";
    match phrase {
        Phrase::TouchToStart => pick(chinese, "触摸屏幕开始", "Touch the screen to start"),
        Phrase::Home => pick(chinese, "首页", "Home"),
        Phrase::StartOver => pick(chinese, "重新开始", "Start over"),
        Phrase::Previous => pick(chinese, "上一页", "Previous"),
        Phrase::Next => pick(chinese, "下一页", "Next"),
        Phrase::PageOf => pick(chinese, "第 {a} 页，共 {b} 页", "Page {a} of {b}"),
        Phrase::QuestionOf => pick(chinese, "第 {a} 题，共 {b} 题", "Question {a} of {b}"),
        Phrase::Correct => pick(chinese, "答对了！", "Correct!"),
        Phrase::NotQuite => pick(chinese, "不太对", "Not quite"),
        Phrase::NextQuestion => pick(chinese, "下一题", "Next question"),
        Phrase::SeeResults => pick(chinese, "查看成绩", "See my score"),
        Phrase::YourScore => pick(
            chinese,
            "您答对了 {a} 题，共 {b} 题",
            "You got {a} of {b} right",
        ),
        Phrase::BackHome => pick(chinese, "返回首页", "Back to home"),
        Phrase::NoExhibits => pick(
            chinese,
            "这里暂时还没有展项，请稍后再来。",
            "There are no exhibits here yet. Please come back soon.",
        ),
        Phrase::Loading => pick(chinese, "加载中…", "Loading…"),
        Phrase::StillThere => pick(chinese, "您还在吗？", "Still there?"),
        Phrase::TouchToContinue => pick(
            chinese,
            "触摸屏幕继续（{a} 秒后重新开始）",
            "Touch the screen to continue ({a} s until we start over)",
        ),
    }
}

fn pick(chinese: bool, zh: &'static str, en: &'static str) -> &'static str {
    if chinese { zh } else { en }
}

/// Fills `{a}` and `{b}` in a phrase.
pub fn fill(template: &str, a: impl std::fmt::Display, b: impl std::fmt::Display) -> String {
    template
        .replace("{a}", &a.to_string())
        .replace("{b}", &b.to_string())
}

/// Every phrase, for the font-coverage test.
pub const ALL: [Phrase; 17] = [
    Phrase::TouchToStart,
    Phrase::Home,
    Phrase::StartOver,
    Phrase::Previous,
    Phrase::Next,
    Phrase::PageOf,
    Phrase::QuestionOf,
    Phrase::Correct,
    Phrase::NotQuite,
    Phrase::NextQuestion,
    Phrase::SeeResults,
    Phrase::YourScore,
    Phrase::BackHome,
    Phrase::NoExhibits,
    Phrase::Loading,
    Phrase::StillThere,
    Phrase::TouchToContinue,
];
