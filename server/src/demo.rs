//! `tandem-appliance demo`: a demo organisation to try a console against. Made once, through the
//! same commands an administrator would use; a second start finds it there.
use crate::accounts::{bootstrap_master, create_account};
use crate::appliance::{Appliance, SideWrite};
use crate::error::ApiError;
use std::collections::BTreeSet;
use tandem_core::domain::{
    Actor, AdminCommand, Command, Event, ExternalScope, Permission, PermissionGrant, PermissionSet,
    Role, Settings, TeamId, TeamScope, TechnicianId,
};

/// The password of every demo account. Printed at start; demo data only.
pub const DEMO_PASSWORD: &str = "tandem-demo-2026";

/// A demo account.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// What they are for.
    pub role: &'static str,
    /// Their sign-in address.
    pub email: &'static str,
}

/// The demo accounts, for printing.
pub const ACCOUNTS: [DemoAccount; 6] = [
    DemoAccount {
        role: "master administrator",
        email: "admin@demo.tandem",
    },
    DemoAccount {
        role: "administrator of Service Desk's teams",
        email: "tom@demo.tandem",
    },
    DemoAccount {
        role: "technician, Tier 1",
        email: "alice@demo.tandem",
    },
    DemoAccount {
        role: "technician, Tier 1",
        email: "bob@demo.tandem",
    },
    DemoAccount {
        role: "technician, Tier 2",
        email: "carol@demo.tandem",
    },
    DemoAccount {
        role: "technician, Field Services (view only)",
        email: "dave@demo.tandem",
    },
];

async fn admin(
    appliance: &Appliance,
    by: TechnicianId,
    command: AdminCommand,
) -> Result<Vec<Event>, ApiError> {
    let executed = appliance
        .execute(
            Actor::Technician(by),
            &Command::Admin(command),
            Vec::<SideWrite>::new(),
        )
        .await?;
    Ok(executed.events.into_iter().map(|p| p.event).collect())
}

async fn team(
    appliance: &Appliance,
    by: TechnicianId,
    parent: Option<TeamId>,
    name: &str,
    description: &str,
    permissions: &PermissionSet,
) -> Result<TeamId, ApiError> {
    let events = admin(
        appliance,
        by,
        AdminCommand::CreateTeam {
            parent,
            name: name.into(),
            description: description.into(),
        },
    )
    .await?;
    let id = events
        .iter()
        .find_map(|e| match e {
            Event::TeamCreated { team } => Some(team.id),
            _ => None,
        })
        .ok_or(ApiError::Internal("team"))?;
    for p in Permission::ALL {
        admin(
            appliance,
            by,
            AdminCommand::SetPermission {
                team: id,
                grant: PermissionGrant::Flag(p, permissions.has(p)),
            },
        )
        .await?;
    }
    admin(
        appliance,
        by,
        AdminCommand::SetPermission {
            team: id,
            grant: PermissionGrant::TransferScope(permissions.transfer_scope.clone()),
        },
    )
    .await?;
    admin(
        appliance,
        by,
        AdminCommand::SetPermission {
            team: id,
            grant: PermissionGrant::InviteScope(permissions.invite_scope.clone()),
        },
    )
    .await?;
    admin(
        appliance,
        by,
        AdminCommand::SetPermission {
            team: id,
            grant: PermissionGrant::ExternalScope(permissions.external_scope),
        },
    )
    .await?;
    Ok(id)
}

