//! What the management commands do (`venue`, `kiosk`, `staff`), apart from parsing them:
//! each takes the store and writes what it has to say to `out`, so tests can run them.

use crate::auth::password::hash_password;
use crate::auth::{hash_token, new_token};
use crate::domain::{KioskName, StaffName, VenueName};
use anyhow::Context;
use kepu_store::Store;
use kepu_store::staff::Role;
use std::io::Write;
use std::path::Path;

/// How long a rotated kiosk's previous token keeps working unless told otherwise: a day, time
/// enough to install the new token on a kiosk that is on the floor.
pub const DEFAULT_ROTATION_GRACE_HOURS: u64 = 24;

pub async fn venue_add(store: &Store, name: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let name = VenueName::parse(name)?;
    store
        .add_venue(name.as_str(), kepu_core::now_unix_ms())
        .await?;
    writeln!(out, "venue \"{name}\" added")?;
    Ok(())
}

pub async fn venue_list(store: &Store, out: &mut impl Write) -> anyhow::Result<()> {
    let venues = store.list_venues().await?;
    if venues.is_empty() {
        writeln!(
            out,
            "no venues yet; add one with `kepu-server venue add NAME`"
        )?;
    }
    for venue in venues {
        writeln!(out, "{}\t{} kiosk(s)", venue.name, venue.kiosks)?;
    }
    Ok(())
}

pub async fn venue_rename(
    store: &Store,
    old: &str,
    new: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let new = VenueName::parse(new)?;
    store.rename_venue(old.trim(), new.as_str()).await?;
    writeln!(out, "venue \"{}\" is now \"{new}\"", old.trim())?;
    Ok(())
}

/// Where a new token goes: printed (once), or into a file only its owner can read.
pub enum TokenOutput<'a> {
    Print,
    File(&'a Path),
}

pub async fn kiosk_add(
    store: &Store,
    venue: &str,
    name: &str,
    token_output: TokenOutput<'_>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let name = KioskName::parse(name)?;
    let token = new_token();
    store
        .add_kiosk(
            venue.trim(),
            name.as_str(),
            &hash_token(&token),
            kepu_core::now_unix_ms(),
        )
        .await?;
    hand_over_token(
        &token,
        token_output,
        out,
        &format!("kiosk \"{name}\" added at \"{}\"", venue.trim()),
    )
}

pub async fn kiosk_list(store: &Store, out: &mut impl Write) -> anyhow::Result<()> {
    let kiosks = store.list_kiosks().await?;
    if kiosks.is_empty() {
        writeln!(
            out,
            "no kiosks yet; add one with `kepu-server kiosk add VENUE NAME`"
        )?;
        return Ok(());
    }
    writeln!(out, "venue\tkiosk\tstate\tlast seen\tversion")?;
    let now = kepu_core::now_unix_ms();
    for kiosk in kiosks {
        let state = match (kiosk.revoked_at_ms, kiosk.clock_untrusted_at_ms) {
            (Some(_), _) => "revoked",
            (None, Some(at)) if now - at < 24 * 3_600_000 => "active, clock wrong",
            _ => "active",
        };
        writeln!(
            out,
            "{}\t{}\t{state}\t{}\t{}",
            kiosk.venue.as_deref().unwrap_or("-"),
            kiosk.name,
            kiosk
                .last_seen_at_ms
                .map_or_else(|| "never".to_owned(), |at| ago(now, at)),
            kiosk.app_version.as_deref().unwrap_or("-"),
        )?;
    }
    let unknown = store.unknown_exhibits().await?;
    if !unknown.is_empty() {
        writeln!(
            out,
            "\nexhibits kiosks show that are not published (`kepu-server content publish`):"
        )?;
        for exhibit in unknown {
            writeln!(
                out,
                "{}\t{}\t{} event(s), last {}",
                exhibit.kiosk,
                exhibit.exhibit_id,
                exhibit.events,
                ago(now, exhibit.last_seen_ms)
            )?;
        }
    }
    Ok(())
}

