//! The appliance's wire protocol: what travels over HTTPS and the event WebSocket, defined once
//! for both ends. The appliance serialises these; the console client deserialises them.
use crate::domain::{
    Action, Event, ExternalId, ExternalMember, Participant, Rule, Session, SessionId, State,
    SupportButton, Target, TechnicianId,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The SHA-256 fingerprint of a DER certificate as the appliance prints it and consoles pin it:
/// upper-case hex pairs joined by colons (`AB:CD:…`).
#[must_use]
pub fn fingerprint(der: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A `Debug` implementation that shows only the named fields of a struct holding secrets
/// (tokens, passwords, keys), so no debug print or log line can reveal one.
#[macro_export]
macro_rules! debug_without_secrets {
    ($type:ty { $($field:ident),* }) => {
        impl ::std::fmt::Debug for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($type))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    };
}

/// An event with its place in the appliance's one ordered history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// Its number; consoles resume after the last one they saw.
    pub seq: i64,
    /// When (ms since the epoch).
    pub at: i64,
    /// What happened.
    pub event: Event,
}

/// One chat line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatLine {
    /// The number of the event that carried it.
    pub seq: i64,
    /// When it was said (ms since the epoch).
    pub at: i64,
    /// Who said it.
    pub from: Participant,
    /// What was said.
    pub text: String,
}

/// A session with its transcript and the names of its technicians, for customers and external
/// users (who do not see the organisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// The session.
    pub session: Session,
    /// Its chat so far.
    pub chat: Vec<ChatLine>,
    /// The names of its technicians.
    pub technicians: BTreeMap<TechnicianId, String>,
    /// The support button installed on the customer's computer, if any (B1): a client that
    /// connects late installs it from here.
    #[serde(default)]
    pub support_button: Option<Box<SupportButton>>,
    /// The jump client pinned on the customer's computer, if any (J1): a client that connects
    /// after the pin installs its agent from here.
    #[serde(default)]
    pub jump_client: Option<Box<crate::domain::JumpClient>>,
}

/// What a principal sees at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum View {
    /// A technician's console: the rules engine's state as they may hold it
    /// ([`State::view_for`]), and the chat of their sessions.
    Technician {
        /// The technician.
        me: TechnicianId,
        /// The organisation, and the sessions and invitations that concern them.
        state: State,
        /// The chat of each session they see.
        chat: BTreeMap<SessionId, Vec<ChatLine>>,
    },
    /// A customer client.
    Customer {
        /// Their session.
        session: SessionView,
    },
    /// An external user.
    External {
        /// Themselves.
        me: ExternalMember,
        /// Their session.
        session: SessionView,
    },
}

/// A view and the number of the last event it includes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Events after this number follow.
    pub seq: i64,
    /// What is seen.
    pub view: View,
}

/// What the appliance sends on the event WebSocket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// Everything the client sees now; events after `seq` follow.
    Snapshot(Snapshot),
    /// One numbered event.
    Event(Published),
    /// A message for a customer client that is never stored (E3 credentials).
    Direct {
        /// Its content.
        body: serde_json::Value,
    },
    /// The answer to a client's ping.
    Pong {
        /// The client's nonce.
        nonce: u64,
    },
}

/// What a client may send on the event WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// An application-level ping: a socket that does not answer is dead.
    Ping {
        /// Echoed in the pong.
        nonce: u64,
    },
}

/// What anyone may know about an appliance before signing in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Info {
    /// The product.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The public address links are built from.
    pub public_url: String,
    /// The TLS certificate's SHA-256 fingerprint, to compare on first use.
    pub fingerprint: Option<String>,
}

/// A login request.
#[derive(Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    /// The account's e-mail address.
    pub email: String,
    /// Its password.
    pub password: String,
    /// The code of the account's authenticator app (or a recovery code), for an account with
    /// two-step sign-in on: without it such a sign-in is answered 401
    /// `second_factor_required` (issue 26).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// A successful login.
#[derive(Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    /// The bearer token.
    pub token: String,
    /// Who signed in.
    pub technician: TechnicianId,
}

