//! The seat-map editor's model: the venue as typed, what is wrong with each
//! row (checked as the admin types, with the server's own bounds), the body
//! it sends, and the seat map buyers will see.

use std::collections::{BTreeMap, HashSet};

use shared::{
    CreateVenue, PerformanceId, RowSpec, Seat, SeatMap, SeatRow, SeatSection, SeatState,
    SectionSpec, Venue,
};

use crate::i18n::Texts;

/// The server's bounds (`api/src/domain/venue.rs`).
const MAX_SEATS_PER_ROW: u32 = 200;
const MAX_FIRST_NUMBER: u32 = 10_000;

/// What is wrong, by section index and row index (`None`: the section).
type Problems = BTreeMap<(usize, Option<usize>), Problem>;

/// One row as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowDraft {
    pub label: String,
    pub seats: String,
    pub first: String,
    pub tier: String,
    /// Seat numbers an aisle follows, e.g. `4, 10`.
    pub gaps: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionDraft {
    pub name: String,
    pub rows: Vec<RowDraft>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueDraft {
    pub name: String,
    pub location: String,
    pub time_zone: String,
    pub sections: Vec<SectionDraft>,
    /// Colours the admin picked, by tier.
    pub colors: BTreeMap<String, String>,
}

/// What is wrong with a row or a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Label,
    Seats,
    First,
    Tier,
    Gap(String),
    Twice(String),
    SectionName,
    NoRows,
}

impl Problem {
    pub fn text(&self, t: &Texts) -> String {
        match self {
            Self::Label => t.venue_bad_label.to_owned(),
            Self::Seats => (t.venue_bad_seats)(MAX_SEATS_PER_ROW),
            Self::First => (t.venue_bad_first)(MAX_FIRST_NUMBER),
            Self::Tier => t.venue_bad_tier.to_owned(),
            Self::Gap(gap) => (t.venue_bad_gap)(gap),
            Self::Twice(label) => (t.venue_seat_twice)(label),
            Self::SectionName => t.venue_bad_section.to_owned(),
            Self::NoRows => t.venue_no_rows.to_owned(),
        }
    }
}

/// `value` trimmed, if it is 1 to `max` of `A-Z a-z 0-9 - _`.
fn label_part(value: &str, max: usize) -> Option<String> {
    let value = value.trim();
    let fine = !value.is_empty()
        && value.chars().count() <= max
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    fine.then(|| value.to_owned())
}

/// `A` -> `B`, `Z` -> `AA`, `AZ` -> `BA`; anything else gets `-2`.
fn next_label(label: &str) -> String {
    let mut chars: Vec<char> = label.trim().chars().collect();
    if chars.is_empty() || !chars.iter().all(char::is_ascii_uppercase) {
        return format!("{}2", label.trim());
    }
    for c in chars.iter_mut().rev() {
        if *c == 'Z' {
            *c = 'A';
        } else {
            *c = char::from(*c as u8 + 1);
            return chars.into_iter().collect();
        }
    }
    std::iter::once('A').chain(chars).collect()
}

impl RowDraft {
    /// The row after `self`: the next label, the same seats and tier.
    pub fn after(&self) -> Self {
        Self {
            label: next_label(&self.label),
            gaps: String::new(),
            ..self.clone()
        }
    }

    fn of(row: &RowSpec) -> Self {
        let gaps: Vec<String> = row.gaps_after.iter().map(u32::to_string).collect();
        Self {
            label: row.label.clone(),
            seats: row.seats.to_string(),
            first: row.first_number.to_string(),
            tier: row.tier.clone(),
            gaps: gaps.join(", "),
        }
    }

    /// The row as the server takes it, or what is wrong with it.
    fn spec(&self) -> Result<RowSpec, Problem> {
        let label = label_part(&self.label, 5).ok_or(Problem::Label)?;
        let seats = self
            .seats
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_SEATS_PER_ROW).contains(n))
            .ok_or(Problem::Seats)?;
        let first_number = self
            .first
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= MAX_FIRST_NUMBER)
            .ok_or(Problem::First)?;
        let tier = label_part(&self.tier, 20).ok_or(Problem::Tier)?;
        let last = first_number + seats - 1;
        let mut gaps_after = Vec::new();
        for part in self.gaps.split([',', ' ']).filter(|p| !p.is_empty()) {
            match part.parse::<u32>() {
                Ok(n) if (first_number..last).contains(&n) => gaps_after.push(n),
                _ => return Err(Problem::Gap(part.to_owned())),
            }
        }
        gaps_after.sort_unstable();
        gaps_after.dedup();
        Ok(RowSpec {
            label,
            seats,
            first_number,
            tier,
            gaps_after,
        })
    }
}

impl VenueDraft {
    pub fn new() -> Self {
        let row = RowDraft {
            label: "A".into(),
            seats: "10".into(),
            first: "1".into(),
            tier: "R".into(),
            gaps: String::new(),
        };
        Self {
            name: String::new(),
            location: String::new(),
            time_zone: "Asia/Seoul".into(),
            sections: vec![SectionDraft {
                name: "Floor".into(),
                rows: vec![row.clone(), row.after()],
            }],
            colors: BTreeMap::new(),
        }
    }

    pub fn of(venue: &Venue) -> Self {
        Self {
            name: venue.name.clone(),
            location: venue.location.clone(),
            time_zone: venue.time_zone.clone(),
            sections: venue
                .sections
                .iter()
                .map(|s| SectionDraft {
                    name: s.name.clone(),
                    rows: s.rows.iter().map(RowDraft::of).collect(),
                })
                .collect(),
            colors: venue.tier_colors.clone(),
        }
    }

