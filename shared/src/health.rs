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
    /// Whether the database answered a ping.
    pub database_reachable: bool,
    /// Whether startup finished creating the indexes that guard bookings.
    pub indexes_ready: bool,
    /// The replica set's name, when the server is a replica-set member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_set: Option<String>,
    /// Address of the current primary, when one is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    /// Members as the server reports them.
    #[serde(default)]
    pub members: Vec<ReplicaSetMember>,
}

/// One replica-set member as seen by the server we are connected to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplicaSetMember {
    /// host:port of the member.
    pub host: String,
    /// `primary`, `secondary`, `arbiter` or `passive`.
    pub role: String,
}
