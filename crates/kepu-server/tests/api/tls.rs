//! HTTPS inside the server (`--tls-cert`/`--tls-key`): a self-signed certificate made here, a
//! real server on a loopback port, a client that trusts that certificate; the session cookie
//! is `Secure` then. Broken certificate files are clear errors at start; a client that never
//! finishes its handshake is closed after the header timeout.

use crate::helpers::*;
use crate::on_both_engines;
use kepu_server::serve::{ServeLimits, tls_acceptor};
use kepu_server::startup::{self, ServeConfig, TlsFiles};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::AsyncReadExt;

on_both_engines!(signing_in_over_https_gives_a_secure_cookie);

/// A certificate for 127.0.0.1 and localhost, and its key, written into `dir`.
fn self_signed(dir: &Path, name: &str) -> (PathBuf, PathBuf, String) {
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    let cert = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    let pem = made.cert.pem();
    std::fs::write(&cert, &pem).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    (cert, key, pem)
}

async fn signing_in_over_https_gives_a_secure_cookie(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, pem) = self_signed(dir.path(), "server");
    let mut config = ServeConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        kepu_store::Location::parse(&app.db.location),
    );
    config.tls = Some(TlsFiles {
        certificate: cert,
        key,
    });
    config.limits = ServeLimits {
        header_read_timeout: Duration::from_millis(500),
        ..ServeLimits::default()
    };
    let server = startup::build(&config).await.unwrap();
    assert!(server.uses_tls());
    let address = server.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("https://{address}");
    let reply = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(reply.status(), 200);
    let form = client.get(format!("{base}/login")).send().await.unwrap();
    let login_cookie = form.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(login_cookie.contains("; Secure"), "{login_cookie}");
    let token = login_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    let signed_in = client
        .post(format!("{base}/login"))
        .header("cookie", format!("kepu_login_csrf={token}"))
        .form(&[("name", VIEWER.0), ("password", VIEWER.1), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    let session = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("kepu_session="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(session.contains(flag), "{session}");
    }
    // Plain HTTP on the HTTPS port gets nothing.
    assert!(
        reqwest::get(format!("http://{address}/healthz"))
            .await
            .is_err()
    );
    // A client that connects and never starts its handshake is closed after the header
    // timeout.
    let mut silent = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(5), silent.read(&mut buf)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
}

#[test]
fn broken_certificates_and_keys_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = self_signed(dir.path(), "a");
    let (_, other_key, _) = self_signed(dir.path(), "b");
    assert!(tls_acceptor(&cert, &key).is_ok());
    let message = |cert: &Path, key: &Path| match tls_acceptor(cert, key) {
        Ok(_) => panic!("accepted {} with {}", cert.display(), key.display()),
        Err(err) => err.to_string(),
    };
    let missing = dir.path().join("missing.crt");
    let text = message(&missing, &key);
    assert!(
        text.contains("cannot read the TLS certificate") && text.contains("missing.crt"),
        "{text}"
    );
    let text = message(&cert, &dir.path().join("missing.key"));
    assert!(text.contains("cannot read the TLS private key"), "{text}");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    assert!(message(&garbage, &key).contains("holds no certificate"));
    assert!(message(&cert, &garbage).contains("holds no private key"));
    // The key file given as the certificate, and the other way round.
    assert!(message(&key, &key).contains("holds no certificate"));
    assert!(message(&cert, &cert).contains("holds no private key"));
    let text = message(&cert, &other_key);
    assert!(
        text.contains("does not belong to the certificate"),
        "{text}"
    );
}

#[tokio::test]
async fn the_server_does_not_start_with_a_broken_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, _, _) = self_signed(dir.path(), "a");
    let (_, other_key, _) = self_signed(dir.path(), "b");
    let mut config = ServeConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        kepu_store::Location::parse(&dir.path().join("db.sqlite3").display().to_string()),
    );
    config.tls = Some(TlsFiles {
        certificate: cert,
        key: other_key,
    });
    let Err(err) = startup::build(&config).await else {
        panic!("started with a key of another certificate");
    };
    assert!(format!("{err:#}").contains("does not belong"), "{err:#}");
}