/// The header a customer client proves with that it holds the key its session token was bound
/// to at join (issue 26): `<unix ms>.<Ed25519 signature, base64url, of [`proof_message`]>`.
pub const PROOF_HEADER: &str = "x-tandem-proof";

/// How long a proof is good for, either side of the appliance's clock.
pub const PROOF_WINDOW_MS: i64 = 5 * 60 * 1000;

/// What a customer client signs to prove its key for a request: the time and the token, so a
/// proof is good only with its own token and for a few minutes. One definition for the client
/// that signs and the appliance that checks.
#[must_use]
pub fn proof_message(at_ms: i64, token: &str) -> Vec<u8> {
    format!("tandem-proof\n{at_ms}\n{}", token.trim()).into_bytes()
}

/// Where a technician stands with two-step sign-in (issue 26): `GET /api/v1/account/second-factor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorStatus {
    /// Sign-ins ask for a code.
    pub enabled: bool,
    /// Being set up: a key was handed out, not yet confirmed with a code.
    pub pending: bool,
    /// One of their groups requires it.
    pub required: bool,
}

/// A two-step sign-in being set up: `POST /api/v1/account/second-factor`.
#[derive(Clone, Serialize, Deserialize)]
pub struct SecondFactorStarted {
    /// The key, in base32, to type into an authenticator app.
    pub secret: String,
    /// The `otpauth://` address that a phone's authenticator app opens.
    pub url: String,
}

/// A code from the authenticator app (or a recovery code): to confirm the set-up
/// (`…/second-factor/confirm`) or turn it off (`…/second-factor/off`).
#[derive(Clone, Serialize, Deserialize)]
pub struct SecondFactorCode {
    /// The code as typed.
    pub code: String,
}

/// Two-step sign-in turned on: the recovery codes, shown this once.
#[derive(Clone, Serialize, Deserialize)]
pub struct SecondFactorConfirmed {
    /// Each signs in once in place of a code.
    pub recovery_codes: Vec<String>,
}

crate::debug_without_secrets!(SecondFactorStarted {});
crate::debug_without_secrets!(SecondFactorCode {});
crate::debug_without_secrets!(SecondFactorConfirmed {});

/// What an accepted command did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommandResponse {
    /// Its events, numbered as the event feed numbers them.
    pub events: Vec<Published>,
    /// For an external invitation: the one-time link, shown this once (X2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// One line of the flyout menu (A3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionLine {
    /// The action.
    pub action: Action,
    /// Whether it is available now.
    pub enabled: bool,
    /// Why not, in words.
    pub reason: Option<String>,
    /// The rule behind the reason.
    pub rule: Option<Rule>,
    /// An action that would make it possible.
    pub remedy: Option<Action>,
    /// What it can be aimed at now.
    pub targets: Vec<Target>,
}

/// A session key for one customer.
#[derive(Clone, Serialize, Deserialize)]
pub struct SessionKeyResponse {
    /// What the customer types.
    pub key: String,
    /// Where the customer client joins with it.
    pub url: String,
    /// When it stops working (ms since the epoch).
    pub expires_at: i64,
}

/// A customer now in a queue.
#[derive(Clone, Serialize, Deserialize)]
pub struct Joined {
    /// Their bearer token for the session.
    pub token: String,
    /// The session.
    pub session: SessionId,
}

/// An external user admitted through a one-time link.
#[derive(Clone, Serialize, Deserialize)]
pub struct Redeemed {
    /// Their bearer token.
    pub token: String,
    /// The session they joined.
    pub session: SessionId,
    /// Who they are in it.
    pub external: ExternalId,
}

