//! Prometheus metrics of one API instance, in a registry of its own (no
//! process-wide globals, so several instances in one process, as in the
//! tests, keep their counts apart). `GET /metrics` renders them in the
//! Prometheus text format.
//!
//! HTTP requests are counted by `actix-web-prom` per method, route pattern
//! and status; the rest is fed from the places that know: booking and
//! reservation outcomes from a middleware that reads the answered error
//! code, transaction retries from the store, command latency and the
//! connection pool from the driver's event handlers, cache hits and misses
//! from the catalogue, and whether a primary is known from the driver's
//! topology events.

use std::sync::Arc;

mod driver;
mod http;

use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use shared::{DriftKind, Reconciliation, ReplicaSetMember};

use crate::error::ApiError;

pub use http::{metrics_endpoint, record_outcomes};

/// Prefix of every metric name.
pub const NAMESPACE: &str = "reservations";

/// Seconds; database commands take from well under a millisecond to the
/// server-selection timeout.
const COMMAND_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Handle to this instance's metrics, cheap to clone.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    outcomes: IntCounterVec,
    transaction_retries: IntCounterVec,
    transaction_giveups: IntCounterVec,
    command_seconds: HistogramVec,
    pool_connections: IntGaugeVec,
    pool_in_use: IntGaugeVec,
    pool_checkout_failures: IntCounterVec,
    pool_cleared: IntCounterVec,
    cache_hits: IntCounterVec,
    cache_misses: IntCounterVec,
    primary_known: IntGauge,
    member_up: IntGaugeVec,
    member_lag: GaugeVec,
    reconcile_drift: IntGaugeVec,
    reconcile_last_run: IntGauge,
    webhook_deliveries: IntCounterVec,
    mails: IntCounterVec,
    rate_limited: IntCounterVec,
}

/// Why a transaction ran its body or its commit again, or gave up.
#[derive(Debug, Clone, Copy)]
pub enum TransactionEvent {
    /// Another transaction wrote the same documents first.
    WriteConflict,
    /// The commit's fate was unknown (a lost connection, an election).
    UnknownCommitResult,
    /// No primary could be reached.
    Unavailable,
    /// Gave up after `transaction_timeout_ms` of conflicts.
    Busy,
}

impl TransactionEvent {
    fn label(self) -> &'static str {
        match self {
            Self::WriteConflict => "write_conflict",
            Self::UnknownCommitResult => "unknown_commit_result",
            Self::Unavailable => "unavailable",
            Self::Busy => "busy",
        }
    }
}

