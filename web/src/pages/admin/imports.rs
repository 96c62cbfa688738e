//! Import for admins: a relational export (the mapping and its CSV
//! tables) or an iCalendar file, uploaded from the browser. A dry run
//! shows what would be stored, every refused row and every double booking;
//! the import stores the rest and shows its verification.

use std::collections::BTreeMap;

use leptos::prelude::*;
use shared::{CalendarUpload, ImportProblemKind, ImportReport, ImportRequest, TablesUpload};
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::components::{Loading, MaybeError};
use crate::i18n::{Texts, use_i18n};

/// Most problems listed on the page; the count says how many there are.
const SHOWN_PROBLEMS: usize = 200;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Tables,
    Calendar,
}

/// The files chosen in the `<input type="file">` with this id.
fn chosen_files(id: &str) -> Vec<web_sys::File> {
    let input = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
    let Some(list) = input.and_then(|i| i.files()) else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

async fn text_of(file: &web_sys::File) -> Result<String, ApiError> {
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|_| ApiError::local("files", format!("{} could not be read", file.name())))?;
    text.as_string()
        .ok_or_else(|| ApiError::local("files", format!("{} is not text", file.name())))
}

fn optional(value: String) -> Option<String> {
    let value = value.trim().to_owned();
    (!value.is_empty()).then_some(value)
}

