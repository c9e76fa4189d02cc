//! Ambit's messages to people. Reminders are queued in the store's outbox
//! (`Store::queue_reminders`), each once, and delivered here by a
//! [`Sender`]: [`SmtpSender`] for a mail server, or any other
//! implementation (a test's, or one that posts to a chat service).
//! Delivery records each outcome in the outbox, so a message that failed
//! is tried again next time and one that was sent never is.

use std::future::Future;

use lettre::message::Mailbox;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use store::{OutboxMessage, Store, StoreError};

/// Why a message could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// An address is not usable.
    #[error("address {0:?} is not an email address")]
    Address(String),
    /// The mail server refused or could not be reached.
    #[error("the mail server said: {0}")]
    Server(String),
}

/// Something that can deliver a message.
pub trait Sender {
    /// Deliver `message`.
    fn send(&self, message: &OutboxMessage) -> impl Future<Output = Result<(), SendError>> + Send;
}

/// Delivers messages through an SMTP server.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// How to reach the mail server.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// Server name or address.
    pub host: String,
    /// Port (25, 587, or a test server's).
    pub port: u16,
    /// Use STARTTLS (required unless the server is on this machine).
    pub starttls: bool,
    /// The sender's address, e.g. "Ambit <ambit@bromley.gov.uk>".
    pub from: String,
}

impl SmtpSender {
    /// A sender for the server in `settings`.
    pub fn new(settings: &SmtpSettings) -> Result<Self, SendError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|_| SendError::Address(settings.from.clone()))?;
        let tls = if settings.starttls {
            Tls::Required(
                TlsParameters::new(settings.host.clone())
                    .map_err(|e| SendError::Server(e.to_string()))?,
            )
        } else {
            Tls::None
        };
        let transport =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
                .port(settings.port)
                .tls(tls)
                .timeout(Some(std::time::Duration::from_secs(30)))
                .build();
        Ok(Self { transport, from })
    }
}

impl Sender for SmtpSender {
    async fn send(&self, message: &OutboxMessage) -> Result<(), SendError> {
        let to: Mailbox = message
            .recipient
            .parse()
            .map_err(|_| SendError::Address(message.recipient.clone()))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .body(message.text.clone())
            .map_err(|e| SendError::Server(e.to_string()))?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| SendError::Server(e.to_string()))
    }
}

/// What a delivery run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// Messages sent.
    pub sent: usize,
    /// Messages that failed (kept for the next run).
    pub failed: usize,
}

/// Send every unsent message in the outbox through `sender`, recording each outcome.
pub async fn deliver(
    store: &Store,
    actor: &str,
    sender: &impl Sender,
) -> Result<Delivered, StoreError> {
    let mut done = Delivered::default();
    for message in store.unsent_messages(1000).await? {
        match sender.send(&message).await {
            Ok(()) => {
                store.message_outcome(actor, message.id, None).await?;
                done.sent += 1;
            }
            Err(e) => {
                tracing::warn!(
                    "message {} to {} not sent: {e}",
                    message.id,
                    message.recipient
                );
                store
                    .message_outcome(actor, message.id, Some(&e.to_string()))
                    .await?;
                done.failed += 1;
            }
        }
    }
    Ok(done)
}