fn counter(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> Result<IntCounterVec, prometheus::Error> {
    let counter = IntCounterVec::new(Opts::new(name, help).namespace(NAMESPACE), labels)?;
    registry.register(Box::new(counter.clone()))?;
    Ok(counter)
}

fn gauge(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> Result<IntGaugeVec, prometheus::Error> {
    let gauge = IntGaugeVec::new(Opts::new(name, help).namespace(NAMESPACE), labels)?;
    registry.register(Box::new(gauge.clone()))?;
    Ok(gauge)
}

impl Metrics {
    /// A fresh registry with every metric defined (and the HTTP middleware
    /// that records into it, see [`Metrics::http_middleware`]).
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let command_seconds = HistogramVec::new(
            HistogramOpts::new(
                "db_command_duration_seconds",
                "Time from sending a database command to its reply, by command name and outcome",
            )
            .namespace(NAMESPACE)
            .buckets(COMMAND_BUCKETS.to_vec()),
            &["command", "outcome"],
        )?;
        registry.register(Box::new(command_seconds.clone()))?;
        let primary_known = IntGauge::with_opts(
            Opts::new(
                "db_primary_known",
                "1 while the driver knows a writable primary, else 0",
            )
            .namespace(NAMESPACE),
        )?;
        registry.register(Box::new(primary_known.clone()))?;
        let build = gauge(
            &registry,
            "build_info",
            "Always 1; the labels say which version runs",
            &["version"],
        )?;
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        let metrics = Self(Arc::new(Inner {
            outcomes: counter(
                &registry,
                "booking_outcomes_total",
                "Answers to booking and reservation requests, by kind, operation and result \
                 (`ok`, `replayed`, or the error code)",
                &["kind", "operation", "result"],
            )?,
            transaction_retries: counter(
                &registry,
                "db_transaction_retries_total",
                "Transactions run again, or commits retried, by reason",
                &["reason"],
            )?,
            transaction_giveups: counter(
                &registry,
                "db_transaction_giveups_total",
                "Transactions abandoned with 503, by reason",
                &["reason"],
            )?,
            command_seconds,
            pool_connections: gauge(
                &registry,
                "db_pool_connections",
                "Open connections in the driver's pool, per server",
                &["address"],
            )?,
            pool_in_use: gauge(
                &registry,
                "db_pool_connections_in_use",
                "Connections checked out of the pool, per server",
                &["address"],
            )?,
            pool_checkout_failures: counter(
                &registry,
                "db_pool_checkout_failures_total",
                "Failed attempts to get a connection from the pool, by reason",
                &["reason"],
            )?,
            pool_cleared: counter(
                &registry,
                "db_pool_cleared_total",
                "Times the pool of a server was cleared after an error, per server",
                &["address"],
            )?,
            cache_hits: counter(
                &registry,
                "cache_hits_total",
                "Catalogue reads answered from this instance's cache, by cache",
                &["cache"],
            )?,
            cache_misses: counter(
                &registry,
                "cache_misses_total",
                "Catalogue reads that had to load from the database, by cache",
                &["cache"],
            )?,
            primary_known,
            member_up: gauge(
                &registry,
                "db_member_up",
                "1 for each replica-set member that is up, 0 for one that is down (at the last scrape)",
                &["member", "state"],
            )?,
            member_lag: {
                let lag = GaugeVec::new(
                    Opts::new(
                        "db_replication_lag_seconds",
                        "How far each member's last applied write trails the primary's \
                         (replSetGetStatus, at the last scrape)",
                    )
                    .namespace(NAMESPACE),
                    &["member"],
                )?;
                registry.register(Box::new(lag.clone()))?;
                lag
            },
            webhook_deliveries: counter(
                &registry,
                "webhook_deliveries_total",
                "Webhook delivery attempts this instance finished, by result \
                 (`delivered`, `retried`, `dead`)",
                &["result"],
            )?,
            mails: counter(
                &registry,
                "mail_total",
                "E-mail jobs this instance finished, by kind and result \
                 (`sent`, `logged`, `skipped`, `retried`, `dead`)",
                &["kind", "result"],
            )?,
            rate_limited: counter(
                &registry,
                "rate_limited_total",
                "Requests this instance answered 429, by limit (\
                 `login_per_address`, `register_per_address`, `booking_per_user`, `public_reads_per_address`, \
                 `login_failures`)",
                &["limit"],
            )?,
            reconcile_drift: gauge(
                &registry,
                "reconcile_drift",
                "Derived facts that disagreed with their source of truth at the latest \
                 reconciliation, by kind (repaired or not); any instance reports the latest run",
                &["kind"],
            )?,
            reconcile_last_run: {
                let last = IntGauge::with_opts(
                    Opts::new(
                        "reconcile_last_run_timestamp_seconds",
                        "When the latest reconciliation finished (Unix time); 0 before any",
                    )
                    .namespace(NAMESPACE),
                )?;
                registry.register(Box::new(last.clone()))?;
                last
            },
            registry,
        }));
        // Series that exist from the start, so dashboards and alerts see
        // a zero rather than nothing.
        let inner = &metrics.0;
        for why in [
            TransactionEvent::WriteConflict,
            TransactionEvent::UnknownCommitResult,
            TransactionEvent::Unavailable,
        ] {
            inner.transaction_retries.with_label_values(&[why.label()]);
        }
        for why in [
            TransactionEvent::Busy,
            TransactionEvent::UnknownCommitResult,
            TransactionEvent::Unavailable,
        ] {
            inner.transaction_giveups.with_label_values(&[why.label()]);
        }
        for kind in DriftKind::ALL {
            inner.reconcile_drift.with_label_values(&[kind.as_str()]);
        }
        for result in ["delivered", "retried", "dead"] {
            inner.webhook_deliveries.with_label_values(&[result]);
        }
        for reason in ["timeout", "connection_error"] {
            inner.pool_checkout_failures.with_label_values(&[reason]);
        }
        Ok(metrics)
    }

    /// The middleware counting every request and its latency per method,
    /// route pattern (`/api/v1/rooms/{id}`, never the raw path; unmatched
    /// paths are `UNKNOWN`) and status.
    pub fn http_middleware(&self) -> Result<PrometheusMetrics, ApiError> {
        PrometheusMetricsBuilder::new(NAMESPACE)
            .registry(self.0.registry.clone())
            .mask_unmatched_patterns("UNKNOWN")
            .build()
            .map_err(|e| ApiError::Internal(format!("HTTP metrics: {e}")))
    }

    /// Everything in the Prometheus text exposition format.
    pub fn render(&self) -> Result<String, ApiError> {
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.0.registry.gather(), &mut buffer)
            .map_err(|e| ApiError::Internal(format!("encoding metrics: {e}")))?;
        String::from_utf8(buffer).map_err(|e| ApiError::Internal(format!("metrics text: {e}")))
    }

    pub fn transaction_retry(&self, why: TransactionEvent) {
        self.0
            .transaction_retries
            .with_label_values(&[why.label()])
            .inc();
    }

    pub fn transaction_giveup(&self, why: TransactionEvent) {
        self.0
            .transaction_giveups
            .with_label_values(&[why.label()])
            .inc();
    }

    pub fn cache_hit(&self, cache: &str) {
        self.0.cache_hits.with_label_values(&[cache]).inc();
    }

    pub fn cache_miss(&self, cache: &str) {
        self.0.cache_misses.with_label_values(&[cache]).inc();
    }

    pub(super) fn outcome(&self, kind: &str, operation: &str, result: &str) {
        self.0
            .outcomes
            .with_label_values(&[kind, operation, result])
            .inc();
    }

    /// The members as the replica set reported them just now; members no
    /// longer reported disappear from the series.
    pub fn set_members(&self, members: &[ReplicaSetMember]) {
        let inner = &self.0;
        inner.member_up.reset();
        inner.member_lag.reset();
        for member in members {
            let up = member.healthy.unwrap_or(member.state != "UNKNOWN");
            inner
                .member_up
                .with_label_values(&[member.host.as_str(), member.state.as_str()])
                .set(i64::from(up));
            if let Some(lag) = member.lag_ms {
                inner
                    .member_lag
                    .with_label_values(&[member.host.as_str()])
                    .set(lag as f64 / 1000.0);
            }
        }
    }

    /// A webhook delivery attempt ended: `delivered`, `retried` or `dead`.
    pub fn webhook_delivery(&self, result: &str) {
        self.0.webhook_deliveries.with_label_values(&[result]).inc();
    }

    /// An e-mail job of `kind` ended: `sent`, `logged`, `skipped`,
    /// `retried` or `dead`.
    pub fn mail(&self, kind: &str, result: &str) {
        self.0.mails.with_label_values(&[kind, result]).inc();
    }

    /// A request was refused by the rate limit named `limit`.
    pub fn rate_limited(&self, limit: &str) {
        self.0.rate_limited.with_label_values(&[limit]).inc();
    }

    /// The latest reconciliation's drift per kind and its time.
    pub fn set_reconciliation(&self, run: &Reconciliation) {
        for kind in DriftKind::ALL {
            let found = run.drift_by_kind.get(&kind).copied().unwrap_or(0);
            self.0
                .reconcile_drift
                .with_label_values(&[kind.as_str()])
                .set(i64::try_from(found).unwrap_or(i64::MAX));
        }
        self.0.reconcile_last_run.set(run.finished_at.timestamp());
    }

    /// Fed from the driver's topology events (see `store::topology`).
    pub fn set_primary_known(&self, known: bool) {
        self.0.primary_known.set(i64::from(known));
    }
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    use super::*;

    #[test]
    fn every_counted_operation_is_a_route_with_that_method() {
        let paths = crate::openapi::ApiDoc::openapi().paths.paths;
        for (method, path, _, _) in http::OUTCOME_ROUTES {
            let item = paths
                .get(path)
                .unwrap_or_else(|| panic!("{path} is not a route"));
            let operation = match method {
                "POST" => &item.post,
                "DELETE" => &item.delete,
                other => panic!("unexpected method {other}"),
            };
            assert!(operation.is_some(), "{method} {path} is not a route");
        }
    }

    #[test]
    fn every_metric_is_defined_and_registered() {
        let metrics = Metrics::new().unwrap();
        metrics.transaction_retry(TransactionEvent::WriteConflict);
        metrics.cache_hit("shows");

        let text = metrics.render().unwrap();

        assert!(
            text.contains("reservations_db_transaction_retries_total{reason=\"write_conflict\"} 1")
        );
        assert!(text.contains("reservations_cache_hits_total{cache=\"shows\"} 1"));
        assert!(text.contains("reservations_build_info{version="));
    }
}
