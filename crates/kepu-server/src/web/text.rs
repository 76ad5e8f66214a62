//! Every word the dashboard shows, in Chinese and English: one catalogue keyed by [`Text`], so
//! a page never holds a literal phrase, and a phrase without both translations does not
//! compile (each entry of [`Text::get`]'s match is a `(zh, en)` pair). Phrases with a number
//! or a name in them are the functions at the end, each a match over both languages.

/// A language of the dashboard. Chinese is the default: the district's staff read it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// `zh` or `en`: the `?lang=` value and the cookie's.
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    /// The `<html lang>` tag.
    pub fn html_tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    /// The language's name in itself, for the switch (a reader of the other language must
    /// find their own).
    pub fn own_name(self) -> &'static str {
        match self {
            Self::Zh => "中文",
            Self::En => "English",
        }
    }

    /// `zh`, `zh-CN`, `zh-Hans`, `en`, `en-GB`, … (case-insensitive); anything else is `None`.
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Self::Zh),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The first of ours in an `Accept-Language` header by preference (`q`), if any.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, usize, Self)> = None;
        for (index, item) in header.split(',').enumerate() {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Self::parse) else {
                continue;
            };
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            // Higher q first; among equal q, the one listed first.
            if best.is_none_or(|(bq, bi, _)| q > bq || (q == bq && index < bi)) {
                best = Some((q, index, lang));
            }
        }
        best.map(|(_, _, lang)| lang)
    }
}

/// A phrase of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Product,
    SkipToContent,
    PagesNav,
    LanguageNav,
    NavOverview,
    NavExhibits,
    NavQuizzes,
    NavSort,
    NavFunnel,
    NavLiteracy,
    NavKiosks,
    NavAdmin,
    SignedInAs,
    RoleViewer,
    RoleAdmin,
    SignOut,
    // Sign-in.
    SignInTitle,
    SignInToContinue,
    SignedOut,
    FieldName,
    FieldPassword,
    SignInButton,
    WrongNameOrPassword,
    // Refusals.
    FormExpiredTitle,
    FormExpired,
    ReloadSignIn,
    ForbiddenTitle,
    AdminOnly,
    TooManyTitle,
    ErrorTitle,
    InternalError,
    BackToOverview,
    // The overview (its report is the reports' to add).
    OverviewTitle,
    // Admin.
    AdminNav,
    AdminVenues,
    AdminKiosks,
    AdminStaff,
    AdminTokens,
    Actions,
    Created,
    FormHasErrors,
    VenueName,
    KioskCount,
    AddVenue,
    NewName,
    Rename,
    NoVenues,
    Venue,
    KioskName,
    State,
    LastSeen,
    Version,
    Never,
    StateActive,
    StateRevoked,
    StateClockWrong,
    AddKiosk,
    AddVenueFirst,
    Revoke,
    Rotate,
    GraceHours,
    NoKiosks,
    TokenShownOnce,
    KioskTokenHowTo,
    ApiTokenHowTo,
    BackToKiosks,
    BackToTokens,
    StaffName,
    Role,
    InitialPassword,
    NewPassword,
    AddStaff,
    ResetPassword,
    Remove,
    RoleChangeNote,
    CannotRemoveSelf,
    PasswordRule,
    You,
    TokenLabel,
    CreatedBy,
    LastUsed,
    AddToken,
    NoTokens,
    TokensIntro,
    VenueNameRule,
    KioskNameRule,
    StaffNameRule,
    TokenLabelRule,
    GraceHoursRule,
    RoleRule,
    DoneVenueAdded,
    DoneVenueRenamed,
    DoneKioskRevoked,
    DoneStaffAdded,
    DonePasswordReset,
    DoneStaffRemoved,
    DoneTokenRevoked,
    ThingVenue,
    ThingKiosk,
    ThingStaff,
    ThingToken,
}

