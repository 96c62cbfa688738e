//! Reports as CSV: a header line, then one line per row.

use shared::{OccupancyReport, SalesReport};

use crate::error::ApiError;

fn failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("report CSV: {e}"))
}

fn finish(out: ::csv::Writer<Vec<u8>>) -> Result<String, ApiError> {
    let bytes = out.into_inner().map_err(failed)?;
    String::from_utf8(bytes).map_err(failed)
}

/// One line per performance, with a header line.
pub fn sales(report: &SalesReport) -> Result<String, ApiError> {
    let mut out = ::csv::Writer::from_writer(Vec::new());
    out.write_record([
        "performance_id",
        "show_id",
        "show_title",
        "venue_name",
        "starts_at",
        "time_zone",
        "seats",
        "sold",
        "held",
        "free",
        "revenue",
        "refunded",
    ])
    .map_err(failed)?;
    for p in &report.performances {
        out.write_record([
            p.performance_id.0.clone(),
            p.show_id.0.clone(),
            spreadsheet_safe(&p.show_title),
            spreadsheet_safe(&p.venue_name),
            p.starts_at.to_rfc3339(),
            p.time_zone.clone(),
            p.seats.to_string(),
            p.sold.to_string(),
            p.held.to_string(),
            p.free.to_string(),
            p.revenue.to_string(),
            p.refunded.to_string(),
        ])
        .map_err(failed)?;
    }
    finish(out)
}

/// Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
/// carriage return first) gets a `'` in front, so opening the file never
/// runs what a title says.
fn spreadsheet_safe(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// One line per room, weekday and hour with any minutes reserved.
pub fn occupancy(report: &OccupancyReport) -> Result<String, ApiError> {
    let mut out = ::csv::Writer::from_writer(Vec::new());
    out.write_record([
        "room_id",
        "room_name",
        "time_zone",
        "weekday",
        "hour",
        "minutes",
    ])
    .map_err(failed)?;
    for room in &report.rooms {
        for cell in &room.heatmap {
            out.write_record([
                room.room_id.0.clone(),
                spreadsheet_safe(&room.room_name),
                room.time_zone.clone(),
                cell.weekday.to_string(),
                cell.hour.to_string(),
                cell.minutes.to_string(),
            ])
            .map_err(failed)?;
        }
    }
    finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_not_run_by_a_spreadsheet() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("Hamlet"), "Hamlet");
        assert_eq!(spreadsheet_safe(""), "");
    }
}
