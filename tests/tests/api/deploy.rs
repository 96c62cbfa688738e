//! The deployment material in `deploy/` agrees with the code: every file
//! parses, every environment variable it sets is a real setting, the
//! probe and metrics paths are served, the API's port is the same
//! everywhere, and the dashboard and alert rules use only metrics that
//! `/metrics` exports.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use api::configuration::Settings;
use serde_yaml_ng::Value as Yaml;
use tests::events::stage;
use tests::{TestApp, at, promtool, spawn_app};

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

/// Every file under `deploy/` but the demo data.
fn deploy_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, files);
            } else {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&deploy_dir(), &mut files);
    files.retain(|f| !f.starts_with(deploy_dir().join("demo")));
    files.sort();
    files
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(deploy_dir().join(relative))
        .unwrap_or_else(|e| panic!("deploy/{relative}: {e}"))
}

fn yaml_documents(text: &str, name: &str) -> Vec<Yaml> {
    use serde::Deserialize;
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|document| {
            Yaml::deserialize(document).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"))
        })
        .filter(|document| !document.is_null())
        .collect()
}

fn yaml(relative: &str) -> Vec<Yaml> {
    yaml_documents(&read(relative), relative)
}

/// Words made of `A-Z`, `a-z`, `0-9`, `_` in `text`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

#[test]
fn the_deploy_files_are_there_and_parse() {
    for required in [
        "README.md",
        "compose/Dockerfile",
        "compose/docker-compose.yml",
        "compose/docker-compose.psa.yml",
        "compose/nginx.conf",
        "compose/prometheus.yml",
        "grafana/reservations-dashboard.json",
        "prometheus/alerts.yml",
        "k8s/base/kustomization.yaml",
        "k8s/base/deployment.yaml",
        "k8s/base/hpa.yaml",
        "k8s/base/pdb.yaml",
        "k8s/base/service.yaml",
        "k8s/base/configmap.yaml",
        "k8s/mongodb/mongodbcommunity.yaml",
        "vm/mongod.conf",
        "vm/mongod.service",
        "vm/reservations-api.service",
        "vm/init-replica-set.sh",
    ] {
        assert!(
            deploy_dir().join(required).is_file(),
            "deploy/{required} is missing"
        );
    }
    let mut parsed = 0;
    for file in deploy_files() {
        let name = file.display().to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        match file.extension().and_then(|e| e.to_str()) {
            Some("yml" | "yaml") => {
                assert!(!yaml_documents(&text, &name).is_empty(), "{name} is empty");
                parsed += 1;
            }
            Some("json") => {
                serde_json::from_str::<serde_json::Value>(&text)
                    .unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
                parsed += 1;
            }
            _ => {}
        }
    }
    assert!(parsed >= 15, "only {parsed} YAML and JSON files");
    // mongod.conf is YAML too, whatever its extension.
    yaml("vm/mongod.conf");
}

#[test]
fn every_environment_variable_in_the_deploy_files_is_a_real_setting() {
    let known: BTreeSet<String> = Settings::environment_variables()
        .expect("settings")
        .into_iter()
        .collect();
    let mut seen = BTreeSet::new();
    for file in deploy_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for word in words(&text) {
            if word.starts_with("APP_") || word == "MONGODB_URI" {
                assert!(
                    known.contains(word),
                    "{} names {word}, which the API does not read; it reads {known:?}",
                    file.display()
                );
                seen.insert(word.to_owned());
            }
        }
    }
    assert!(
        seen.len() >= 10,
        "the deploy files set hardly any settings: {seen:?}"
    );
}

#[test]
fn prometheus_accepts_the_alert_rules_and_the_scrape_config() {
    let dir = deploy_dir();
    let rules = dir.join("prometheus/alerts.yml");
    let checked = promtool(&["check", "rules", rules.to_str().unwrap()], None);
    assert!(
        checked.status.success(),
        "promtool check rules: {checked:?}"
    );
    // Syntax only: the rule file's path is the one inside the container.
    let config = dir.join("compose/prometheus.yml");
    let checked = promtool(
        &["check", "config", "--syntax-only", config.to_str().unwrap()],
        None,
    );
    assert!(
        checked.status.success(),
        "promtool check config: {checked:?}"
    );
}

/// Paths like `/api/v1/health/ready` and `/metrics` named in `text`.
fn api_paths(text: &str) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    for prefix in ["/api/v1/", "/metrics"] {
        for (start, _) in text.match_indices(prefix) {
            let path: String = text[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "/_-".contains(*c))
                .collect();
            paths.insert(path.trim_end_matches('/').to_owned());
        }
    }
    paths
}

#[tokio::test]
async fn the_probe_and_metrics_paths_in_the_deploy_files_are_served() {
    let app = spawn_app().await;
    let mut paths = BTreeSet::new();
    for file in deploy_files() {
        if file.extension().is_some_and(|e| e == "md") {
            continue;
        }
        paths.extend(api_paths(&std::fs::read_to_string(&file).unwrap()));
    }
    for required in ["/api/v1/health", "/api/v1/health/ready", "/metrics"] {
        assert!(paths.contains(required), "no deploy file uses {required}");
    }
    for path in &paths {
        let response = app.get(path, None).await;
        assert!(
            response.status == 200,
            "{path}, used by the deploy files, answers {}",
            response.status
        );
    }
}

