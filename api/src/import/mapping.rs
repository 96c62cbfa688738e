//! The mapping file of a relational export: which CSV file holds each
//! table, which column holds each field, and how the export spells roles
//! and statuses. TOML; file names are relative to the mapping file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Names the export: imported reservations carry `source:key`, which
    /// is how a second run recognises them.
    pub source: String,
    /// The IANA zone of times written without an offset; by default each
    /// reservation's room's zone.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// The column separator, one character; `,` by default.
    #[serde(default)]
    pub delimiter: Option<char>,
    #[serde(default)]
    pub users: Option<UsersTable>,
    #[serde(default)]
    pub rooms: Option<RoomsTable>,
    #[serde(default)]
    pub reservations: Option<ReservationsTable>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsersTable {
    pub file: PathBuf,
    pub key: String,
    pub email: String,
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    /// Source value -> `user` or `admin`; without it the values are read
    /// as those words.
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomsTable {
    pub file: PathBuf,
    pub key: String,
    pub name: String,
    pub location: String,
    pub capacity: String,
    #[serde(default)]
    pub projector: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub requires_approval: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReservationsTable {
    pub file: PathBuf,
    pub key: String,
    /// The column joining the users table's key.
    pub user: String,
    /// The column joining the rooms table's key.
    pub room: String,
    pub start: String,
    pub end: String,
    pub purpose: String,
    #[serde(default)]
    pub status: Option<String>,
    /// Source value -> `approved`, `pending`, `cancelled` or `rejected`;
    /// without it the values are read as those words. Without a status
    /// column every reservation is approved.
    #[serde(default)]
    pub statuses: BTreeMap<String, String>,
}

impl Mapping {
    /// Reads the mapping at `path`; table files become paths next to it.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("mapping file {}: {e}", path.display()))?;
        let mut mapping =
            Self::parse(&text).map_err(|e| format!("mapping file {}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        if let Some(t) = mapping.users.as_mut() {
            t.file = base.join(&t.file);
        }
        if let Some(t) = mapping.rooms.as_mut() {
            t.file = base.join(&t.file);
        }
        if let Some(t) = mapping.reservations.as_mut() {
            t.file = base.join(&t.file);
        }
        Ok(mapping)
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let mapping: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        if mapping.source.trim().is_empty() || mapping.source.contains(':') {
            return Err("`source` must name the export, without `:`".into());
        }
        if let Some(zone) = &mapping.time_zone {
            zone.parse::<chrono_tz::Tz>()
                .map_err(|_| format!("`time_zone` {zone:?} is not an IANA time zone"))?;
        }
        if mapping.delimiter.is_some_and(|d| !d.is_ascii()) {
            return Err("`delimiter` must be one ASCII character".into());
        }
        if mapping.users.is_none() && mapping.rooms.is_none() && mapping.reservations.is_none() {
            return Err("names no table: give [users], [rooms] or [reservations]".into());
        }
        Ok(mapping)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_names_its_tables_and_columns() {
        let mapping = Mapping::parse(
            r#"
            source = "legacy"
            time_zone = "Asia/Seoul"
            [users]
            file = "members.csv"
            key = "member_id"
            email = "mail"
            name = "full_name"
            role = "grade"
            roles = { ADMIN = "admin", STAFF = "user" }
            "#,
        )
        .unwrap();
        let users = mapping.users.unwrap();
        assert_eq!(users.key, "member_id");
        assert_eq!(users.roles.get("ADMIN").map(String::as_str), Some("admin"));
    }

    #[test]
    fn an_unknown_key_a_bad_zone_or_no_table_is_refused_by_name() {
        let unknown = Mapping::parse(
            "source = \"x\"\n[users]\nfile=\"u.csv\"\nkey=\"id\"\nemail=\"e\"\nname=\"n\"\nmail=\"m\"\n",
        );
        assert!(unknown.unwrap_err().contains("mail"));
        let zone = Mapping::parse(
            "source = \"x\"\ntime_zone = \"Mars/Base\"\n[rooms]\nfile=\"r.csv\"\nkey=\"k\"\nname=\"n\"\nlocation=\"l\"\ncapacity=\"c\"\n",
        );
        assert!(zone.unwrap_err().contains("Mars/Base"));
        assert!(
            Mapping::parse("source = \"x\"")
                .unwrap_err()
                .contains("no table")
        );
    }
}
