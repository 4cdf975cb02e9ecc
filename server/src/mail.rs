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
    /// The SMTP server did not answer in time.
    #[error("the mail server did not answer within 30 s")]
    TimedOut,
}

/// How long one attempt to send may take.
const ATTEMPT: std::time::Duration = std::time::Duration::from_secs(30);

impl MailError {
    /// Whether trying again later may succeed: the server could not be reached, or said to
    /// try later (4xx). A malformed address or a permanent refusal (5xx) will not pass.
    #[must_use]
    pub fn may_pass(&self) -> bool {
        match self {
            Self::Smtp(e) => !e.is_permanent(),
            Self::TimedOut => true,
            Self::Address(_) | Self::Message(_) => false,
        }
    }
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

    /// Send in the background, trying up to `attempts` times with a doubling pause (2 s, 4 s,
    /// 8 s …) while the failure may pass (the server unreachable, or answering "try later").
    /// A failure that will not pass, or the last one, is logged (without the message) and
    /// handed to `failed` with the reason, so that whoever caused the mail is told.
    pub fn send_later<F, Fut>(
        &self,
        to: String,
        subject: String,
        body: String,
        attempts: u32,
        failed: F,
    ) where
        F: FnOnce(String) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let mailer = self.clone();
        tokio::spawn(async move {
            let mut pause = std::time::Duration::from_secs(2);
            for attempt in 1..=attempts.max(1) {
                // Each attempt is bounded: a server that never answers is a failure too.
                let sent = tokio::time::timeout(ATTEMPT, mailer.send(&to, &subject, body.clone()))
                    .await
                    .unwrap_or(Err(MailError::TimedOut));
                match sent {
                    Ok(()) => {
                        tracing::info!(%subject, attempt, "mail sent");
                        return;
                    }
                    Err(e) if attempt < attempts && e.may_pass() => {
                        tracing::info!(error = %e, attempt, "mail not sent yet; trying again");
                        tokio::time::sleep(pause).await;
                        pause = pause.saturating_mul(2);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, %subject, attempt, "mail not sent");
                        failed(e.to_string().chars().take(200).collect()).await;
                        return;
                    }
                }
            }
        });
    }
}
