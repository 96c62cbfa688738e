//! The mailer every instance runs: fans events out where no webhook
//! dispatcher does, makes reminders, then claims e-mail jobs that are
//! due (`store/mails.rs`) and sends each in its user's language, through
//! SMTP, or to the log when no SMTP server is configured.

pub mod render;

use std::time::Duration;

use chrono::Utc;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;
use shared::{Booking, MailKind, Reservation};

use crate::background::Stopped;
use crate::configuration::{MailSettings, SmtpSecurity};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::store::mails::{MailDoc, MailOutcome};
use render::{Subject, render};

/// Events fanned out per round.
const FAN_OUT_BATCH: i64 = 500;
/// How often reminders are looked for.
const REMINDER_SCAN: chrono::Duration = chrono::Duration::seconds(30);
const CONTENT_LANGUAGE: HeaderName = HeaderName::new_from_ascii_str("Content-Language");

type Transport = AsyncSmtpTransport<Tokio1Executor>;

struct Mailer {
    store: Store,
    metrics: Metrics,
    /// Whether this instance's webhook dispatcher already runs the fan-out.
    dispatcher_fans_out: bool,
    settings: MailSettings,
    from: Mailbox,
    /// `None`: e-mail goes to the log.
    transport: Option<Transport>,
}

/// The SMTP transport the settings describe; `None` without a host.
fn transport(settings: &MailSettings) -> Result<Option<Transport>, String> {
    let host = settings.smtp_host.trim();
    if host.is_empty() {
        return Ok(None);
    }
    let tls =
        || TlsParameters::new(host.to_owned()).map_err(|e| format!("mail.smtp_host {host}: {e}"));
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(settings.smtp_port)
        .timeout(Some(Duration::from_secs(settings.timeout_seconds.max(1))));
    builder = match settings.smtp_security {
        SmtpSecurity::Starttls => builder.tls(Tls::Required(tls()?)),
        SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls()?)),
        SmtpSecurity::None => builder.tls(Tls::None),
    };
    if !settings.smtp_username.is_empty() {
        builder = builder.credentials(Credentials::new(
            settings.smtp_username.clone(),
            settings.smtp_password.expose_secret().to_owned(),
        ));
    }
    Ok(Some(builder.build()))
}

/// Starts this instance's mailer, unless `mail.send` is off. Fails on
/// settings that cannot work (a sender that is no address).
pub fn spawn(
    store: Store,
    metrics: Metrics,
    (settings, dispatcher_fans_out): (MailSettings, bool),
    stopped: Stopped,
) -> Result<(), String> {
    let from: Mailbox = settings
        .from
        .parse()
        .map_err(|e| format!("mail.from {:?} is not an address: {e}", settings.from))?;
    if !settings.base_url.starts_with("http://") && !settings.base_url.starts_with("https://") {
        return Err(format!(
            "mail.base_url {:?} must be an http or https URL",
            settings.base_url
        ));
    }
    // Ten years: far beyond any sensible value, well inside chrono's range.
    const LONGEST_SECONDS: u64 = 10 * 365 * 24 * 3600;
    if settings.reminder_minutes.saturating_mul(60) > LONGEST_SECONDS
        || settings.retry_for_seconds > LONGEST_SECONDS
        || settings.timeout_seconds > 3600
    {
        return Err(
            "mail.reminder_minutes, retry_for_seconds or timeout_seconds is too large".into(),
        );
    }
    let transport = transport(&settings)?;
    if !settings.send {
        return Ok(());
    }
    if transport.is_none() {
        tracing::info!("no mail.smtp_host: e-mail to users is written to the log, not sent");
    }
    let mailer = Mailer {
        store,
        metrics,
        dispatcher_fans_out,
        settings,
        from,
        transport,
    };
    tokio::spawn(mailer.run(stopped));
    Ok(())
}

