//! Group permissions (rule G3) and how they combine (rule G4).
use super::ids::TeamId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// An on/off group permission (G3). Options that qualify a permission (whom a transfer may go to,
/// whom a collaboration invitation may go to, whom one may invite externally) live beside the
/// flags in [`PermissionSet`].
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Permission {
    ChatAtSessionStart,
    ToggleChat,
    RemoteControl,
    DesktopViewing,
    SendFiles,
    ReceiveFiles,
    FileManagerTab,
    ManageFiles,
    SendUrls,
    ViewSystemInfo,
    RebootDevice,
    RecordSessions,
    /// Option of `RecordSessions`: record only with the customer's consent.
    RecordOnlyWithConsent,
    PrivateSessions,
    /// One prompt to the customer covers every tool of the session.
    AskOnceForAll,
    TransferSessions,
    HoldSessions,
    /// "Request Windows credentials": lets the technician ask the customer for admin credentials
    /// (Prompt Customer, E3).
    RequestCredentials,
    ClipboardSync,
    /// "Deploy the calling card": in our product, deploying a Support Button (B1).
    DeploySupportButton,
    ShareOwnScreen,
    SendCollaborationInvites,
    InviteExternal,
    EditCustomFields,
    DeployScripts,
    RunEmbeddedScripts,
    /// Pinning jump clients and starting unattended sessions through them (J1).
    UnattendedAccess,
    LanConnections,
    ConfigureMobileDevices,
    Click2Fix,
    ClassicMobileView,
    LiveCamera,
    Screenshot,
    /// Ours: a command shell on the remote system (A1) is a permission of its own, since it is
    /// as strong as remote control but far less visible to the customer.
    CommandShell,
}

impl Permission {
    /// Every permission, for administration screens and exhaustive tests.
    pub const ALL: [Permission; 34] = [
        Self::ChatAtSessionStart,
        Self::ToggleChat,
        Self::RemoteControl,
        Self::DesktopViewing,
        Self::SendFiles,
        Self::ReceiveFiles,
        Self::FileManagerTab,
        Self::ManageFiles,
        Self::SendUrls,
        Self::ViewSystemInfo,
        Self::RebootDevice,
        Self::RecordSessions,
        Self::RecordOnlyWithConsent,
        Self::PrivateSessions,
        Self::AskOnceForAll,
        Self::TransferSessions,
        Self::HoldSessions,
        Self::RequestCredentials,
        Self::ClipboardSync,
        Self::DeploySupportButton,
        Self::ShareOwnScreen,
        Self::SendCollaborationInvites,
        Self::InviteExternal,
        Self::EditCustomFields,
        Self::DeployScripts,
        Self::RunEmbeddedScripts,
        Self::UnattendedAccess,
        Self::LanConnections,
        Self::ConfigureMobileDevices,
        Self::Click2Fix,
        Self::ClassicMobileView,
        Self::LiveCamera,
        Self::Screenshot,
        Self::CommandShell,
    ];
}

impl Permission {
    /// What the permission allows, as the end of "Your groups do not allow you to …".
    #[must_use]
    pub fn verb(self) -> &'static str {
        match self {
            Self::ChatAtSessionStart => "chat from the start of a session",
            Self::ToggleChat => "switch chat on or off",
            Self::RemoteControl => "control the remote screen",
            Self::DesktopViewing => "view the remote screen",
            Self::SendFiles => "send files",
            Self::ReceiveFiles => "receive files",
            Self::FileManagerTab => "use the file manager",
            Self::ManageFiles => "manage files",
            Self::SendUrls => "send URLs",
            Self::ViewSystemInfo => "view system information",
            Self::RebootDevice => "reboot the remote device",
            Self::RecordSessions => "record sessions",
            Self::RecordOnlyWithConsent => "record sessions only with consent",
            Self::PrivateSessions => "start private sessions",
            Self::AskOnceForAll => "ask the customer once for all permissions",
            Self::TransferSessions => "transfer sessions",
            Self::HoldSessions => "hold sessions",
            Self::RequestCredentials => "ask the customer for credentials",
            Self::ClipboardSync => "synchronise the clipboard",
            Self::DeploySupportButton => "deploy support buttons",
            Self::ShareOwnScreen => "share your own screen",
            Self::SendCollaborationInvites => "invite technicians",
            Self::InviteExternal => "invite external users",
            Self::EditCustomFields => "edit custom fields",
            Self::DeployScripts => "deploy scripts",
            Self::RunEmbeddedScripts => "run embedded scripts",
            Self::UnattendedAccess => "use jump clients for unattended access",
            Self::LanConnections => "connect to computers on the LAN",
            Self::ConfigureMobileDevices => "configure mobile devices",
            Self::Click2Fix => "use Click2Fix",
            Self::ClassicMobileView => "use the classic mobile view",
            Self::LiveCamera => "use live camera video",
            Self::Screenshot => "take screenshots",
            Self::CommandShell => "open a command shell",
        }
    }
}

/// To whom a transfer or a collaboration invitation may go (G3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum TeamScope {
    /// Any technician in any team.
    #[default]
    Any,
    /// The technician's own teams and these chosen teams.
    Teams(BTreeSet<TeamId>),
}

