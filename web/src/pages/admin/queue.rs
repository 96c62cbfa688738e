//! A performance's waiting room: its settings, and the line as it moves
//! (refreshed every few seconds while the page is open).

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::{PerformanceId, QueueOverview, QueueSettings};

use crate::api::{self, ApiError};
use crate::components::{FieldError, Loading, MaybeError, invalid};
use crate::i18n::use_i18n;
use crate::numbers;

/// How often the figures refresh.
const FIGURES_EVERY: Duration = Duration::from_secs(2);

/// The form as typed: numbers stay text until saved.
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    enabled: bool,
    admit_per_minute: String,
    max_active: String,
    shop_seconds: String,
    grace_seconds: String,
    pre_queue: bool,
}

impl Draft {
    fn of(settings: Option<&QueueSettings>) -> Self {
        let text = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        match settings {
            Some(s) => Self {
                enabled: s.enabled,
                admit_per_minute: text(s.admit_per_minute),
                max_active: text(s.max_active),
                shop_seconds: s.shop_seconds.to_string(),
                grace_seconds: s.grace_seconds.to_string(),
                pre_queue: s.pre_queue,
            },
            // A starting point for a first set-up.
            None => Self {
                enabled: true,
                admit_per_minute: "100".into(),
                max_active: String::new(),
                shop_seconds: "600".into(),
                grace_seconds: "60".into(),
                pre_queue: true,
            },
        }
    }

    fn to_settings(&self) -> Result<QueueSettings, ApiError> {
        let optional = |field: &str, text: &str| -> Result<Option<u32>, ApiError> {
            match text.trim() {
                "" => Ok(None),
                t => t
                    .parse()
                    .map(Some)
                    .map_err(|_| ApiError::local(field, text.to_owned())),
            }
        };
        let required = |field: &str, text: &str| -> Result<u32, ApiError> {
            text.trim()
                .parse()
                .map_err(|_| ApiError::local(field, text.to_owned()))
        };
        Ok(QueueSettings {
            enabled: self.enabled,
            admit_per_minute: optional("admit_per_minute", &self.admit_per_minute)?,
            max_active: optional("max_active", &self.max_active)?,
            shop_seconds: required("shop_seconds", &self.shop_seconds)?,
            grace_seconds: required("grace_seconds", &self.grace_seconds)?,
            pre_queue: self.pre_queue,
        })
    }
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let params = use_params_map();
    let id = PerformanceId(params.with_untracked(|p| p.get("id").unwrap_or_default()));
    let overview = RwSignal::new(None::<Result<QueueOverview, ApiError>>);
    let round = RwSignal::new(0u32);
    let id_for_reads = id.clone();
    let read = LocalResource::new(move || {
        round.track();
        api::queue_overview(&id_for_reads)
    });
    Effect::new(move || {
        if let Some(result) = read.get() {
            overview.set(Some(result));
        }
    });
    if let Ok(handle) = set_interval_with_handle(
        move || {
            round.try_update(|n| *n += 1);
        },
        FIGURES_EVERY,
    ) {
        on_cleanup(move || handle.clear());
    }
    // The first good answer draws the form (never defaults over settings
    // that could not be read); later ones refresh the figures.
    let first = Memo::new(move |_| overview.with(|o| matches!(o, Some(Ok(_)))));
    let failed = Signal::derive(move || {
        overview.with(|o| o.as_ref().and_then(|o| o.as_ref().err().cloned()))
    });
    let form_id = StoredValue::new(id);
    view! {
        {move || match first.get() {
            false => view! { <MaybeError error=failed /> <Loading /> }.into_any(),
            true => {
                let settings = overview
                    .with_untracked(|o| o.as_ref().and_then(|o| o.as_ref().ok()).and_then(|o| o.settings.clone()));
                view! {
                    <QueueForm id=form_id.get_value() settings overview />
                    <Figures overview />
                }.into_any()
            }
        }}
    }
}

