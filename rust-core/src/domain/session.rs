//! Sessions: who is in them, what the customer client can do, and which tools are running.
use super::ids::{
    ButtonProfileId, ExternalId, InvitationId, JumpClientId, JumpGroupId, PolicyId, SessionId,
    SupportButtonId, TeamId, TechnicianId, Timestamp,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Someone in a session, as named by member lists and by Remove Member (M1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Participant {
    /// A technician.
    Technician(TechnicianId),
    /// An external user.
    External(ExternalId),
    /// The customer.
    Customer,
}

/// Where a session waits for a technician.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum QueueRef {
    /// A team's queue: any member of the team can take the session.
    Team(TeamId),
    /// A technician's personal queue: only they can take it.
    Personal(TechnicianId),
}

impl QueueRef {
    /// The team, for a team's queue.
    #[must_use]
    pub fn team(self) -> Option<TeamId> {
        match self {
            Self::Team(team) => Some(team),
            Self::Personal(_) => None,
        }
    }
}

/// The operating system of the supported computer (E4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Platform {
    /// Microsoft Windows.
    Windows,
    /// Apple macOS.
    MacOs,
    /// Linux with a desktop.
    Linux,
    /// Anything else (phones, tablets, ChromeOS): no administrative elevation.
    Other,
}

impl Platform {
    /// E4 names Windows and macOS. Ours: our Linux customer client elevates through sudo or
    /// polkit, so Linux is offered too; every other platform is not.
    #[must_use]
    pub fn supports_admin_elevation(self) -> bool {
        matches!(self, Self::Windows | Self::MacOs | Self::Linux)
    }
}

/// What the customer client can do (E1, E2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClientMode {
    /// Click-to-chat in a browser: chat only (E1).
    ClickToChat,
    /// The full client running as the signed-in user.
    Full,
    /// The full client running with administrative rights as a system service (E2).
    Elevated,
}

/// How elevation to administrative rights is asked for (E3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ElevationMethod {
    /// The customer types administrative credentials.
    PromptCustomer,
    /// The technician supplies an administrative user name and password.
    ProvideCredentials,
}

/// A tool the customer is asked to allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tool {
    /// Seeing the screen.
    ViewScreen,
    /// Controlling pointer and keyboard.
    ControlScreen,
    /// A command shell.
    Shell,
}

/// A question waiting for the customer (or for the customer client, for Provide Credentials).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PromptKind {
    /// Switch from click-to-chat to the full client (E1).
    UpgradeToFullClient,
    /// Elevate to administrative rights (E3).
    Elevation(ElevationMethod),
    /// Allow a tool (G3).
    Allow(Tool),
}

/// A question waiting for an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingPrompt {
    /// Who asked; `None` when the appliance asked by itself (E4, automatic elevation).
    pub by: Option<Participant>,
    /// G3 "ask once for all": allowing this allows every tool for the rest of the session.
    pub covers_all: bool,
}

/// The screen sharing state of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub enum ScreenState {
    /// Not shared.
    #[default]
    Off,
    /// Shared for viewing.
    View,
    /// Shared with pointer and keyboard control.
    Control,
}

/// The customer side of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerInfo {
    /// The name the customer gave.
    pub name: String,
    /// The id of the supported computer as its client reports it. Shown to technicians to tell
    /// computers apart; never proof of which computer it is: support buttons and jump clients
    /// belong to the session that deployed them, not to a machine id.
    pub machine: String,
    /// Its operating system.
    pub platform: Platform,
    /// What the client can do when the session starts.
    pub mode: ClientMode,
}

impl CustomerInfo {
    /// Whether what a customer client says about itself is well-formed: a name and a machine id,
    /// neither too long. Checked before anything else about a join, so that a malformed request
    /// tells nothing about the key or button it came with.
    ///
    /// # Errors
    /// The first malformed field.
    pub fn validate(&self) -> Result<(), super::denial::InvalidInput> {
        use super::plan::{MAX_NAME_CHARS, text};
        text("The customer's name", &self.name, MAX_NAME_CHARS)?;
        text("The computer's id", &self.machine, MAX_NAME_CHARS)
    }
}

/// A customer connected to a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Who and where.
    pub info: CustomerInfo,
    /// Still connected: removing the customer (M1) ends the connection, the session stays.
    pub connected: bool,
    /// The customer allowed every tool once for the whole session (G3).
    pub allowed_all: bool,
    /// Whether the customer client's connection is up, or dropped and awaited (A3: its tools
    /// are greyed meanwhile, with the reason).
    #[serde(default)]
    pub link: CustomerLink,
    /// Why the customer is no longer connected, once they are not.
    #[serde(default)]
    pub gone: Option<CustomerGone>,
}

/// Whether a connected customer's client is reachable right now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerLink {
    /// Its event socket is open.
    #[default]
    Online,
    /// Its connection dropped; the session waits for it to come back until then, and the
    /// customer is disconnected after that.
    Reconnecting {
        /// When the session stops waiting.
        until: super::ids::Timestamp,
    },
}

