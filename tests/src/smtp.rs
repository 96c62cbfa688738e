//! A real SMTP server for the e-mail tests: Python's `aiosmtpd` (from
//! PyPI, in the test virtual environment), run by `tests/mail/smtp_sink.py`
//! as a process of its own. What it accepts is parsed by Python's e-mail
//! parser and handed back here.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::process::free_port;
use crate::receiver::test_python;

/// One message as the server received and parsed it.
#[derive(Debug, Clone, Deserialize)]
pub struct Mail {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub content_language: Option<String>,
    pub message_id: Option<String>,
    pub body: Option<String>,
}

impl Mail {
    pub fn body(&self) -> &str {
        self.body.as_deref().unwrap_or_default()
    }
}

/// The running server, stopped when dropped.
pub struct SmtpSink {
    pub port: u16,
    child: Child,
    accepted: Arc<Mutex<Vec<Mail>>>,
    refused: Arc<Mutex<usize>>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpSink {
    /// Starts the server on a free port; it refuses the first
    /// `refuse_first` messages with `451` (try again later).
    pub fn start(refuse_first: usize) -> Self {
        let port = free_port();
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("mail/smtp_sink.py");
        let mut child = Command::new(test_python())
            .arg(script)
            .arg(port.to_string())
            .arg(refuse_first.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the SMTP server starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        match lines.next() {
            Some(Ok(line)) if line == "ready" => {}
            other => panic!("the SMTP server did not start: {other:?}"),
        }
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(Mutex::new(0));
        let (into, refusals) = (Arc::clone(&accepted), Arc::clone(&refused));
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if line.contains("\"refused\"") {
                    *refusals.lock().expect("lock") += 1;
                    continue;
                }
                let mail: Mail = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("unreadable record {line}: {e}"));
                into.lock().expect("lock").push(mail);
            }
        });
        Self {
            port,
            child,
            accepted,
            refused,
        }
    }

    /// Every message accepted so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.accepted.lock().expect("lock").clone()
    }

    /// How many messages it refused.
    pub fn refused(&self) -> usize {
        *self.refused.lock().expect("lock")
    }

    /// Waits up to 20 s for a message to `to` whose subject contains
    /// `needle`.
    pub async fn wait_for(&self, to: &str, needle: &str) -> Mail {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(mail) = self
                .mails()
                .into_iter()
                .find(|m| m.rcpt_tos.iter().any(|r| r == to) && m.subject.contains(needle))
            {
                return mail;
            }
            assert!(
                Instant::now() < deadline,
                "no mail to {to} about {needle:?}; got {:#?}",
                self.mails()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The messages to `to`.
    pub fn mails_to(&self, to: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.rcpt_tos.iter().any(|r| r == to))
            .collect()
    }
}
