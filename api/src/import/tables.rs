//! Reads a relational export: the CSV tables a mapping names, one record
//! per row, every refused row with its line and reason.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono_tz::Tz;
use shared::CreateRoom;

use super::mapping::{Mapping, ReservationsTable, RoomsTable, UsersTable};
use super::records::{
    Invalid, Place, ReservationRecord, RoomRecord, Source, UserRecord, When, Which, Who,
    parse_bool, parse_role, parse_status, problem,
};
use crate::domain::room::NewRoom;
use crate::domain::user::Email;

/// One table's rows: each with its place and a lookup by column name.
struct Table {
    file: String,
    header: HashMap<String, usize>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    /// Reads the CSV `file` from `input`.
    fn read(file: String, input: impl std::io::Read, delimiter: u8) -> Result<Self, String> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(input);
        let header = reader
            .headers()
            .map_err(|e| format!("{file}: {e}"))?
            .iter()
            .enumerate()
            // A byte-order mark some tools write before the first name.
            .map(|(i, name)| (name.trim_start_matches('\u{feff}').trim().to_owned(), i))
            .collect();
        let mut rows = Vec::new();
        for row in reader.records() {
            let row = row.map_err(|e| format!("{file}: {e}"))?;
            let line = row.position().map_or(0, |p| p.line());
            rows.push((line, row));
        }
        Ok(Self { file, header, rows })
    }

    /// Fails when the mapping names a column the file does not have.
    fn column(&self, name: &str) -> Result<usize, String> {
        self.header.get(name).copied().ok_or_else(|| {
            let mut have: Vec<&str> = self.header.keys().map(String::as_str).collect();
            have.sort_unstable();
            format!(
                "{}: no column {name:?} (it has {})",
                self.file,
                have.join(", ")
            )
        })
    }

    fn optional(&self, name: Option<&String>) -> Result<Option<usize>, String> {
        name.map(|n| self.column(n)).transpose()
    }

    fn place(&self, line: u64) -> Place {
        Place {
            file: self.file.clone(),
            spot: line.to_string(),
        }
    }
}

fn cell(row: &csv::StringRecord, column: usize) -> &str {
    row.get(column).unwrap_or("").trim()
}

/// Reads every table the mapping names from the files on disk (relative
/// to the mapping file, as [`Mapping::load`] resolved them). Fails only
/// when a file or a mapped column is missing; bad rows are listed in
/// [`Source::invalid`].
pub fn read(mapping: &Mapping) -> Result<Source, String> {
    read_with(mapping, &|path: &Path| {
        let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Box::new(std::io::BufReader::new(file)) as Box<dyn std::io::Read>)
    })
}

/// Reads every table the mapping names from `files` (file name -> text),
/// as uploaded.
pub fn read_uploaded(
    mapping: &Mapping,
    files: &BTreeMap<String, String>,
) -> Result<Source, String> {
    read_with(mapping, &|path: &Path| {
        let name = path.to_string_lossy();
        let text = files.get(name.as_ref()).ok_or_else(|| {
            format!("the mapping names {name}, which is not among the files sent")
        })?;
        Ok(Box::new(text.as_bytes()) as Box<dyn std::io::Read + '_>)
    })
}

type Opener<'a> = dyn Fn(&Path) -> Result<Box<dyn std::io::Read + 'a>, String> + 'a;

fn read_with<'a>(mapping: &Mapping, open: &Opener<'a>) -> Result<Source, String> {
    let delimiter = mapping.delimiter.map_or(b',', |c| c as u8);
    let zone = mapping
        .time_zone
        .as_deref()
        .map(|z| z.parse::<Tz>().map_err(|_| format!("time zone {z:?}")))
        .transpose()?;
    let table = |path: &Path| {
        let file = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Table::read(file, open(path)?, delimiter)
    };
    let mut source = Source {
        name: mapping.source.clone(),
        ..Source::default()
    };
    if let Some(users) = &mapping.users {
        read_users(&table(&users.file)?, users, &mut source)?;
    }
    if let Some(rooms) = &mapping.rooms {
        read_rooms(&table(&rooms.file)?, rooms, &mut source)?;
    }
    if let Some(reservations) = &mapping.reservations {
        let joins = (mapping.users.is_some(), mapping.rooms.is_some());
        read_reservations(
            &table(&reservations.file)?,
            reservations,
            (zone, joins),
            &mut source,
        )?;
    }
    Ok(source)
}

/// A source value through the mapping's table of values, if it has one.
fn translated<'a>(values: &'a BTreeMap<String, String>, raw: &'a str) -> &'a str {
    values.get(raw).map_or(raw, String::as_str)
}

