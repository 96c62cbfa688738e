//! Builds the application: database handle, routes, listener.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix_files::{Files, NamedFile};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use secrecy::ExposeSecret;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::password::HashCost;
use crate::background::{StopSignal, stop_signal};
use crate::catalogue::Catalogue;
use crate::configuration::{ApplicationSettings, Settings};
use crate::domain::user::Email;
use crate::error::ApiError;
use crate::extract::MAX_BODY_BYTES;
use crate::live::SeatFeed;
use crate::metrics::{Metrics, metrics_endpoint, record_outcomes};
use crate::oidc::Providers;
use crate::openapi::ApiDoc;
use crate::queue::WaitingRoom;
use crate::routes::methods::KnownPaths;
use crate::routes::{self, AppConfig};
use crate::seat_queue::SeatQueue;
use crate::security::limits::RateLimits;
use crate::security::{self, Security};
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database client: {0}")]
    Database(#[from] mongodb::error::Error),
    #[error("listener: {0}")]
    Io(#[from] std::io::Error),
    #[error("configuration: {0}")]
    Config(String),
}

/// A running server bound to its own listener.
pub struct Application {
    port: u16,
    server: Server,
    stop: StopSignal,
}

impl Application {
    /// Binds `application.host:port` (port 0 picks a free one) and prepares
    /// the database. If the database is down, the server still starts,
    /// answers `503` and finishes preparing once the database is back.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let config = AppConfig::from_settings(&settings).map_err(StartupError::Config)?;
        let metrics = Metrics::new().map_err(|e| StartupError::Config(format!("metrics: {e}")))?;
        let store = Store::connect(&settings.database, metrics.clone()).await?;
        let (stop, stopped) = stop_signal();
        if let Err(e) = prepare(&store, &settings, config.hash_cost).await {
            tracing::warn!(error = %e, "database not ready; retrying in the background");
            let (store, settings, mut stopped) = (store.clone(), settings.clone(), stopped.clone());
            tokio::spawn(async move {
                while stopped.sleep(Duration::from_secs(2)).await {
                    match prepare(&store, &settings, config.hash_cost).await {
                        Ok(()) => {
                            tracing::info!("database prepared");
                            break;
                        }
                        Err(e) => tracing::warn!(error = %e, "database still not ready"),
                    }
                }
            });
        }
        let listener = TcpListener::bind((
            settings.application.host.as_str(),
            settings.application.port,
        ))?;
        let port = listener.local_addr()?.port();
        let static_dir = Some(PathBuf::from(&settings.application.static_dir))
            .filter(|dir| !dir.as_os_str().is_empty());
        if let Some(dir) = &static_dir
            && !dir.join("index.html").is_file()
        {
            return Err(StartupError::Config(format!(
                "application.static_dir {} has no index.html; build the web app first",
                dir.display()
            )));
        }
        crate::background::spawn_hold_sweep(
            store.clone(),
            Duration::from_secs(settings.events.sweep_interval_seconds.max(1)),
            stopped.clone(),
        );
        crate::background::spawn_occupancy_sealer(
            store.clone(),
            config.reservation_rules.max_duration,
            stopped.clone(),
        );
        let waiting_room =
            WaitingRoom::new(settings.queue.clone()).map_err(StartupError::Config)?;
        let live_feed = SeatFeed::new(store.clone(), stopped.clone(), &settings.events);
        crate::dispatch::spawn(
            store.clone(),
            metrics.clone(),
            settings.webhooks.clone(),
            stopped.clone(),
        )
        .map_err(StartupError::Config)?;
        crate::mail::spawn(
            store.clone(),
            metrics.clone(),
            (settings.mail.clone(), settings.webhooks.dispatch),
            stopped.clone(),
        )
        .map_err(StartupError::Config)?;
        crate::reconcile::spawn(
            store.clone(),
            metrics.clone(),
            settings.reconcile.clone(),
            stopped.clone(),
        );
        waiting_room.spawn(store.clone(), stopped.clone());
        let security = Security::from_settings(&settings.security).map_err(StartupError::Config)?;
        let limits = Arc::new(
            RateLimits::from_settings(&settings.rate_limits, metrics.clone())
                .map_err(StartupError::Config)?,
        );
        limits.clone().spawn_tidying(stopped.clone());
        let providers = Providers::from_settings(&settings.oidc, &settings.mail.base_url)
            .map_err(StartupError::Config)?;
        let catalogue = Catalogue::new(
            Duration::from_millis(settings.events.cache_ttl_ms),
            metrics.clone(),
        );
        let server = run(
            listener,
            Shared {
                store,
                config,
                catalogue,
                metrics,
                waiting_room,
                live_feed,
                security,
                limits,
                providers,
            },
            static_dir,
            &settings.application,
        )?;
        tracing::info!(port, "listening");
        Ok(Self { port, server, stop })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Lets the owner stop the server, e.g. a test finishing.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Stops on SIGTERM gracefully (requests in flight get
    /// `application.shutdown_grace_seconds`), on SIGINT or SIGQUIT at once.
    /// Live seat-map streams and background jobs end as the stop begins,
    /// so they do not hold the grace period up.
    pub fn stop_on_signals(&self) -> std::io::Result<()> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut quit = signal(SignalKind::quit())?;
        let (handle, stop) = (self.server.handle(), self.stop.clone());
        tokio::spawn(async move {
            let graceful = tokio::select! {
                _ = term.recv() => true,
                _ = interrupt.recv() => false,
                _ = quit.recv() => false,
            };
            tracing::info!(graceful, "stopping");
            stop.stop();
            handle.stop(graceful).await;
        });
        Ok(())
    }

    /// Serves until stopped (a signal, or the handle), then ends the
    /// background jobs.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.stop.stop();
        served
    }
}

