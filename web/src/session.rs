//! Who is signed in. The session itself is the API's HttpOnly cookie; this
//! only remembers the account `GET /me` returned, so the header and the
//! guarded pages can react to it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};
use shared::{ErrorCode, Role, User};

use crate::api::{self, ApiError};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::use_i18n;

#[derive(Debug, Clone, Copy)]
pub struct Session {
    user: RwSignal<Option<User>>,
    /// Set once `GET /me` has answered (either way).
    checked: RwSignal<bool>,
    /// Why the check failed, when it was not simply "not signed in".
    error: RwSignal<Option<ApiError>>,
}

impl Session {
    pub fn provide() -> Self {
        let session = Self {
            user: RwSignal::new(None),
            checked: RwSignal::new(false),
            error: RwSignal::new(None),
        };
        provide_context(session);
        session.refresh();
        session
    }

    /// Asks the API who is signed in.
    pub fn refresh(&self) {
        let this = *self;
        let call = api::me();
        spawn_local(async move {
            match call.await {
                Ok(user) => this.signed_in(user),
                Err(e) if e.code == Some(ErrorCode::Unauthenticated) => this.signed_out(),
                Err(e) => {
                    this.error.set(Some(e));
                    this.checked.set(true);
                }
            }
        });
    }

    pub fn signed_in(&self, user: User) {
        self.user.set(Some(user));
        self.error.set(None);
        self.checked.set(true);
    }

    pub fn signed_out(&self) {
        self.user.set(None);
        self.error.set(None);
        self.checked.set(true);
    }

    pub fn user(&self) -> Option<User> {
        self.user.get()
    }

    pub fn is_admin(&self) -> bool {
        self.user
            .with(|u| u.as_ref().is_some_and(|u| u.role == Role::Admin))
    }

    pub fn checked(&self) -> bool {
        self.checked.get()
    }

    pub fn error(&self) -> Option<ApiError> {
        self.error.get()
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// A page's path with its query, to come back to after logging in. (The
/// router's `search` has no leading `?`.)
pub fn here(path: &str, search: &str) -> String {
    match search.trim_start_matches('?') {
        "" => path.to_owned(),
        query => format!("{path}?{query}"),
    }
}

/// Where to come back to after logging in: only paths on this site.
pub fn safe_return_path(next: Option<String>) -> String {
    next.filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into())
}

/// Renders `children` for signed-in users; sends others to log in and back.
#[component]
pub fn RequireUser(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move || {
        if session.checked() && session.error().is_none() && session.user().is_none() {
            let here = here(
                &location.pathname.get_untracked(),
                &location.search.get_untracked(),
            );
            let next = String::from(js_sys::encode_uri_component(&here));
            navigate(
                &format!("/login?next={next}"),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    move || {
        if let Some(error) = session.error() {
            view! { <ErrorNotice error /> }.into_any()
        } else if session.user().is_some() {
            children().into_any()
        } else {
            view! { <Loading /> }.into_any()
        }
    }
}

/// Like [`RequireUser`], and only for administrators.
#[component]
pub fn RequireAdmin(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let children = StoredValue::new(children);
    view! {
        <RequireUser>
            {move || {
                if session.is_admin() {
                    children.with_value(|c| c()).into_any()
                } else {
                    view! { <p class="notice" role="alert">{move || i18n.t().admin_only}</p> }
                        .into_any()
                }
            }}
        </RequireUser>
    }
}
