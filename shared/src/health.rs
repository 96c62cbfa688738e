//! Liveness and readiness reports.

use serde::{Deserialize, Serialize};

/// Liveness: the process is up and answering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// Always `ok`.
    pub status: String,
    /// The server's version.
    pub version: String,
}

/// Readiness: the database is reachable and has a writable primary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Readiness {
    /// `ready` when requests can be served, otherwise `unavailable`.
    pub status: String,
    /// Whether some member of the database answered.
    pub database_reachable: bool,
    /// Whether startup finished creating the indexes that guard bookings.
    pub indexes_ready: bool,
    /// The replica set's name, when the server is a replica-set member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_set: Option<String>,
    /// Address of the current primary, when one is known. Absent during an
    /// election: writes are refused with `503` until a primary is elected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    /// Every member with its state and, where known, its replication lag.
    #[serde(default)]
    pub members: Vec<ReplicaSetMember>,
    /// Where the member states come from: `replSetGetStatus` (states,
    /// health and lag, when the database user may run it) or `hello` (the
    /// driver's monitoring of each member: states only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_source: Option<String>,
}

/// One replica-set member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplicaSetMember {
    /// host:port of the member.
    pub host: String,
    /// `primary`, `secondary`, `arbiter`, `passive` (a data member that can
    /// never become primary), `other` (recovering, starting up, down) or
    /// `unknown` (not reachable from this instance).
    pub role: String,
    /// The member's state in MongoDB's words: `PRIMARY`, `SECONDARY`,
    /// `ARBITER`, `RECOVERING`, `STARTUP2`, `DOWN`, `UNKNOWN`, ...
    pub state: String,
    /// Whether the member is up, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthy: Option<bool>,
    /// How far the member's last applied write trails the primary's, in
    /// milliseconds, when known: every member's from `replSetGetStatus`
    /// with a primary, only the primary's (0) from `hello`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_ms: Option<i64>,
}
