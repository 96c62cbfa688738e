//! What the replica set looks like, for readiness and operators: which
//! member is primary, each member's state and how far it lags.
//!
//! `replSetGetStatus` says it all when the database user may run it
//! (`clusterMonitor`); otherwise the driver's own monitoring, which runs
//! `hello` against every member, gives each member's state without lag.

use std::sync::{Arc, Mutex};

use bson::{Bson, Document, doc};
use mongodb::event::EventHandler;
use mongodb::event::sdam::{SdamEvent, TopologyDescription};
use mongodb::options::{ReadPreference, SelectionCriteria};
use mongodb::{ServerType, TopologyType};
use shared::ReplicaSetMember;

use super::Store;
use crate::metrics::Metrics;

/// The driver's latest view of the deployment, kept from its topology events.
#[derive(Clone, Default)]
pub struct TopologyWatch(Arc<Mutex<Option<TopologyDescription>>>);

impl TopologyWatch {
    /// The event handler that keeps this view (and the `db_primary_known`
    /// gauge) current.
    pub fn events(&self, metrics: Metrics) -> EventHandler<SdamEvent> {
        let latest = Arc::clone(&self.0);
        EventHandler::callback(move |event| {
            if let SdamEvent::TopologyDescriptionChanged(change) = event {
                metrics.set_primary_known(change.new_description.has_writable_server());
                *latest
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some(change.new_description);
            }
        })
    }

    /// Whether the driver knows a writable primary now.
    pub fn writable(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .is_some_and(TopologyDescription::has_writable_server)
    }

    fn latest(&self) -> Option<TopologyDescription> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// The deployment as one member and the driver see it now.
#[derive(Debug, Default)]
pub struct ReplicaSetReport {
    /// Some member answered `hello`.
    pub reachable: bool,
    /// The member that answered says a writable primary exists.
    pub writable: bool,
    pub replica_set: Option<String>,
    pub primary: Option<String>,
    pub members: Vec<ReplicaSetMember>,
    /// `replSetGetStatus` or `hello`.
    pub members_source: Option<&'static str>,
}

/// Any member may answer: readiness must work during an election.
fn any_member() -> SelectionCriteria {
    SelectionCriteria::ReadPreference(ReadPreference::PrimaryPreferred { options: None })
}

impl Store {
    /// Asks the deployment what it looks like. Never fails: an unreachable
    /// database is a report saying so.
    pub async fn replica_set_report(&self) -> ReplicaSetReport {
        let Ok(hello) = self
            .db
            .run_command(doc! { "hello": 1 })
            .selection_criteria(any_member())
            .await
        else {
            return ReplicaSetReport::default();
        };
        let primary = hello.get_str("primary").ok().map(str::to_owned);
        // A standalone server has no primary field but accepts writes itself.
        let writable = hello.get_bool("isWritablePrimary").unwrap_or(false) || primary.is_some();
        let mut report = ReplicaSetReport {
            reachable: true,
            writable,
            replica_set: hello.get_str("setName").ok().map(str::to_owned),
            primary,
            ..ReplicaSetReport::default()
        };
        let status = self
            .client
            .database("admin")
            .run_command(doc! { "replSetGetStatus": 1 })
            .selection_criteria(any_member())
            .await;
        match status {
            Ok(status) => {
                report.members = members_from_status(&status, own_state(&hello));
                report.members_source = Some("replSetGetStatus");
            }
            // Not allowed (the user lacks clusterMonitor), or not a replica set.
            Err(e) => {
                tracing::debug!(error = %e, "replSetGetStatus unavailable; members from hello");
                report.members = match self.topology.latest() {
                    Some(topology) => members_from_topology(&topology),
                    None => members_from_hello(&hello),
                };
                report.members_source = Some("hello");
            }
        }
        report
    }
}

fn role_of_state(state: &str) -> &'static str {
    match state {
        "PRIMARY" => "primary",
        "SECONDARY" => "secondary",
        "ARBITER" => "arbiter",
        "UNKNOWN" => "unknown",
        _ => "other",
    }
}