/// Creates the indexes and the bootstrap admin. Safe to repeat.
async fn prepare(store: &Store, settings: &Settings, cost: HashCost) -> Result<(), ApiError> {
    store.ensure_indexes().await?;
    let auth = &settings.auth;
    let password = auth.bootstrap_admin_password.expose_secret().to_owned();
    if !auth.bootstrap_admin_email.is_empty() && !password.is_empty() {
        let email = Email::parse(&auth.bootstrap_admin_email)
            .map_err(|e| ApiError::Internal(format!("bootstrap admin email: {}", e.message)))?;
        store
            .ensure_admin(&email, &auth.bootstrap_admin_name, || cost.hash(&password))
            .await?;
    }
    store.mark_ready();
    Ok(())
}

/// Refuses API requests until the booking indexes exist: without them a
/// double booking would be possible.
async fn require_indexes<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let ready = req
        .app_data::<web::Data<Store>>()
        .is_some_and(|s| s.indexes_ready());
    if !ready && !req.path().starts_with("/api/v1/health") {
        let error =
            ApiError::Unavailable("the server is still preparing the database; retry shortly");
        return Ok(security::refuse(req, error));
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// No route took the request: `405` with `Allow` for a known path asked
/// with another method, else `404`.
pub(crate) async fn api_not_found(
    req: actix_web::HttpRequest,
    known: web::Data<KnownPaths>,
) -> Result<HttpResponse, ApiError> {
    match known.allowed(req.path()) {
        Some(allow) => Err(ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            allow: allow.to_owned(),
        }),
        None => Err(ApiError::NotFound("endpoint")),
    }
}

/// What every worker shares.
struct Shared {
    store: Store,
    config: AppConfig,
    catalogue: Catalogue,
    metrics: Metrics,
    waiting_room: WaitingRoom,
    live_feed: SeatFeed,
    security: Security,
    limits: Arc<RateLimits>,
    providers: Providers,
}

fn run(
    listener: TcpListener,
    shared: Shared,
    static_dir: Option<PathBuf>,
    settings: &ApplicationSettings,
) -> Result<Server, StartupError> {
    let http_metrics = shared
        .metrics
        .http_middleware()
        .map_err(|e| StartupError::Config(e.to_string()))?;
    let store = web::Data::new(shared.store);
    let config = web::Data::new(shared.config);
    let catalogue = web::Data::new(shared.catalogue);
    let metrics = web::Data::new(shared.metrics);
    let waiting_room = web::Data::new(shared.waiting_room);
    let live_feed = web::Data::new(shared.live_feed);
    let security = web::Data::new(shared.security);
    let limits = web::Data::from(shared.limits);
    let providers = web::Data::new(shared.providers);
    let queue = web::Data::new(SeatQueue::new(4096, Duration::from_secs(3)));
    let openapi = ApiDoc::openapi();
    let document = crate::openapi::document()
        .map_err(|e| StartupError::Config(format!("the OpenAPI document: {e}")))?;
    let known_paths = web::Data::new(KnownPaths::from_openapi(&openapi));
    let mut server = HttpServer::new(move || {
        let mut app = App::new()
            .wrap(from_fn(security::headers))
            .wrap(TracingLogger::default())
            .wrap(http_metrics.clone())
            .app_data(store.clone())
            .app_data(config.clone())
            .app_data(catalogue.clone())
            .app_data(metrics.clone())
            .app_data(queue.clone())
            .app_data(waiting_room.clone())
            .app_data(live_feed.clone())
            .app_data(known_paths.clone())
            .app_data(security.clone())
            .app_data(limits.clone())
            .app_data(providers.clone())
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .service(
                web::scope("/api/v1")
                    .wrap(from_fn(security::public_reads))
                    .wrap(from_fn(security::same_origin))
                    .wrap(from_fn(require_indexes))
                    .wrap(from_fn(record_outcomes))
                    .configure(routes::configure)
                    .default_service(web::to(api_not_found)),
            )
            .service(metrics_endpoint)
            .service(web::redirect("/api/docs", "/api/docs/"))
            .service(
                SwaggerUi::new("/api/docs/{_:.*}")
                    .external_url_unchecked("/api/openapi.json", document.clone()),
            )
            .service(web::scope("/api").default_service(web::to(api_not_found)))
            .service(routes::posters::poster);
        if let Some(dir) = &static_dir {
            let index = dir.join("index.html");
            // Client-side routes (/rooms/42) fall back to the app's index.html.
            app = app.service(
                Files::new("/", dir)
                    .index_file("index.html")
                    .default_handler(web::to(move || {
                        let index = index.clone();
                        async move { NamedFile::open_async(index).await }
                    })),
            );
        }
        app
    })
    .listen(listener)?
    // `Application::stop_on_signals` stops it instead, so that live
    // streams end as the stop begins.
    .disable_signals()
    // On SIGTERM (or a stop from the handle): stop accepting, then let
    // requests in flight finish for up to this long.
    .shutdown_timeout(settings.shutdown_grace_seconds);
    if settings.workers > 0 {
        server = server.workers(settings.workers);
    }
    Ok(server.run())
}
