//! Generated poster images for the demo catalogue (`/posters/{n}.svg`), so
//! the demo needs no image files and no internet.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};

use crate::error::ApiError;

/// A poster whose colours and shapes follow from `n`.
#[get("/posters/{n}.svg")]
async fn poster(path: web::Path<u32>) -> Result<HttpResponse, ApiError> {
    let n = path.into_inner();
    let hue = (n.wrapping_mul(137)) % 360;
    let accent = (hue + 40) % 360;
    let (cx, cy, r) = (60 + (n * 53) % 180, 80 + (n * 97) % 220, 40 + (n * 31) % 90);
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="420" viewBox="0 0 300 420">
<defs><linearGradient id="g" x1="0" y1="0" x2="0.4" y2="1">
<stop offset="0" stop-color="hsl({hue},70%,58%)"/><stop offset="1" stop-color="hsl({accent},65%,22%)"/>
</linearGradient></defs>
<rect width="300" height="420" fill="url(#g)"/>
<circle cx="{cx}" cy="{cy}" r="{r}" fill="hsla({accent},90%,85%,0.35)"/>
<circle cx="{cx2}" cy="{cy2}" r="{r2}" fill="none" stroke="hsla(0,0%,100%,0.45)" stroke-width="3"/>
<text x="24" y="392" font-family="sans-serif" font-size="28" font-weight="700" fill="white" opacity="0.9">No. {n}</text>
</svg>"##,
        cx2 = 300 - cx,
        cy2 = 420 - cy,
        r2 = r / 2 + 20,
    );
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(svg))
}