impl Mailer {
    async fn run(self, mut stopped: Stopped) {
        let poll = Duration::from_millis(self.settings.poll_ms.max(10));
        let lead = chrono::Duration::minutes(
            i64::try_from(self.settings.reminder_minutes).unwrap_or_default(),
        );
        // Reminders are made for what enters the window since the last
        // scan; the first scan (after a start) takes the whole window.
        let mut scanned_until: Option<chrono::DateTime<Utc>> = None;
        let mut next_scan = Utc::now();
        while stopped.sleep(poll).await {
            if !self.store.indexes_ready() {
                continue;
            }
            // The webhook dispatcher fans out on instances that run it.
            if !self.dispatcher_fans_out
                && let Err(e) = self.store.fan_out(FAN_OUT_BATCH).await
            {
                tracing::debug!(error = %e, "mail fan-out skipped");
            }
            // The database's clock judges claims, as every instance's does.
            let Ok(now) = self.store.server_time().await else {
                continue;
            };
            let skew = now - Utc::now();
            if self.settings.reminder_minutes > 0 && now >= next_scan {
                let from = scanned_until
                    .map_or(now, |until| until - REMINDER_SCAN)
                    .max(now);
                match self.store.queue_reminders(from, now + lead).await {
                    Ok(()) => {
                        scanned_until = Some(now + lead);
                        next_scan = now + REMINDER_SCAN;
                    }
                    Err(e) => tracing::debug!(error = %e, "reminder scan skipped"),
                }
            }
            // Work off what is due, one at a time and at most
            // `max_per_second`, then sleep again.
            let pace = (self.settings.max_per_second > 0)
                .then(|| Duration::from_secs(1) / self.settings.max_per_second);
            loop {
                let started = std::time::Instant::now();
                let now = Utc::now() + skew;
                let claim = now + self.claim_length();
                match self.store.claim_mail(now, claim).await {
                    Ok(Some(mail)) => {
                        let outcome = self.attempt(&mail, now).await;
                        self.metrics.mail(mail.kind.as_str(), outcome.label());
                        if let Err(e) = self.store.finish_mail(&mail, outcome).await {
                            tracing::warn!(error = %e, mail = %mail.key, "mail result not recorded; it is tried again once its claim ends");
                        }
                        if let Some(left) = pace.and_then(|p| p.checked_sub(started.elapsed()))
                            && !stopped.sleep(left).await
                        {
                            return;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::debug!(error = %e, "mail claim skipped");
                        break;
                    }
                }
            }
        }
    }

    fn claim_length(&self) -> chrono::Duration {
        chrono::Duration::seconds(
            i64::try_from(self.settings.timeout_seconds).unwrap_or(60) * 3 + 10,
        )
    }

    async fn attempt(&self, mail: &MailDoc, now: chrono::DateTime<Utc>) -> MailOutcome {
        // Well inside the claim, so no other instance takes this e-mail
        // while it is being sent.
        let limit = Duration::from_secs(self.settings.timeout_seconds.max(1) * 2 + 5);
        let tried = tokio::time::timeout(limit, self.try_send(mail, now))
            .await
            .unwrap_or_else(|_| Err(Failure::Transient("timed out".into())));
        match tried {
            Ok(outcome) => outcome,
            Err(Failure::Permanent(error)) => MailOutcome::Dead(error),
            Err(Failure::Transient(error)) => {
                let first = mail.first_attempt_at.map_or(now, |t| t.to_chrono());
                let give_up = first
                    + chrono::Duration::seconds(
                        i64::try_from(self.settings.retry_for_seconds).unwrap_or_default(),
                    );
                let at = now
                    + crate::dispatch::backoff_between(
                        self.settings.retry_base_ms,
                        self.settings.retry_max_ms,
                        mail.attempts,
                    );
                if at > give_up {
                    tracing::warn!(mail = %mail.key, %error, "e-mail given up after its retry period");
                    MailOutcome::Dead(error)
                } else {
                    tracing::info!(mail = %mail.key, %error, attempts = mail.attempts, "e-mail not sent; retried later");
                    MailOutcome::Retry { error, at }
                }
            }
        }
    }

    async fn try_send(
        &self,
        mail: &MailDoc,
        now: chrono::DateTime<Utc>,
    ) -> Result<MailOutcome, Failure> {
        let store_failure = |e: ApiError| Failure::Transient(e.to_string());
        let max_age = chrono::Duration::seconds(
            i64::try_from(self.settings.retry_for_seconds).unwrap_or_default(),
        );
        if mail.first_attempt_at.is_none() && now - mail.created_at.to_chrono() > max_age {
            // Made while no instance sent e-mail: old news by now.
            return Ok(MailOutcome::Skipped(
                "older than mail.retry_for_seconds when first tried".into(),
            ));
        }
        let Some(user) = self
            .store
            .user_by_id(mail.user_id)
            .await
            .map_err(store_failure)?
        else {
            return Ok(MailOutcome::Skipped("the account no longer exists".into()));
        };
        let settings = self
            .store
            .notification_settings(user.id, self.settings.default_language)
            .await
            .map_err(store_failure)?;
        if settings.muted.contains(&mail.kind) {
            return Ok(MailOutcome::Skipped("turned off by the user".into()));
        }
        if mail.kind == MailKind::Reminder
            && !self
                .store
                .reminder_still_due(mail, now)
                .await
                .map_err(store_failure)?
        {
            return Ok(MailOutcome::Skipped("no longer booked at that time".into()));
        }
        let subject = match mail.target_type.as_str() {
            "booking" => bson::from_document::<Booking>(mail.data.clone())
                .map(|b| Subject::Booking(Box::new(b))),
            _ => bson::from_document::<Reservation>(mail.data.clone())
                .map(|r| Subject::Reservation(Box::new(r))),
        }
        .map_err(|e| Failure::Permanent(format!("unreadable {}: {e}", mail.target_type)))?;
        let base = self.settings.base_url.trim_end_matches('/');
        let letter = render(mail.kind, &subject, &user.name, settings.language, base);
        let address = user
            .email
            .parse()
            .map_err(|e| Failure::Permanent(format!("{} is no address: {e}", user.email)))?;
        let to = Mailbox::new(Some(user.name.clone()), address);
        let domain = self.from.email.domain().to_owned();
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.clone())
            .subject(letter.subject.clone())
            .message_id(Some(format!("<{}@{domain}>", mail.key.replace(':', "."))))
            .raw_header(HeaderValue::new(
                CONTENT_LANGUAGE,
                settings.language.code().to_owned(),
            ))
            .header(ContentType::TEXT_PLAIN)
            .body(letter.body.clone())
            .map_err(|e| Failure::Permanent(format!("building the message: {e}")))?;
        let to = to.email.to_string();
        let Some(transport) = &self.transport else {
            tracing::info!(mail = %mail.key, %to, subject = %letter.subject, body = %letter.body, "e-mail (not sent: no mail.smtp_host)");
            return Ok(MailOutcome::Logged {
                to,
                subject: letter.subject,
            });
        };
        match transport.send(message).await {
            Ok(_) => {
                tracing::info!(mail = %mail.key, %to, "e-mail sent");
                Ok(MailOutcome::Sent {
                    to,
                    subject: letter.subject,
                })
            }
            Err(e) if e.is_permanent() => Err(Failure::Permanent(e.to_string())),
            Err(e) => Err(Failure::Transient(e.to_string())),
        }
    }
}

enum Failure {
    /// The server refused for good (5xx), or the job cannot be rendered.
    Permanent(String),
    /// Worth trying again: no connection, a timeout, a 4xx answer.
    Transient(String),
}
