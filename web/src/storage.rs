//! The browser's storage: `local` lasts across visits, `session` for the tab.

pub fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}
