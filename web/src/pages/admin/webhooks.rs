//! Webhook endpoints: registering one (its secret shown once), turning
//! it on or off, and its delivery history with dead letters to send again.

use leptos::prelude::*;
use shared::{
    CreateWebhook, DeliveryQuery, DeliveryStatus, EventType, UpdateWebhook, WebhookDelivery,
    WebhookEndpoint,
};

use crate::api::{self, ApiError};
use crate::components::{
    ErrorNotice, FieldError, Loading, MaybeError, PagedList, error_fallback, invalid,
};
use crate::i18n::use_i18n;
use crate::time;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let endpoints = LocalResource::new(move || {
        version.track();
        api::list_webhooks()
    });
    let opened = RwSignal::new(None::<String>);
    view! {
        <h2>{move || i18n.t().webhooks}</h2>
        <p class="muted">{move || i18n.t().webhooks_intro}</p>
        <NewEndpoint on_created=move || version.update(|v| *v += 1) />
        <div class="card flush">
            <Transition fallback=Loading>
                <ErrorBoundary fallback=error_fallback>
                    {move || endpoints.get().map(|result| result.map(|list| {
                        if list.is_empty() {
                            view! { <p class="empty">{move || i18n.t().webhook_none}</p> }.into_any()
                        } else {
                            view! { <EndpointTable list opened /> }.into_any()
                        }
                    }))}
                </ErrorBoundary>
            </Transition>
        </div>
        {move || opened.get().map(|id| view! { <Deliveries endpoint=id /> })}
    }
}

#[component]
fn NewEndpoint(on_created: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let types = RwSignal::new(Vec::<EventType>::new());
    let create = Action::new_local(move |body: &CreateWebhook| api::create_webhook(body));
    let secret = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    Effect::new(move || match create.value().get() {
        Some(Ok(created)) => {
            secret.set(Some(created.secret));
            error.set(None);
            url.set(String::new());
            description.set(String::new());
            types.set(Vec::new());
            on_created();
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        secret.set(None);
        create.dispatch(CreateWebhook {
            url: url.get_untracked(),
            description: description.get_untracked(),
            event_types: types.get_untracked(),
            enabled: true,
        });
    };
    let err = Signal::derive(move || error.get());
    let general = Signal::derive(move || error.get().filter(|e| e.field.is_none()));
    let toggle = move |kind: EventType, on: bool| {
        types.update(|t| {
            t.retain(|k| *k != kind);
            if on {
                t.push(kind);
            }
        });
    };
    view! {
        <form class="card form-grid" id="webhook-form" on:submit=submit novalidate>
            <div class="field wide">
                <label for="webhook-url">{move || i18n.t().webhook_url}</label>
                <input id="webhook-url" type="url" required maxlength="2000" placeholder="https://"
                    prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))
                    aria-invalid=invalid(err, "url") aria-describedby="url-error" />
                <FieldError error=err field="url" />
            </div>
            <div class="field wide">
                <label for="webhook-description">{move || i18n.t().webhook_description}</label>
                <input id="webhook-description" maxlength="200"
                    prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) />
                <FieldError error=err field="description" />
            </div>
            <fieldset class="field wide checks event-types">
                <legend>{move || i18n.t().webhook_types} " (" {move || i18n.t().webhook_all_types} ")"</legend>
                {EventType::ALL.map(|kind| view! {
                    <label class="check">
                        <input type="checkbox" data-type=kind.as_str()
                            prop:checked=move || types.with(|t| t.contains(&kind))
                            on:change=move |ev| toggle(kind, event_target_checked(&ev)) />
                        <code>{kind.as_str()}</code>
                    </label>
                }).collect_view()}
            </fieldset>
            <div class="wide"><MaybeError error=general /></div>
            <div class="actions wide">
                <button type="submit" class="primary" id="webhook-add" disabled=move || create.pending().get()>
                    {move || i18n.t().webhook_add}
                </button>
            </div>
        </form>
        {move || secret.get().map(|secret| view! {
            <p class="notice success" role="status" id="webhook-secret">
                {move || i18n.t().webhook_secret_once} " " <code class="secret">{secret}</code>
            </p>
        })}
    }
}

#[component]
fn EndpointTable(list: Vec<WebhookEndpoint>, opened: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="list" id="webhooks">
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t().webhook_url}</th>
                    <th scope="col">{move || i18n.t().webhook_types}</th>
                    <th scope="col">{move || i18n.t().webhook_enabled}</th>
                    <th scope="col">{move || i18n.t().webhook_pending}</th>
                    <th scope="col">{move || i18n.t().webhook_delivered}</th>
                    <th scope="col">{move || i18n.t().webhook_dead}</th>
                    <th scope="col">{move || i18n.t().actions}</th>
                </tr>
            </thead>
            <tbody>{list.into_iter().map(|endpoint| view! { <EndpointRow endpoint opened /> }).collect_view()}</tbody>
        </table>
    }
}