impl TeamScope {
    fn union(&self, other: &Self) -> Self {
        match (self, other) {
            (Self::Teams(a), Self::Teams(b)) => Self::Teams(a.union(b).copied().collect()),
            _ => Self::Any,
        }
    }
    fn intersect(&self, other: &Self) -> Self {
        match (self, other) {
            (Self::Any, x) | (x, Self::Any) => x.clone(),
            (Self::Teams(a), Self::Teams(b)) => Self::Teams(a.intersection(b).copied().collect()),
        }
    }
    /// Whether a team outside the technician's own teams is within this scope.
    #[must_use]
    pub fn allows_other_team(&self, team: TeamId) -> bool {
        match self {
            Self::Any => true,
            Self::Teams(chosen) => chosen.contains(&team),
        }
    }
}

/// Whom a technician may invite externally (X6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub enum ExternalScope {
    /// Only approved people listed by administrators.
    ApprovedOnly,
    /// Anyone, by any e-mail address or by a copied link.
    #[default]
    Anyone,
}

/// A permission, or one of the options that qualify one: what an administrator sets and what a
/// master administrator can lock (G1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PermissionKey {
    /// An on/off permission.
    Flag(Permission),
    /// The transfer scope option of `TransferSessions`.
    TransferScope,
    /// The scope option of `SendCollaborationInvites`.
    InviteScope,
    /// The scope option of `InviteExternal`.
    ExternalScope,
}

/// One change an administrator makes to a group's permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PermissionGrant {
    /// Switch a permission on or off.
    Flag(Permission, bool),
    /// Set the transfer scope.
    TransferScope(TeamScope),
    /// Set the collaboration invitation scope.
    InviteScope(TeamScope),
    /// Set the external invitation scope.
    ExternalScope(ExternalScope),
}

impl PermissionGrant {
    /// The key this grant changes, for lock checks.
    #[must_use]
    pub fn key(&self) -> PermissionKey {
        match self {
            Self::Flag(p, _) => PermissionKey::Flag(*p),
            Self::TransferScope(_) => PermissionKey::TransferScope,
            Self::InviteScope(_) => PermissionKey::InviteScope,
            Self::ExternalScope(_) => PermissionKey::ExternalScope,
        }
    }
}

/// A set of permissions with their options: a group's, a security policy's, or the effective set
/// of a person in a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PermissionSet {
    /// The permissions switched on.
    pub flags: BTreeSet<Permission>,
    /// Option of `TransferSessions`.
    pub transfer_scope: TeamScope,
    /// Option of `SendCollaborationInvites`.
    pub invite_scope: TeamScope,
    /// Option of `InviteExternal`.
    pub external_scope: ExternalScope,
}

impl PermissionSet {
    /// A set with these flags on and the widest options.
    #[must_use]
    pub fn with(flags: impl IntoIterator<Item = Permission>) -> Self {
        Self {
            flags: flags.into_iter().collect(),
            ..Self::default()
        }
    }

    /// Nothing allowed, with the narrowest options: what someone in no enabled group has.
    #[must_use]
    pub fn none() -> Self {
        Self {
            flags: BTreeSet::new(),
            transfer_scope: TeamScope::Teams(BTreeSet::new()),
            invite_scope: TeamScope::Teams(BTreeSet::new()),
            external_scope: ExternalScope::ApprovedOnly,
        }
    }

    /// Every permission on, with the widest options.
    #[must_use]
    pub fn all() -> Self {
        Self::with(Permission::ALL)
    }

    /// Whether a permission is on.
    #[must_use]
    pub fn has(&self, p: Permission) -> bool {
        self.flags.contains(&p)
    }

    /// What a technician in several groups may do: whatever any of the groups allows.
    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        Self {
            flags: self.flags.union(&other.flags).copied().collect(),
            transfer_scope: self.transfer_scope.union(&other.transfer_scope),
            invite_scope: self.invite_scope.union(&other.invite_scope),
            external_scope: self.external_scope.max(other.external_scope),
        }
    }

    /// G4: what an external user may do is what both the inviter's groups and the policy allow.
    #[must_use]
    pub fn intersect(&self, other: &Self) -> Self {
        Self {
            flags: self.flags.intersection(&other.flags).copied().collect(),
            transfer_scope: self.transfer_scope.intersect(&other.transfer_scope),
            invite_scope: self.invite_scope.intersect(&other.invite_scope),
            external_scope: self.external_scope.min(other.external_scope),
        }
    }

    /// This set with `key` set as `other` has it: a lock's value replacing a group's own (G1).
    pub fn set_key(&mut self, key: PermissionKey, other: &Self) {
        match key {
            PermissionKey::Flag(p) => {
                if other.has(p) {
                    self.flags.insert(p);
                } else {
                    self.flags.remove(&p);
                }
            }
            PermissionKey::TransferScope => self.transfer_scope = other.transfer_scope.clone(),
            PermissionKey::InviteScope => self.invite_scope = other.invite_scope.clone(),
            PermissionKey::ExternalScope => self.external_scope = other.external_scope,
        }
    }

    /// This set with `key` narrowed to what both it and `other` allow: a lock holding over the
    /// union of a technician's groups (G1).
    pub fn narrow_key(&mut self, key: PermissionKey, other: &Self) {
        let both = self.intersect(other);
        self.set_key(key, &both);
    }

    /// Apply an administrator's change.
    pub fn apply(&mut self, grant: &PermissionGrant) {
        match grant {
            PermissionGrant::Flag(p, true) => {
                self.flags.insert(*p);
            }
            PermissionGrant::Flag(p, false) => {
                self.flags.remove(p);
            }
            PermissionGrant::TransferScope(s) => self.transfer_scope = s.clone(),
            PermissionGrant::InviteScope(s) => self.invite_scope = s.clone(),
            PermissionGrant::ExternalScope(s) => self.external_scope = *s,
        }
    }
}
