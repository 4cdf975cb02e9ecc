//! The appliance over real HTTPS and WebSocket, on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod support;

use serde_json::{Value, json};
use std::collections::BTreeSet;
use support::{Db, Harness, Smtp};
use tandem_core::domain::*;

/// Who is who in the scenario.
struct Scene {
    master: String,
    tom: String,
    alice: String,
    bob: String,
    carol: String,
    dave: String,
    external: String,
    customer: String,
    session: SessionId,
    queued: SessionId,
    carol_invitation: InvitationId,
    sam_invitation: InvitationId,
    jump_client: JumpClientId,
    ids: Ids,
}

/// Ids of the demo organisation, read from a console's snapshot.
#[derive(Clone)]
struct Ids {
    alice: TechnicianId,
    bob: TechnicianId,
    carol: TechnicianId,
    dave: TechnicianId,
    desk: TeamId,
    tier1: TeamId,
    tier2: TeamId,
    field: TeamId,
    view_only: PolicyId,
    printing: IssueId,
    datacentre: JumpGroupId,
    profile: ButtonProfileId,
}

fn id_of(list: &Value, name: &str) -> u64 {
    list.as_array().unwrap().iter().find(|x| x["name"] == name).unwrap_or_else(|| panic!("{name} in {list}"))["id"].as_u64().unwrap()
}

async fn ids(h: &Harness, token: &str) -> Ids {
    let (_, snap) = h.get("/api/v1/snapshot", Some(token)).await;
    let v = &snap["view"];
    Ids {
        alice: TechnicianId(id_of(&v["technicians"], "Alice Archer")),
        bob: TechnicianId(id_of(&v["technicians"], "Bob Baker")),
        carol: TechnicianId(id_of(&v["technicians"], "Carol Chen")),
        dave: TechnicianId(id_of(&v["technicians"], "Dave Diaz")),
        desk: TeamId(id_of(&v["teams"], "Service Desk")),
        tier1: TeamId(id_of(&v["teams"], "Tier 1")),
        tier2: TeamId(id_of(&v["teams"], "Tier 2")),
        field: TeamId(id_of(&v["teams"], "Field Services")),
        view_only: PolicyId(id_of(&v["policies"], "View only")),
        printing: IssueId(id_of(&v["issues"], "Printing")),
        datacentre: JumpGroupId(id_of(&v["jump_groups"], "Datacentre servers")),
        profile: ButtonProfileId(id_of(&v["button_profiles"], "Standard")),
    }
}

fn invitation_in(response: &Value) -> InvitationId {
    let sent = response["events"].as_array().unwrap().iter().find_map(|e| e["event"]["InvitationSent"]["invitation"]["id"].as_u64());
    InvitationId(sent.expect("an invitation was sent"))
}