/// Why a customer is no longer connected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerGone {
    /// A technician removed them (M1).
    #[default]
    Removed,
    /// They left the session themselves.
    Left,
    /// Their client's connection dropped and did not come back in time.
    ConnectionLost,
}

/// An external user in a session (X5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalMember {
    /// Its id.
    pub id: ExternalId,
    /// The name shown in chat and reports (X2).
    pub name: String,
    /// The technician who invited them; when that technician leaves, they are logged out (X5).
    pub invited_by: TechnicianId,
    /// The policy that bounds their permissions (G4).
    pub policy: PolicyId,
    /// The invitation they redeemed.
    pub invitation: InvitationId,
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionStatus {
    /// Waiting in a queue, owned by nobody.
    Queued(QueueRef),
    /// Owned by a technician.
    Active,
    /// Closed for good.
    Ended,
}

/// A support session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Its id.
    pub id: SessionId,
    /// Where it stands.
    pub status: SessionStatus,
    /// Its one owner while active.
    pub owner: Option<TechnicianId>,
    /// Technicians in the session other than the owner.
    pub members: BTreeSet<TechnicianId>,
    /// External users in the session.
    pub externals: BTreeMap<ExternalId, ExternalMember>,
    /// The customer.
    pub customer: Customer,
    /// Chat bar on or off for the session (A2).
    pub chat_enabled: bool,
    /// Technicians who keep the chat bar docked (A2).
    pub chat_pinned: BTreeSet<TechnicianId>,
    /// Screen sharing.
    pub screen: ScreenState,
    /// Command shell open.
    pub shell: bool,
    /// Questions waiting for the customer, with who asked. (As JSON, a list of pairs: JSON
    /// object keys must be strings, and these keys are not.)
    #[serde(with = "pairs")]
    pub prompts: BTreeMap<PromptKind, PendingPrompt>,
    /// When it started.
    pub started_at: Timestamp,
    /// For an unattended session, the jump client it runs through (J1).
    #[serde(default)]
    pub jump_client: Option<JumpClientId>,
    /// The support button whose press started the session (B1).
    #[serde(default)]
    pub button: Option<SupportButtonId>,
    /// How much chat text (bytes) the session holds: bounded by
    /// [`super::plan::MAX_CHAT_BYTES_PER_SESSION`].
    #[serde(default)]
    pub chat_bytes: u64,
    /// Held by its owner (C2) and not taken since: their console offers it back as held, not as
    /// a new customer waiting.
    #[serde(default)]
    pub held: bool,
    /// The team whose queue it last waited in: where it goes back to if its owner's account is
    /// disabled (ours, G1).
    #[serde(default)]
    pub team: Option<TeamId>,
}

impl Session {
    /// Whether the session is still going (queued or active).
    #[must_use]
    pub fn is_live(&self) -> bool {
        self.status != SessionStatus::Ended
    }

    /// Whether a technician is in the session, as owner or member.
    #[must_use]
    pub fn has_technician(&self, t: TechnicianId) -> bool {
        self.owner == Some(t) || self.members.contains(&t)
    }
}

/// A support button on a remote computer (B1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportButton {
    /// Its id.
    pub id: SupportButtonId,
    /// The session it was deployed from: only that session's customer client receives its
    /// secret, once.
    #[serde(default = "no_session")]
    pub session: SessionId,
    /// The computer it is installed on, as that computer's client reported it.
    pub machine: String,
    /// Its name.
    pub name: String,
    /// After this it starts no sessions; it limits neither installers nor session length.
    pub expires_at: Timestamp,
    /// Its profile.
    pub profile: ButtonProfileId,
    /// The queue its sessions go to.
    pub queue: QueueRef,
    /// Who deployed it.
    pub deployed_by: TechnicianId,
}

/// Where a jump client is pinned (J1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum JumpLocation {
    /// The pinning technician's personal list: only they can use it.
    Personal(TechnicianId),
    /// A jump group: its members can use it.
    Group(JumpGroupId),
}

/// A jump client on a remote computer, for later unattended access (J1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JumpClient {
    /// Its id.
    pub id: JumpClientId,
    /// The session it was pinned from: only that session's customer client receives its agent
    /// credential, once.
    #[serde(default = "no_session")]
    pub session: SessionId,
    /// The computer it is installed on, as that computer's client reported it.
    pub machine: String,
    /// The name of the computer's user when it was pinned.
    pub name: String,
    /// Its operating system.
    pub platform: Platform,
    /// Where it is pinned.
    pub location: JumpLocation,
}

/// Stored before buttons and jump clients recorded their session: bound to no session, so
/// nothing can claim their credentials.
fn no_session() -> SessionId {
    SessionId(0)
}

/// A map with keys that are not strings, as a list of `[key, value]` pairs.
mod pairs {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub(super) fn serialize<K: Serialize, V: Serialize, S: Serializer>(
        map: &BTreeMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub(super) fn deserialize<'de, K, V, D>(d: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}