fn read_users(t: &Table, m: &UsersTable, source: &mut Source) -> Result<(), String> {
    let (key, email, name) = (t.column(&m.key)?, t.column(&m.email)?, t.column(&m.name)?);
    let role = t.optional(m.role.as_ref())?;
    for (line, row) in &t.rows {
        source.rows.users += 1;
        let record = (|| {
            let key = required(cell(row, key), &m.key)?;
            let email = Email::parse(cell(row, email)).map_err(|e| problem(&e))?;
            let name = crate::domain::bounded_text("name", cell(row, name), 1, 100)
                .map_err(|e| problem(&e))?;
            let role = match role {
                Some(c) => parse_role(translated(&m.roles, cell(row, c)))?,
                None => shared::Role::User,
            };
            Ok::<_, String>(UserRecord {
                at: t.place(*line),
                key,
                email,
                name,
                role,
            })
        })();
        push(
            record,
            "user",
            t.place(*line),
            &mut source.users,
            &mut source.invalid,
        );
    }
    Ok(())
}

fn read_rooms(t: &Table, m: &RoomsTable, source: &mut Source) -> Result<(), String> {
    let (key, name, location, capacity) = (
        t.column(&m.key)?,
        t.column(&m.name)?,
        t.column(&m.location)?,
        t.column(&m.capacity)?,
    );
    let projector = t.optional(m.projector.as_ref())?;
    let notes = t.optional(m.notes.as_ref())?;
    let zone = t.optional(m.time_zone.as_ref())?;
    let approval = t.optional(m.requires_approval.as_ref())?;
    for (line, row) in &t.rows {
        source.rows.rooms += 1;
        let record = (|| {
            let key = required(cell(row, key), &m.key)?;
            let capacity = cell(row, capacity);
            let body = CreateRoom {
                name: cell(row, name).to_owned(),
                location: cell(row, location).to_owned(),
                capacity: capacity
                    .parse()
                    .map_err(|_| format!("capacity: {capacity:?} is not a whole number"))?,
                has_projector: projector
                    .map(|c| parse_bool(cell(row, c)))
                    .transpose()?
                    .unwrap_or(false),
                notes: notes.map(|c| cell(row, c).to_owned()).unwrap_or_default(),
                time_zone: zone
                    .map(|c| cell(row, c).to_owned())
                    .filter(|z| !z.is_empty()),
                requires_approval: approval
                    .map(|c| parse_bool(cell(row, c)))
                    .transpose()?
                    .unwrap_or(false),
                slot_minutes: None,
            };
            let room = NewRoom::try_from(body).map_err(|e| problem(&e))?;
            Ok::<_, String>(RoomRecord {
                at: t.place(*line),
                key,
                room,
            })
        })();
        push(
            record,
            "room",
            t.place(*line),
            &mut source.rooms,
            &mut source.invalid,
        );
    }
    Ok(())
}

/// `joins`: whether the users and rooms tables are part of the export;
/// without one, its column holds stored users' e-mails or room names.
fn read_reservations(
    t: &Table,
    m: &ReservationsTable,
    (zone, (users_table, rooms_table)): (Option<Tz>, (bool, bool)),
    source: &mut Source,
) -> Result<(), String> {
    let (key, user, room) = (t.column(&m.key)?, t.column(&m.user)?, t.column(&m.room)?);
    let (start, end, purpose) = (
        t.column(&m.start)?,
        t.column(&m.end)?,
        t.column(&m.purpose)?,
    );
    let status = t.optional(m.status.as_ref())?;
    for (line, row) in &t.rows {
        source.rows.reservations += 1;
        let record = (|| {
            let key = required(cell(row, key), &m.key)?;
            Ok::<_, String>(ReservationRecord {
                at: t.place(*line),
                reference: format!("{}:{key}", source.name),
                user: match required(cell(row, user), &m.user)? {
                    key if users_table => Who::Key(key),
                    email => Who::Email(email),
                },
                room: match required(cell(row, room), &m.room)? {
                    key if rooms_table => Which::Key(key),
                    name => Which::Name(name),
                },
                start: When::parse(cell(row, start), zone).map_err(|e| format!("start: {e}"))?,
                end: When::parse(cell(row, end), zone).map_err(|e| format!("end: {e}"))?,
                purpose: cell(row, purpose).to_owned(),
                status: match status {
                    Some(c) => parse_status(translated(&m.statuses, cell(row, c)))?,
                    None => shared::ReservationStatus::Approved,
                },
            })
        })();
        push(
            record,
            "reservation",
            t.place(*line),
            &mut source.reservations,
            &mut source.invalid,
        );
    }
    Ok(())
}

fn required(value: &str, column: &str) -> Result<String, String> {
    if value.is_empty() {
        Err(format!("{column}: empty"))
    } else {
        Ok(value.to_owned())
    }
}

fn push<T>(
    record: Result<T, String>,
    entity: &'static str,
    at: Place,
    good: &mut Vec<T>,
    invalid: &mut Vec<Invalid>,
) {
    match record {
        Ok(record) => good.push(record),
        Err(problem) => invalid.push(Invalid {
            entity,
            at,
            problem,
        }),
    }
}