fn millis(value: Option<&Bson>) -> Option<i64> {
    match value {
        Some(Bson::DateTime(t)) => Some(t.timestamp_millis()),
        _ => None,
    }
}

/// The answering member's own state by its `hello`: its name and state.
fn own_state(hello: &Document) -> Option<(&str, &'static str)> {
    let me = hello.get_str("me").ok()?;
    let state = if hello.get_bool("isWritablePrimary").unwrap_or(false) {
        "PRIMARY"
    } else if hello.get_bool("secondary").unwrap_or(false) {
        "SECONDARY"
    } else if hello.get_bool("arbiterOnly").unwrap_or(false) {
        "ARBITER"
    } else {
        return None;
    };
    Some((me, state))
}

/// Members from `replSetGetStatus`. `own` is the answering member's state
/// by its `hello`, which wins over the status document where they differ
/// (a status taken a moment before a step-down, or a server whose status
/// document lags its role).
fn members_from_status(
    status: &Document,
    own: Option<(&str, &'static str)>,
) -> Vec<ReplicaSetMember> {
    let members: Vec<(&Document, String)> = status
        .get_array("members")
        .map(|m| m.iter().filter_map(Bson::as_document).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            let name = m.get_str("name").unwrap_or_default();
            let state = match own {
                Some((me, state)) if me == name => state,
                _ => m.get_str("stateStr").unwrap_or("UNKNOWN"),
            };
            (m, state.to_owned())
        })
        .collect();
    let primary_optime = members
        .iter()
        .find(|(_, state)| state == "PRIMARY")
        .and_then(|(m, _)| millis(m.get("optimeDate")));
    members
        .into_iter()
        .filter_map(|(m, state)| {
            let host = m.get_str("name").ok()?.to_owned();
            let healthy = m
                .get("health")
                .and_then(|h| h.as_f64().or_else(|| h.as_i32().map(f64::from)))
                .map(|h| h >= 1.0);
            let lag_ms = match (&*state, primary_optime, millis(m.get("optimeDate"))) {
                ("ARBITER", _, _) => None,
                (_, Some(primary), Some(own)) => Some((primary - own).max(0)),
                _ => None,
            };
            Some(ReplicaSetMember {
                host,
                role: role_of_state(&state).to_owned(),
                state,
                healthy,
                lag_ms,
            })
        })
        .collect()
}

fn members_from_topology(topology: &TopologyDescription) -> Vec<ReplicaSetMember> {
    let single = topology.topology_type() == TopologyType::Single;
    let mut members: Vec<ReplicaSetMember> = topology
        .servers()
        .into_iter()
        .map(|(address, server)| {
            let state = match server.server_type() {
                ServerType::RsPrimary => "PRIMARY",
                ServerType::RsSecondary => "SECONDARY",
                ServerType::RsArbiter => "ARBITER",
                ServerType::Standalone if single => "STANDALONE",
                ServerType::Unknown => "UNKNOWN",
                _ => "OTHER",
            };
            ReplicaSetMember {
                host: address.to_string(),
                role: match state {
                    "STANDALONE" => "primary",
                    other => role_of_state(other),
                }
                .to_owned(),
                state: state.to_owned(),
                healthy: Some(server.error().is_none() && state != "UNKNOWN"),
                // The primary trails itself by nothing; others are unknown.
                lag_ms: (state == "PRIMARY").then_some(0),
            }
        })
        .collect();
    members.sort_by(|a, b| a.host.cmp(&b.host));
    members
}

