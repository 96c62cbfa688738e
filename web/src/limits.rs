//! The limits the server enforces (`GET /limits`), asked for once per visit
//! so forms can state them before a request is refused. Until they arrive,
//! or if asking fails, forms say nothing about them and check nothing: the
//! API has the last word either way, and its refusals show in place.

use leptos::prelude::*;
use shared::Limits;

use crate::api::{self, ApiError};

/// The server's limits, shared through context.
#[derive(Clone, Copy)]
pub struct ServerLimits(LocalResource<Result<Limits, ApiError>>);

impl ServerLimits {
    /// Starts asking for the limits and provides them to every page.
    pub fn provide() {
        provide_context(Self(LocalResource::new(api::limits)));
    }

    /// The limits, once known (tracked).
    pub fn get(&self) -> Option<Limits> {
        self.0.get().and_then(Result::ok)
    }
}

pub fn use_limits() -> ServerLimits {
    expect_context::<ServerLimits>()
}
