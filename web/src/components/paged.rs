//! A cursor-paginated list: the first page through a `LocalResource` (so it
//! follows the filters `fetch` reads), then "Show more" for the next ones.

use leptos::prelude::*;
use shared::Page;

use super::{ErrorNotice, Loading, error_fallback};
use crate::api::{ApiError, Call};
use crate::i18n::use_i18n;

#[component]
pub fn PagedList<T, F, R, V>(
    /// Loads one page: `None` for the first, else the previous `next_cursor`.
    fetch: F,
    /// Renders every item loaded so far.
    render: R,
    /// Shown when there is no item at all.
    #[prop(into)]
    empty: Signal<&'static str>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(Option<String>) -> Call<Page<T>> + Copy + Send + Sync + 'static,
    R: Fn(Vec<T>) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    let first = LocalResource::new(move || fetch(None));
    let more = RwSignal::new(Vec::<T>::new());
    let cursor = RwSignal::new(None::<String>);
    let load_more = Action::new_local(move |cursor: &String| fetch(Some(cursor.clone())));
    let more_error = RwSignal::new(None::<ApiError>);
    Effect::new(move || {
        if let Some(Ok(page)) = first.get() {
            more.set(Vec::new());
            more_error.set(None);
            cursor.set(page.next_cursor);
        }
    });
    Effect::new(move || match load_more.value().get() {
        Some(Ok(page)) => {
            more.update(|m| m.extend(page.items));
            cursor.set(page.next_cursor);
        }
        Some(Err(e)) => more_error.set(Some(e)),
        None => {}
    });
    let list = move || {
        let render = render.clone();
        first.get().map(|result| {
            result.map(|page| {
                let mut items = page.items;
                items.extend(more.get());
                if items.is_empty() {
                    view! { <p class="empty">{move || empty.get()}</p> }.into_any()
                } else {
                    render(items).into_any()
                }
            })
        })
    };
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>{list}</ErrorBoundary>
        </Transition>
        {move || more_error.get().map(|error| view! { <ErrorNotice error /> })}
        {move || {
            cursor
                .get()
                .map(|next| {
                    view! {
                        <button
                            type="button"
                            class="secondary more"
                            disabled=move || load_more.pending().get()
                            on:click=move |_| {
                                load_more.dispatch(next.clone());
                            }
                        >
                            {move || i18n.t().load_more}
                        </button>
                    }
                })
        }}
    }
}
