//! Throughput and latency figures, and the loop that measures them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::future::join_all;

pub struct Figures {
    pub ops: usize,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl Figures {
    /// Two runs as one: their operations, times and latencies added up.
    pub fn merge(mut self, other: Figures) -> Figures {
        self.ops += other.ops;
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
        self
    }

    pub fn rate(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        if sorted.is_empty() {
            return 0.0;
        }
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[index].as_secs_f64() * 1000.0
    }

    pub fn row(&self, name: &str) -> String {
        format!(
            "| {name:<46} | {:>6} | {:>7.2} | {:>8.1} | {:>7.1} | {:>7.1} | {:>7.1} | {:>7.1} |",
            self.ops,
            self.elapsed.as_secs_f64(),
            self.rate(),
            self.percentile(0.5),
            self.percentile(0.9),
            self.percentile(0.99),
            self.percentile(1.0),
        )
    }
}

/// Runs `total` operations over `concurrency` workers; `op(worker, i)`.
pub async fn drive<F, Fut>(total: usize, concurrency: usize, op: F) -> Figures
where
    F: Fn(usize, usize) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let per_worker = join_all((0..concurrency).map(|worker| {
        let (next, op) = (&next, &op);
        async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return latencies;
                }
                let t = Instant::now();
                assert!(op(worker, i).await, "operation {i} failed");
                latencies.push(t.elapsed());
            }
        }
    }))
    .await;
    Figures {
        ops: total,
        elapsed: started.elapsed(),
        latencies: per_worker.into_iter().flatten().collect(),
    }
}

/// Mean driver-side time per database command and commands per
/// operation, read from the store's own metrics (`/metrics` names):
/// where a transaction's time goes.
pub fn command_times(metrics_text: &str, ops: usize) -> String {
    let value = |line: &str| line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok());
    let command = |line: &str| {
        line.split("command=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(str::to_owned)
    };
    let mut rows: Vec<(String, f64, f64)> = Vec::new();
    for line in metrics_text.lines() {
        let sum = line.starts_with("reservations_db_command_duration_seconds_sum");
        let count = line.starts_with("reservations_db_command_duration_seconds_count");
        if !(sum || count) || !line.contains("outcome=\"ok\"") {
            continue;
        }
        let (Some(name), Some(v)) = (command(line), value(line)) else {
            continue;
        };
        let row = match rows.iter_mut().find(|r| r.0 == name) {
            Some(row) => row,
            None => {
                rows.push((name, 0.0, 0.0));
                rows.last_mut().expect("just pushed")
            }
        };
        if sum { row.1 += v } else { row.2 += v }
    }
    rows.iter()
        .filter(|r| r.2 > 0.0)
        .map(|(name, sum, count)| {
            format!(
                "{name} {:.1} ms x {:.1}",
                sum / count * 1000.0,
                count / ops.max(1) as f64
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `--name N` pairs on the command line (cargo's own arguments, such
/// as `--bench`, are skipped).
pub fn numeric_options() -> std::collections::HashMap<String, usize> {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2)
        .filter(|pair| pair[0].starts_with("--"))
        .filter_map(|pair| Some((pair[0].clone(), pair[1].parse().ok()?)))
        .collect()
}
