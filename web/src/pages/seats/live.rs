//! The seat map's live stream (`GET .../seats/events`, server-sent
//! events): the whole map first, then each seat as it changes, whichever
//! server instance changed it. While it is open the page stops polling;
//! when it drops, polling takes over again until the stream is back.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use shared::{PerformanceId, SeatEvent, SeatMap};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Event, EventSource, MessageEvent};

use super::board::Board;

/// How long after the server refused the stream (e.g. an instance that
/// serves as many as it may) the page asks again.
const REOPEN_AFTER_MS: u64 = 30_000;

/// An open stream and its handlers; closed when dropped.
struct Stream {
    source: EventSource,
    _handlers: Vec<Closure<dyn FnMut(Event)>>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// Follows the performance's live stream for as long as the page is open.
/// `live` says whether it is delivering now (the poll stands by while it
/// is); `layout` gets the first map if polling has not drawn one yet.
pub fn follow(
    id: &PerformanceId,
    board: Board,
    layout: RwSignal<Option<SeatMap>>,
    live: RwSignal<bool>,
) {
    let url = format!(
        "/api/v1/performances/{}/seats/events",
        js_sys::encode_uri_component(&id.0)
    );
    let stream = StoredValue::new(None::<SendWrapper<Stream>>);
    let generation = RwSignal::new(0u32);
    Effect::new(move || {
        generation.track();
        let opened = open(&url, board, layout, live, move || {
            // Refused or broken for good: poll, and try again later.
            set_timeout(
                move || {
                    generation.try_update(|g| *g += 1);
                },
                std::time::Duration::from_millis(REOPEN_AFTER_MS),
            );
        });
        stream.try_set_value(opened.map(SendWrapper::new));
    });
    on_cleanup(move || {
        stream.try_set_value(None);
    });
}

fn open(
    url: &str,
    board: Board,
    layout: RwSignal<Option<SeatMap>>,
    live: RwSignal<bool>,
    gave_up: impl Fn() + 'static,
) -> Option<Stream> {
    let source = EventSource::new(url).ok()?;
    let on_map = handler(move |data| {
        if let Ok(map) = serde_json::from_str::<SeatMap>(&data) {
            board.apply(&map);
            if layout.with_untracked(Option::is_none) {
                layout.set(Some(map));
            }
            live.set(true);
        }
    });
    let on_seat = handler(move |data| {
        if let Ok(seat) = serde_json::from_str::<SeatEvent>(&data) {
            board.patch(&seat);
        }
    });
    let on_error = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        live.set(false);
        let closed = event
            .target()
            .and_then(|t| t.dyn_into::<EventSource>().ok())
            .is_some_and(|s| s.ready_state() == EventSource::CLOSED);
        // Otherwise the browser reconnects by itself, and the next `map`
        // makes the stream live again.
        if closed {
            gave_up();
        }
    });
    for (name, callback) in [("map", &on_map), ("seat", &on_seat), ("error", &on_error)] {
        source
            .add_event_listener_with_callback(name, callback.as_ref().unchecked_ref())
            .ok()?;
    }
    Some(Stream {
        source,
        _handlers: vec![on_map, on_seat, on_error],
    })
}

/// A listener that hands the event's data to `take`.
fn handler(take: impl Fn(String) + 'static) -> Closure<dyn FnMut(Event)> {
    Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        if let Some(data) = event
            .dyn_into::<MessageEvent>()
            .ok()
            .and_then(|m| m.data().as_string())
        {
            take(data);
        }
    })
}
