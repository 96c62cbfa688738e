//! The load test's percentile table and its verdict on the thresholds.

use goose::metrics::{GooseMetrics, GooseRequestMetricTimingData};

/// Requests that only read (the original test's whole load).
const READS: [&str; 4] = ["show list", "show page", "seat map", "seat map (buyer)"];

/// `data` merged into `into`.
fn merge(into: &mut GooseRequestMetricTimingData, data: &GooseRequestMetricTimingData) {
    if data.counter == 0 {
        return;
    }
    for (&bucket, &count) in data.times_us.iter() {
        let before = into.times_us.get(&bucket).copied().unwrap_or(0);
        into.times_us.insert(bucket, before + count);
    }
    if into.counter == 0 || data.minimum_time_us < into.minimum_time_us {
        into.minimum_time_us = data.minimum_time_us;
    }
    into.maximum_time_us = into.maximum_time_us.max(data.maximum_time_us);
    into.total_time_us += data.total_time_us;
    into.counter += data.counter;
}

fn ms(data: &GooseRequestMetricTimingData, p: f32) -> f64 {
    data.percentile_us(p) as f64 / 1000.0
}

fn row(name: &str, data: &GooseRequestMetricTimingData, failed: usize, seconds: f64) {
    println!(
        "| {name:<22} | {:>8} | {:>6} | {:>8.1} | {:>7.1} | {:>7.1} | {:>7.1} | {:>7.1} | {:>8.1} |",
        data.counter,
        failed,
        data.counter as f64 / seconds.max(1.0),
        ms(data, 0.5),
        ms(data, 0.9),
        ms(data, 0.95),
        ms(data, 0.99),
        data.maximum_time_us as f64 / 1000.0,
    );
}

fn verdict(name: &str, pass: bool) {
    println!("  {} {name}", if pass { "PASS" } else { "FAIL" });
}

/// Prints the table and the thresholds; returns the number of errors.
pub fn print(metrics: &GooseMetrics) -> usize {
    let seconds = metrics.duration as f64;
    println!();
    println!(
        "{} s, up to {} users ({} in all); times to the first byte of the answer",
        metrics.duration, metrics.maximum_users, metrics.total_users
    );
    println!();
    println!(
        "| {:<22} | {:>8} | {:>6} | {:>8} | {:>7} | {:>7} | {:>7} | {:>7} | {:>8} |",
        "request", "count", "errors", "req/s", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "max ms"
    );
    println!(
        "|{:-<24}|{:-<10}|{:-<8}|{:-<10}|{:-<9}|{:-<9}|{:-<9}|{:-<9}|{:-<10}|",
        "", "", "", "", "", "", "", "", ""
    );
    let mut names: Vec<&String> = metrics.requests.keys().collect();
    names.sort();
    let (mut all, mut reads) = (
        GooseRequestMetricTimingData::default(),
        GooseRequestMetricTimingData::default(),
    );
    let (mut errors, mut read_errors) = (0, 0);
    for key in names {
        let aggregate = &metrics.requests[key];
        row(
            &aggregate.path,
            &aggregate.raw_data,
            aggregate.fail_count,
            seconds,
        );
        merge(&mut all, &aggregate.raw_data);
        errors += aggregate.fail_count;
        if READS.contains(&aggregate.path.as_str()) {
            merge(&mut reads, &aggregate.raw_data);
            read_errors += aggregate.fail_count;
        }
    }
    row("all reads", &reads, read_errors, seconds);
    row("everything", &all, errors, seconds);
    // Goose records every non-2xx answer here, also those the journeys
    // took as normal outcomes (a seat someone else held first).
    let failed = |name: &str| {
        metrics
            .requests
            .values()
            .any(|r| r.path == name && r.fail_count > 0)
    };
    for error in metrics.errors.values().filter(|e| failed(&e.name)) {
        println!(
            "  error in {}: {} x {}",
            error.name, error.occurrences, error.error
        );
    }
    let error_share = errors as f64 / all.counter.max(1) as f64;
    println!();
    println!("The original thresholds (everything):");
    verdict(
        &format!("p90 {:.1} ms < 3 s", ms(&all, 0.9)),
        ms(&all, 0.9) < 3000.0,
    );
    verdict(
        &format!("p95 {:.1} ms < 5 s", ms(&all, 0.95)),
        ms(&all, 0.95) < 5000.0,
    );
    verdict(
        &format!("errors {:.2} % < 20 %", error_share * 100.0),
        error_share < 0.2,
    );
    println!("Ours:");
    verdict(&format!("errors {errors} = 0"), errors == 0);
    verdict(
        &format!("reads p99 {:.1} ms < 200 ms", ms(&reads, 0.99)),
        ms(&reads, 0.99) < 200.0,
    );
    errors
}
