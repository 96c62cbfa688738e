//! The seat map: sections, rows and one button per seat. The whole map is
//! one stop in the tab order; arrow keys, Home and End move between seats
//! (a roving tabindex), Enter or Space picks one.

use leptos::prelude::*;
use shared::{SeatMap, SeatState};
use wasm_bindgen::JsCast;

use super::board::{Board, SeatStatus};
use crate::i18n::{Texts, use_i18n};
use crate::numbers;

/// Seat positions: `rows[r][c]` is the index of a seat in `labels`.
struct Layout {
    labels: Vec<String>,
    rows: Vec<Vec<usize>>,
}

impl Layout {
    fn of(map: &SeatMap) -> Self {
        let mut labels = Vec::new();
        let mut rows = Vec::new();
        for row in map.sections.iter().flat_map(|s| &s.rows) {
            let mut indices = Vec::new();
            for seat in &row.seats {
                indices.push(labels.len());
                labels.push(seat.label.clone());
            }
            rows.push(indices);
        }
        Self { labels, rows }
    }

    fn position(&self, index: usize) -> Option<(usize, usize)> {
        self.rows
            .iter()
            .enumerate()
            .find_map(|(r, row)| row.iter().position(|i| *i == index).map(|c| (r, c)))
    }

    /// Where `key` moves the focus from seat `from`, if anywhere.
    fn step(&self, from: usize, key: &str) -> Option<usize> {
        let (r, c) = self.position(from)?;
        let row = &self.rows[r];
        let near = |other: &Vec<usize>| other.get(c.min(other.len().saturating_sub(1))).copied();
        match key {
            "ArrowLeft" => c.checked_sub(1).map(|c| row[c]),
            "ArrowRight" => row.get(c + 1).copied(),
            "ArrowUp" => r.checked_sub(1).and_then(|r| near(&self.rows[r])),
            "ArrowDown" => self.rows.get(r + 1).and_then(near),
            "Home" => row.first().copied(),
            "End" => row.last().copied(),
            _ => None,
        }
    }
}

fn seat_id(index: usize) -> String {
    format!("seat-{index}")
}

fn focus_seat(index: usize) {
    if let Some(element) = document()
        .get_element_by_id(&seat_id(index))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// The word for a seat's state, for its label.
fn state_word(t: &Texts, seat: &SeatStatus, selected: bool) -> &'static str {
    match (seat.state, seat.mine) {
        (SeatState::Available, _) if selected => t.state_selected,
        (SeatState::Available, _) => t.state_available,
        (SeatState::Held, true) => t.state_mine_held,
        (SeatState::Held, false) => t.state_held,
        (SeatState::Booked, true) => t.state_mine_booked,
        (SeatState::Booked, false) => t.state_booked,
    }
}

