//! The audit log: every change, who made it, when and from where.

use leptos::prelude::*;
use shared::{AuditEntry, AuditQuery, EventType};

use crate::api;
use crate::components::PagedList;
use crate::i18n::use_i18n;
use crate::time;

/// The kinds of target, from the event types (`booking`, `room`, ...).
fn target_types() -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = EventType::ALL.iter().map(|t| t.aggregate()).collect();
    kinds.dedup();
    kinds
}

/// Fields that say nothing a reader needs in a summary.
fn is_noise(field: &str) -> bool {
    field == "id" || field.ends_with("_id") || field.ends_with("_at") || field == "time_zone"
}

/// The most changed fields shown in a row.
const SHOWN: usize = 4;

/// `field: before → after` for the first changed fields worth reading,
/// shortened.
fn summary(entry: &AuditEntry) -> String {
    let short = |value: &serde_json::Value| {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => "∅".into(),
            other => other.to_string(),
        };
        if text.chars().count() > 40 {
            format!("{}…", text.chars().take(40).collect::<String>())
        } else {
            text
        }
    };
    let worth: Vec<(&String, &serde_json::Value)> = entry
        .changes
        .iter()
        .filter(|(field, _)| !is_noise(field))
        .collect();
    let mut parts: Vec<String> = worth
        .iter()
        .take(SHOWN)
        .map(|(field, pair)| match pair.as_array().map(Vec::as_slice) {
            Some([before, after]) if before.is_null() => format!("{field}: {}", short(after)),
            Some([before, after]) => format!("{field}: {} → {}", short(before), short(after)),
            _ => (*field).clone(),
        })
        .collect();
    if worth.len() > SHOWN {
        parts.push(format!("(+{})", worth.len() - SHOWN));
    }
    parts.join("; ")
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let event_type = RwSignal::new(String::new());
    let target_type = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let fetch = move |cursor: Option<String>| {
        let some = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        api::audit(&AuditQuery {
            event_type: some(event_type.get()),
            target_type: some(target_type.get()),
            actor: some(actor.get()),
            limit: Some(50),
            cursor,
            ..AuditQuery::default()
        })
    };
    let render = move |entries: Vec<AuditEntry>| {
        view! {
            <table class="list" id="audit">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t().audit_time}</th>
                        <th scope="col">{move || i18n.t().audit_actor}</th>
                        <th scope="col">{move || i18n.t().audit_action}</th>
                        <th scope="col">{move || i18n.t().audit_target}</th>
                        <th scope="col">{move || i18n.t().audit_changes}</th>
                        <th scope="col">{move || i18n.t().audit_from}</th>
                    </tr>
                </thead>
                <tbody>{entries.into_iter().map(|entry| view! { <AuditRow entry /> }).collect_view()}</tbody>
            </table>
        }
    };
    view! {
        <h2>{move || i18n.t().audit}</h2>
        <p class="muted">{move || i18n.t().audit_intro}</p>
        <form class="card filters" id="audit-filters" on:submit=|ev| ev.prevent_default()>
            <label>{move || i18n.t().audit_action} " "
                <select id="audit-type" on:change=move |ev| event_type.set(event_target_value(&ev))>
                    <option value="">{move || i18n.t().audit_any_type}</option>
                    {EventType::ALL.map(|t| view! { <option value=t.as_str()>{t.as_str()}</option> }).collect_view()}
                </select>
            </label>
            <label>{move || i18n.t().audit_target} " "
                <select id="audit-target" on:change=move |ev| target_type.set(event_target_value(&ev))>
                    <option value="">{move || i18n.t().audit_any_target}</option>
                    {target_types().into_iter().map(|t| view! { <option value=t>{t}</option> }).collect_view()}
                </select>
            </label>
            <label>{move || i18n.t().audit_actor_id} " "
                <input id="audit-actor" size="26" maxlength="24" placeholder="65f0…"
                    on:change=move |ev| actor.set(event_target_value(&ev)) />
            </label>
        </form>
        <div class="card flush scroll">
            <PagedList fetch render empty=Signal::derive(move || i18n.t().audit_empty) />
        </div>
    }
}

#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let i18n = use_i18n();
    let zone = time::browser_zone();
    let at = entry.occurred_at;
    let when = move || time::format_date_time(at, &zone, i18n.lang());
    let who = entry
        .actor
        .email
        .clone()
        .or_else(|| entry.actor.user_id.as_ref().map(|id| id.0.clone()));
    let job = entry.actor.job.clone();
    let origin = [entry.actor.address.clone(), entry.actor.request_id.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <tr data-type=entry.event_type.as_str() data-target=entry.target_id.clone()>
            <td>{when}</td>
            <td class="who">{match (who, job) {
                (Some(who), _) => who.into_any(),
                (None, Some(job)) => view! { <span class="muted">{move || i18n.t().audit_system} " (" {job.clone()} ")"</span> }.into_any(),
                (None, None) => "—".into_any(),
            }}</td>
            <td><code>{entry.event_type.as_str()}</code></td>
            <td>{entry.target_type.clone()} " " <span class="muted mono">{entry.target_id.clone()}</span> " #" {entry.seq}</td>
            <td class="changes">{summary(&entry)}</td>
            <td class="muted mono">{origin}</td>
        </tr>
    }
}