/// The request the form describes, files read.
async fn request(
    t: &'static Texts,
    kind: Kind,
    dry_run: bool,
    defaults: (String, String, String),
) -> Result<ImportRequest, ApiError> {
    match kind {
        Kind::Tables => {
            let mapping = chosen_files("import-mapping");
            let mapping = mapping
                .first()
                .ok_or_else(|| ApiError::local("mapping", t.import_need_mapping))?;
            let mut files = BTreeMap::new();
            for file in chosen_files("import-tables") {
                files.insert(file.name(), text_of(&file).await?);
            }
            Ok(ImportRequest {
                dry_run,
                tables: Some(TablesUpload {
                    mapping: text_of(mapping).await?,
                    files,
                }),
                calendar: None,
            })
        }
        Kind::Calendar => {
            let calendar = chosen_files("import-calendar");
            let file = calendar
                .first()
                .ok_or_else(|| ApiError::local("calendar", t.import_need_calendar))?;
            let (room, user, source) = defaults;
            Ok(ImportRequest {
                dry_run,
                tables: None,
                calendar: Some(CalendarUpload {
                    file_name: file.name(),
                    text: text_of(file).await?,
                    room: optional(room),
                    user: optional(user),
                    source: optional(source),
                }),
            })
        }
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let kind = RwSignal::new(Kind::Tables);
    let (room, user, source) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let run = Action::new_local(move |dry_run: &bool| {
        let (dry_run, kind, t) = (*dry_run, kind.get_untracked(), i18n.t());
        let defaults = (
            room.get_untracked(),
            user.get_untracked(),
            source.get_untracked(),
        );
        async move {
            let body = request(t, kind, dry_run, defaults).await?;
            api::run_import(&body).await
        }
    });
    let error = RwSignal::new(None::<ApiError>);
    let report = RwSignal::new(None::<ImportReport>);
    Effect::new(move || match run.value().get() {
        Some(Ok(done)) => {
            error.set(None);
            report.set(Some(done));
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        <h2>{move || i18n.t().import_title}</h2>
        <p class="muted">{move || i18n.t().import_intro}</p>
        <form class="card form" id="import-form" on:submit=|ev| ev.prevent_default()>
            <fieldset class="field">
                <legend>{move || i18n.t().import_kind}</legend>
                <label class="check">
                    <input type="radio" name="import-kind" id="import-kind-tables"
                        prop:checked=move || kind.get() == Kind::Tables
                        on:change=move |_| kind.set(Kind::Tables) />
                    {move || i18n.t().import_tables}
                </label>
                <label class="check">
                    <input type="radio" name="import-kind" id="import-kind-calendar"
                        prop:checked=move || kind.get() == Kind::Calendar
                        on:change=move |_| kind.set(Kind::Calendar) />
                    {move || i18n.t().import_calendar}
                </label>
            </fieldset>
            <div hidden=move || kind.get() != Kind::Tables>
                <div class="field">
                    <label for="import-mapping">{move || i18n.t().import_mapping}</label>
                    <input type="file" id="import-mapping" accept=".toml,text/plain" />
                </div>
                <div class="field">
                    <label for="import-tables">{move || i18n.t().import_files}</label>
                    <input type="file" id="import-tables" accept=".csv,text/csv" multiple=true />
                </div>
            </div>
            <div hidden=move || kind.get() != Kind::Calendar>
                <div class="field">
                    <label for="import-calendar">{move || i18n.t().import_calendar_file}</label>
                    <input type="file" id="import-calendar" accept=".ics,text/calendar" />
                </div>
                <div class="field">
                    <label for="import-room">{move || i18n.t().import_room}</label>
                    <input type="text" id="import-room" prop:value=room
                        on:input=move |ev| room.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="import-user">{move || i18n.t().import_user}</label>
                    <input type="email" id="import-user" prop:value=user
                        on:input=move |ev| user.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="import-source">{move || i18n.t().import_source}</label>
                    <input type="text" id="import-source" prop:value=source
                        on:input=move |ev| source.set(event_target_value(&ev)) />
                </div>
            </div>
            <div class="actions">
                <button type="button" id="import-dry-run" disabled=move || run.pending().get()
                    on:click=move |_| { run.dispatch(true); }>
                    {move || i18n.t().import_dry_run}
                </button>
                <button type="button" class="primary" id="import-run" disabled=move || run.pending().get()
                    on:click=move |_| { run.dispatch(false); }>
                    {move || i18n.t().import_run}
                </button>
                {move || run.pending().get().then(|| view! { <Loading /> })}
            </div>
            <MaybeError error=Signal::derive(move || error.get()) />
        </form>
        {move || report.get().map(|r| view! { <Report report=r /> })}
    }
}

fn kind_label(t: &Texts, kind: ImportProblemKind) -> &'static str {
    match kind {
        ImportProblemKind::Invalid => t.import_invalid,
        ImportProblemKind::Overlapping => t.import_overlapping,
        ImportProblemKind::Conflicting => t.import_conflicting,
    }
}

fn entity_label(t: &Texts, entity: &str) -> &'static str {
    match entity {
        "users" | "user" => t.users,
        "rooms" | "room" => t.admin_rooms,
        _ => t.import_reservations,
    }
}

#[component]
fn Report(report: ImportReport) -> impl IntoView {
    let i18n = use_i18n();
    let dry = report.dry_run;
    let verified = report.verified;
    let total = report.problems.len();
    let problems: Vec<_> = report.problems.into_iter().take(SHOWN_PROBLEMS).collect();
    view! {
        <section class="card" id="import-report" data-dry-run=dry.to_string() data-verified=verified.to_string()>
            <h3>
                {move || if dry { i18n.t().import_dry_result } else { i18n.t().import_result }}
                " · " <span class="mono">{report.source.clone()}</span>
            </h3>
            <div class="scroll">
                <table class="list" id="import-counts">
                    <thead><tr>
                        <th scope="col"></th>
                        <th scope="col">{move || i18n.t().import_rows}</th>
                        <th scope="col">{move || i18n.t().import_invalid}</th>
                        <th scope="col">{move || i18n.t().import_present}</th>
                        <th scope="col">{move || if dry { i18n.t().import_would_store } else { i18n.t().import_stored }}</th>
                    </tr></thead>
                    <tbody>{report.counts.into_iter().map(|c| {
                        let entity = c.entity.clone();
                        view! {
                            <tr data-entity=c.entity.clone() data-stored=c.stored data-invalid=c.invalid>
                                <th scope="row">{move || entity_label(i18n.t(), &entity)}</th>
                                <td>{c.rows}</td>
                                <td>{c.invalid}</td>
                                <td>{c.present}</td>
                                <td>{c.stored}</td>
                            </tr>
                        }
                    }).collect_view()}</tbody>
                </table>
            </div>
            {report.notes.into_iter().map(|n| view! { <p class="notice">{n}</p> }).collect_view()}
            {(!report.checks.is_empty()).then(|| view! {
                <h4>{move || i18n.t().import_verification}</h4>
                <p class=if verified { "notice success" } else { "notice warn" } id="import-verified">
                    {move || if verified { i18n.t().import_verified } else { i18n.t().import_not_verified }}
                </p>
                <table class="list" id="import-checks">
                    <thead><tr>
                        <th scope="col"></th>
                        <th scope="col">{move || i18n.t().import_in_source}</th>
                        <th scope="col">{move || i18n.t().import_stored}</th>
                        <th scope="col">{move || i18n.t().import_checksum}</th>
                    </tr></thead>
                    <tbody>{report.checks.into_iter().map(|c| {
                        let entity = c.entity.clone();
                        view! {
                            <tr data-entity=c.entity.clone() data-passed=c.passed.to_string()>
                                <th scope="row">{move || entity_label(i18n.t(), &entity)}</th>
                                <td>{c.expected}</td>
                                <td>{c.stored}</td>
                                <td class="mono">{c.source_checksum.chars().take(16).collect::<String>()}
                                    {if c.passed { " ✓" } else { " ≠" }}</td>
                            </tr>
                        }
                    }).collect_view()}</tbody>
                </table>
            })}
            {(total > 0).then(|| view! {
                <h4>{move || i18n.t().import_problems} " (" {total} ")"</h4>
                <div class="scroll">
                    <table class="list" id="import-problems">
                        <thead><tr>
                            <th scope="col">{move || i18n.t().import_problem_kind}</th>
                            <th scope="col">{move || i18n.t().import_place}</th>
                            <th scope="col">{move || i18n.t().import_problem}</th>
                        </tr></thead>
                        <tbody>{problems.into_iter().map(|p| {
                            let kind = p.kind;
                            view! {
                                <tr data-kind=format!("{kind:?}").to_lowercase()>
                                    <td>{move || kind_label(i18n.t(), kind)}</td>
                                    <td class="mono">{p.place.clone()}</td>
                                    <td>{p.problem.clone()}</td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                </div>
            })}
        </section>
    }
}