#[component]
pub fn SeatGrid(map: SeatMap, board: Board) -> impl IntoView {
    let i18n = use_i18n();
    let layout = StoredValue::new(Layout::of(&map));
    // The seat that takes the focus when tabbing into the map.
    let first = board.seats.with_untracked(|seats| {
        layout.with_value(|l| {
            l.labels
                .iter()
                .position(|label| seats.get(label).is_some_and(SeatStatus::is_available))
                .unwrap_or(0)
        })
    });
    let roving = RwSignal::new(first);
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        if let Some(next) = layout.with_value(|l| l.step(roving.get_untracked(), &key)) {
            ev.prevent_default();
            roving.set(next);
            focus_seat(next);
        }
    };
    let tiers = tier_legend(&map);
    let colors = map.tier_colors.clone();
    let mut index = 0;
    let sections = map
        .sections
        .into_iter()
        .map(|section| {
            let rows = section
                .rows
                .into_iter()
                .map(|row| {
                    let seats = row
                        .seats
                        .into_iter()
                        .map(|seat| {
                            let at = index;
                            index += 1;
                            let color = colors.get(&seat.tier).cloned().unwrap_or_else(|| "transparent".into());
                            view! {
                                <SeatButton label=seat.label number=seat.number index=at board roving
                                    gap_after=seat.gap_after color />
                            }
                        })
                        .collect_view();
                    let row_label = row.label.clone();
                    view! {
                        <div class="seat-row" role="group" aria-label=move || (i18n.t().row)(&row_label)>
                            <span class="row-label" aria-hidden="true">{row.label.clone()}</span>
                            <div class="seats">{seats}</div>
                            <span class="row-label" aria-hidden="true">{row.label}</span>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <section class="seat-section" aria-label=section.name.clone()>
                    <h3>{section.name.clone()}</h3>
                    {rows}
                </section>
            }
        })
        .collect_view();
    view! {
        <div class="seat-map" id="seat-map" role="group" aria-label=move || i18n.t().seat_map
            aria-describedby="seat-keys" on:keydown=on_key>
            <div class="stage" aria-hidden="true">{move || i18n.t().stage}</div>
            {sections}
        </div>
        <p class="hint" id="seat-keys">{move || i18n.t().seat_keys_hint}</p>
        {(!tiers.is_empty()).then(|| view! {
            <ul class="legend tiers" id="tier-legend" aria-label=move || i18n.t().tier_legend>
                {tiers.into_iter().map(|(tier, color, price)| view! {
                    <li data-tier=tier.clone()>
                        <span class="seat swatch tier" style=("background", color) aria-hidden="true"></span>
                        {tier.clone()}
                        {(price > 0).then(|| view! {
                            <span class="price">{move || numbers::points(price.into(), i18n.lang())}</span>
                        })}
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
}

/// Each tier on the map in first-use order, with its colour and price.
fn tier_legend(map: &SeatMap) -> Vec<(String, String, u32)> {
    let mut tiers: Vec<(String, String, u32)> = Vec::new();
    for seat in map
        .sections
        .iter()
        .flat_map(|s| &s.rows)
        .flat_map(|r| &r.seats)
    {
        if !tiers.iter().any(|(t, _, _)| *t == seat.tier) {
            let color = map.tier_colors.get(&seat.tier).cloned().unwrap_or_default();
            tiers.push((seat.tier.clone(), color, seat.price));
        }
    }
    if tiers.iter().all(|(_, color, _)| color.is_empty()) {
        tiers.clear();
    }
    tiers
}

#[component]
fn SeatButton(
    label: String,
    number: u32,
    index: usize,
    board: Board,
    roving: RwSignal<usize>,
    gap_after: bool,
    /// The tier's colour; set through the style object, which the
    /// Content-Security-Policy allows (an inline `style` attribute it does not).
    color: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = StoredValue::new(label);
    let status = move || {
        board
            .seats
            .with(|s| label.with_value(|l| s.get(l).cloned()))
    };
    let selected = move || label.with_value(|l| board.is_selected(l));
    let gap = if gap_after { " gap-after" } else { "" };
    let class = move || {
        let state = match status() {
            Some(s) if s.is_available() && selected() => "seat selected",
            Some(s) if s.is_available() => "seat available",
            Some(s) if s.mine => "seat taken mine",
            _ => "seat taken",
        };
        format!("{state}{gap}")
    };
    let aria_label = move || {
        let t = i18n.t();
        let name = label.get_value();
        match status() {
            Some(s) => (t.seat_label)(
                &name,
                &s.tier,
                &numbers::points(s.price.into(), i18n.lang()),
                state_word(t, &s, selected()),
            ),
            None => name,
        }
    };
    let unavailable = move || !status().is_some_and(|s| s.is_available());
    view! {
        <button type="button" id=seat_id(index) class=class data-seat=label.get_value() style=("--tier", color)
            aria-label=aria_label
            aria-pressed=move || selected().to_string()
            aria-disabled=move || unavailable().then_some("true")
            tabindex=move || if roving.get() == index { "0" } else { "-1" }
            on:click=move |_| {
                roving.set(index);
                label.with_value(|l| board.toggle(l));
            }>
            {number}
        </button>
    }
}