async fn scene(h: &Harness) -> Scene {
    let master = h.login("admin@demo.tandem").await;
    let tom = h.login("tom@demo.tandem").await;
    let alice = h.login("alice@demo.tandem").await;
    let bob = h.login("bob@demo.tandem").await;
    let carol = h.login("carol@demo.tandem").await;
    let dave = h.login("dave@demo.tandem").await;
    let ids = ids(h, &alice).await;
    let (customer, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    let to_bob = h.ok(&alice, &Command::InviteTechnician { session, technician: ids.bob }).await;
    h.ok(&bob, &Command::AcceptInvitation { invitation: invitation_in(&to_bob) }).await;
    let invite_sam = h
        .ok(&alice, &Command::InviteExternal {
            session,
            policy: ids.view_only,
            invitee: ExternalInvitee::Anyone { name: "Sam".into(), email: None },
            comments: "Knows the accounting software".into(),
        })
        .await;
    let link = invite_sam["link"].as_str().unwrap();
    let link_token = link.rsplit_once("/join/").unwrap().1;
    let (status, redeemed) = h.post("/api/v1/external/redeem", None, json!({"token": link_token})).await;
    assert_eq!(status, 200, "{redeemed}");
    let external = redeemed["token"].as_str().unwrap().to_owned();
    let carol_invitation = invitation_in(&h.ok(&alice, &Command::InviteTechnician { session, technician: ids.carol }).await);
    // A second external invitation, left pending, for the guest-only command.
    let sam_invitation = invitation_in(
        &h.ok(&alice, &Command::InviteExternal {
            session,
            policy: ids.view_only,
            invitee: ExternalInvitee::Anyone { name: "Lee".into(), email: None },
            comments: String::new(),
        })
        .await,
    );
    let pinned = h.ok(&alice, &Command::PinJumpClient { session, location: JumpLocation::Group(ids.datacentre) }).await;
    let jump_client = JumpClientId(pinned["events"][0]["event"]["JumpClientPinned"]["jump_client"]["id"].as_u64().unwrap());
    let (status, key) = h.post("/api/v1/session-keys", Some(&alice), json!({"queue": {"Team": ids.tier1.0}})).await;
    assert_eq!(status, 200);
    let lou = json!({"name": "Lou", "machine": "lou-pc", "platform": "Linux", "mode": "Full"});
    let (_, joined) = h.post("/api/v1/customer/join", None, json!({"key": key["key"], "customer": lou})).await;
    let queued = SessionId(joined["session"].as_u64().unwrap());
    Scene { master, tom, alice, bob, carol, dave, external, customer, session, queued, carol_invitation, sam_invitation, jump_client, ids }
}

/// Every command, tried by every role that must not perform it: a 403 naming a rule, and
/// nothing stored or changed.
async fn forbidden_paths_of_every_command(db: Db) {
    let h = Harness::start(db).await;
    let sc = scene(&h).await;
    let (s, i) = (sc.session, sc.ids.clone());
    let who = |name: &str| -> &str {
        match name {
            "master" => &sc.master,
            "tom" => &sc.tom,
            "alice" => &sc.alice,
            "bob" => &sc.bob,
            "carol" => &sc.carol,
            "dave" => &sc.dave,
            "external" => &sc.external,
            _ => &sc.customer,
        }
    };
    let kim = CustomerInfo { name: "Kim".into(), machine: "kim-pc".into(), platform: Platform::Windows, mode: ClientMode::Full };
    let tech_roles = ["bob", "dave", "external", "customer"];
    let in_session = ["dave"];
    let cases: Vec<(Command, Vec<&str>)> = vec![
        (Command::SetLoggedIn { logged_in: false }, vec!["external", "customer"]),
        (Command::SetExtendedAvailability { on: true }, vec!["external", "customer"]),
        (Command::StartSession { queue: QueueRef::Team(i.tier1), customer: kim.clone() }, vec!["alice", "external", "customer"]),
        (Command::StartSessionFromButton { button: SupportButtonId(1), customer: kim.clone() }, vec!["alice", "external", "customer"]),
        (Command::StartJumpSession { jump_client: sc.jump_client }, vec!["bob", "dave", "external", "customer"]),
        (Command::AcceptFromQueue { session: sc.queued }, vec!["carol", "dave", "external", "customer"]),
        (Command::AcceptFromQueue { session: s }, vec!["alice", "bob", "dave"]),
        (Command::SendChat { session: s, text: "hi".into() }, in_session.to_vec()),
        (Command::SetChat { session: s, enabled: false }, vec!["dave", "external", "customer"]),
        (Command::SetChatPinned { session: s, pinned: true }, vec!["dave", "external", "customer"]),
        (Command::StartScreen { session: s, control: true }, vec!["dave", "external", "customer"]),
        (Command::StopScreen { session: s }, in_session.to_vec()),
        (Command::StartShell { session: s }, vec!["dave", "external", "customer"]),
        (Command::StopShell { session: s }, in_session.to_vec()),
        (Command::ViewSystemInfo { session: s }, vec!["dave", "customer"]),
        (Command::UpgradeToFullClient { session: s }, vec!["alice", "dave", "external", "customer"]),
        (Command::Elevate { session: s, method: ElevationMethod::PromptCustomer }, vec!["dave", "external", "customer"]),
        (Command::AnswerPrompt { session: s, prompt: PromptKind::UpgradeToFullClient, accepted: true }, vec!["alice", "bob", "dave", "external", "customer"]),
        (Command::InviteTechnician { session: s, technician: i.dave }, tech_roles.to_vec()),
        (Command::InviteAnyRepresentative { session: s, team: i.tier2 }, tech_roles.to_vec()),
        (Command::RequestHelp { session: s, issue: i.printing }, tech_roles.to_vec()),
        (Command::InviteExternal { session: s, policy: i.view_only, invitee: ExternalInvitee::Anyone { name: "Zoe".into(), email: None }, comments: String::new() }, tech_roles.to_vec()),
        (Command::CancelInvitation { invitation: sc.carol_invitation }, tech_roles.to_vec()),
        (Command::AcceptInvitation { invitation: sc.carol_invitation }, vec!["bob", "dave", "external", "customer"]),
        (Command::DeclineInvitation { invitation: sc.carol_invitation }, vec!["bob", "dave", "external", "customer"]),
        (Command::RedeemExternal { invitation: sc.sam_invitation }, vec!["alice", "external", "customer"]),
        (Command::TransferToTeam { session: s, team: i.tier2 }, tech_roles.to_vec()),
        (Command::TransferToTechnician { session: s, technician: i.carol }, tech_roles.to_vec()),
        (Command::RemoveMember { session: s, member: Participant::Technician(i.bob) }, tech_roles.to_vec()),
        (Command::RemoveMember { session: s, member: Participant::Technician(i.alice) }, vec!["alice"]),
        (Command::EndSession { session: s }, tech_roles.to_vec()),
        (Command::HoldSession { session: s }, tech_roles.to_vec()),
        (Command::LeaveSession { session: s }, vec!["alice", "dave"]),
        (Command::DeploySupportButton { session: s, name: "Help".into(), expires_at: Timestamp(u64::MAX / 2), profile: i.profile, queue: QueueRef::Personal(i.alice) }, vec!["dave", "external", "customer"]),
        (Command::RemoveSupportButton { session: s }, vec!["alice", "dave", "external", "customer"]),
        (Command::PinJumpClient { session: s, location: JumpLocation::Personal(i.alice) }, vec!["alice", "dave", "external", "customer"]),
        (Command::UnpinJumpClient { session: s }, vec!["bob", "dave", "external", "customer"]),
        (Command::Bootstrap { name: "Eve".into(), email: "eve@x.example".into() }, vec!["master", "alice", "customer"]),
        (Command::Admin(AdminCommand::CreateTeam { parent: None, name: "Rogue".into(), description: String::new() }), vec!["tom", "alice", "external", "customer"]),
        (Command::Admin(AdminCommand::CreateTeam { parent: Some(i.field), name: "Rogue".into(), description: String::new() }), vec!["tom"]),
        (Command::Admin(AdminCommand::UpdateTeam { team: i.desk, name: "Mine".into(), description: String::new(), enabled: false }), vec!["tom", "alice", "customer"]),
        (Command::Admin(AdminCommand::SetPermission { team: i.tier1, grant: PermissionGrant::Flag(Permission::RemoteControl, false) }), vec!["alice", "bob", "external", "customer"]),
        (Command::Admin(AdminCommand::LockPermission { team: i.tier1, key: PermissionKey::TransferScope, locked: true }), vec!["tom", "alice"]),
        (Command::Admin(AdminCommand::SetTeamMember { team: i.field, technician: i.alice, member: true }), vec!["tom", "alice", "external"]),
        (Command::Admin(AdminCommand::CreateSecurityPolicy { name: "P".into(), description: String::new(), permissions: PermissionSet::all() }), vec!["alice", "external", "customer"]),
        (Command::Admin(AdminCommand::CreateSupportIssue { name: "I".into(), team: i.field, allow_help_requests: true }), vec!["tom", "alice"]),
        (Command::Admin(AdminCommand::AddApprovedExternal { name: "V".into(), email: "v@x.example".into() }), vec!["alice", "customer"]),
        (Command::Admin(AdminCommand::CreateJumpGroup { name: "J".into(), members: BTreeSet::new() }), vec!["alice", "external"]),
        (Command::Admin(AdminCommand::CreateButtonProfile { name: "B".into() }), vec!["alice", "customer"]),
        (Command::Admin(AdminCommand::UpdateSettings { settings: Settings::default() }), vec!["tom", "alice"]),
    ];
    let mut tried = 0;
    for (command, roles) in &cases {
        for role in roles {
            let before = h.last_seq().await;
            let (status, body) = h.command(who(role), command).await;
            assert_eq!(status, 403, "{role} {command:?} should be forbidden: {body}");
            assert!(body["rule"].is_string() && body["message"].as_str().unwrap().ends_with(')'), "{body}");
            assert_eq!(h.last_seq().await, before, "{role} {command:?} changed something");
            tried += 1;
        }
        // Without any sign-in, nothing gets through.
        let (status, _) = h.post("/api/v1/commands", None, serde_json::to_value(command).unwrap()).await;
        assert_eq!(status, 401);
    }
    // The admin lock, and the endpoints beside the command endpoint.
    h.ok(&sc.master, &Command::Admin(AdminCommand::LockPermission { team: i.desk, key: PermissionKey::Flag(Permission::RemoteControl), locked: true })).await;
    let (status, body) = h.command(&sc.tom, &Command::Admin(AdminCommand::SetPermission { team: i.tier1, grant: PermissionGrant::Flag(Permission::RemoteControl, false) })).await;
    assert_eq!((status, body["rule"].as_str()), (403, Some("G1")), "{body}");
    let new = json!({"name": "Eve", "email": "eve@demo.tandem", "role": "Technician", "password": "long enough password"});
    for role in ["alice", "external", "customer"] {
        assert_eq!(h.post("/api/v1/admin/technicians", Some(who(role)), new.clone()).await.0, 403, "{role} creates an account");
    }
    let elevate = json!({"method": "ProvideCredentials", "username": "admin", "password": "secret"});
    for role in ["dave", "external", "customer"] {
        assert_eq!(h.post(&format!("/api/v1/sessions/{}/elevate", s.0), Some(who(role)), elevate.clone()).await.0, 403, "{role} elevates");
    }
    let (status, _) = h.post("/api/v1/session-keys", Some(&sc.dave), json!({"queue": {"Team": i.tier1.0}})).await;
    assert_eq!(status, 403, "a session key into someone else's team queue");
    for role in ["external", "customer"] {
        assert_eq!(h.post("/api/v1/session-keys", Some(who(role)), json!({})).await.0, 403);
    }
    assert!(tried > 150, "only {tried} forbidden attempts");
    h.finish().await;
}

on_both_databases!(forbidden_paths_of_every_command);