impl Text {
    pub fn get(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Self::Product => (
                "潮朝阳 朝科普 · 科普展项数据看板",
                "Kepu Kiosk · District dashboard",
            ),
            Self::SkipToContent => ("跳到正文", "Skip to content"),
            Self::PagesNav => ("页面", "Pages"),
            Self::LanguageNav => ("语言", "Language"),
            Self::NavOverview => ("概览", "Overview"),
            Self::NavExhibits => ("展项", "Exhibits"),
            Self::NavQuizzes => ("测验", "Quizzes"),
            Self::NavSort => ("分类游戏", "Sort games"),
            Self::NavFunnel => ("参与漏斗", "Funnel"),
            Self::NavLiteracy => ("科学素质", "Science literacy"),
            Self::NavKiosks => ("终端状态", "Kiosk health"),
            Self::NavAdmin => ("管理", "Admin"),
            Self::SignedInAs => ("当前用户", "Signed in as"),
            Self::RoleViewer => ("查看者", "viewer"),
            Self::RoleAdmin => ("管理员", "admin"),
            Self::SignOut => ("退出登录", "Sign out"),
            Self::SignInTitle => ("工作人员登录", "Staff sign-in"),
            Self::SignInToContinue => ("请先登录，然后继续。", "Sign in to continue."),
            Self::SignedOut => ("您已退出登录。", "You have signed out."),
            Self::FieldName => ("用户名", "Name"),
            Self::FieldPassword => ("密码", "Password"),
            Self::SignInButton => ("登录", "Sign in"),
            Self::WrongNameOrPassword => ("用户名或密码错误。", "Wrong name or password."),
            Self::FormExpiredTitle => ("表单已失效", "This form has expired"),
            Self::FormExpired => (
                "此表单已过期，或并非来自本站，因此未被执行。请重新打开页面后再试一次。",
                "This form has expired or did not come from this site, so nothing was done. \
                 Open the page again and retry.",
            ),
            Self::ReloadSignIn => ("重新打开登录页", "Open the sign-in page again"),
            Self::ForbiddenTitle => ("无权访问", "Not allowed"),
            Self::AdminOnly => (
                "此页面仅限管理员使用。如需权限，请联系区里的管理员。",
                "Only administrators may open this page. Ask the district's administrator if \
                 you need it.",
            ),
            Self::TooManyTitle => ("请稍后再试", "Please wait"),
            Self::ErrorTitle => ("出错了", "Something went wrong"),
            Self::InternalError => (
                "服务器暂时无法完成此操作，详情已记录在服务器日志中。请稍后再试。",
                "The server could not do this just now; the details are in the server's log. \
                 Try again in a moment.",
            ),
            Self::BackToOverview => ("返回概览", "Back to the overview"),
            Self::OverviewTitle => ("概览", "Overview"),
            Self::AdminNav => ("管理页面", "Admin pages"),
            Self::AdminVenues => ("场馆", "Venues"),
            Self::AdminKiosks => ("终端", "Kiosks"),
            Self::AdminStaff => ("工作人员", "Staff"),
            Self::AdminTokens => ("API 令牌", "API tokens"),
            Self::Actions => ("操作", "Actions"),
            Self::Created => ("创建时间", "Created"),
            Self::FormHasErrors => (
                "请修改下面标出的内容。",
                "Please correct what is marked below.",
            ),
            Self::VenueName => ("场馆名称", "Venue name"),
            Self::KioskCount => ("终端数", "Kiosks"),
            Self::AddVenue => ("添加场馆", "Add a venue"),
            Self::NewName => ("新名称", "New name"),
            Self::Rename => ("改名", "Rename"),
            Self::NoVenues => ("还没有场馆。", "No venues yet."),
            Self::Venue => ("场馆", "Venue"),
            Self::KioskName => ("终端名称", "Kiosk name"),
            Self::State => ("状态", "State"),
            Self::LastSeen => ("最近联系", "Last seen"),
            Self::Version => ("版本", "Version"),
            Self::Never => ("从未", "never"),
            Self::StateActive => ("正常", "active"),
            Self::StateRevoked => ("已停用", "revoked"),
            Self::StateClockWrong => ("正常，但时钟有误", "active, clock wrong"),
            Self::AddKiosk => ("添加终端", "Add a kiosk"),
            Self::AddVenueFirst => (
                "请先添加一个场馆，终端要登记在场馆下。",
                "Add a venue first: every kiosk belongs to one.",
            ),
            Self::Revoke => ("停用", "Revoke"),
            Self::Rotate => ("更换令牌", "New token"),
            Self::GraceHours => ("旧令牌继续有效（小时）", "Old token keeps working (hours)"),
            Self::NoKiosks => ("还没有终端。", "No kiosks yet."),
            Self::TokenShownOnce => (
                "令牌只显示这一次，请现在复制。服务器只保存它的哈希值，以后无法再查看。",
                "The token is shown only this once: copy it now. The server keeps only its \
                 hash and cannot show it again.",
            ),
            Self::KioskTokenHowTo => (
                "把令牌写入该终端的令牌文件（kiosk.toml 中的 token_file，默认是 kiosk.toml 旁边的 kiosk.token），单独占一行，并确认 kiosk.toml 中的 kiosk_id 与终端名称一致。终端下次上传时即使用新令牌，无需重启。令牌丢失时，用“更换令牌”换一个新的。",
                "Put the token in the kiosk's token file (token_file in kiosk.toml; by default \
                 kiosk.token next to kiosk.toml), on a line of its own, and check that \
                 kiosk_id in kiosk.toml is the kiosk's name. The kiosk uses it from its next \
                 upload, without a restart. If the token is lost, give the kiosk a new one.",
            ),
            Self::ApiTokenHowTo => (
                "脚本请在请求头中携带：Authorization: Bearer 加上令牌。该令牌只能读取（GET）报表数据，不能修改任何内容。",
                "Scripts send it as the header Authorization: Bearer followed by the token. It \
                 can only read (GET) the reports' data, never change anything.",
            ),
            Self::BackToKiosks => ("返回终端列表", "Back to the kiosks"),
            Self::BackToTokens => ("返回 API 令牌列表", "Back to the API tokens"),
            Self::StaffName => ("用户名", "Name"),
            Self::Role => ("角色", "Role"),
            Self::InitialPassword => ("初始密码", "Initial password"),
            Self::NewPassword => ("新密码", "New password"),
            Self::AddStaff => ("添加工作人员", "Add a staff member"),
            Self::ResetPassword => ("重设密码", "Reset password"),
            Self::Remove => ("删除", "Remove"),
            Self::RoleChangeNote => (
                "要更改某人的角色，请删除该账号后以新角色重新添加。重设密码或删除账号会让此人在所有设备上退出登录。",
                "To change someone's role, remove the account and add it again with the new \
                 role. Resetting a password or removing an account signs that person out \
                 everywhere.",
            ),
            Self::CannotRemoveSelf => (
                "不能在这里删除自己的账号；请让另一位管理员操作，或使用命令行。",
                "You cannot remove your own account here: ask another administrator, or use \
                 the command line.",
            ),
            Self::PasswordRule => (
                "密码至少需要 10 个字符。",
                "A password needs at least 10 characters.",
            ),
            Self::You => ("（您）", "(you)"),
            Self::TokenLabel => ("名称", "Label"),
            Self::CreatedBy => ("创建人", "Created by"),
            Self::LastUsed => ("最近使用", "Last used"),
            Self::AddToken => ("创建只读令牌", "Make a read-only token"),
            Self::NoTokens => ("还没有 API 令牌。", "No API tokens yet."),
            Self::TokensIntro => (
                "只读 API 令牌供脚本读取报表的 JSON 数据（例如区里的统计系统）。令牌以查看者身份登录，只能读取。",
                "Read-only API tokens let scripts read the reports' JSON (the district's \
                 statistics system, for example). A token signs in as a viewer and can only \
                 read.",
            ),
            Self::VenueNameRule => (
                "场馆名称为 1 到 64 个字符：文字、数字、空格和 - _ . , ' & ( ) · 、",
                "A venue name has 1 to 64 letters, digits, spaces and - _ . , ' & ( ) ·",
            ),
            Self::KioskNameRule => (
                "终端名称只能使用英文字母、数字和 - _ .，最多 64 个字符，并须与 kiosk.toml 中的 kiosk_id 相同。",
                "A kiosk name uses only letters, digits, '-', '_' and '.', at most 64, and is \
                 the kiosk_id in its kiosk.toml.",
            ),
            Self::StaffNameRule => (
                "用户名只能使用英文字母、数字和 . - _ @，最多 64 个字符。",
                "A name uses only letters, digits, '.', '-', '_' and '@', at most 64.",
            ),
            Self::TokenLabelRule => (
                "名称为 1 到 64 个字符：英文字母、数字、空格和 - _ .",
                "A label has 1 to 64 letters, digits, spaces, '-', '_' and '.'.",
            ),
            Self::GraceHoursRule => (
                "请输入 0 到 720 之间的整数小时数。",
                "Give a whole number of hours from 0 to 720.",
            ),
            Self::RoleRule => ("请选择一个角色。", "Choose a role."),
            Self::DoneVenueAdded => ("场馆已添加。", "The venue was added."),
            Self::DoneVenueRenamed => (
                "场馆已改名；其终端和数据保持不变。",
                "The venue was renamed; its kiosks and their data stay.",
            ),
            Self::DoneKioskRevoked => (
                "终端已停用：它的请求从现在起会被拒绝，已有数据保留。用“更换令牌”可以重新启用。",
                "The kiosk was revoked: its requests are refused from now on; its data stays. \
                 Giving it a new token reinstates it.",
            ),
            Self::DoneStaffAdded => ("工作人员已添加。", "The staff member was added."),
            Self::DonePasswordReset => (
                "密码已重设；此人在其他地方的登录已全部结束。",
                "The password was reset; that person's other sign-ins have ended.",
            ),
            Self::DoneStaffRemoved => (
                "账号已删除，其登录已全部结束。",
                "The account was removed and its sign-ins ended.",
            ),
            Self::DoneTokenRevoked => (
                "令牌已吊销，从现在起会被拒绝。",
                "The token was revoked: it is refused from now on.",
            ),
            Self::ThingVenue => ("场馆", "venue"),
            Self::ThingKiosk => ("终端", "kiosk"),
            Self::ThingStaff => ("工作人员", "staff member"),
            Self::ThingToken => ("API 令牌", "API token"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Too many wrong passwords lately (for this name, or from this address: it does not say
/// which, nor whether the name exists).
pub fn wait_before_retry(lang: Lang, seconds: u64) -> String {
    match lang {
        Lang::Zh => format!("密码错误次数过多。请等待 {seconds} 秒后再试。"),
        Lang::En => format!(
            "Too many wrong passwords. Wait {seconds} second{} before trying again.",
            if seconds == 1 { "" } else { "s" }
        ),
    }
}

/// "The venue "X" already exists."
pub fn exists(lang: Lang, thing: Text, name: &str) -> String {
    match lang {
        Lang::Zh => format!("{}“{name}”已存在。", thing.get(lang)),
        Lang::En => format!("There is a {} \"{name}\" already.", thing.get(lang)),
    }
}

/// "There is no venue "X"."
pub fn not_found(lang: Lang, thing: Text, name: &str) -> String {
    match lang {
        Lang::Zh => format!("没有名为“{name}”的{}。", thing.get(lang)),
        Lang::En => format!("There is no {} \"{name}\".", thing.get(lang)),
    }
}

pub fn kiosk_added(lang: Lang, kiosk: &str, venue: &str) -> String {
    match lang {
        Lang::Zh => format!("终端“{kiosk}”已添加到“{venue}”。"),
        Lang::En => format!("The kiosk \"{kiosk}\" was added at \"{venue}\"."),
    }
}

pub fn kiosk_rotated(lang: Lang, kiosk: &str, grace_hours: u64) -> String {
    match lang {
        Lang::Zh => format!(
            "终端“{kiosk}”有了新令牌；它之前的令牌还能再用 {grace_hours} 小时（已停用的终端只能用新令牌）。"
        ),
        Lang::En => format!(
            "The kiosk \"{kiosk}\" has a new token; its previous one keeps working for \
             {grace_hours} more hour(s) (a revoked kiosk gets the new token only)."
        ),
    }
}

pub fn token_made(lang: Lang, label: &str) -> String {
    match lang {
        Lang::Zh => format!("只读 API 令牌“{label}”已创建。"),
        Lang::En => format!("The read-only API token \"{label}\" was made."),
    }
}

/// "5 min ago", "3 h ago", "12 days ago".
pub fn ago(lang: Lang, now_ms: i64, at_ms: i64) -> String {
    let seconds = (now_ms.saturating_sub(at_ms) / 1000).max(0);
    match (lang, seconds) {
        (Lang::Zh, 0..60) => format!("{seconds} 秒前"),
        (Lang::Zh, 60..3600) => format!("{} 分钟前", seconds / 60),
        (Lang::Zh, 3600..86_400) => format!("{} 小时前", seconds / 3600),
        (Lang::Zh, _) => format!("{} 天前", seconds / 86_400),
        (Lang::En, 0..60) => format!("{seconds} s ago"),
        (Lang::En, 60..3600) => format!("{} min ago", seconds / 60),
        (Lang::En, 3600..86_400) => format!("{} h ago", seconds / 3600),
        (Lang::En, _) => format!("{} days ago", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_recognised_in_tags_and_accept_language() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("EN_gb"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(
            Lang::from_accept_language("fr-FR,en-US;q=0.8,zh;q=0.5"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::Zh)
        );
        assert_eq!(
            Lang::from_accept_language("en;q=0.2, zh;q=0.7"),
            Some(Lang::Zh)
        );
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(Lang::from_accept_language("en;q=0, zh;q=0"), None);
    }

    #[test]
    fn every_phrase_exists_in_both_languages() {
        for text in [
            Text::Product,
            Text::WrongNameOrPassword,
            Text::KioskTokenHowTo,
        ] {
            for lang in Lang::ALL {
                assert!(!text.get(lang).is_empty());
            }
            assert_ne!(text.get(Lang::Zh), text.get(Lang::En));
        }
        assert!(wait_before_retry(Lang::En, 1).contains("1 second "));
        assert!(wait_before_retry(Lang::Zh, 4).contains("4 秒"));
        assert_eq!(ago(Lang::En, 3_600_000, 0), "1 h ago");
    }
}
