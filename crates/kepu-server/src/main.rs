//! `kepu-server`: run the district server, or manage venues, kiosks, staff and API tokens.

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use kepu_server::commands::{self, DEFAULT_ROTATION_GRACE_HOURS, TokenOutput};
use kepu_server::config::{self, FileConfig};
use kepu_server::limits::{FailurePolicy, RatePolicy};
use kepu_server::serve::ServeLimits;
use kepu_server::startup::{self, ServeConfig};
use kepu_store::{OpenOptions, Store};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    version,
    about = "Kepu district server: anonymous engagement events in, statistics out"
)]
struct Cli {
    /// Settings file (default: /etc/kepu/server.toml when it exists).
    #[arg(long, global = true, env = "KEPU_CONFIG")]
    config: Option<PathBuf>,
    /// A SQLite file (created if missing; default kepu-server.sqlite3) or a postgres:// URL.
    #[arg(long, global = true, env = "KEPU_DATABASE")]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    Serve {
        /// Address to listen on (default 127.0.0.1:8480); port 0 picks a free port (printed at
        /// start).
        #[arg(long, env = "KEPU_LISTEN")]
        listen: Option<SocketAddr>,
        /// Days raw events are kept (once rolled up; the roll-ups keep their counts for good).
        /// Default 400.
        #[arg(long, env = "KEPU_RETAIN_RAW_DAYS")]
        retain_raw_days: Option<u32>,
        /// Serve HTTPS with this certificate chain (PEM; the server's certificate first).
        /// Needs --tls-key too.
        #[arg(long, env = "KEPU_TLS_CERT")]
        tls_cert: Option<PathBuf>,
        /// The private key of --tls-cert (PEM: PKCS#8, RSA or EC).
        #[arg(long, env = "KEPU_TLS_KEY")]
        tls_key: Option<PathBuf>,
        /// Minutes without a request after which a dashboard sign-in ends. Default 30.
        #[arg(long, env = "KEPU_SESSION_IDLE_MINUTES")]
        session_idle_minutes: Option<u32>,
    },
    /// Manage venues (science centres, libraries, community stations).
    Venue {
        #[command(subcommand)]
        command: VenueCommand,
    },
    /// Manage kiosks and their tokens.
    Kiosk {
        #[command(subcommand)]
        command: KioskCommand,
    },
    /// Manage staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Read-only API tokens for scripts that read the reports (Authorization: Bearer).
    ApiToken {
        #[command(subcommand)]
        command: ApiTokenCommand,
    },
    /// The exhibits the kiosks show, as reports name them.
    Content {
        #[command(subcommand)]
        command: ContentCommand,
    },
}

#[derive(Subcommand)]
enum ContentCommand {
    /// Publish the exhibits of an exhibits folder (exhibits with errors are left out and
    /// listed; exit status 1 then). Published exhibits no longer in it are marked retired.
    Publish { folder: PathBuf },
    /// List published exhibits.
    List,
}

#[derive(Subcommand)]
enum ApiTokenCommand {
    /// Make a read-only token and print it (shown once; only its hash is stored).
    Add {
        /// What the token is for, e.g. "district statistics".
        label: String,
        /// Write the token to this file (mode 0600) instead of printing it.
        #[arg(long)]
        token_file: Option<PathBuf>,
    },
    /// List tokens: label, who made it, when, last used, state.
    List,
    /// Refuse the token in use under this label from now on.
    Revoke { label: String },
}

#[derive(Subcommand)]
enum VenueCommand {
    /// Add a venue.
    Add { name: String },
    /// List venues with their number of kiosks.
    List,
    /// Rename a venue (its kiosks and their events stay).
    Rename { old: String, new: String },
}

