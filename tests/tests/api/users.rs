use serde_json::json;
use shared::{ErrorCode, Page, Role, User};
use tests::{ADMIN_EMAIL, room_body, spawn_app};

#[tokio::test]
async fn admins_list_every_account_page_by_page() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for _ in 0..3 {
        app.new_user().await;
    }

    let mut emails = Vec::new();
    let mut path = "/api/v1/users?limit=2".to_owned();
    loop {
        let response = app.get(&path, Some(&admin)).await;
        response.assert_status(200);
        let page: Page<User> = response.json();
        assert!(page.items.len() <= 2);
        emails.extend(page.items.into_iter().map(|u| u.email));
        match page.next_cursor {
            Some(cursor) => path = format!("/api/v1/users?limit=2&cursor={cursor}"),
            None => break,
        }
    }

    assert_eq!(emails.len(), 4, "{emails:?}");
    assert!(emails.contains(&ADMIN_EMAIL.to_owned()));
    let mut sorted = emails.clone();
    sorted.sort();
    assert_eq!(emails, sorted);
}

#[tokio::test]
async fn only_admins_list_users() {
    let app = spawn_app().await;
    let (_, token) = app.new_user().await;

    app.get("/api/v1/users", Some(&token))
        .await
        .assert_error(403, ErrorCode::Forbidden);
    app.get("/api/v1/users", None)
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn a_promoted_user_gains_admin_rights() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (user, token) = app.new_user().await;

    let response = app
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/users/{}/role", user.id),
            Some(&admin),
            Some(&json!({"role": "admin"})),
        )
        .await;

    response.assert_status(200);
    assert_eq!(response.json::<User>().role, Role::Admin);
    app.post("/api/v1/rooms", Some(&token), &room_body("Promoted"))
        .await
        .assert_status(201);
}

#[tokio::test]
async fn role_changes_are_refused_when_invalid() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let me: User = app.get("/api/v1/me", Some(&admin)).await.json();
    let (user, token) = app.new_user().await;
    let put = |path: String, token: String, body: serde_json::Value| {
        let app = &app;
        async move {
            app.request(reqwest::Method::PUT, &path, Some(&token), Some(&body))
                .await
        }
    };

    put(
        format!("/api/v1/users/{}/role", me.id),
        admin.clone(),
        json!({"role": "user"}),
    )
    .await
    .assert_error(409, ErrorCode::LastAdmin);
    put(
        format!("/api/v1/users/{}/role", user.id),
        admin.clone(),
        json!({"role": "owner"}),
    )
    .await
    .assert_error(400, ErrorCode::InvalidInput);
    put(
        "/api/v1/users/0123456789abcdef01234567/role".into(),
        admin.clone(),
        json!({"role": "admin"}),
    )
    .await
    .assert_error(404, ErrorCode::NotFound);
    put(
        format!("/api/v1/users/{}/role", user.id),
        token,
        json!({"role": "admin"}),
    )
    .await
    .assert_error(403, ErrorCode::Forbidden);
}
