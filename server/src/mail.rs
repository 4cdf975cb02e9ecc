//! Outgoing mail over SMTP: invitations to technicians with extended availability (S4) and
//! one-time links for external users when administrators let the appliance send them (X3).
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Why mail could not be set up or sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The SMTP URL or an address is malformed.
    #[error("mail address or server URL: {0}")]
    Address(String),
    /// The SMTP exchange failed.
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    /// The message could not be built.
    #[error("message: {0}")]
    Message(#[from] lettre::error::Error),
}

/// Sends the appliance's mail.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    // The transport holds the SMTP password, if any: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for an SMTP URL (`smtp://host:port`, `smtp://host?tls=required`,
    /// `smtps://user:pass@host`).
    ///
    /// # Errors
    /// When the URL or the sender address is malformed.
    pub fn new(url: &str, from: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| MailError::Address(e.to_string()))?;
        Ok(Self { transport, from })
    }

    /// Send one plain-text message.
    ///
    /// # Errors
    /// When the address is malformed or the server refuses.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), MailError> {
        let to = to
            .parse::<Mailbox>()
            .map_err(|e| MailError::Address(e.to_string()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body)?;
        self.transport.send(message).await?;
        Ok(())
    }

    /// Send in the background; a failure is logged (without the message), never lost silently.
    pub fn send_later(&self, to: String, subject: String, body: String) {
        let mailer = self.clone();
        tokio::spawn(async move {
            match mailer.send(&to, &subject, body).await {
                Ok(()) => tracing::info!(%subject, "mail sent"),
                Err(e) => tracing::warn!(error = %e, %subject, "mail not sent"),
            }
        });
    }
}