/// Make the demo organisation unless the appliance already has accounts. Returns whether it
/// was made now.
///
/// # Errors
/// When a command is refused (a bug) or the database fails.
pub async fn seed(appliance: &Appliance) -> Result<bool, ApiError> {
    if !appliance.state().await.technicians.is_empty() {
        return Ok(false);
    }
    let master = bootstrap_master(appliance, "Ada Admin", ACCOUNTS[0].email, DEMO_PASSWORD).await?;
    let full = PermissionSet::all();
    let mut view_only = PermissionSet::with([
        Permission::ChatAtSessionStart,
        Permission::ToggleChat,
        Permission::DesktopViewing,
        Permission::ViewSystemInfo,
        Permission::SendCollaborationInvites,
        Permission::TransferSessions,
        Permission::HoldSessions,
    ]);
    view_only.external_scope = ExternalScope::ApprovedOnly;
    view_only.invite_scope = TeamScope::Teams(BTreeSet::new());
    let desk = team(
        appliance,
        master,
        None,
        "Service Desk",
        "First and second line support",
        &full,
    )
    .await?;
    let tier1 = team(
        appliance,
        master,
        Some(desk),
        "Tier 1",
        "First line: accounts, e-mail, printing",
        &full,
    )
    .await?;
    let tier2 = team(
        appliance,
        master,
        Some(desk),
        "Tier 2",
        "Second line: servers, networks",
        &full,
    )
    .await?;
    let field = team(
        appliance,
        master,
        None,
        "Field Services",
        "On-site technicians who watch and guide",
        &view_only,
    )
    .await?;

    let (tom, _) = create_account(
        appliance,
        master,
        "Tom Trent",
        ACCOUNTS[1].email,
        Role::Administrator { team: desk },
        DEMO_PASSWORD,
    )
    .await?;
    let (alice, _) = create_account(
        appliance,
        master,
        "Alice Archer",
        ACCOUNTS[2].email,
        Role::Technician,
        DEMO_PASSWORD,
    )
    .await?;
    let (bob, _) = create_account(
        appliance,
        master,
        "Bob Baker",
        ACCOUNTS[3].email,
        Role::Technician,
        DEMO_PASSWORD,
    )
    .await?;
    let (carol, _) = create_account(
        appliance,
        master,
        "Carol Chen",
        ACCOUNTS[4].email,
        Role::Technician,
        DEMO_PASSWORD,
    )
    .await?;
    let (dave, _) = create_account(
        appliance,
        master,
        "Dave Diaz",
        ACCOUNTS[5].email,
        Role::Technician,
        DEMO_PASSWORD,
    )
    .await?;
    for (team, who) in [
        (desk, tom),
        (tier1, alice),
        (tier1, bob),
        (tier2, carol),
        (field, dave),
    ] {
        admin(
            appliance,
            master,
            AdminCommand::SetTeamMember {
                team,
                technician: who,
                member: true,
            },
        )
        .await?;
    }
    // Bob and Carol are reachable by mail while signed out (S3, S4), so a reviewer alone with one
    // console still has colleagues to share with.
    for who in [bob, carol] {
        appliance
            .execute(
                Actor::Technician(who),
                &Command::SetExtendedAvailability { on: true },
                Vec::new(),
            )
            .await?;
    }
    admin(appliance, master, AdminCommand::CreateSecurityPolicy {
        name: "View only".into(),
        description: "Sees the customer's screen and chats. Cannot control the screen, open a shell, or transfer files.".into(),
        permissions: PermissionSet::with([Permission::DesktopViewing, Permission::ChatAtSessionStart, Permission::ViewSystemInfo]),
        team: None,
    })
    .await?;
    admin(appliance, master, AdminCommand::CreateSecurityPolicy {
        name: "Vendor engineer".into(),
        description: "Sees and controls the screen and may open a command shell, within what the inviting technician may do. Cannot invite or transfer.".into(),
        permissions: PermissionSet::with([
            Permission::DesktopViewing, Permission::RemoteControl, Permission::CommandShell, Permission::ViewSystemInfo, Permission::ChatAtSessionStart,
        ]),
        team: None,
    })
    .await?;
    for (name, team, help) in [
        ("Accounts and passwords", tier1, true),
        ("Printing", tier1, true),
        ("Servers", tier2, true),
        ("Billing questions", tier1, false),
    ] {
        admin(
            appliance,
            master,
            AdminCommand::CreateSupportIssue {
                name: name.into(),
                team,
                allow_help_requests: help,
            },
        )
        .await?;
    }
    admin(
        appliance,
        master,
        AdminCommand::AddApprovedExternal {
            name: "Victor Vendor".into(),
            email: "victor@vendor.example".into(),
            team: None,
        },
    )
    .await?;
    admin(
        appliance,
        master,
        AdminCommand::CreateJumpGroup {
            name: "Datacentre servers".into(),
            members: BTreeSet::from([alice, carol]),
            team: None,
        },
    )
    .await?;
    admin(
        appliance,
        master,
        AdminCommand::CreateJumpGroup {
            name: "Front desk PCs".into(),
            members: BTreeSet::from([alice, bob, dave]),
            team: None,
        },
    )
    .await?;
    admin(
        appliance,
        master,
        AdminCommand::CreateButtonProfile {
            name: "Standard".into(),
            team: None,
        },
    )
    .await?;
    let settings = Settings {
        appliance_sends_external_invitations: appliance.mailer.is_some(),
        auto_elevate_windows: false,
    };
    admin(appliance, master, AdminCommand::UpdateSettings { settings }).await?;
    Ok(true)
}
