//! Creating and editing a show, and uploading its poster.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::{CreateShow, Show, ShowDetail, ShowId};
use wasm_bindgen::JsCast;

use super::performances::Performances;
use crate::api::{self, ApiError};
use crate::components::{FieldError, Loading, MaybeError, error_fallback, invalid};
use crate::i18n::use_i18n;

/// The form's fields, as typed.
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    title: String,
    description: String,
    location: String,
    running_minutes: String,
    poster_url: String,
}

impl Draft {
    fn new() -> Self {
        Self {
            title: String::new(),
            description: String::new(),
            location: String::new(),
            running_minutes: "120".into(),
            poster_url: String::new(),
        }
    }

    fn of(show: &Show) -> Self {
        Self {
            title: show.title.clone(),
            description: show.description.clone(),
            location: show.location.clone(),
            running_minutes: show.running_minutes.to_string(),
            poster_url: show.poster_url.clone(),
        }
    }

    fn to_body(&self) -> Result<CreateShow, ApiError> {
        let running_minutes = self
            .running_minutes
            .trim()
            .parse()
            .map_err(|_| ApiError::local("running_minutes", self.running_minutes.clone()))?;
        Ok(CreateShow {
            title: self.title.clone(),
            poster_url: self.poster_url.clone(),
            description: self.description.clone(),
            location: self.location.clone(),
            running_minutes,
        })
    }
}

#[component]
pub fn NewShowPage() -> impl IntoView {
    view! { <ShowForm existing=None /> }
}