#[derive(Subcommand)]
enum KioskCommand {
    /// Register a kiosk at a venue and print its new token (shown once; only its hash is
    /// stored).
    Add {
        venue: String,
        name: String,
        /// Write the token to this file (mode 0600) instead of printing it.
        #[arg(long)]
        token_file: Option<PathBuf>,
    },
    /// List kiosks with venue, state, last seen and version.
    List,
    /// Refuse a kiosk's requests from now on (403); its events stay.
    Revoke { name: String },
    /// Give a kiosk a new token; the previous one keeps working for the grace time.
    Rotate {
        name: String,
        /// Hours the previous token keeps working.
        #[arg(long, default_value_t = DEFAULT_ROTATION_GRACE_HOURS)]
        grace_hours: u64,
        #[arg(long)]
        token_file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add a staff account; the password is asked at the terminal, or read from standard input.
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// List staff accounts and roles.
    List,
    /// Remove a staff account.
    Remove { name: String },
    /// Change a staff member's password (asked, or read from standard input).
    Passwd { name: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    /// Reads reports.
    Viewer,
    /// Also manages venues, kiosks and staff.
    Admin,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let file = FileConfig::load(cli.config.as_deref())?;
    let database = config::database(cli.database.as_deref(), &file);
    let store_options = OpenOptions {
        max_connections: file
            .database_connections
            .unwrap_or(OpenOptions::default().max_connections),
        ..OpenOptions::default()
    };
    if let Command::Serve {
        listen,
        retain_raw_days,
        tls_cert,
        tls_key,
        session_idle_minutes,
    } = cli.command
    {
        let tls = config::tls_files(tls_cert, tls_key, &file)?
            .map(|(certificate, key)| startup::TlsFiles { certificate, key });
        let sessions = kepu_server::auth::session::SessionPolicy {
            idle: config::session_idle(session_idle_minutes, &file)?,
            ..Default::default()
        };
        let mut limits = ServeLimits::default();
        if let Some(max) = file.max_connections {
            limits.max_connections = max;
        }
        let default_rate = RatePolicy::default();
        let config = ServeConfig {
            listen: listen
                .or(file.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8480))),
            database,
            store: store_options,
            limits,
            kiosk_rate: RatePolicy {
                per_second: file
                    .kiosk_requests_per_second
                    .unwrap_or(default_rate.per_second),
                burst: file.kiosk_burst.unwrap_or(default_rate.burst),
                ..default_rate
            },
            failed_signins: FailurePolicy {
                max_failures: file
                    .failed_signins_per_minute
                    .unwrap_or(FailurePolicy::default().max_failures),
                ..FailurePolicy::default()
            },
            rollup_every: startup::DEFAULT_ROLLUP_EVERY,
            retain_raw_days: retain_raw_days
                .or(file.retain_raw_days)
                .unwrap_or(startup::DEFAULT_RETAIN_RAW_DAYS),
            tls,
            sessions,
            secure_cookies: file.secure_cookies.unwrap_or(false),
            reports: config::report_settings(&file)?,
        };
        return serve(config).await;
    }
    let store = kepu_store::open(&database, &store_options)
        .await
        .with_context(|| format!("cannot open the database ({})", database.describe()))?;
    let result = manage(&store, cli.command).await;
    store.close().await;
    result
}

async fn manage(store: &Store, command: Command) -> anyhow::Result<()> {
    let out = &mut std::io::stdout().lock();
    match command {
        Command::Serve { .. } => Ok(()),
        Command::Venue { command } => match command {
            VenueCommand::Add { name } => commands::venue_add(store, &name, out).await,
            VenueCommand::List => commands::venue_list(store, out).await,
            VenueCommand::Rename { old, new } => {
                commands::venue_rename(store, &old, &new, out).await
            }
        },
        Command::Kiosk { command } => match command {
            KioskCommand::Add {
                venue,
                name,
                token_file,
            } => commands::kiosk_add(store, &venue, &name, token_output(&token_file), out).await,
            KioskCommand::List => commands::kiosk_list(store, out).await,
            KioskCommand::Revoke { name } => commands::kiosk_revoke(store, &name, out).await,
            KioskCommand::Rotate {
                name,
                grace_hours,
                token_file,
            } => {
                commands::kiosk_rotate(store, &name, grace_hours, token_output(&token_file), out)
                    .await
            }
        },
        Command::Staff { command } => match command {
            StaffCommand::Add { name, role } => {
                let role = match role {
                    RoleArg::Viewer => kepu_store::staff::Role::Viewer,
                    RoleArg::Admin => kepu_store::staff::Role::Admin,
                };
                let password = commands::read_password()?;
                commands::staff_add(store, &name, role, &password, out).await
            }
            StaffCommand::List => commands::staff_list(store, out).await,
            StaffCommand::Remove { name } => commands::staff_remove(store, &name, out).await,
            StaffCommand::Passwd { name } => {
                let password = commands::read_password()?;
                commands::staff_passwd(store, &name, &password, out).await
            }
        },
        Command::ApiToken { command } => match command {
            ApiTokenCommand::Add { label, token_file } => {
                commands::api_token_add(store, &label, token_output(&token_file), out).await
            }
            ApiTokenCommand::List => commands::api_token_list(store, out).await,
            ApiTokenCommand::Revoke { label } => {
                commands::api_token_revoke(store, &label, out).await
            }
        },
        Command::Content { command } => match command {
            ContentCommand::Publish { folder } => {
                let published = commands::content_publish(store, &folder, out).await?;
                anyhow::ensure!(
                    published.left_out == 0,
                    "{} exhibit(s) left out for errors (listed above)",
                    published.left_out
                );
                Ok(())
            }
            ContentCommand::List => commands::content_list(store, out).await,
        },
    }
}

fn token_output(file: &Option<PathBuf>) -> TokenOutput<'_> {
    match file {
        Some(path) => TokenOutput::File(path),
        None => TokenOutput::Print,
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let application = startup::build(&config).await?;
    let address = application.local_addr()?;
    // Tests and scripts read this line to learn the port when --listen ends in :0.
    let scheme = if application.uses_tls() {
        "https"
    } else {
        "http"
    };
    println!("kepu-server listening on {scheme}://{address}");
    std::io::stdout().flush()?;
    tracing::info!(
        database = %config.database.describe(),
        engine = %application.store().engine(),
        "serving"
    );
    application.run(shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
