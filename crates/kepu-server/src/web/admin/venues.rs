//! `/dashboard/admin/venues`: list, add, rename (`kepu-server venue add|list|rename`).

use super::{Section, admin_page, done, failed, form_error, notice_of, status_of};
use crate::AppState;
use crate::domain::VenueName;
use crate::web::layout::{self, FormState, Input, field};
use crate::web::{Shell, Text, form_pairs, form_value};
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use kepu_store::venues::Venue;
use maud::html;

const NOTICES: &[(&str, Text)] = &[
    ("venue-added", Text::DoneVenueAdded),
    ("venue-renamed", Text::DoneVenueRenamed),
];

pub async fn list(shell: Shell, State(state): State<AppState>) -> Response {
    render(&shell, &state, &FormState::default(), &FormState::default()).await
}

async fn render(shell: &Shell, state: &AppState, add: &FormState, rename: &FormState) -> Response {
    let venues = match state.store.list_venues().await {
        Ok(venues) => venues,
        Err(err) => return failed(shell, err),
    };
    let main = html! {
        @if let Some(notice) = notice_of(shell, NOTICES) { (notice) }
        (layout::error_summary(shell.lang, add))
        (layout::error_summary(shell.lang, rename))
        @if venues.is_empty() {
            p { (shell.t(Text::NoVenues)) }
        } @else {
            (table(shell, &venues, rename))
        }
        h2 #add { (shell.t(Text::AddVenue)) }
        form.card method="post" action=(Section::Venues.href()) {
            (shell.csrf_field())
            (field(add, "add", "name", shell.t(Text::VenueName), Input::Text,
                   Some(shell.t(Text::VenueNameRule))))
            button type="submit" { (shell.t(Text::AddVenue)) }
        }
    };
    admin_page(shell, status_of(&[add, rename]), Section::Venues, main)
}

fn table(shell: &Shell, venues: &[Venue], rename: &FormState) -> maud::Markup {
    html! {
        div.table-wrap {
            table {
                thead {
                    tr {
                        th scope="col" { (shell.t(Text::VenueName)) }
                        th.number scope="col" { (shell.t(Text::KioskCount)) }
                        th scope="col" { (shell.t(Text::Actions)) }
                    }
                }
                tbody {
                    @for (i, venue) in venues.iter().enumerate() {
                        @let form = rename.for_target(&venue.name);
                        tr {
                            th scope="row" { (venue.name) }
                            td.number { (venue.kiosks) }
                            td {
                                form.inline-form method="post" action="/dashboard/admin/venues/rename" {
                                    (shell.csrf_field())
                                    input type="hidden" name="old" value=(venue.name);
                                    (field(&form, &format!("rename-{i}"), "new",
                                           shell.t(Text::NewName), Input::Text, None))
                                    button.secondary type="submit" { (shell.t(Text::Rename)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn add(shell: Shell, State(state): State<AppState>, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let mut form = FormState::from_pairs(&pairs);
    match VenueName::parse(form_value(&pairs, "name")) {
        Err(_) => form.fail("name", shell.t(Text::VenueNameRule)),
        Ok(name) => match state
            .store
            .add_venue(name.as_str(), kepu_core::now_unix_ms())
            .await
        {
            Ok(()) => return done(Section::Venues, "venue-added"),
            Err(err) => match form_error(shell.lang, &err, Text::ThingVenue) {
                Some(message) => form.fail("name", message),
                None => return failed(&shell, err),
            },
        },
    }
    render(&shell, &state, &form, &FormState::default()).await
}

pub async fn rename(shell: Shell, State(state): State<AppState>, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let old = form_value(&pairs, "old").to_owned();
    let mut form = FormState::from_pairs(&pairs);
    form.target = Some(old.clone());
    match VenueName::parse(form_value(&pairs, "new")) {
        Err(_) => form.fail("new", shell.t(Text::VenueNameRule)),
        Ok(new) => match state.store.rename_venue(&old, new.as_str()).await {
            Ok(()) => return done(Section::Venues, "venue-renamed"),
            Err(err) => match form_error(shell.lang, &err, Text::ThingVenue) {
                Some(message) => form.fail("new", message),
                None => return failed(&shell, err),
            },
        },
    }
    render(&shell, &state, &FormState::default(), &form).await
}
