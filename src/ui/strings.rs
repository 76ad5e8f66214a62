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
    IAm,
    Child,
    Adult,
    Senior,
    Anyone,
    Topic,
    AllTopics,
    NothingMatches,
    LargeText,
    HighContrast,
    Seated,
    StaffPin,
    PinWrong,
    PinLocked,
    PinNotConfigured,
    Delete,
    Enter,
    Close,
    StaffPanel,
    Version,
    ExhibitsShown,
    ExhibitsLeftOut,
    Uploads,
    Backlog,
    LastUpload,
    Never,
    NotPaired,
    ServerUnknown,
    ServerChecking,
    ServerReachable,
    ServerFailed,
    Today,
    SessionsToday,
    TopExhibits,
    QuizCorrectness,
    SessionsByHour,
    ReloadExhibits,
    TestServer,
    QuitKiosk,
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
        Phrase::IAm => pick(chinese, "我是", "I am"),
        Phrase::Child => pick(chinese, "儿童", "a child"),
        Phrase::Adult => pick(chinese, "成年人", "an adult"),
        Phrase::Senior => pick(chinese, "老年人", "a senior"),
        Phrase::Anyone => pick(chinese, "不选择", "Skip"),
        Phrase::Topic => pick(chinese, "主题", "Topic"),
        Phrase::AllTopics => pick(chinese, "全部", "All"),
        Phrase::NothingMatches => pick(
            chinese,
            "没有符合条件的展项，请换一个选择。",
            "No exhibits match. Please try another choice.",
        ),
        Phrase::LargeText => pick(chinese, "大字", "Large text"),
        Phrase::HighContrast => pick(chinese, "高对比度", "High contrast"),
        Phrase::Seated => pick(chinese, "坐姿模式", "Seated"),
        Phrase::StaffPin => pick(chinese, "工作人员：请输入密码", "Staff: enter the PIN"),
        Phrase::PinWrong => pick(
            chinese,
            "密码错误，还可尝试 {a} 次",
            "Wrong PIN: {a} tries left",
        ),
        Phrase::PinLocked => pick(
            chinese,
            "输错次数过多，请 {a} 秒后再试",
            "Too many wrong PINs: try again in {a} s",
        ),
        Phrase::PinNotConfigured => pick(
            chinese,
            "本机未设置工作人员密码（kiosk.toml 中的 staff_pin_hash），请联系技术人员。",
            "No staff PIN is set (staff_pin_hash in kiosk.toml). Please ask IT.",
        ),
        Phrase::Delete => pick(chinese, "删除", "Delete"),
        Phrase::Enter => pick(chinese, "确定", "Enter"),
        Phrase::Close => pick(chinese, "关闭", "Close"),
        Phrase::StaffPanel => pick(chinese, "工作人员面板", "Staff panel"),
        Phrase::Version => pick(chinese, "版本 {a}，信息亭 {b}", "Version {a}, kiosk {b}"),
        Phrase::ExhibitsShown => pick(chinese, "在展展项（{a}）", "Exhibits on show ({a})"),
        Phrase::ExhibitsLeftOut => {
            pick(chinese, "未能加载的展项（{a}）", "Exhibits left out ({a})")
        }
        Phrase::Uploads => pick(chinese, "数据上传", "Uploads"),
        Phrase::Backlog => pick(chinese, "待上传事件：{a}", "Events waiting: {a}"),
        Phrase::LastUpload => pick(chinese, "上次成功上传：{a}", "Last successful upload: {a}"),
        Phrase::Never => pick(chinese, "尚无", "never"),
        Phrase::NotPaired => pick(
            chinese,
            "未配对：没有服务器令牌，事件保存在本机。",
            "Not paired: no server token; events stay on this kiosk.",
        ),
        Phrase::ServerUnknown => pick(chinese, "服务器：未测试", "Server: not tested"),
        Phrase::ServerChecking => pick(chinese, "服务器：测试中…", "Server: testing…"),
        Phrase::ServerReachable => pick(
            chinese,
            "服务器：连接正常（{a} 毫秒）",
            "Server: reachable ({a} ms)",
        ),
        Phrase::ServerFailed => pick(
            chinese,
            "服务器：无法连接：{a}",
            "Server: not reachable: {a}",
        ),
        Phrase::Today => pick(chinese, "今日", "Today"),
        Phrase::SessionsToday => pick(chinese, "今日访客：{a}", "Visitors today: {a}"),
        Phrase::TopExhibits => pick(chinese, "最常打开的展项", "Most opened exhibits"),
        Phrase::QuizCorrectness => pick(chinese, "测验答对率", "Quiz answers right"),
        Phrase::SessionsByHour => pick(chinese, "各时段访客", "Visitors by hour"),
        Phrase::ReloadExhibits => pick(chinese, "重新加载展项", "Reload exhibits"),
        Phrase::TestServer => pick(chinese, "测试服务器连接", "Test server connection"),
        Phrase::QuitKiosk => pick(chinese, "退出信息亭", "Quit the kiosk"),
    }
}