/// "5 min ago", "3 h ago", "12 days ago".
fn ago(now_ms: i64, at_ms: i64) -> String {
    let seconds = (now_ms.saturating_sub(at_ms) / 1000).max(0);
    match seconds {
        0..60 => format!("{seconds} s ago"),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86_400 => format!("{} h ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

pub async fn kiosk_revoke(store: &Store, name: &str, out: &mut impl Write) -> anyhow::Result<()> {
    store.revoke_kiosk(name, kepu_core::now_unix_ms()).await?;
    writeln!(
        out,
        "kiosk \"{name}\" revoked: its requests are refused from now on (its events stay). \
         `kepu-server kiosk rotate {name}` gives it a new token."
    )?;
    Ok(())
}

pub async fn kiosk_rotate(
    store: &Store,
    name: &str,
    grace_hours: u64,
    token_output: TokenOutput<'_>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let token = new_token();
    let grace_ms = i64::try_from(grace_hours.saturating_mul(3_600_000)).unwrap_or(i64::MAX);
    store
        .rotate_kiosk(
            name,
            &hash_token(&token),
            kepu_core::now_unix_ms().saturating_add(grace_ms),
        )
        .await?;
    hand_over_token(
        &token,
        token_output,
        out,
        &format!(
            "kiosk \"{name}\" has a new token; its previous one works for {grace_hours} more hour(s)"
        ),
    )
}

fn hand_over_token(
    token: &str,
    output: TokenOutput<'_>,
    out: &mut impl Write,
    done: &str,
) -> anyhow::Result<()> {
    match output {
        TokenOutput::File(path) => {
            write_secret(path, token)?;
            writeln!(out, "{done}; the token is in {}", path.display())?;
        }
        TokenOutput::Print => {
            writeln!(out, "{token}")?;
            eprintln!(
                "{done}. Put the token above in the kiosk's token file; it is not shown again."
            );
        }
    }
    Ok(())
}

fn write_secret(path: &Path, secret: &str) -> anyhow::Result<()> {
    use std::fs::OpenOptions;
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    writeln!(file, "{secret}")?;
    Ok(())
}

pub async fn staff_add(
    store: &Store,
    name: &str,
    role: Role,
    password: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let name = StaffName::parse(name)?;
    let hash = hash_password(password)?;
    store
        .add_staff(name.as_str(), role, &hash, kepu_core::now_unix_ms())
        .await?;
    writeln!(out, "staff member \"{name}\" added as {}", role.as_str())?;
    Ok(())
}

pub async fn staff_list(store: &Store, out: &mut impl Write) -> anyhow::Result<()> {
    let staff = store.list_staff().await?;
    if staff.is_empty() {
        writeln!(
            out,
            "no staff accounts yet; add one with `kepu-server staff add NAME --role admin`"
        )?;
    }
    for member in staff {
        writeln!(out, "{}\t{}", member.name, member.role.as_str())?;
    }
    Ok(())
}

pub async fn staff_remove(store: &Store, name: &str, out: &mut impl Write) -> anyhow::Result<()> {
    store.remove_staff(name).await?;
    writeln!(out, "staff member \"{name}\" removed")?;
    Ok(())
}

pub async fn staff_passwd(
    store: &Store,
    name: &str,
    password: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let hash = hash_password(password)?;
    store
        .set_staff_password(name, &hash, kepu_core::now_unix_ms())
        .await?;
    writeln!(out, "password of \"{name}\" changed")?;
    Ok(())
}

/// The password for `staff add` / `staff passwd`: asked twice at a terminal (not echoed), or
/// the first line of standard input when that is not a terminal (scripts, provisioning).
pub fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Password again: ")?;
        anyhow::ensure!(first == second, "the two passwords differ; nothing changed");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        anyhow::ensure!(
            !password.is_empty(),
            "no password on standard input; nothing changed"
        );
        Ok(password)
    }
}

/// Publishes the exhibits of an exhibits folder (as curators keep it for the kiosks): each
/// valid exhibit is added or updated, published ones no longer there are marked retired.
/// Exhibits with errors are left out and listed; the result says whether any were.
pub async fn content_publish(
    store: &Store,
    folder: &Path,
    out: &mut impl Write,
) -> anyhow::Result<ContentPublished> {
    use kepu_core::manifest::{ValidationRules, load_catalog};
    anyhow::ensure!(
        folder.is_dir(),
        "{} is not a folder of exhibits",
        folder.display()
    );
    let catalog = load_catalog(folder, &ValidationRules::default());
    let mut exhibits = Vec::with_capacity(catalog.exhibits.len());
    for exhibit in &catalog.exhibits {
        let manifest = &exhibit.manifest;
        exhibits.push(kepu_store::content::PublishedExhibit {
            id: manifest.id.clone(),
            kind: serde_json::to_value(manifest.kind)?
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            title_json: serde_json::to_string(&manifest.title)?,
            manifest_json: serde_json::to_string(manifest)?,
        });
    }
    for rejected in &catalog.rejected {
        writeln!(out, "left out {}:", rejected.folder.display())?;
        for problem in &rejected.problems {
            writeln!(out, "  {problem}")?;
        }
    }
    for problem in &catalog.problems {
        writeln!(out, "{problem}")?;
    }
    if exhibits.is_empty() {
        anyhow::bail!(
            "no valid exhibit in {}; nothing published (check it with `kepu-kiosk validate`)",
            folder.display()
        );
    }
    let published = store
        .publish_exhibits(&exhibits, kepu_core::now_unix_ms())
        .await?;
    writeln!(
        out,
        "published {} exhibit(s); {} no longer in the folder marked retired; {} left out",
        published.exhibits,
        published.retired,
        catalog.rejected.len()
    )?;
    Ok(ContentPublished {
        left_out: catalog.rejected.len(),
    })
}

#[derive(Debug)]
pub struct ContentPublished {
    pub left_out: usize,
}

pub async fn content_list(store: &Store, out: &mut impl Write) -> anyhow::Result<()> {
    let exhibits = store.list_exhibits().await?;
    if exhibits.is_empty() {
        writeln!(
            out,
            "nothing published yet; `kepu-server content publish EXHIBITS_FOLDER`"
        )?;
    }
    for exhibit in exhibits {
        let title: kepu_core::i18n::LocalizedText =
            serde_json::from_str(&exhibit.title_json).unwrap_or_default();
        let state = if exhibit.retired_at_ms.is_some() {
            "retired"
        } else {
            "published"
        };
        writeln!(
            out,
            "{}\t{}\t{state}\t{}",
            exhibit.id,
            exhibit.kind,
            title.0.values().cloned().collect::<Vec<_>>().join(" / ")
        )?;
    }
    Ok(())
}

/// Who made a token from the command line (the dashboard writes the admin's name).
pub const COMMAND_LINE: &str = "(command line)";

pub async fn api_token_add(
    store: &Store,
    label: &str,
    token_output: TokenOutput<'_>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    use crate::auth::api_token::{hash_api_token, new_api_token};
    let label = crate::domain::TokenLabel::parse(label)?;
    let token = new_api_token();
    store
        .add_api_token(
            label.as_str(),
            &hash_api_token(&token),
            COMMAND_LINE,
            kepu_core::now_unix_ms(),
        )
        .await?;
    let done = format!("read-only API token \"{label}\" made");
    match token_output {
        TokenOutput::File(path) => {
            write_secret(path, &token)?;
            writeln!(out, "{done}; the token is in {}", path.display())?;
        }
        TokenOutput::Print => {
            writeln!(out, "{token}")?;
            eprintln!(
                "{done}. Scripts send it as `Authorization: Bearer <token>`; it only reads, and \
                 it is not shown again."
            );
        }
    }
    Ok(())
}

pub async fn api_token_list(store: &Store, out: &mut impl Write) -> anyhow::Result<()> {
    let tokens = store.list_api_tokens().await?;
    if tokens.is_empty() {
        writeln!(
            out,
            "no API tokens yet; make one with `kepu-server api-token add LABEL`"
        )?;
        return Ok(());
    }
    writeln!(out, "label\tcreated by\tcreated\tlast used\tstate")?;
    let now = kepu_core::now_unix_ms();
    for token in tokens {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            token.label,
            token.created_by,
            ago(now, token.created_at_ms),
            token
                .last_used_at_ms
                .map_or_else(|| "never".to_owned(), |at| ago(now, at)),
            if token.revoked_at_ms.is_some() {
                "revoked"
            } else {
                "active"
            },
        )?;
    }
    Ok(())
}

pub async fn api_token_revoke(
    store: &Store,
    label: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    store
        .revoke_api_token(label.trim(), kepu_core::now_unix_ms())
        .await?;
    writeln!(
        out,
        "API token \"{}\" revoked: it is refused from now on",
        label.trim()
    )?;
    Ok(())
}
