//! Reconciliation: the latest check of derived data against its source of
//! truth, every drift it found, and buttons to check (and repair) now.

use leptos::prelude::*;
use shared::{ReconcileTrigger, Reconciliation, RunReconciliation};

use crate::api::{self, ApiError};
use crate::components::{Loading, MaybeError, error_fallback};
use crate::i18n::{Texts, use_i18n};
use crate::time;

fn trigger(t: &Texts, trigger: ReconcileTrigger) -> &'static str {
    match trigger {
        ReconcileTrigger::Schedule => t.reconcile_by_schedule,
        ReconcileTrigger::Admin => t.reconcile_by_admin,
        ReconcileTrigger::Command => t.reconcile_by_command,
    }
}

#[component]
pub fn ReconcilePage() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let runs = LocalResource::new(move || {
        version.track();
        api::reconciliations(20)
    });
    let run = Action::new_local(move |repair: &bool| {
        api::run_reconciliation(&RunReconciliation { repair: *repair })
    });
    let error = RwSignal::new(None::<ApiError>);
    Effect::new(move || match run.value().get() {
        Some(Ok(_)) => {
            error.set(None);
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        <h2>{move || i18n.t().reconcile}</h2>
        <p class="muted">{move || i18n.t().reconcile_intro}</p>
        <div class="card actions" id="reconcile-actions">
            <button type="button" id="reconcile-check" disabled=move || run.pending().get()
                on:click=move |_| { run.dispatch(false); }>
                {move || i18n.t().reconcile_check}
            </button>
            <button type="button" class="primary" id="reconcile-repair" disabled=move || run.pending().get()
                on:click=move |_| { run.dispatch(true); }>
                {move || i18n.t().reconcile_repair}
            </button>
            {move || run.pending().get().then(|| view! { <Loading /> })}
            <MaybeError error=Signal::derive(move || error.get()) />
        </div>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || runs.get().map(|result| result.map(|list| {
                    let mut list = list.into_iter();
                    match list.next() {
                        None => view! {
                            <p class="card empty" id="reconcile-none">{move || i18n.t().reconcile_none}</p>
                        }.into_any(),
                        Some(latest) => view! {
                            <Latest run=latest />
                            <History runs=list.collect() />
                        }.into_any(),
                    }
                }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Latest(run: Reconciliation) -> impl IntoView {
    let i18n = use_i18n();
    let zone = time::browser_zone();
    let at = run.finished_at;
    let when = move || time::format_date_time(at, &zone, i18n.lang());
    let c = run.checked.clone();
    let checked = move || {
        let t = i18n.t();
        format!(
            "{} {} · {} {} · {} {} · {} {} · {} {} · {} {} · {} {}",
            c.performances,
            t.reconcile_performances,
            c.seats,
            t.reconcile_seats,
            c.bookings,
            t.reconcile_bookings,
            c.holds,
            t.reconcile_holds,
            c.rooms,
            t.reconcile_rooms,
            c.reservations,
            t.reconcile_reservations,
            c.wallets,
            t.reconcile_wallets,
        )
    };
    let by = run.trigger;
    let (count, repaired) = (run.drift_count, run.repaired_count);
    let drifts = run.drifts.clone();
    view! {
        <section class="card" id="reconcile-latest" data-drift=count data-repaired=repaired>
            <h3>{move || i18n.t().reconcile_latest}</h3>
            <p>
                {when} " · " {move || trigger(i18n.t(), by)}
                {run.repair.then(|| view! { " · " {move || i18n.t().reconcile_repaired} })}
            </p>
            <p class="muted">{move || i18n.t().reconcile_checked} ": " {checked}</p>
            {if count == 0 {
                view! { <p class="notice success" id="reconcile-clean">{move || i18n.t().reconcile_clean}</p> }.into_any()
            } else {
                view! {
                    <p class="notice warn" id="reconcile-found">
                        {move || i18n.t().reconcile_drift} ": " {count}
                        " · " {move || i18n.t().reconcile_repaired} ": " {repaired}
                    </p>
                    <div class="scroll">
                        <table class="list" id="reconcile-drifts">
                            <thead><tr>
                                <th scope="col">{move || i18n.t().reconcile_kind}</th>
                                <th scope="col">{move || i18n.t().audit_target}</th>
                                <th scope="col">{move || i18n.t().reconcile_detail}</th>
                                <th scope="col">{move || i18n.t().reconcile_repaired}</th>
                            </tr></thead>
                            <tbody>{drifts.into_iter().map(|d| view! {
                                <tr data-kind=d.kind.as_str() data-repaired=d.repaired.to_string()>
                                    <td><code>{d.kind.as_str()}</code></td>
                                    <td>{d.target_type.clone()} " " <span class="muted mono">{d.target_id.clone()}</span></td>
                                    <td>{d.detail.clone()}</td>
                                    <td>{if d.repaired { "✓" } else { "—" }}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn History(runs: Vec<Reconciliation>) -> impl IntoView {
    let i18n = use_i18n();
    if runs.is_empty() {
        return ().into_any();
    }
    let zone = time::browser_zone();
    view! {
        <section class="card flush">
            <h3>{move || i18n.t().reconcile_history}</h3>
            <table class="list" id="reconcile-history">
                <thead><tr>
                    <th scope="col">{move || i18n.t().audit_time}</th>
                    <th scope="col">{move || i18n.t().reconcile_started_by}</th>
                    <th scope="col">{move || i18n.t().reconcile_drift}</th>
                    <th scope="col">{move || i18n.t().reconcile_repaired}</th>
                </tr></thead>
                <tbody>{runs.into_iter().map(|run| {
                    let zone = zone.clone();
                    let at = run.finished_at;
                    let by = run.trigger;
                    view! {
                        <tr>
                            <td>{move || time::format_date_time(at, &zone, i18n.lang())}</td>
                            <td>{move || trigger(i18n.t(), by)}</td>
                            <td>{run.drift_count}</td>
                            <td>{run.repaired_count}</td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
        </section>
    }
    .into_any()
}
