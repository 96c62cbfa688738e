//! Venue rules: a seat map with unique labels and at least one seat.

use std::collections::{BTreeMap, HashSet};

use shared::{CreateVenue, SectionSpec};

use super::{FieldError, bounded_text};

pub const MAX_SEATS_PER_ROW: u32 = 200;
pub const MAX_SEATS: usize = 20_000;
/// The highest number a row's first seat may have.
pub const MAX_FIRST_NUMBER: u32 = 10_000;

/// One seat of a validated layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatSpec {
    pub section: String,
    pub row: String,
    pub number: u32,
    pub label: String,
    pub tier: String,
    /// A gap or an aisle follows this seat in its row.
    pub gap_after: bool,
}

/// A validated venue: its spec (trimmed) and the seats it expands to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVenue {
    pub name: String,
    pub location: String,
    pub time_zone: chrono_tz::Tz,
    pub sections: Vec<SectionSpec>,
    pub seats: Vec<SeatSpec>,
    pub tiers: Vec<String>,
    /// Every tier's colour, `#rrggbb` (lower case).
    pub tier_colors: BTreeMap<String, String>,
}

pub(crate) fn label_part(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be 1 to {max} characters"),
        ));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(FieldError::new(
            field,
            format!("`{value}` may only contain letters A to Z, digits, `-` and `_`"),
        ));
    }
    Ok(value.to_owned())
}

impl TryFrom<CreateVenue> for NewVenue {
    type Error = FieldError;

    fn try_from(body: CreateVenue) -> Result<Self, Self::Error> {
        let name = bounded_text("name", &body.name, 1, 100)?;
        let location = bounded_text("location", &body.location, 0, 200)?;
        let time_zone = super::room::time_zone(
            body.time_zone
                .as_deref()
                .unwrap_or(super::room::DEFAULT_TIME_ZONE),
        )?;
        let mut sections = Vec::with_capacity(body.sections.len());
        let mut seats = Vec::new();
        let mut tiers: Vec<String> = Vec::new();
        let mut labels = HashSet::new();
        for section in body.sections {
            let section_name = bounded_text("sections.name", &section.name, 1, 50)?;
            if section.rows.is_empty() {
                return Err(FieldError::new(
                    "sections.rows",
                    format!("section {section_name} needs at least one row"),
                ));
            }
            let mut rows = Vec::with_capacity(section.rows.len());
            for mut row in section.rows {
                row.label = label_part("sections.rows.label", &row.label, 5)?;
                row.tier = label_part("sections.rows.tier", &row.tier, 20)?;
                if row.seats == 0 || row.seats > MAX_SEATS_PER_ROW {
                    return Err(FieldError::new(
                        "sections.rows.seats",
                        format!("row {} must have 1 to {MAX_SEATS_PER_ROW} seats", row.label),
                    ));
                }
                if row.first_number > MAX_FIRST_NUMBER {
                    return Err(FieldError::new(
                        "sections.rows.first_number",
                        format!("must be at most {MAX_FIRST_NUMBER}"),
                    ));
                }
                if !tiers.contains(&row.tier) {
                    tiers.push(row.tier.clone());
                }
                let last = row.first_number.saturating_add(row.seats) - 1;
                row.gaps_after = gaps(&row, last)?;
                for number in row.first_number..=last {
                    let label = format!("{}{number}", row.label);
                    if !labels.insert(label.clone()) {
                        return Err(FieldError::rule(
                            "sections",
                            format!("seat {label} appears twice"),
                        ));
                    }
                    seats.push(SeatSpec {
                        section: section_name.clone(),
                        row: row.label.clone(),
                        number,
                        label,
                        tier: row.tier.clone(),
                        gap_after: row.gaps_after.contains(&number),
                    });
                }
                rows.push(row);
            }
            sections.push(SectionSpec {
                name: section_name,
                rows,
            });
        }
        if seats.is_empty() {
            return Err(FieldError::new(
                "sections",
                "must contain at least one seat",
            ));
        }
        if seats.len() > MAX_SEATS {
            return Err(FieldError::rule(
                "sections",
                format!("a venue may have at most {MAX_SEATS} seats"),
            ));
        }
        let tier_colors = colors(&tiers, body.tier_colors)?;
        Ok(Self {
            name,
            location,
            time_zone,
            sections,
            seats,
            tiers,
            tier_colors,
        })
    }
}

/// The row's gaps, sorted: each after a seat of the row but its last.
fn gaps(row: &shared::RowSpec, last: u32) -> Result<Vec<u32>, FieldError> {
    let mut gaps = row.gaps_after.clone();
    gaps.sort_unstable();
    gaps.dedup();
    if let Some(bad) = gaps.iter().find(|n| **n < row.first_number || **n >= last) {
        return Err(FieldError::rule(
            "sections.rows.gaps_after",
            format!(
                "row {}: a gap after seat {bad} is not between two of its seats ({} to {last})",
                row.label, row.first_number
            ),
        ));
    }
    Ok(gaps)
}

/// Every tier's colour: those given (each `#rrggbb`, each for a tier the
/// map uses), the palette for the rest.
pub fn colors(
    tiers: &[String],
    given: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, FieldError> {
    for (tier, color) in &given {
        if !tiers.contains(tier) {
            return Err(FieldError::rule(
                "tier_colors",
                format!("no row has the tier `{tier}`"),
            ));
        }
        let hex = color.strip_prefix('#').unwrap_or("");
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(FieldError::new(
                "tier_colors",
                format!("the colour of tier `{tier}` must look like #1c7ed6, not `{color}`"),
            ));
        }
    }
    Ok(tiers
        .iter()
        .enumerate()
        .map(|(i, tier)| {
            let color = given
                .get(tier)
                .map(|c| c.to_ascii_lowercase())
                .unwrap_or_else(|| shared::default_tier_color(i).to_owned());
            (tier.clone(), color)
        })
        .collect())
}

