//! A technician's console: signed in, with a live mirror of what they may see, and every
//! session command. Live data comes as a current value, then updates (`watch`), and stops when
//! the console is dropped.
use super::api::{Api, Endpoint};
use super::error::ClientError;
use super::feed::{self, FeedOptions};
use super::mirror::{Connection, Mirror};
use crate::domain::{Command, ExternalInvitee, PolicyId, QueueRef, SessionId};
use crate::protocol::{CommandResponse, SessionKeyResponse};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// The result of inviting an external user (X2): the one-time link, shown once, and the chosen
/// policy as the technician saw it.
#[derive(Debug, Clone)]
pub struct ExternalInvitation {
    /// The link to send (copy, share, or mailed by the appliance where allowed).
    pub link: String,
    /// The security policy's name.
    pub policy_name: String,
    /// Its full description.
    pub policy_description: String,
    /// Whether the appliance mails the link itself (X3).
    pub mailed_by_appliance: bool,
}

/// A signed-in console.
#[derive(Debug)]
pub struct Console {
    api: Api,
    mirror: watch::Receiver<Arc<Mirror>>,
    sender: Arc<watch::Sender<Arc<Mirror>>>,
    stop: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl Console {
    /// Sign in and start following the event feed.
    ///
    /// # Errors
    /// A [`ClientError`]: unreachable, untrusted, wrong credentials, locked.
    pub async fn sign_in(
        endpoint: Endpoint,
        email: &str,
        password: &str,
        options: FeedOptions,
    ) -> Result<Self, ClientError> {
        Self::sign_in_with_code(endpoint, email, password, None, options).await
    }

    /// Sign in with the authenticator app's code too (an account with two-step sign-in on: a
    /// sign-in without it is `Refused` 401 `second_factor_required`), and follow the feed.
    ///
    /// # Errors
    /// As [`Console::sign_in`]; a wrong code is `Refused` 401.
    pub async fn sign_in_with_code(
        endpoint: Endpoint,
        email: &str,
        password: &str,
        code: Option<&str>,
        options: FeedOptions,
    ) -> Result<Self, ClientError> {
        let (api, _) = Api::new(endpoint)?.login(email, password, code).await?;
        let snapshot = api.snapshot().await?;
        let first = Mirror::from_snapshot(snapshot, Connection::Connecting { attempt: 0 })
            .ok_or_else(|| {
                ClientError::Protocol("the appliance did not send a technician's view".into())
            })?;
        let (sender, mirror) = watch::channel(Arc::new(first));
        let sender = Arc::new(sender);
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(feed::run(
            api.clone(),
            sender.clone(),
            options,
            stop.clone(),
        ));
        Ok(Self {
            api,
            mirror,
            sender,
            stop,
            task,
        })
    }

    /// What the console knows now.
    #[must_use]
    pub fn current(&self) -> Arc<Mirror> {
        self.mirror.borrow().clone()
    }

    /// The current value, then every update; dropping the receiver stops nothing else.
    #[must_use]
    pub fn watch(&self) -> watch::Receiver<Arc<Mirror>> {
        self.mirror.clone()
    }

    /// Wait until the mirror satisfies `condition`, at most `within`.
    ///
    /// # Errors
    /// `Network` when the time runs out.
    pub async fn wait_for(
        &self,
        within: Duration,
        condition: impl Fn(&Mirror) -> bool,
    ) -> Result<Arc<Mirror>, ClientError> {
        let mut watch = self.mirror.clone();
        let waited = tokio::time::timeout(within, watch.wait_for(|m| condition(m))).await;
        match waited {
            Ok(Ok(m)) => Ok(m.clone()),
            Ok(Err(_)) => Err(ClientError::Network("the console stopped".into())),
            Err(_) => Err(ClientError::Network(format!(
                "nothing changed as expected within {within:?}"
            ))),
        }
    }

    /// The HTTPS API, signed in as this technician.
    #[must_use]
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Any session command; the appliance checks it with the rules engine.
    ///
    /// # Errors
    /// A [`ClientError`]; a refusal names its rule.
    pub async fn command(&self, command: Command) -> Result<CommandResponse, ClientError> {
        let response = self.api.command(&command).await?;
        self.apply_own(&response);
        Ok(response)
    }

    /// Show a command's own events at once when they directly follow what the mirror holds;
    /// otherwise the feed brings them in order (applying out of order could skip others').
    fn apply_own(&self, response: &CommandResponse) {
        self.sender.send_if_modified(|m| {
            let follows = response.events.first().is_some_and(|p| p.seq == m.seq + 1);
            if follows {
                let mirror = Arc::make_mut(m);
                let applied = response
                    .events
                    .iter()
                    .all(|p| mirror.apply(p) == super::mirror::Applied::Done);
                if !applied {
                    // An event needed a snapshot: leave the rest to the feed, which fetches it.
                    tracing::debug!("own events need a snapshot; the feed will bring them");
                }
            }
            follows
        });
    }

    /// Invite an external user (X1, X2): returns the link and the policy's full description.
    ///
    /// # Errors
    /// A [`ClientError`].
    pub async fn invite_external(
        &self,
        session: SessionId,
        policy: PolicyId,
        invitee: ExternalInvitee,
        comments: &str,
    ) -> Result<ExternalInvitation, ClientError> {
        let response = self
            .api
            .command(&Command::InviteExternal {
                session,
                policy,
                invitee,
                comments: comments.into(),
            })
            .await?;
        let link = response
            .link
            .clone()
            .ok_or_else(|| ClientError::Protocol("no link in the answer".into()))?;
        let mailed_by_appliance = response.events.iter().any(|p| {
            matches!(
                &p.event,
                crate::domain::Event::InvitationSent { email: Some(_), .. }
            )
        });
        let mirror = self.current();
        let policy = mirror.state.policies.get(&policy);
        Ok(ExternalInvitation {
            link,
            policy_name: policy.map(|p| p.name.clone()).unwrap_or_default(),
            policy_description: policy.map(|p| p.description.clone()).unwrap_or_default(),
            mailed_by_appliance,
        })
    }

    /// A session key for a customer.
    ///
    /// # Errors
    /// A [`ClientError`].
    pub async fn session_key(
        &self,
        queue: Option<QueueRef>,
    ) -> Result<SessionKeyResponse, ClientError> {
        self.api.session_key(queue).await
    }

    /// Sign out: the feed stops and the token ends.
    ///
    /// # Errors
    /// A [`ClientError`] from the appliance; the feed stops either way.
    pub async fn sign_out(&self) -> Result<(), ClientError> {
        self.stop.notify_one();
        self.api.logout().await
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        self.stop.notify_one();
        self.task.abort();
    }
}