    /// Each section's rows that parse, and a problem per section and row
    /// index for those that do not (a seat twice is the later row's). The
    /// form works this out once per change; everything else reads it.
    pub fn parsed(&self) -> Parsed {
        let mut problems = BTreeMap::new();
        let mut labels = HashSet::new();
        let mut sections = Vec::new();
        for (s, section) in self.sections.iter().enumerate() {
            let name = section.name.trim();
            if name.is_empty() || name.chars().count() > 50 {
                problems.insert((s, None), Problem::SectionName);
            } else if section.rows.is_empty() {
                problems.insert((s, None), Problem::NoRows);
            }
            let mut rows = Vec::new();
            for (r, row) in section.rows.iter().enumerate() {
                let spec = row.spec().and_then(|spec| {
                    let last = spec.first_number + spec.seats;
                    let labels_of = (spec.first_number..last).map(|n| format!("{}{n}", spec.label));
                    let mine: Vec<String> = labels_of.collect();
                    match mine.iter().find(|l| labels.contains(*l)) {
                        Some(twice) => Err(Problem::Twice(twice.clone())),
                        None => {
                            labels.extend(mine);
                            Ok(spec)
                        }
                    }
                });
                match spec {
                    Ok(spec) => rows.push(spec),
                    Err(problem) => {
                        problems.insert((s, Some(r)), problem);
                    }
                }
            }
            sections.push(SectionSpec {
                name: name.to_owned(),
                rows,
            });
        }
        Parsed { sections, problems }
    }

    /// Each tier of `parsed` with its colour: the one picked, else the
    /// palette's.
    pub fn colors(&self, parsed: &Parsed) -> BTreeMap<String, String> {
        parsed
            .tiers()
            .into_iter()
            .enumerate()
            .map(|(i, tier)| {
                let color = self
                    .colors
                    .get(&tier)
                    .cloned()
                    .unwrap_or_else(|| shared::default_tier_color(i).to_owned());
                (tier, color)
            })
            .collect()
    }

    /// The body to send; `None` while a row or section is wrong.
    pub fn to_body(&self) -> Option<CreateVenue> {
        let parsed = self.parsed();
        let tier_colors = self.colors(&parsed);
        parsed.problems.is_empty().then(|| CreateVenue {
            name: self.name.clone(),
            location: self.location.clone(),
            time_zone: Some(self.time_zone.trim().to_owned()),
            sections: parsed.sections,
            tier_colors,
        })
    }
}

/// A draft as parsed: the rows that parse, and what is wrong with the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    sections: Vec<SectionSpec>,
    problems: Problems,
}

impl Parsed {
    /// What is wrong with section `s` (row `None`) or its row `r`.
    pub fn problem(&self, s: usize, r: Option<usize>) -> Option<&Problem> {
        self.problems.get(&(s, r))
    }

    /// Whether every section and row is fine.
    pub fn is_sound(&self) -> bool {
        self.problems.is_empty()
    }

    /// Tiers in first-use order, among the rows that parse.
    fn tiers(&self) -> Vec<String> {
        let mut tiers: Vec<String> = Vec::new();
        for row in self.sections.iter().flat_map(|s| &s.rows) {
            if !tiers.contains(&row.tier) {
                tiers.push(row.tier.clone());
            }
        }
        tiers
    }

    /// The map buyers will see, every seat free, from the rows that parse,
    /// with the tiers coloured as `tier_colors` says.
    pub fn preview(&self, tier_colors: BTreeMap<String, String>) -> SeatMap {
        let mut available = 0;
        let sections = self
            .sections
            .clone()
            .into_iter()
            .filter(|s| !s.rows.is_empty())
            .map(|section| SeatSection {
                name: section.name,
                rows: section
                    .rows
                    .into_iter()
                    .map(|row| SeatRow {
                        seats: (row.first_number..row.first_number + row.seats)
                            .map(|number| {
                                available += 1;
                                Seat {
                                    label: format!("{}{number}", row.label),
                                    number,
                                    tier: row.tier.clone(),
                                    price: 0,
                                    state: SeatState::Available,
                                    mine: false,
                                    gap_after: row.gaps_after.contains(&number),
                                }
                            })
                            .collect(),
                        label: row.label,
                    })
                    .collect(),
            })
            .collect();
        SeatMap {
            performance_id: PerformanceId(String::new()),
            sections,
            available,
            tier_colors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_on() {
        assert_eq!(next_label("A"), "B");
        assert_eq!(next_label("Z"), "AA");
        assert_eq!(next_label("AZ"), "BA");
        assert_eq!(next_label("1"), "12");
    }

    #[test]
    fn a_bad_row_is_named_and_kept_out_of_the_preview() {
        let mut draft = VenueDraft::new();
        draft.sections[0].rows[1].gaps = "3, 10".into();
        let parsed = draft.parsed();
        assert_eq!(parsed.problem(0, Some(1)), Some(&Problem::Gap("10".into())));
        assert_eq!(parsed.preview(draft.colors(&parsed)).available, 10);
        assert!(draft.to_body().is_none());
        draft.sections[0].rows[1].gaps = "3".into();
        let parsed = draft.parsed();
        let map = parsed.preview(draft.colors(&parsed));
        assert_eq!(map.available, 20);
        assert!(map.sections[0].rows[1].seats[2].gap_after);
        assert!(draft.to_body().is_some());
    }

    #[test]
    fn a_seat_twice_is_the_later_rows_problem() {
        let mut draft = VenueDraft::new();
        draft.sections[0].rows[1].label = "A".into();
        let parsed = draft.parsed();
        assert_eq!(parsed.problem(0, Some(0)), None);
        assert_eq!(
            parsed.problem(0, Some(1)),
            Some(&Problem::Twice("A1".into()))
        );
    }
}