/// The demo hall of the original service: rows A-J of 14 seats, one tier.
pub fn grid(name: &str, rows: u32, seats_per_row: u32) -> CreateVenue {
    let rows = (0..rows)
        .map(|i| shared::RowSpec {
            label: row_label(i),
            seats: seats_per_row,
            first_number: 1,
            tier: "R".into(),
            gaps_after: Vec::new(),
        })
        .collect();
    CreateVenue {
        name: name.into(),
        location: String::new(),
        time_zone: None,
        sections: vec![SectionSpec {
            name: "Main".into(),
            rows,
        }],
        tier_colors: BTreeMap::new(),
    }
}

/// `A`..`Z`, then `AA`, `AB`...
fn row_label(index: u32) -> String {
    let mut n = index;
    let mut label = Vec::new();
    loop {
        label.push(char::from(b'A' + (n % 26) as u8));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    label.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::RowSpec;

    fn venue(rows: Vec<RowSpec>) -> CreateVenue {
        CreateVenue {
            name: "Hall".into(),
            location: String::new(),
            time_zone: None,
            sections: vec![SectionSpec {
                name: "Floor".into(),
                rows,
            }],
            tier_colors: BTreeMap::new(),
        }
    }

    fn row(label: &str, seats: u32) -> RowSpec {
        RowSpec {
            label: label.into(),
            seats,
            first_number: 1,
            tier: "R".into(),
            gaps_after: Vec::new(),
        }
    }

    #[test]
    fn rows_expand_to_labelled_seats() {
        let v = NewVenue::try_from(venue(vec![row("A", 3), row("B", 2)])).unwrap();
        let labels: Vec<_> = v.seats.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["A1", "A2", "A3", "B1", "B2"]);
        assert_eq!(v.tiers, ["R"]);
    }

    #[test]
    fn a_duplicate_label_is_refused_naming_the_seat() {
        let err = NewVenue::try_from(venue(vec![row("A", 3), row("A", 1)])).unwrap_err();
        assert!(err.message.contains("A1"), "{err:?}");
    }

    #[test]
    fn every_section_needs_a_row() {
        let err = NewVenue::try_from(venue(vec![])).unwrap_err();
        assert_eq!(err.field, "sections.rows");
        assert!(!err.rule, "the document states minItems");
    }

    #[test]
    fn a_venue_needs_a_section() {
        let mut body = venue(vec![row("A", 1)]);
        body.sections.clear();
        let err = NewVenue::try_from(body).unwrap_err();
        assert_eq!(err.field, "sections");
    }

    #[test]
    fn a_row_of_zero_seats_is_refused() {
        assert!(NewVenue::try_from(venue(vec![row("A", 0)])).is_err());
    }

    #[test]
    fn gaps_mark_the_seat_before_them() {
        let mut a = row("A", 6);
        a.gaps_after = vec![4, 2, 4];
        let v = NewVenue::try_from(venue(vec![a])).unwrap();
        assert_eq!(v.sections[0].rows[0].gaps_after, [2, 4]);
        let gapped: Vec<_> = v
            .seats
            .iter()
            .filter(|s| s.gap_after)
            .map(|s| &s.label)
            .collect();
        assert_eq!(gapped, ["A2", "A4"]);
    }

    #[test]
    fn a_gap_after_the_last_seat_or_outside_the_row_is_refused() {
        for bad in [6, 0, 9] {
            let mut a = row("A", 6);
            a.gaps_after = vec![bad];
            let err = NewVenue::try_from(venue(vec![a])).unwrap_err();
            assert_eq!(err.field, "sections.rows.gaps_after");
            assert!(err.message.contains(&format!("seat {bad}")), "{err:?}");
        }
    }

    #[test]
    fn tiers_take_the_palette_unless_coloured() {
        let mut b = row("B", 2);
        b.tier = "S".into();
        let mut body = venue(vec![row("A", 2), b]);
        body.tier_colors.insert("S".into(), "#ABCDEF".into());
        let v = NewVenue::try_from(body).unwrap();
        assert_eq!(v.tier_colors["R"], shared::TIER_PALETTE[0]);
        assert_eq!(v.tier_colors["S"], "#abcdef");
    }

    #[test]
    fn a_colour_for_an_unused_tier_or_not_hex_is_refused() {
        let mut body = venue(vec![row("A", 2)]);
        body.tier_colors.insert("VIP".into(), "#000000".into());
        assert!(
            NewVenue::try_from(body)
                .unwrap_err()
                .message
                .contains("VIP")
        );
        let mut body = venue(vec![row("A", 2)]);
        body.tier_colors.insert("R".into(), "red".into());
        assert!(
            NewVenue::try_from(body)
                .unwrap_err()
                .message
                .contains("red")
        );
    }

    #[test]
    fn the_demo_grid_has_a1_to_j14() {
        let v = NewVenue::try_from(grid("Demo", 10, 14)).unwrap();
        assert_eq!(v.seats.len(), 140);
        assert_eq!(v.seats[0].label, "A1");
        assert_eq!(v.seats[139].label, "J14");
    }

    #[test]
    fn row_labels_continue_past_z() {
        assert_eq!(row_label(25), "Z");
        assert_eq!(row_label(26), "AA");
        assert_eq!(row_label(27), "AB");
    }
}