#[component]
pub fn EditShowPage() -> impl IntoView {
    let params = use_params_map();
    let version = RwSignal::new(0u32);
    let show = LocalResource::new(move || {
        version.track();
        api::get_show(&ShowId(params.with(|p| p.get("id").unwrap_or_default())))
    });
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || show.get().map(|s| s.map(|detail: ShowDetail| {
                    let id = detail.show.id.clone();
                    view! {
                        <ShowForm existing=Some(detail.show.clone()) />
                        <PosterUpload id=id.clone() url=detail.show.poster_url.clone() version />
                        <Performances show=id performances=detail.performances version />
                    }
                }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn ShowForm(existing: Option<Show>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let id = existing.as_ref().map(|s| s.id.clone());
    let editing = id.is_some();
    let draft = RwSignal::new(existing.as_ref().map(Draft::of).unwrap_or_else(Draft::new));
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let save = Action::new_local(move |body: &CreateShow| match &id {
        Some(id) => api::update_show(id, body),
        None => api::create_show(body),
    });
    Effect::new(move || match save.value().get() {
        Some(Ok(show)) if !editing => {
            navigate(&format!("/admin/shows/{}", show.id), Default::default())
        }
        Some(Ok(_)) => saved.set(true),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        match draft.get_untracked().to_body() {
            Ok(body) => {
                error.set(None);
                save.dispatch(body);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let err = Signal::derive(move || error.get());
    let general = Signal::derive(move || error.get().filter(|e| e.field.is_none()));
    let text = move |get: fn(&Draft) -> &String| move || draft.with(|d| get(d).clone());
    macro_rules! edit {
        ($field:ident) => {
            move |ev| draft.update(|d| d.$field = event_target_value(&ev))
        };
    }
    view! {
        <h2>{move || if editing { i18n.t().edit_show } else { i18n.t().new_show }}</h2>
        <form class="card form-grid" id="show-form" on:submit=submit novalidate>
            <div class="field">
                <label for="show-title-input">{move || i18n.t().show_title_label}</label>
                <input id="show-title-input" required maxlength="200" prop:value=text(|d| &d.title)
                    on:input=edit!(title) aria-invalid=invalid(err, "title") aria-describedby="title-error" />
                <FieldError error=err field="title" />
            </div>
            <div class="field">
                <label for="show-location">{move || i18n.t().location}</label>
                <input id="show-location" maxlength="200" prop:value=text(|d| &d.location)
                    on:input=edit!(location) aria-invalid=invalid(err, "location") aria-describedby="location-error" />
                <FieldError error=err field="location" />
            </div>
            <div class="field">
                <label for="show-running">{move || i18n.t().running_minutes_label}</label>
                <input id="show-running" type="number" min="1" max="1440" required prop:value=text(|d| &d.running_minutes)
                    on:input=edit!(running_minutes) aria-invalid=invalid(err, "running_minutes") aria-describedby="running_minutes-error" />
                <FieldError error=err field="running_minutes" />
            </div>
            <div class="field">
                <label for="show-poster-url">{move || i18n.t().poster_url_label}</label>
                <input id="show-poster-url" maxlength="2000" prop:value=text(|d| &d.poster_url)
                    on:input=edit!(poster_url) aria-invalid=invalid(err, "poster_url") aria-describedby="poster-url-hint poster_url-error" />
                <p class="hint" id="poster-url-hint">{move || i18n.t().poster_url_hint}</p>
                <FieldError error=err field="poster_url" />
            </div>
            <div class="field wide">
                <label for="show-description">{move || i18n.t().show_description}</label>
                <textarea id="show-description" rows="4" maxlength="5000" prop:value=text(|d| &d.description) on:input=edit!(description) />
                <FieldError error=err field="description" />
            </div>
            <div class="wide"><MaybeError error=general /></div>
            <div class="actions wide">
                <button type="submit" class="primary" id="show-save" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { i18n.t().saving } else if editing { i18n.t().save } else { i18n.t().create }}
                </button>
                <a class="button secondary" href="/admin/shows">{move || i18n.t().back}</a>
                {move || saved.get().then(|| view! { <span class="notice success" id="show-saved" role="status">{i18n.t().saved}</span> })}
            </div>
        </form>
    }
}

/// The file chosen in the `<input type="file">` with this id.
fn chosen_file(id: &str) -> Option<web_sys::File> {
    document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
}

#[component]
fn PosterUpload(id: ShowId, url: String, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<ApiError>);
    let upload = Action::new_local(move |_: &()| -> api::Call<Show> {
        let id = id.clone();
        // Chosen when dispatched: `submit` made sure there is one.
        Box::pin(async move {
            let file =
                chosen_file("poster-file").ok_or_else(|| ApiError::local("body", "no file"))?;
            api::upload_poster(&id, file).await
        })
    });
    Effect::new(move || match upload.value().get() {
        Some(Ok(_)) => version.update(|v| *v += 1),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match chosen_file("poster-file") {
            Some(_) => {
                error.set(None);
                upload.dispatch(());
            }
            None => error.set(Some(ApiError::local("body", i18n.t().poster_choose_first))),
        }
    };
    let err = Signal::derive(move || error.get());
    view! {
        <section class="card poster-upload" aria-labelledby="poster-title">
            <h3 id="poster-title">{move || i18n.t().poster}</h3>
            <div class="poster-row">
                {(!url.is_empty()).then(|| view! { <img id="poster-preview" src=url.clone() alt="" width="120" /> })}
                <form id="poster-form" on:submit=submit novalidate>
                    <div class="field">
                        <label for="poster-file">{move || i18n.t().poster_file}</label>
                        <input id="poster-file" type="file" accept="image/png,image/jpeg,image/webp"
                            aria-describedby="poster-hint body-error" />
                        <p class="hint" id="poster-hint">{move || i18n.t().poster_hint}</p>
                        <FieldError error=err field="body" />
                    </div>
                    <MaybeError error=Signal::derive(move || error.get().filter(|e| e.field.is_none())) />
                    <button type="submit" class="secondary" id="poster-upload" disabled=move || upload.pending().get()>
                        {move || if upload.pending().get() { i18n.t().saving } else { i18n.t().poster_upload }}
                    </button>
                </form>
            </div>
        </section>
    }
}
