//! `/dashboard/kiosks`: kiosk health, offline kiosks (no heartbeat for 15 minutes) first.
//! About machines, not visitors: shown as it is.

use super::common::say;
use crate::AppState;
use crate::report_data::{self, KioskHealthReport};
use crate::web::{Lang, Nav, Shell};
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};

pub async fn page(shell: Shell, State(state): State<AppState>) -> Response {
    let now = kepu_core::now_unix_ms();
    match report_data::kiosk_health_report(&state, now).await {
        Ok(report) => shell.page(
            Nav::Kiosks,
            say(shell.lang, "展台状态", "Kiosk health"),
            view(shell.lang, &report, now, state.reports.zone),
        ),
        Err(err) => shell.failure(err),
    }
}

fn view(lang: Lang, report: &KioskHealthReport, now: i64, zone: chrono::FixedOffset) -> Markup {
    let when = |at: Option<i64>| -> String {
        at.map_or_else(
            || say(lang, "从未", "never").to_owned(),
            |at| {
                let minutes = now.saturating_sub(at) / 60_000;
                let local = chrono::DateTime::from_timestamp_millis(at)
                    .map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default();
                match lang {
                    Lang::Zh => format!("{local}（{minutes} 分钟前）"),
                    Lang::En => format!("{local} ({minutes} min ago)"),
                }
            },
        )
    };
    let number = |n: Option<u64>| n.map_or_else(String::new, |n| n.to_string());
    html! {
        @if report.offline > 0 {
            p.alert role="status" {
                @match lang {
                    Lang::Zh => { (report.offline) " 台展台离线（15 分钟没有心跳）。" }
                    Lang::En => { (report.offline) " kiosk(s) offline (no heartbeat for 15 minutes)." }
                }
            }
        }
        table.wide {
            thead { tr {
                th scope="col" { (say(lang, "展台", "Kiosk")) }
                th scope="col" { (say(lang, "场馆", "Venue")) }
                th scope="col" { (say(lang, "状态", "State")) }
                th scope="col" { (say(lang, "最后心跳", "Last heartbeat")) }
                th scope="col" { (say(lang, "版本", "Version")) }
                th scope="col" { (say(lang, "待发送", "Outbox backlog")) }
                th scope="col" { (say(lang, "内存暂存 / 丢失", "Held / lost")) }
                th scope="col" { (say(lang, "被拒绝", "Refused")) }
                th scope="col" { (say(lang, "展项（加载 / 失败）", "Exhibits (loaded / failed)")) }
                th scope="col" { (say(lang, "未知展项编号", "Unknown exhibit ids")) }
            } }
            tbody {
                @for kiosk in &report.kiosks {
                    tr class=[kiosk.offline.then_some("offline")] {
                        th scope="row" { (kiosk.kiosk) }
                        td { (kiosk.venue.clone().unwrap_or_default()) }
                        td {
                            @if kiosk.revoked { (say(lang, "已吊销", "revoked")) }
                            @else if kiosk.offline { strong { (say(lang, "离线", "offline")) } }
                            @else { (say(lang, "在线", "online")) }
                            @if kiosk.clock_wrong { " · " (say(lang, "时钟错误", "clock wrong")) }
                            @if let Some(error) = &kiosk.storage_error { " · " (say(lang, "存储故障：", "storage: ")) (error) }
                        }
                        td { (when(kiosk.last_heartbeat_at_ms)) }
                        td { (kiosk.version.clone().unwrap_or_default()) }
                        td.number { (number(kiosk.outbox_backlog)) }
                        td.number { (number(kiosk.held_in_memory)) " / " (number(kiosk.dropped_events)) }
                        td.number { (number(kiosk.refused_events)) }
                        td.number {
                            (kiosk.exhibits_loaded.map_or_else(String::new, |n| n.to_string())) " / "
                            (kiosk.exhibits_failed.map_or_else(String::new, |n| n.to_string()))
                        }
                        td { (kiosk.unknown_exhibit_ids.join(", ")) }
                    }
                }
            }
        }
    }
}