/// An error as the appliance reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable code: denied, not_found, invalid, unauthorized, locked, bad_request, too_large,
    /// gone, already_used, unavailable, internal.
    pub error: String,
    /// What went wrong, in words a person can read.
    pub message: String,
    /// The product rule behind a denial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// What the customer client reports about its computer (A1, "view system information").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemInfo {
    /// The operating system, e.g. "Debian GNU/Linux 12 (bookworm)".
    pub os: String,
    /// The kernel version.
    pub kernel: String,
    /// The computer's host name.
    pub host: String,
    /// The signed-in user running the client.
    pub user: String,
    /// The CPU model.
    pub cpu: String,
    /// Logical CPUs.
    pub cpu_count: u32,
    /// Memory in MiB.
    pub memory_total_mib: u64,
    /// Memory in use in MiB.
    pub memory_used_mib: u64,
    /// Mounted disks.
    pub disks: Vec<DiskInfo>,
    /// Network interfaces and their addresses.
    pub interfaces: Vec<InterfaceInfo>,
    /// When it was collected (ms since the epoch).
    pub collected_at: i64,
}

/// A mounted disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskInfo {
    /// Where it is mounted.
    pub mount: String,
    /// Its size in MiB.
    pub total_mib: u64,
    /// Free space in MiB.
    pub available_mib: u64,
}

/// A network interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceInfo {
    /// Its name.
    pub name: String,
    /// Its addresses with prefix, e.g. "192.0.2.7/24".
    pub addresses: Vec<String>,
}

/// What the appliance gives a customer client whose computer was just pinned as a jump client
/// (J1): the agent's own credential, good until the jump client is unpinned.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JumpCredentials {
    /// The jump client.
    pub jump_client: crate::domain::JumpClientId,
    /// The agent's bearer token.
    pub token: String,
}

/// What the appliance gives, once, the customer client of the session that deployed a support
/// button (B1): the secret the button's launcher presents with every press. Without it a press
/// is refused exactly as a press of a button that does not exist.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonSecret {
    /// The button.
    pub button: crate::domain::SupportButtonId,
    /// The secret, shown once, stored by the appliance only as a hash.
    pub secret: String,
}

/// What the appliance tells a jump client's agent over its connection.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AgentMessage {
    /// A technician started an unattended session through this jump client: join it with
    /// this customer token.
    Session {
        /// The session.
        session: SessionId,
        /// A customer token for it.
        token: String,
    },
    /// The jump client was unpinned: uninstall (J1).
    Unpinned,
}

debug_without_secrets!(LoginRequest { email });

debug_without_secrets!(LoginResponse { technician });

debug_without_secrets!(Joined { session });

debug_without_secrets!(Redeemed { session, external });

debug_without_secrets!(JumpCredentials { jump_client });

debug_without_secrets!(ButtonSecret { button });

debug_without_secrets!(SessionKeyResponse { expires_at });

impl std::fmt::Debug for AgentMessage {
    // The customer token it hands over never reaches a debug print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Session { session, .. } => f
                .debug_struct("Session")
                .field("session", session)
                .finish_non_exhaustive(),
            Self::Unpinned => f.write_str("Unpinned"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_reach_a_debug_print() {
        let printed = [
            format!(
                "{:?}",
                LoginRequest {
                    email: "a@b.example".into(),
                    password: "hunter2-password".into(),
                    code: Some("123456".into()),
                }
            ),
            format!(
                "{:?}",
                SecondFactorStarted {
                    secret: "JBSWY3DPEHPK3PXP".into(),
                    url: "otpauth://totp/Tandem:a?secret=JBSWY3DPEHPK3PXP".into(),
                }
            ),
            format!(
                "{:?}",
                SecondFactorConfirmed {
                    recovery_codes: vec!["abcde-fghjk".into()],
                }
            ),
            format!(
                "{:?}",
                Joined {
                    token: "bearer-token-xyz".into(),
                    session: SessionId(4),
                }
            ),
            format!(
                "{:?}",
                AgentMessage::Session {
                    session: SessionId(4),
                    token: "bearer-token-xyz".into(),
                }
            ),
        ]
        .join(" ");
        assert!(printed.contains("a@b.example") && printed.contains("SessionId(4)"));
        assert!(
            !printed.contains("hunter2")
                && !printed.contains("bearer-token")
                && !printed.contains("123456")
                && !printed.contains("JBSWY3DP")
                && !printed.contains("abcde"),
            "{printed}"
        );
    }
}