/// The member lists of one `hello` answer, before the driver has a view.
fn members_from_hello(hello: &Document) -> Vec<ReplicaSetMember> {
    let primary = hello.get_str("primary").ok();
    let list = |key: &str| -> Vec<String> {
        hello
            .get_array(key)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let member = |host: String, role: &str, state: &str| ReplicaSetMember {
        host,
        role: role.to_owned(),
        state: state.to_owned(),
        healthy: None,
        lag_ms: (state == "PRIMARY").then_some(0),
    };
    let mut members: Vec<ReplicaSetMember> = list("hosts")
        .into_iter()
        .map(|host| {
            if Some(host.as_str()) == primary {
                member(host, "primary", "PRIMARY")
            } else {
                member(host, "secondary", "SECONDARY")
            }
        })
        .collect();
    members.extend(
        list("passives")
            .into_iter()
            .map(|h| member(h, "passive", "SECONDARY")),
    );
    members.extend(
        list("arbiters")
            .into_iter()
            .map(|h| member(h, "arbiter", "ARBITER")),
    );
    members
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_is_measured_against_the_primary_and_arbiters_have_none() {
        let at = |ms: i64| Bson::DateTime(bson::DateTime::from_millis(ms));
        let status = doc! { "members": [
            { "name": "a:27017", "stateStr": "PRIMARY", "health": 1.0, "optimeDate": at(10_000) },
            { "name": "b:27017", "stateStr": "SECONDARY", "health": 1.0, "optimeDate": at(7_500) },
            { "name": "c:27017", "stateStr": "ARBITER", "health": 1 },
            { "name": "d:27017", "stateStr": "(not reachable/healthy)", "health": 0.0 },
        ] };

        let members = members_from_status(&status, None);

        let summary: Vec<(&str, &str, Option<bool>, Option<i64>)> = members
            .iter()
            .map(|m| (m.host.as_str(), m.role.as_str(), m.healthy, m.lag_ms))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("a:27017", "primary", Some(true), Some(0)),
                ("b:27017", "secondary", Some(true), Some(2_500)),
                ("c:27017", "arbiter", Some(true), None),
                ("d:27017", "other", Some(false), None),
            ]
        );
    }

    #[test]
    fn without_a_primary_no_lag_is_claimed() {
        let status = doc! { "members": [
            { "name": "a:27017", "stateStr": "SECONDARY", "health": 1.0,
              "optimeDate": Bson::DateTime(bson::DateTime::from_millis(5)) },
        ] };

        assert_eq!(members_from_status(&status, None)[0].lag_ms, None);
    }

    #[test]
    fn the_answering_members_hello_wins_over_its_status_document() {
        let at = Bson::DateTime(bson::DateTime::from_millis(5));
        let status = doc! { "members": [
            { "name": "a:1", "stateStr": "PRIMARY", "health": 1.0, "optimeDate": at.clone() },
            { "name": "b:1", "stateStr": "SECONDARY", "health": 1.0, "optimeDate": at },
        ] };
        let hello = doc! { "me": "a:1", "isWritablePrimary": false, "secondary": true };

        let members = members_from_status(&status, own_state(&hello));

        let states: Vec<(&str, &str, Option<i64>)> = members
            .iter()
            .map(|m| (m.host.as_str(), m.state.as_str(), m.lag_ms))
            .collect();
        assert_eq!(
            states,
            vec![("a:1", "SECONDARY", None), ("b:1", "SECONDARY", None)],
            "no primary, so no lag"
        );
    }

    #[test]
    fn hello_lists_name_the_primary_passives_and_arbiters() {
        let hello = doc! {
            "hosts": ["a:1", "b:1"], "passives": ["p:1"], "arbiters": ["z:1"], "primary": "b:1",
        };

        let roles: Vec<(String, String)> = members_from_hello(&hello)
            .into_iter()
            .map(|m| (m.host, m.role))
            .collect();

        assert_eq!(
            roles,
            [
                ("a:1", "secondary"),
                ("b:1", "primary"),
                ("p:1", "passive"),
                ("z:1", "arbiter")
            ]
            .map(|(h, r)| (h.to_owned(), r.to_owned()))
            .to_vec()
        );
    }
}
