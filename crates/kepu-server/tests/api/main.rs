//! The HTTP API, every test on SQLite and on PostgreSQL (a fresh database each): handlers
//! through `oneshot`, and the real server on a loopback port where the connection matters.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod access;
mod api_tokens;
mod attack;
mod browser;
mod commands;
mod dashboard;
mod estimates;
mod ingest;
mod limits;
mod openapi;
mod reports;
mod signin;
mod tls;
