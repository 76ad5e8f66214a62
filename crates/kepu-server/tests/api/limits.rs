//! Limits that need more than one request: a kiosk's request rate, and failed sign-ins per
//! client (through the real server on a loopback port, which knows the client's address).

use crate::helpers::*;
use crate::on_both_engines;
use axum::http::StatusCode;
use kepu_server::limits::{RateLimiter, RatePolicy};
use kepu_server::startup::{self, ServeConfig};
use kepu_server::{AppState, Guards};

on_both_engines!(
    a_kiosk_beyond_its_rate_gets_429_with_retry_after_and_nothing_stored,
    a_client_that_keeps_failing_to_sign_in_is_slowed_down,
);

async fn a_kiosk_beyond_its_rate_gets_429_with_retry_after_and_nothing_stored(mut app: TestApp) {
    app.state = AppState::with_guards(
        app.state.store.clone(),
        Guards {
            kiosk_requests: RateLimiter::new(RatePolicy {
                per_second: 0.1,
                burst: 2,
                ..RatePolicy::default()
            }),
            ..Guards::default()
        },
    );
    for _ in 0..2 {
        assert_eq!(app.post_events(two_sessions()).await.status, StatusCode::OK);
    }
    let reply = app.post_events(two_sessions()).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = reply.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&wait), "Retry-After {wait}");
    assert_eq!(
        app.summary().await.events,
        18,
        "the refused batch is not stored"
    );
}

async fn a_client_that_keeps_failing_to_sign_in_is_slowed_down(app: TestApp) {
    let config = ServeConfig {
        rollup_every: std::time::Duration::from_millis(50),
        ..ServeConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            kepu_store::Location::parse(&app.db.location),
        )
    };
    let server = startup::build(&config).await.unwrap();
    let url = format!("http://{}", server.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let summary = format!("{url}{}", kepu_core::wire::SUMMARY_PATH);
    let mut statuses = Vec::new();
    for _ in 0..kepu_server::limits::MAX_AUTH_FAILURES + 2 {
        let reply = client
            .get(&summary)
            .basic_auth(VIEWER.0, Some("guessing"))
            .send()
            .await
            .unwrap();
        statuses.push(reply.status().as_u16());
        if reply.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(reply.headers().contains_key("retry-after"));
            break;
        }
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(statuses[..statuses.len() - 1].iter().all(|&s| s == 401));
    // While refused, even the right password is not tried.
    let reply = client
        .get(&summary)
        .basic_auth(VIEWER.0, Some(VIEWER.1))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::TOO_MANY_REQUESTS);
    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
}
