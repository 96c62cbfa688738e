//! Running reconciliations (`store/reconcile`): one at a time across the
//! cluster, under a lease in the database, whether the periodic job, an
//! admin or `api reconcile` starts it.

use std::fmt::Write as _;
use std::time::Duration;

use shared::{ErrorCode, ReconcileTrigger, Reconciliation};

use crate::background::Stopped;
use crate::configuration::ReconcileSettings;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::store::Store;

const LEASE: &str = "reconcile";
/// Longest a run may take before another instance may start one.
const LEASE_SECONDS: i64 = 600;

fn running() -> ApiError {
    ApiError::conflict(
        ErrorCode::ReconcileRunning,
        "a reconciliation is running already; try again once it has finished",
    )
}

/// Runs one reconciliation under the cluster-wide lease and stores it.
/// `409 reconcile_running` while another runs.
pub async fn run_once(
    store: &Store,
    repair: bool,
    trigger: ReconcileTrigger,
) -> Result<Reconciliation, ApiError> {
    run_under_lease(store, repair, trigger, None)
        .await?
        .ok_or_else(running)
}

/// Runs one reconciliation under the lease; with `every`, only if the
/// latest stored run started at least that long ago (judged once the
/// lease is held, so two instances cannot both find a run due and run
/// one after the other). `None` when it was not due.
async fn run_under_lease(
    store: &Store,
    repair: bool,
    trigger: ReconcileTrigger,
    every: Option<chrono::Duration>,
) -> Result<Option<Reconciliation>, ApiError> {
    let holder = bson::oid::ObjectId::new().to_hex();
    let lease = chrono::Duration::seconds(LEASE_SECONDS);
    let Some(now) = store.acquire_lease(LEASE, &holder, lease).await? else {
        return Err(running());
    };
    if let Some(every) = every {
        let latest = store.reconciliations(1).await;
        let due = match &latest {
            Ok(runs) => runs
                .first()
                .is_none_or(|last| now - last.started_at >= every),
            Err(_) => false,
        };
        if !due {
            if let Err(e) = store.release_lease(LEASE, &holder).await {
                tracing::debug!(error = %e, "reconcile lease left to expire");
            }
            return latest.map(|_| None);
        }
    }
    let run = store.reconcile(repair, trigger).await;
    let recorded = match &run {
        Ok(run) => store.record_reconciliation(run).await,
        Err(_) => Ok(()),
    };
    if let Err(e) = store.release_lease(LEASE, &holder).await {
        tracing::debug!(error = %e, "reconcile lease left to expire");
    }
    let run = run?;
    recorded?;
    log(&run);
    Ok(Some(run))
}

fn log(run: &Reconciliation) {
    if run.drift_count == 0 {
        tracing::info!(id = %run.id, trigger = ?run.trigger, "reconciliation found no drift");
        return;
    }
    tracing::warn!(
        id = %run.id,
        trigger = ?run.trigger,
        drift = run.drift_count,
        repaired = run.repaired_count,
        "reconciliation found drift"
    );
    for drift in &run.drifts {
        tracing::warn!(
            kind = drift.kind.as_str(),
            target_type = %drift.target_type,
            target_id = %drift.target_id,
            repaired = drift.repaired,
            "{}",
            drift.detail
        );
    }
}

/// The periodic reconciliation. Every instance looks now and then: each
/// shows the latest stored run in its metrics, and once a run is due the
/// one that takes the lease runs it.
pub fn spawn(store: Store, metrics: Metrics, settings: ReconcileSettings, mut stopped: Stopped) {
    if settings.every_seconds == 0 {
        return;
    }
    let every =
        chrono::Duration::seconds(i64::try_from(settings.every_seconds).unwrap_or(i64::MAX));
    let look = Duration::from_secs(settings.every_seconds.clamp(1, 60));
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(look);
        while stopped.tick(&mut ticks).await {
            if !store.indexes_ready() {
                continue;
            }
            match due(&store, &metrics, every).await {
                Ok(false) => {}
                Ok(true) => {
                    let scheduled = ReconcileTrigger::Schedule;
                    match run_under_lease(&store, settings.repair, scheduled, Some(every)).await {
                        Ok(Some(run)) => metrics.set_reconciliation(&run),
                        Ok(None) => {}
                        Err(e) if e.code() == ErrorCode::ReconcileRunning => {}
                        Err(e) => {
                            tracing::warn!(error = %e, "reconciliation failed; tried again later")
                        }
                    }
                }
                Err(e) => tracing::debug!(error = %e, "reconciliation check skipped"),
            }
        }
    });
}

/// Shows the latest run in the metrics; whether the next is due.
async fn due(store: &Store, metrics: &Metrics, every: chrono::Duration) -> Result<bool, ApiError> {
    let latest = store.reconciliations(1).await?;
    let Some(last) = latest.first() else {
        return Ok(true);
    };
    metrics.set_reconciliation(last);
    let now = store.server_time().await?;
    Ok(now - last.started_at >= every)
}

/// A run as text, for `api reconcile`.
pub fn report(run: &Reconciliation) -> String {
    let c = &run.checked;
    let mut text = format!(
        "reconciliation {} ({}): {} performances ({} seats, {} confirmed bookings, {} active holds), \
         {} rooms ({} active reservations), {} wallets checked in {} ms\n",
        run.id,
        if run.repair { "repair" } else { "report only" },
        c.performances,
        c.seats,
        c.bookings,
        c.holds,
        c.rooms,
        c.reservations,
        c.wallets,
        (run.finished_at - run.started_at).num_milliseconds(),
    );
    if run.drift_count == 0 {
        text.push_str("no drift\n");
        return text;
    }
    let kinds: Vec<String> = run
        .drift_by_kind
        .iter()
        .map(|(kind, n)| format!("{} {n}", kind.as_str()))
        .collect();
    let _ = writeln!(
        text,
        "drift: {} ({}); repaired: {}",
        run.drift_count,
        kinds.join(", "),
        run.repaired_count
    );
    for drift in &run.drifts {
        let _ = writeln!(
            text,
            "  {} {} {}: {}{}",
            drift.kind.as_str(),
            drift.target_type,
            drift.target_id,
            drift.detail,
            if drift.repaired { " [repaired]" } else { "" }
        );
    }
    text
}
