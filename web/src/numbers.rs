//! Numbers through the browser's `Intl.NumberFormat`, grouped the way the
//! chosen language groups them (1,000,000 in both, for now).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::i18n::Lang;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl)]
    type NumberFormat;

    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locale: &str, options: &Object) -> Result<NumberFormat, JsValue>;

    #[wasm_bindgen(method)]
    fn format(this: &NumberFormat, number: f64) -> String;
}

fn format_with(n: i64, lang: Lang, sign: &str) -> String {
    let options = Object::new();
    let _ = Reflect::set(&options, &"signDisplay".into(), &sign.into());
    let _ = Reflect::set(&options, &"maximumFractionDigits".into(), &0.into());
    NumberFormat::new(lang.locale(), &options)
        .map(|f| f.format(n as f64))
        .unwrap_or_else(|_| n.to_string())
}

/// `1234567` as "1,234,567".
pub fn number(n: i64, lang: Lang) -> String {
    format_with(n, lang, "auto")
}

/// A change: "+50,000", "-120,000", "0".
pub fn signed(n: i64, lang: Lang) -> String {
    format_with(n, lang, "exceptZero")
}

/// An amount of points in words, e.g. "120,000 points" or "120,000포인트".
pub fn points(n: i64, lang: Lang) -> String {
    (lang.texts().points)(&number(n, lang))
}
