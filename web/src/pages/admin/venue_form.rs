//! The seat-map editor: a venue's sections, rows (seats, first number,
//! tier, aisles) and tier colours, each row checked as it is typed, with
//! the map previewed as buyers will see it.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::{CreateVenue, Venue, VenueId};

use super::venue_draft::{Parsed, RowDraft, SectionDraft, VenueDraft};
use crate::api::{self, ApiError};
use crate::components::{FieldError, Loading, MaybeError, error_fallback, invalid};
use crate::i18n::use_i18n;
use crate::pages::seats::{Board, SeatGrid};
use crate::time;

#[component]
pub fn NewVenuePage() -> impl IntoView {
    view! { <VenueForm existing=None /> }
}

#[component]
pub fn EditVenuePage() -> impl IntoView {
    let params = use_params_map();
    let venue = LocalResource::new(move || {
        api::get_venue(&VenueId(params.with(|p| p.get("id").unwrap_or_default())))
    });
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || venue.get().map(|v| v.map(|venue| view! { <VenueForm existing=Some(venue) /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn VenueForm(existing: Option<Venue>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let id = existing.as_ref().map(|v| v.id.clone());
    let editing = id.is_some();
    let draft = RwSignal::new(
        existing
            .as_ref()
            .map(VenueDraft::of)
            .unwrap_or_else(VenueDraft::new),
    );
    // The form's structure changes only when sections or rows come and go,
    // so typing never redraws (and never loses the focus).
    let shape = Memo::new(move |_| {
        draft.with(|d| d.sections.iter().map(|s| s.rows.len()).collect::<Vec<_>>())
    });
    // Parsed once per change: every row's problem, the colours and the
    // preview read this.
    let parsed = Memo::new(move |_| draft.with(VenueDraft::parsed));
    let colors = Memo::new(move |_| parsed.with(|p| draft.with(|d| d.colors(p))));
    let preview = Memo::new(move |_| parsed.with(|p| p.preview(colors.get())));
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let save = Action::new_local(move |body: &CreateVenue| match &id {
        Some(id) => api::update_venue(id, body),
        None => api::create_venue(body),
    });
    Effect::new(move || match save.value().get() {
        Some(Ok(venue)) if !editing => {
            navigate(&format!("/admin/venues/{}", venue.id), Default::default())
        }
        Some(Ok(_)) => saved.set(true),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let zone = draft.with_untracked(|d| d.time_zone.clone());
        if !time::is_valid_zone(&zone) {
            error.set(Some(ApiError::local("time_zone", zone)));
            return;
        }
        match draft.with_untracked(VenueDraft::to_body) {
            Some(body) => {
                error.set(None);
                save.dispatch(body);
            }
            None => error.set(Some(ApiError::local("sections", i18n.t().venue_fix_rows))),
        }
    };
    let err = Signal::derive(move || error.get());
    // The "fix the rows" notice goes once the rows are fixed.
    let sound = Memo::new(move |_| parsed.with(Parsed::is_sound));
    let general = Signal::derive(move || {
        error
            .get()
            .filter(|e| {
                !["name", "location", "time_zone"]
                    .iter()
                    .any(|f| e.is_for(f))
            })
            .filter(|e| !(e.status == 0 && e.is_for("sections") && sound.get()))
    });
    macro_rules! text {
        ($field:ident) => {
            move || draft.with(|d| d.$field.clone())
        };
    }
    macro_rules! edit {
        ($field:ident) => {
            move |ev| draft.update(|d| d.$field = event_target_value(&ev))
        };
    }
    let add_section = move |_| {
        draft.update(|d| {
            let n = d.sections.len() + 1;
            let row = d
                .sections
                .last()
                .and_then(|s| s.rows.last())
                .map(RowDraft::after)
                .unwrap_or_else(|| VenueDraft::new().sections[0].rows[0].clone());
            d.sections.push(SectionDraft {
                name: format!("Section {n}"),
                rows: vec![row],
            });
        })
    };
    view! {
        <h2>{move || if editing { i18n.t().edit_venue } else { i18n.t().new_venue }}</h2>
        <div class="venue-editor">
            <form class="card" id="venue-form" on:submit=submit novalidate>
                <div class="form-grid">
                    <div class="field">
                        <label for="venue-name">{move || i18n.t().name}</label>
                        <input id="venue-name" required maxlength="100" prop:value=text!(name)
                            on:input=edit!(name) aria-invalid=invalid(err, "name") aria-describedby="name-error" />
                        <FieldError error=err field="name" />
                    </div>
                    <div class="field">
                        <label for="venue-location">{move || i18n.t().location}</label>
                        <input id="venue-location" maxlength="200" prop:value=text!(location)
                            on:input=edit!(location) aria-invalid=invalid(err, "location") aria-describedby="location-error" />
                        <FieldError error=err field="location" />
                    </div>
                    <div class="field">
                        <label for="venue-zone">{move || i18n.t().time_zone}</label>
                        <input id="venue-zone" list="venue-zones" prop:value=text!(time_zone) on:input=edit!(time_zone)
                            aria-invalid=invalid(err, "time_zone") aria-describedby="venue-zone-hint time_zone-error" />
                        <datalist id="venue-zones">
                            {["Asia/Seoul", "Asia/Tokyo", "Europe/London", "Europe/Berlin", "America/New_York", "UTC"]
                                .map(|z| view! { <option value=z /> }).collect_view()}
                        </datalist>
                        <p class="hint" id="venue-zone-hint">{move || i18n.t().time_zone_hint}</p>
                        <FieldError error=err field="time_zone" />
                    </div>
                </div>
                {editing.then(|| view! { <p class="hint" id="venue-locked-hint">{move || i18n.t().venue_locked_hint}</p> })}
                <h3>{move || i18n.t().venue_sections}</h3>
                {move || {
                    shape
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(s, rows)| view! { <SectionEditor draft parsed s rows /> })
                        .collect_view()
                }}
                <button type="button" class="secondary" id="add-section" on:click=add_section>
                    {move || i18n.t().add_section}
                </button>
                <fieldset class="tier-colors" id="tier-colors">
                    <legend>{move || i18n.t().tier_colors}</legend>
                    {move || colors.get().into_iter().map(|(tier, color)| {
                        let id = format!("color-{tier}");
                        let input_id = id.clone();
                        let label = (i18n.t().tier_color)(&tier);
                        let pick = tier.clone();
                        view! {
                            <label class="tier-color" for=id>
                                <input type="color" id=input_id prop:value=color aria-label=label
                                    on:change=move |ev| {
                                        let value = event_target_value(&ev);
                                        draft.update(|d| { d.colors.insert(pick.clone(), value); });
                                    } />
                                {tier}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <MaybeError error=general />
                <div class="actions">
                    <button type="submit" class="primary" id="venue-save" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { i18n.t().saving } else if editing { i18n.t().save } else { i18n.t().create }}
                    </button>
                    <a class="button secondary" href="/admin/venues">{move || i18n.t().back}</a>
                    {move || saved.get().then(|| view! { <span class="notice success" id="venue-saved" role="status">{i18n.t().saved}</span> })}
                </div>
            </form>
            <section class="card" id="venue-preview" aria-labelledby="venue-preview-title">
                <h3 id="venue-preview-title">{move || i18n.t().venue_preview}</h3>
                <p class="hint" id="venue-seat-total">{move || (i18n.t().venue_seat_total)(preview.with(|m| m.available))}</p>
                {move || {
                    let map = preview.get();
                    let board = Board::new(Vec::new(), Signal::derive(|| None));
                    board.apply(&map);
                    view! { <SeatGrid map board /> }
                }}
            </section>
        </div>
    }
}

#[component]
fn SectionEditor(
    draft: RwSignal<VenueDraft>,
    parsed: Memo<Parsed>,
    s: usize,
    rows: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    let name_id = format!("section-{s}-name");
    let problem_id = format!("section-{s}-problem");
    let name = move || {
        draft.with(|d| {
            d.sections
                .get(s)
                .map(|x| x.name.clone())
                .unwrap_or_default()
        })
    };
    let problem = move || parsed.with(|p| p.problem(s, None).map(|p| p.text(i18n.t())));
    let remove = move |_| {
        draft.update(|d| {
            if d.sections.len() > 1 && s < d.sections.len() {
                d.sections.remove(s);
            }
        })
    };
    let add_row = move |_| {
        draft.update(|d| {
            if let Some(section) = d.sections.get_mut(s) {
                let row = section
                    .rows
                    .last()
                    .map(RowDraft::after)
                    .unwrap_or_else(|| VenueDraft::new().sections[0].rows[0].clone());
                section.rows.push(row);
            }
        })
    };
    let many = move || draft.with(|d| d.sections.len() > 1);
    view! {
        <fieldset class="section-editor" id=format!("section-{s}")>
            <legend>{move || (i18n.t().section_n)(s + 1)}</legend>
            <div class="section-name">
                <label for=name_id.clone()>{move || i18n.t().section_name}</label>
                <input id=name_id maxlength="50" prop:value=name aria-describedby=problem_id.clone()
                    on:input=move |ev| draft.update(|d| if let Some(x) = d.sections.get_mut(s) { x.name = event_target_value(&ev) }) />
                <Show when=many>
                    <button type="button" class="secondary" id=format!("remove-section-{s}") on:click=remove>
                        {move || (i18n.t().remove_section)(&name())}
                    </button>
                </Show>
            </div>
            <p class="field-error" id=problem_id aria-live="polite">{problem}</p>
            <table class="rows-editor">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t().row_label_col}</th>
                        <th scope="col">{move || i18n.t().row_seats_col}</th>
                        <th scope="col">{move || i18n.t().row_first_col}</th>
                        <th scope="col">{move || i18n.t().row_tier_col}</th>
                        <th scope="col">{move || i18n.t().row_gaps_col}</th>
                        <th scope="col"><span class="sr-only">{move || i18n.t().actions}</span></th>
                    </tr>
                </thead>
                {(0..rows).map(|r| view! { <RowEditor draft parsed s r /> }).collect_view()}
            </table>
            <p class="hint">{move || i18n.t().venue_gaps_hint}</p>
            <button type="button" class="secondary" id=format!("add-row-{s}") on:click=add_row>
                {move || i18n.t().add_row}
            </button>
        </fieldset>
    }
}

#[component]
fn RowEditor(
    draft: RwSignal<VenueDraft>,
    parsed: Memo<Parsed>,
    s: usize,
    r: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    let problem_id = format!("row-{s}-{r}-problem");
    let problem =
        Memo::new(move |_| parsed.with(|p| p.problem(s, Some(r)).map(|p| p.text(i18n.t()))));
    let label = move || {
        draft.with(|d| {
            d.sections
                .get(s)
                .and_then(|x| x.rows.get(r))
                .map(|row| row.label.clone())
                .unwrap_or_default()
        })
    };
    macro_rules! cell {
        ($field:ident, $name:literal, $heading:ident, $class:literal) => {{
            let id = format!("row-{s}-{r}-{}", $name);
            view! {
                <td>
                    <input id=id class=$class
                        aria-label=move || format!("{} {}", (i18n.t().row)(&label()), i18n.t().$heading)
                        aria-invalid=move || if problem.with(Option::is_some) { "true" } else { "false" }
                        aria-describedby=problem_id.clone()
                        prop:value=move || draft.with(|d| d.sections.get(s).and_then(|x| x.rows.get(r)).map(|row| row.$field.clone()).unwrap_or_default())
                        on:input=move |ev| draft.update(|d| {
                            if let Some(row) = d.sections.get_mut(s).and_then(|x| x.rows.get_mut(r)) {
                                row.$field = event_target_value(&ev);
                            }
                        }) />
                </td>
            }
        }};
    }
    let remove = move |_| {
        draft.update(|d| {
            if let Some(section) = d.sections.get_mut(s)
                && r < section.rows.len()
            {
                section.rows.remove(r);
            }
        })
    };
    view! {
        <tbody class=move || if problem.with(Option::is_some) { "row-draft invalid" } else { "row-draft" }>
            <tr>
                {cell!(label, "label", row_label_col, "short")}
                {cell!(seats, "seats", row_seats_col, "short")}
                {cell!(first, "first", row_first_col, "short")}
                {cell!(tier, "tier", row_tier_col, "short")}
                {cell!(gaps, "gaps", row_gaps_col, "")}
                <td>
                    <button type="button" class="icon" id=format!("remove-row-{s}-{r}")
                        aria-label=move || (i18n.t().remove_row)(&label()) on:click=remove>"×"</button>
                </td>
            </tr>
            <tr class="row-problem">
                <td colspan="6"><p class="field-error" id=problem_id.clone() aria-live="polite">{move || problem.get()}</p></td>
            </tr>
        </tbody>
    }
}