#[component]
fn QueueForm(
    id: PerformanceId,
    settings: Option<QueueSettings>,
    overview: RwSignal<Option<Result<QueueOverview, ApiError>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let draft = RwSignal::new(Draft::of(settings.as_ref()));
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let save = Action::new_local(move |body: &QueueSettings| api::set_queue(&id, body));
    Effect::new(move || match save.value().get() {
        Some(Ok(fresh)) => {
            saved.set(true);
            overview.set(Some(Ok(fresh)));
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        match draft.get_untracked().to_settings() {
            Ok(body) => {
                error.set(None);
                save.dispatch(body);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let err = Signal::derive(move || error.get());
    let general = Signal::derive(move || error.get().filter(|e| e.field.is_none()));
    let text = move |get: fn(&Draft) -> &String| move || draft.with(|d| get(d).clone());
    macro_rules! edit {
        ($field:ident) => {
            move |ev| draft.update(|d| d.$field = event_target_value(&ev))
        };
    }
    macro_rules! number {
        ($id:literal, $field:ident, $name:literal, $label:ident, $min:literal, $max:literal) => {
            view! {
                <div class="field">
                    <label for=$id>{move || i18n.t().$label}</label>
                    <input id=$id type="number" min=$min max=$max prop:value=text(|d| &d.$field)
                        on:input=edit!($field) aria-invalid=invalid(err, $name)
                        aria-describedby=concat!($name, "-error") />
                    <FieldError error=err field=$name />
                </div>
            }
        };
    }
    view! {
        <h2 id="queue-admin-title">{move || i18n.t().queue_admin_title}</h2>
        <form class="card form-grid" id="queue-form" on:submit=submit novalidate>
            <div class="field wide checks">
                <label class="check">
                    <input type="checkbox" id="queue-enabled" prop:checked=move || draft.with(|d| d.enabled)
                        on:change=move |ev| draft.update(|d| d.enabled = event_target_checked(&ev)) />
                    {move || i18n.t().queue_enabled}
                </label>
            </div>
            {number!("queue-rate", admit_per_minute, "admit_per_minute", queue_rate, "1", "100000")}
            {number!("queue-max-active", max_active, "max_active", queue_max_active, "1", "100000")}
            <p class="hint wide" id="queue-pace-hint">{move || i18n.t().queue_pace_hint}</p>
            {number!("queue-shop", shop_seconds, "shop_seconds", queue_shop_seconds, "10", "7200")}
            {number!("queue-grace", grace_seconds, "grace_seconds", queue_grace_seconds, "5", "3600")}
            <div class="field wide checks">
                <label class="check">
                    <input type="checkbox" id="queue-pre" prop:checked=move || draft.with(|d| d.pre_queue)
                        on:change=move |ev| draft.update(|d| d.pre_queue = event_target_checked(&ev)) />
                    {move || i18n.t().queue_pre_queue}
                </label>
            </div>
            <div class="wide"><MaybeError error=general /></div>
            {move || saved.get().then(|| view! { <p class="notice" id="queue-saved" role="status">{move || i18n.t().saved}</p> })}
            <div class="actions wide">
                <button type="submit" class="primary" id="queue-save" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { i18n.t().saving } else { i18n.t().save }}
                </button>
            </div>
        </form>
    }
}

/// The line now: waiting, booking, admitted lately and in all.
#[component]
fn Figures(overview: RwSignal<Option<Result<QueueOverview, ApiError>>>) -> impl IntoView {
    let i18n = use_i18n();
    let figure = move |id: &'static str,
                       label: fn(&crate::i18n::Texts) -> &'static str,
                       value: fn(&QueueOverview) -> u64| {
        view! {
            <div>
                <dt>{move || label(i18n.t())}</dt>
                <dd id=id>{move || overview.with(|o| match o {
                    Some(Ok(o)) => numbers::number(value(o) as i64, i18n.lang()),
                    _ => "–".to_owned(),
                })}</dd>
            </div>
        }
    };
    let failed = Signal::derive(move || {
        overview.with(|o| o.as_ref().and_then(|o| o.as_ref().err().cloned()))
    });
    view! {
        <section class="card" aria-labelledby="queue-figures-title">
            <h2 id="queue-figures-title">{move || i18n.t().queue_figures}</h2>
            <MaybeError error=failed />
            <dl class="facts" id="queue-figures">
                {figure("queue-waiting", |t| t.queue_waiting, |o| o.waiting)}
                {figure("queue-active", |t| t.queue_active, |o| o.active)}
                {figure("queue-last-minute", |t| t.queue_last_minute, |o| o.admitted_last_minute)}
                {figure("queue-total", |t| t.queue_total, |o| o.admitted_total)}
            </dl>
        </section>
    }
}