fn pick(chinese: bool, zh: &'static str, en: &'static str) -> &'static str {
    if chinese { zh } else { en }
}

/// A topic's name for the home screen's filter. Topics are free words in manifests; the common
/// ones (the themes of the district's science literacy plan) have names in every language, and
/// any other is shown as written, with dashes as spaces.
pub fn topic_label(topic: &str, language: &str) -> String {
    let chinese = language == "zh";
    let known = TOPICS
        .iter()
        .find(|(id, _, _)| *id == topic)
        .map(|(_, zh, en)| pick(chinese, zh, en));
    known.map_or_else(|| topic.replace(['-', '_'], " "), str::to_owned)
}

/// Topic ids with their Chinese and English names.
pub const TOPICS: &[(&str, &str, &str)] = &[
    ("emergency", "应急避险", "Emergencies"),
    ("safety", "安全", "Safety"),
    ("digital-life", "数字生活", "Digital life"),
    ("health", "健康", "Health"),
    ("environment", "生态环境", "Environment"),
    ("ecology", "生态环境", "Ecology"),
    ("physics", "物理", "Physics"),
    ("space", "航天与天文", "Space"),
    ("astronomy", "天文", "Astronomy"),
    ("energy", "能源", "Energy"),
    ("waste-sorting", "垃圾分类", "Waste sorting"),
    ("food", "食品安全", "Food safety"),
    ("agriculture", "农业", "Agriculture"),
    ("technology", "科技", "Technology"),
    ("ai", "人工智能", "Artificial intelligence"),
    ("nature", "自然", "Nature"),
    ("mathematics", "数学", "Mathematics"),
    ("history-of-science", "科学史", "History of science"),
];

/// Fills `{a}` and `{b}` in a phrase.
pub fn fill(template: &str, a: impl std::fmt::Display, b: impl std::fmt::Display) -> String {
    template
        .replace("{a}", &a.to_string())
        .replace("{b}", &b.to_string())
}

/// Every phrase, for the font-coverage test.
pub const ALL: [Phrase; 56] = [
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
    Phrase::IAm,
    Phrase::Child,
    Phrase::Adult,
    Phrase::Senior,
    Phrase::Anyone,
    Phrase::Topic,
    Phrase::AllTopics,
    Phrase::NothingMatches,
    Phrase::LargeText,
    Phrase::HighContrast,
    Phrase::Seated,
    Phrase::StaffPin,
    Phrase::PinWrong,
    Phrase::PinLocked,
    Phrase::PinNotConfigured,
    Phrase::Delete,
    Phrase::Enter,
    Phrase::Close,
    Phrase::StaffPanel,
    Phrase::Version,
    Phrase::ExhibitsShown,
    Phrase::ExhibitsLeftOut,
    Phrase::Uploads,
    Phrase::Backlog,
    Phrase::LastUpload,
    Phrase::Never,
    Phrase::NotPaired,
    Phrase::ServerUnknown,
    Phrase::ServerChecking,
    Phrase::ServerReachable,
    Phrase::ServerFailed,
    Phrase::Today,
    Phrase::SessionsToday,
    Phrase::TopExhibits,
    Phrase::QuizCorrectness,
    Phrase::SessionsByHour,
    Phrase::ReloadExhibits,
    Phrase::TestServer,
    Phrase::QuitKiosk,
];
