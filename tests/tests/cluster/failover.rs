//! The primary goes away in the middle of a booking storm spread over two
//! API instances: stepped down for 10 s, or killed and restarted. Nothing
//! acknowledged may be lost, no request may get a 500 or wait more than
//! 5 s, and both instances must be booking again within 3 s of the
//! primary's return, without a restart.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tests::failover::{Storm, Watch, readiness_summary, storm_through};
use tests::storm::{self, Cast, Http};
use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD, DbServer, TestApp, heavy_test_turn, spawn_app_with, spawn_cluster,
    test_settings,
};

const CLIENTS: usize = 32;
const INSTANCES: usize = 2;
/// Longest any request may wait for its answer, with default settings.
const LONGEST_WAIT: Duration = Duration::from_secs(5);
/// How soon after the primary's return each instance must book again.
const RECOVERY: Duration = Duration::from_secs(3);

/// Two instances on the database at `uri`, the storm's cast made through
/// them, and a watch on the primary.
struct Rig {
    cluster: Vec<TestApp>,
    http: Http,
    cast: Cast,
    watch: Watch,
    bases: Vec<String>,
}

impl Rig {
    async fn new(uri: &str) -> Self {
        let cluster = spawn_cluster(INSTANCES, test_settings(uri)).await;
        let http = Http::new();
        let admin = cluster[0].admin_token().await;
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let cast = storm::prepare(&http, &cluster[0].address, &admin, CLIENTS, 12, &tag)
            .await
            .expect("the storm's cast is made");
        let watch = Watch::connect(uri).await.expect("watch");
        let bases = cluster.iter().map(|a| a.address.clone()).collect();
        Self {
            cluster,
            http,
            cast,
            watch,
            bases,
        }
    }

    /// The storm with `fault` three seconds in, going on for five seconds
    /// after a primary is back.
    async fn storm<F, Fut>(&self, fault: F) -> Storm
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Instant, String>>,
    {
        storm_through(
            &self.http,
            &self.bases,
            &self.cast,
            &self.watch,
            Duration::from_secs(3),
            fault,
            Duration::from_secs(5),
        )
        .await
        .expect("the storm ran through the fault")
    }
}

/// Prints the figures, then checks every promise.
async fn assert_survived(label: &str, cluster: &[TestApp], storm: &Storm) {
    let report = storm::account(
        &cluster[0].db,
        &storm.records,
        INSTANCES,
        storm.fault,
        storm.back,
    )
    .await
    .expect("the database is read back");
    let readiness = readiness_summary(storm, INSTANCES);
    let mut figures =
        format!("--- {label}: {CLIENTS} clients over {INSTANCES} instances ---\n{report}");
    for (i, (refused, ready)) in readiness.iter().enumerate() {
        figures.push_str(&format!(
            "\nreadiness         instance {i}: 503 during the window: {refused}; 200 naming the primary {} after its return",
            ready.map_or("never".to_owned(), |d| format!("{} ms", d.as_millis()))
        ));
    }
    tests::report(&figures);

    assert!(report.problems.is_empty(), "{label}: {:?}", report.problems);
    assert!(
        report.unexpected.is_empty(),
        "{label}: {:?}",
        report.unexpected
    );
    assert_eq!(
        report.unanswered, 0,
        "{label}: requests got no answer at all"
    );
    assert!(report.acknowledged_seats > 0 && report.acknowledged_rooms > 0);
    assert!(
        report.unavailable > 0,
        "{label}: the storm met the window (no 503 seen)"
    );
    assert!(
        report.longest_wait <= LONGEST_WAIT,
        "{label}: a request waited {:?}",
        report.longest_wait
    );
    for (i, recovered) in report.recovery.iter().enumerate() {
        let recovered =
            recovered.unwrap_or_else(|| panic!("{label}: instance {i} never booked again"));
        assert!(
            recovered <= RECOVERY,
            "{label}: instance {i} booked again {recovered:?} after the primary's return"
        );
    }
    for (i, (refused, ready)) in readiness.into_iter().enumerate() {
        assert!(
            refused,
            "{label}: instance {i} never answered 503 during the window"
        );
        assert!(
            ready.is_some(),
            "{label}: instance {i} never named the primary again"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_primary_stepping_down_mid_storm_loses_nothing_acknowledged() {
    let _turn = heavy_test_turn().await;
    let server = DbServer::started();
    let rig = Rig::new(&server.uri()).await;

    let storm = rig
        .storm(|| async {
            let struck = Instant::now();
            rig.watch.step_down(10).await?;
            Ok(struck)
        })
        .await;

    assert!(
        storm.back - storm.fault >= Duration::from_secs(5),
        "the primary was gone for {:?} only",
        storm.back - storm.fault
    );
    assert_survived("stepdown", &rig.cluster, &storm).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_primary_killed_mid_storm_and_restarted_loses_nothing_acknowledged() {
    let _turn = heavy_test_turn().await;
    let server = Arc::new(Mutex::new(DbServer::started()));
    let uri = server.lock().unwrap().uri();
    let rig = Rig::new(&uri).await;

    let storm = rig
        .storm(|| async {
            let struck = Instant::now();
            let server = Arc::clone(&server);
            tokio::task::spawn_blocking(move || {
                // kill -9, down for 3 s, then the same data directory again
                // (every commit fsynced).
                server.lock().unwrap().kill();
                std::thread::sleep(Duration::from_secs(3));
                server.lock().unwrap().start();
            });
            rig.watch.until(false, Duration::from_secs(10)).await?;
            Ok(struck)
        })
        .await;

    assert_survived("kill -9", &rig.cluster, &storm).await;
}

/// The drill operators run against their own cluster, run here against an
/// API instance on a server of its own: it must pass, and say why.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_failover_drill_passes_against_a_running_instance() {
    let _turn = heavy_test_turn().await;
    let server = DbServer::started();
    let settings = test_settings(&server.uri());
    let app = spawn_app_with(settings.clone()).await;

    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_failover-drill"))
        .args([
            "--api",
            &app.address,
            "--mongodb-uri",
            &server.uri(),
            "--db-name",
            &settings.database.name,
            "--admin-email",
            ADMIN_EMAIL,
            "--admin-password",
            ADMIN_PASSWORD,
            "--clients",
            "16",
            "--stepdown-seconds",
            "5",
        ])
        .output()
        .await
        .expect("the drill runs");

    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    tests::report(&format!("--- failover-drill ---\n{stdout}"));
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("OK: every acknowledged"), "{stdout}");
}
