//! `kepu-server`: run the district server, or manage kiosk credentials.

use anyhow::Context;
use clap::{Parser, Subcommand};
use kepu_server::db::Db;
use kepu_server::{AppState, app, auth};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    version,
    about = "Kepu district server: anonymous engagement events in, statistics out"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    Serve {
        /// Address to listen on; port 0 picks a free port (printed at start).
        #[arg(long, env = "KEPU_LISTEN", default_value = "127.0.0.1:8480")]
        listen: SocketAddr,
        /// SQLite database file, created and migrated if needed.
        #[arg(long, env = "KEPU_DATABASE", default_value = "kepu-server.sqlite3")]
        database: PathBuf,
    },
    /// Manage kiosk credentials.
    Kiosk {
        #[command(subcommand)]
        command: KioskCommand,
    },
}

#[derive(Subcommand)]
enum KioskCommand {
    /// Register a kiosk and print its new token (shown once; only its hash is stored).
    Add {
        name: String,
        #[arg(long, env = "KEPU_DATABASE", default_value = "kepu-server.sqlite3")]
        database: PathBuf,
        /// Write the token to this file (mode 0600) instead of printing it.
        #[arg(long)]
        token_file: Option<PathBuf>,
    },
    /// List registered kiosks.
    List {
        #[arg(long, env = "KEPU_DATABASE", default_value = "kepu-server.sqlite3")]
        database: PathBuf,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve { listen, database } => serve(listen, database).await,
        Command::Kiosk {
            command:
                KioskCommand::Add {
                    name,
                    database,
                    token_file,
                },
        } => {
            let db = open(&database).await?;
            let token = auth::new_token();
            db.add_kiosk(&name, &auth::hash_token(&token)).await?;
            match token_file {
                Some(path) => {
                    write_secret(&path, &token)?;
                    println!("kiosk \"{name}\" added; its token is in {}", path.display());
                }
                None => {
                    println!("{token}");
                    eprintln!(
                        "kiosk \"{name}\" added. Put the token above in the kiosk's token file; it is not shown again."
                    );
                }
            }
            Ok(())
        }
        Command::Kiosk {
            command: KioskCommand::List { database },
        } => {
            for kiosk in open(&database).await?.list_kiosks().await? {
                println!("{kiosk}");
            }
            Ok(())
        }
    }
}

async fn open(database: &std::path::Path) -> anyhow::Result<Db> {
    Db::open_sqlite(database)
        .await
        .with_context(|| format!("cannot open the database {}", database.display()))
}

async fn serve(listen: SocketAddr, database: PathBuf) -> anyhow::Result<()> {
    let db = open(&database).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    // Tests and scripts read this line to learn the port when --listen ends in :0.
    println!("kepu-server listening on http://{address}");
    std::io::stdout().flush()?;
    axum::serve(listener, app(AppState { db }))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
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

fn write_secret(path: &std::path::Path, secret: &str) -> anyhow::Result<()> {
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