#[component]
fn EndpointRow(endpoint: WebhookEndpoint, opened: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let enabled = RwSignal::new(endpoint.enabled);
    let id = endpoint.id.clone();
    let save = Action::new_local(move |on: &bool| {
        api::update_webhook(
            &id,
            &UpdateWebhook {
                enabled: Some(*on),
                ..UpdateWebhook::default()
            },
        )
    });
    Effect::new(move || {
        if let Some(Ok(saved)) = save.value().get() {
            enabled.set(saved.enabled);
        }
    });
    let types = if endpoint.event_types.is_empty() {
        None
    } else {
        Some(
            endpoint
                .event_types
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )
    };
    let open_id = endpoint.id.clone();
    let description = endpoint.description.clone();
    view! {
        <tr data-endpoint=endpoint.url.clone()>
            <td><code>{endpoint.url.clone()}</code>
                {(!description.is_empty()).then(|| view! { <br /><span class="muted">{description.clone()}</span> })}</td>
            <td>{match types {
                Some(types) => types.into_any(),
                None => view! { <span>{move || i18n.t().webhook_all_types}</span> }.into_any(),
            }}</td>
            <td>
                <input type="checkbox" class="enabled" aria-label=move || i18n.t().webhook_enabled
                    prop:checked=move || enabled.get() disabled=move || save.pending().get()
                    on:change=move |ev| { save.dispatch(event_target_checked(&ev)); } />
                {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            </td>
            <td class="count pending">{endpoint.counts.pending}</td>
            <td class="count delivered">{endpoint.counts.delivered}</td>
            <td class="count dead">{endpoint.counts.dead}</td>
            <td>
                <button type="button" class="secondary open-deliveries"
                    on:click=move |_| opened.set(Some(open_id.clone()))>
                    {move || i18n.t().webhook_deliveries}
                </button>
            </td>
        </tr>
    }
}

#[component]
fn Deliveries(endpoint: String) -> impl IntoView {
    let i18n = use_i18n();
    let endpoint = StoredValue::new(endpoint);
    let fetch = move |cursor: Option<String>| {
        api::list_deliveries(
            &endpoint.get_value(),
            &DeliveryQuery {
                limit: Some(50),
                cursor,
                status: None,
            },
        )
    };
    let render = move |deliveries: Vec<WebhookDelivery>| {
        view! {
            <table class="list" id="deliveries">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t().audit_time}</th>
                        <th scope="col">{move || i18n.t().webhook_event}</th>
                        <th scope="col">{move || i18n.t().status}</th>
                        <th scope="col">{move || i18n.t().webhook_attempts}</th>
                        <th scope="col">{move || i18n.t().webhook_last_answer}</th>
                        <th scope="col">{move || i18n.t().webhook_latency}</th>
                        <th scope="col">{move || i18n.t().actions}</th>
                    </tr>
                </thead>
                <tbody>{deliveries.into_iter().map(|delivery| view! { <DeliveryRow delivery endpoint=endpoint.get_value() /> }).collect_view()}</tbody>
            </table>
        }
    };
    view! {
        <h3>{move || i18n.t().webhook_deliveries}</h3>
        <div class="card flush">
            <PagedList fetch render empty=Signal::derive(move || i18n.t().webhook_no_deliveries) />
        </div>
    }
}

#[component]
fn DeliveryRow(delivery: WebhookDelivery, endpoint: String) -> impl IntoView {
    let i18n = use_i18n();
    let status = RwSignal::new(delivery.status);
    let id = delivery.id.clone();
    let again = Action::new_local(move |_: &()| api::redeliver(&endpoint, &id));
    Effect::new(move || {
        if let Some(Ok(queued)) = again.value().get() {
            status.set(queued.status);
        }
    });
    let label = move || match status.get() {
        DeliveryStatus::Pending => i18n.t().webhook_pending,
        DeliveryStatus::Delivered => i18n.t().webhook_delivered,
        DeliveryStatus::Dead => i18n.t().webhook_dead,
    };
    let zone = time::browser_zone();
    let when = move || time::format_date_time(delivery.created_at, &zone, i18n.lang());
    let answer = delivery
        .last_status
        .map(|s| s.to_string())
        .or_else(|| delivery.last_error.clone())
        .unwrap_or_else(|| "—".into());
    view! {
        <tr data-delivery=delivery.id.clone() data-status=move || format!("{:?}", status.get()).to_lowercase()>
            <td>{when}</td>
            <td><code>{delivery.event_type.as_str()}</code></td>
            <td class="status">{label}</td>
            <td>{delivery.attempts}</td>
            <td>{answer}</td>
            <td>{delivery.last_latency_ms.map(|ms| format!("{ms} ms")).unwrap_or_else(|| "—".into())}</td>
            <td>
                {move || (status.get() != DeliveryStatus::Pending).then(|| view! {
                    <button type="button" class="secondary redeliver" disabled=move || again.pending().get()
                        on:click=move |_| { again.dispatch(()); }>
                        {move || i18n.t().webhook_redeliver}
                    </button>
                })}
                {move || again.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            </td>
        </tr>
    }
}