/// Every `containerPort` of a Kubernetes manifest's containers, by name.
fn container_ports(deployment: &Yaml) -> Vec<(String, u64)> {
    deployment["spec"]["template"]["spec"]["containers"]
        .as_sequence()
        .into_iter()
        .flatten()
        .flat_map(|c| c["ports"].as_sequence().cloned().unwrap_or_default())
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_owned(),
                p["containerPort"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_api_listens_on_the_same_port_everywhere() {
    let port = Settings::defaults().unwrap().application.port;
    let port_text = port.to_string();

    // Kubernetes: the ConfigMap's port, the container's, the probes'.
    let configmap = &yaml("k8s/base/configmap.yaml")[0];
    let configured = configmap["data"]["APP_APPLICATION__PORT"].as_str();
    assert!(configured.is_none_or(|p| p == port_text), "{configured:?}");
    let deployment = &yaml("k8s/base/deployment.yaml")[0];
    let ports = container_ports(deployment);
    assert_eq!(ports, vec![("http".to_owned(), u64::from(port))]);
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
        let probe_port = &container[probe]["httpGet"]["port"];
        assert!(
            probe_port.as_str() == Some("http") || probe_port.as_u64() == Some(u64::from(port)),
            "{probe} checks port {probe_port:?}"
        );
    }
    let service = &yaml("k8s/base/service.yaml")[0];
    let target = &service["spec"]["ports"][0]["targetPort"];
    assert!(target.as_str() == Some("http") || target.as_u64() == Some(u64::from(port)));

    // The image, compose, nginx and Prometheus.
    let dockerfile = read("compose/Dockerfile");
    assert!(dockerfile.contains(&format!("EXPOSE {port}")));
    assert!(dockerfile.contains(&format!("APP_APPLICATION__PORT={port}")));
    for compose in [
        "compose/docker-compose.yml",
        "compose/docker-compose.psa.yml",
    ] {
        let file = &yaml(compose)[0];
        for api in ["api1", "api2"] {
            let published: Vec<&str> = file["services"][api]["ports"]
                .as_sequence()
                .unwrap_or_else(|| panic!("{compose}: {api} publishes no port"))
                .iter()
                .filter_map(Yaml::as_str)
                .collect();
            assert!(
                published.iter().all(|p| p.ends_with(&format!(":{port}"))),
                "{compose}: {api} publishes {published:?}"
            );
        }
    }
    for config in ["compose/nginx.conf", "compose/prometheus.yml"] {
        let text = read(config);
        for api in ["api1", "api2"] {
            assert!(
                text.contains(&format!("{api}:{port}")),
                "{config} does not reach {api} on {port}"
            );
        }
    }
}

/// Metric names in PromQL expressions: words starting with `reservations_`.
fn metric_names(expressions: &[String]) -> BTreeSet<String> {
    expressions
        .iter()
        .flat_map(|e| words(e).map(str::to_owned).collect::<Vec<_>>())
        .filter(|w| w.starts_with("reservations_"))
        .collect()
}

fn dashboard_expressions() -> Vec<String> {
    fn walk(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value.as_str()) {
                        ("expr", Some(expr)) => found.push(expr.to_owned()),
                        _ => walk(value, found),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    let dashboard: serde_json::Value =
        serde_json::from_str(&read("grafana/reservations-dashboard.json")).unwrap();
    let mut found = Vec::new();
    walk(&dashboard, &mut found);
    found
}

fn alert_expressions() -> Vec<String> {
    let rules = &yaml("prometheus/alerts.yml")[0];
    rules["groups"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_sequence().cloned().unwrap_or_default())
        .map(|r| {
            r["expr"]
                .as_str()
                .expect("every rule has an expr")
                .to_owned()
        })
        .collect()
}

/// The metric names in a `/metrics` answer after bookings, reservations
/// and catalogue reads (histograms with their `_bucket`, `_sum` and
/// `_count` series).
async fn exported_after_traffic(app: &TestApp) -> BTreeSet<String> {
    let admin = app.admin_token().await;
    let room = app.room(&admin).await;
    let (_, user) = app.new_user().await;
    app.reserve_ok(&user, &room.id, at(1, 9.0), at(1, 10.0))
        .await;
    let stage = stage(app, 1, 4, 100).await;
    let buyer = app.buyer(1000).await;
    app.book_ok(&buyer, &stage, &["A1"]).await;
    for _ in 0..2 {
        app.get(&stage.perf_path("/seats"), None).await;
        app.get("/api/v1/shows", None).await;
    }
    let text = app.metrics_text().await;
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split(['{', ' ']).next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_dashboard_and_alert_rules_use_only_metrics_the_api_exports() {
    let app = spawn_app().await;
    let exported = exported_after_traffic(&app).await;

    let dashboard = metric_names(&dashboard_expressions());
    let alerts = metric_names(&alert_expressions());

    assert!(dashboard.len() >= 8, "a thin dashboard: {dashboard:?}");
    for (what, names) in [("dashboard", dashboard), ("alert rules", alerts)] {
        for name in names {
            assert!(
                exported.contains(&name),
                "the {what} use {name}, which /metrics does not export; it exports {exported:?}"
            );
        }
    }
}
