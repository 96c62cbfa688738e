//! One function per endpoint the web app uses, typed with the shared DTOs.

use gloo_net::http::Method;
use shared::{
    BusyQuery, BusyRange, ChangeRole, CreateReservation, CreateRoom, LoginResponse, LoginUser,
    Page, PageQuery, RegisterUser, Reservation, ReservationId, ReservationQuery, Room, RoomId,
    RoomQuery, UpdateRoom, User, UserId,
};

use super::{ApiError, json, segment, send, with_query};

pub type Call<T> = std::pin::Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

pub fn me() -> Call<User> {
    Box::pin(send(Method::GET, "/me".into(), None))
}

pub fn register(body: &RegisterUser) -> Call<User> {
    Box::pin(send(Method::POST, "/auth/register".into(), json(body)))
}

pub fn log_in(body: &LoginUser) -> Call<LoginResponse> {
    Box::pin(send(Method::POST, "/auth/login".into(), json(body)))
}

pub fn log_out() -> Call<()> {
    Box::pin(send(Method::POST, "/auth/logout".into(), None))
}

pub fn list_rooms(query: &RoomQuery) -> Call<Page<Room>> {
    Box::pin(send(Method::GET, with_query("/rooms", query), None))
}

pub fn get_room(id: &RoomId) -> Call<Room> {
    Box::pin(send(
        Method::GET,
        format!("/rooms/{}", segment(&id.0)),
        None,
    ))
}

pub fn create_room(body: &CreateRoom) -> Call<Room> {
    Box::pin(send(Method::POST, "/rooms".into(), json(body)))
}

pub fn update_room(id: &RoomId, body: &UpdateRoom) -> Call<Room> {
    let path = format!("/rooms/{}", segment(&id.0));
    Box::pin(send(Method::PATCH, path, json(body)))
}

pub fn delete_room(id: &RoomId) -> Call<()> {
    Box::pin(send(
        Method::DELETE,
        format!("/rooms/{}", segment(&id.0)),
        None,
    ))
}

/// When the room is taken, by anyone, without who or why.
pub fn room_busy(id: &RoomId, query: &BusyQuery) -> Call<Vec<BusyRange>> {
    let path = with_query(&format!("/rooms/{}/busy", segment(&id.0)), query);
    Box::pin(send(Method::GET, path, None))
}

pub fn list_reservations(query: &ReservationQuery) -> Call<Page<Reservation>> {
    Box::pin(send(Method::GET, with_query("/reservations", query), None))
}

pub fn create_reservation(body: &CreateReservation) -> Call<Reservation> {
    Box::pin(send(Method::POST, "/reservations".into(), json(body)))
}

/// `action` is `cancel`, `approve` or `reject`.
fn decide(id: &ReservationId, action: &str) -> Call<Reservation> {
    let path = format!("/reservations/{}/{action}", segment(&id.0));
    Box::pin(send(Method::POST, path, None))
}

pub fn cancel_reservation(id: &ReservationId) -> Call<Reservation> {
    decide(id, "cancel")
}

pub fn approve_reservation(id: &ReservationId) -> Call<Reservation> {
    decide(id, "approve")
}

pub fn reject_reservation(id: &ReservationId) -> Call<Reservation> {
    decide(id, "reject")
}

pub fn list_users(query: &PageQuery) -> Call<Page<User>> {
    Box::pin(send(Method::GET, with_query("/users", query), None))
}

pub fn change_role(id: &UserId, body: &ChangeRole) -> Call<User> {
    let path = format!("/users/{}/role", segment(&id.0));
    Box::pin(send(Method::PUT, path, json(body)))
}
