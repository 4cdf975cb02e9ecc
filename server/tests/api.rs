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

fn id_of(map: &Value, name: &str) -> u64 {
    let found = map
        .as_object()
        .unwrap()
        .values()
        .find(|x| x["name"] == name);
    found.unwrap_or_else(|| panic!("{name} in {map}"))["id"]
        .as_u64()
        .unwrap()
}

async fn ids(h: &Harness, token: &str) -> Ids {
    let (_, snap) = h.get("/api/v1/snapshot", Some(token)).await;
    let v = &snap["view"]["state"];
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
    let sent = response["events"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e["event"]["InvitationSent"]["invitation"]["id"].as_u64());
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
    let to_bob = h
        .ok(
            &alice,
            &Command::InviteTechnician {
                session,
                technician: ids.bob,
            },
        )
        .await;
    h.ok(
        &bob,
        &Command::AcceptInvitation {
            invitation: invitation_in(&to_bob),
        },
    )
    .await;
    let external = h
        .external_joins(&alice, session, ids.view_only, "Sam")
        .await;
    let carol_invitation = invitation_in(
        &h.ok(
            &alice,
            &Command::InviteTechnician {
                session,
                technician: ids.carol,
            },
        )
        .await,
    );
    // A second external invitation, left pending, for the guest-only command.
    let sam_invitation = invitation_in(
        &h.ok(
            &alice,
            &Command::InviteExternal {
                session,
                policy: ids.view_only,
                invitee: ExternalInvitee::Anyone {
                    name: "Lee".into(),
                    email: None,
                },
                comments: String::new(),
            },
        )
        .await,
    );
    let pinned = h
        .ok(
            &alice,
            &Command::PinJumpClient {
                session,
                location: JumpLocation::Group(ids.datacentre),
            },
        )
        .await;
    let jump_client = JumpClientId(
        pinned["events"][0]["event"]["JumpClientPinned"]["jump_client"]["id"]
            .as_u64()
            .unwrap(),
    );
    let (status, key) = h
        .post(
            "/api/v1/session-keys",
            Some(&alice),
            json!({"queue": {"Team": ids.tier1.0}}),
        )
        .await;
    assert_eq!(status, 200);
    let lou = json!({"name": "Lou", "machine": "lou-pc", "platform": "Linux", "mode": "Full"});
    let (_, joined) = h
        .post(
            "/api/v1/customer/join",
            None,
            json!({"key": key["key"], "customer": lou}),
        )
        .await;
    let queued = SessionId(joined["session"].as_u64().unwrap());
    Scene {
        master,
        tom,
        alice,
        bob,
        carol,
        dave,
        external,
        customer,
        session,
        queued,
        carol_invitation,
        sam_invitation,
        jump_client,
        ids,
    }
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
    let kim = CustomerInfo {
        name: "Kim".into(),
        machine: "kim-pc".into(),
        platform: Platform::Windows,
        mode: ClientMode::Full,
    };
    let tech_roles = ["bob", "dave", "external", "customer"];
    let in_session = ["dave"];
    let cases: Vec<(Command, Vec<&str>)> = vec![
        (
            Command::SetLoggedIn { logged_in: false },
            vec!["external", "customer"],
        ),
        (
            Command::SetExtendedAvailability { on: true },
            vec!["external", "customer"],
        ),
        (
            Command::StartSession {
                queue: QueueRef::Team(i.tier1),
                customer: kim.clone(),
            },
            vec!["alice", "external", "customer"],
        ),
        (
            Command::StartSessionFromButton {
                button: SupportButtonId(1),
                customer: kim.clone(),
            },
            vec!["alice", "external", "customer"],
        ),
        (
            Command::StartJumpSession {
                jump_client: sc.jump_client,
            },
            vec!["bob", "dave", "external", "customer"],
        ),
        (
            Command::AcceptFromQueue { session: sc.queued },
            vec!["carol", "dave", "external", "customer"],
        ),
        (
            Command::AcceptFromQueue { session: s },
            vec!["alice", "bob", "dave"],
        ),
        (
            Command::SendChat {
                session: s,
                text: "hi".into(),
            },
            in_session.to_vec(),
        ),
        (
            Command::SetChat {
                session: s,
                enabled: false,
            },
            vec!["dave", "external", "customer"],
        ),
        (
            Command::SetChatPinned {
                session: s,
                pinned: true,
            },
            vec!["dave", "external", "customer"],
        ),
        (
            Command::StartScreen {
                session: s,
                control: true,
            },
            vec!["dave", "external", "customer"],
        ),
        (Command::StopScreen { session: s }, in_session.to_vec()),
        (
            Command::StartShell { session: s },
            vec!["dave", "external", "customer"],
        ),
        (Command::StopShell { session: s }, in_session.to_vec()),
        (
            Command::ViewSystemInfo { session: s },
            vec!["dave", "customer"],
        ),
        (
            Command::UpgradeToFullClient { session: s },
            vec!["alice", "dave", "external", "customer"],
        ),
        (
            Command::Elevate {
                session: s,
                method: ElevationMethod::PromptCustomer,
            },
            vec!["dave", "external", "customer"],
        ),
        (
            Command::AnswerPrompt {
                session: s,
                prompt: PromptKind::UpgradeToFullClient,
                accepted: true,
            },
            vec!["alice", "bob", "dave", "external", "customer"],
        ),
        (
            Command::InviteTechnician {
                session: s,
                technician: i.dave,
            },
            tech_roles.to_vec(),
        ),
        (
            Command::InviteAnyRepresentative {
                session: s,
                team: i.tier2,
            },
            tech_roles.to_vec(),
        ),
        (
            Command::RequestHelp {
                session: s,
                issue: i.printing,
            },
            tech_roles.to_vec(),
        ),
        (
            Command::InviteExternal {
                session: s,
                policy: i.view_only,
                invitee: ExternalInvitee::Anyone {
                    name: "Zoe".into(),
                    email: None,
                },
                comments: String::new(),
            },
            tech_roles.to_vec(),
        ),
        (
            Command::CancelInvitation {
                invitation: sc.carol_invitation,
            },
            tech_roles.to_vec(),
        ),
        (
            Command::AcceptInvitation {
                invitation: sc.carol_invitation,
            },
            vec!["bob", "dave", "external", "customer"],
        ),
        (
            Command::DeclineInvitation {
                invitation: sc.carol_invitation,
            },
            vec!["bob", "dave", "external", "customer"],
        ),
        (
            Command::RedeemExternal {
                invitation: sc.sam_invitation,
            },
            vec!["alice", "external", "customer"],
        ),
        (
            Command::TransferToTeam {
                session: s,
                team: i.tier2,
            },
            tech_roles.to_vec(),
        ),
        (
            Command::TransferToTechnician {
                session: s,
                technician: i.carol,
            },
            tech_roles.to_vec(),
        ),
        (
            Command::RemoveMember {
                session: s,
                member: Participant::Technician(i.bob),
            },
            tech_roles.to_vec(),
        ),
        (
            Command::RemoveMember {
                session: s,
                member: Participant::Technician(i.alice),
            },
            vec!["alice"],
        ),
        (Command::EndSession { session: s }, tech_roles.to_vec()),
        (Command::HoldSession { session: s }, tech_roles.to_vec()),
        (Command::LeaveSession { session: s }, vec!["alice", "dave"]),
        (
            Command::DeploySupportButton {
                session: s,
                name: "Help".into(),
                expires_at: Timestamp(u64::MAX / 2),
                profile: i.profile,
                queue: QueueRef::Personal(i.alice),
            },
            vec!["dave", "external", "customer"],
        ),
        (
            Command::RemoveSupportButton { session: s },
            vec!["alice", "dave", "external", "customer"],
        ),
        (
            Command::PinJumpClient {
                session: s,
                location: JumpLocation::Personal(i.alice),
            },
            vec!["alice", "dave", "external", "customer"],
        ),
        (
            Command::UnpinJumpClient { session: s },
            vec!["bob", "dave", "external", "customer"],
        ),
        (
            Command::Bootstrap {
                name: "Eve".into(),
                email: "eve@x.example".into(),
            },
            vec!["master", "alice", "customer"],
        ),
        (
            Command::Admin(AdminCommand::CreateTeam {
                parent: None,
                name: "Rogue".into(),
                description: String::new(),
            }),
            vec!["tom", "alice", "external", "customer"],
        ),
        (
            Command::Admin(AdminCommand::CreateTeam {
                parent: Some(i.field),
                name: "Rogue".into(),
                description: String::new(),
            }),
            vec!["tom"],
        ),
        (
            Command::Admin(AdminCommand::UpdateTeam {
                team: i.desk,
                name: "Mine".into(),
                description: String::new(),
                enabled: false,
            }),
            vec!["tom", "alice", "customer"],
        ),
        (
            Command::Admin(AdminCommand::SetPermission {
                team: i.tier1,
                grant: PermissionGrant::Flag(Permission::RemoteControl, false),
            }),
            vec!["alice", "bob", "external", "customer"],
        ),
        (
            Command::Admin(AdminCommand::LockPermission {
                team: i.tier1,
                key: PermissionKey::TransferScope,
                locked: true,
            }),
            vec!["tom", "alice"],
        ),
        (
            Command::Admin(AdminCommand::SetTeamMember {
                team: i.field,
                technician: i.alice,
                member: true,
            }),
            vec!["tom", "alice", "external"],
        ),
        (
            Command::Admin(AdminCommand::CreateSecurityPolicy {
                name: "P".into(),
                description: String::new(),
                permissions: PermissionSet::all(),
                team: None,
            }),
            vec!["alice", "external", "customer"],
        ),
        (
            Command::Admin(AdminCommand::CreateSupportIssue {
                name: "I".into(),
                team: i.field,
                allow_help_requests: true,
            }),
            vec!["tom", "alice"],
        ),
        (
            Command::Admin(AdminCommand::AddApprovedExternal {
                name: "V".into(),
                email: "v@x.example".into(),
                team: None,
            }),
            vec!["alice", "customer"],
        ),
        (
            Command::Admin(AdminCommand::CreateJumpGroup {
                name: "J".into(),
                members: BTreeSet::new(),
                team: None,
            }),
            vec!["alice", "external"],
        ),
        (
            Command::Admin(AdminCommand::CreateButtonProfile {
                name: "B".into(),
                team: None,
            }),
            vec!["alice", "customer"],
        ),
        (
            Command::Admin(AdminCommand::UpdateSettings {
                settings: Settings::default(),
            }),
            vec!["tom", "alice"],
        ),
    ];
    let mut tried = 0;
    for (command, roles) in &cases {
        for role in roles {
            let before = h.last_seq().await;
            let (status, body) = h.command(who(role), command).await;
            // A session or invitation the caller may not see is answered as a missing one (no
            // probing of ids); everything else names the rule that forbids it.
            let wire = serde_json::to_value(command).unwrap().to_string();
            let names_session = wire.contains("\"session\":") || wire.contains("\"invitation\":");
            if status == 404 {
                assert!(names_session, "{role} {command:?}: {body}");
                assert_eq!(body["error"], "not_found", "{body}");
            } else {
                assert_eq!(
                    status, 403,
                    "{role} {command:?} should be forbidden: {body}"
                );
                assert!(
                    body["rule"].is_string() && body["message"].as_str().unwrap().ends_with(')'),
                    "{body}"
                );
            }
            assert_eq!(
                h.last_seq().await,
                before,
                "{role} {command:?} changed something"
            );
            tried += 1;
        }
        // Without any sign-in, nothing gets through.
        let (status, _) = h
            .post(
                "/api/v1/commands",
                None,
                serde_json::to_value(command).unwrap(),
            )
            .await;
        assert_eq!(status, 401);
    }
    // The admin lock, and the endpoints beside the command endpoint.
    h.ok(
        &sc.master,
        &Command::Admin(AdminCommand::LockPermission {
            team: i.desk,
            key: PermissionKey::Flag(Permission::RemoteControl),
            locked: true,
        }),
    )
    .await;
    let (status, body) = h
        .command(
            &sc.tom,
            &Command::Admin(AdminCommand::SetPermission {
                team: i.tier1,
                grant: PermissionGrant::Flag(Permission::RemoteControl, false),
            }),
        )
        .await;
    assert_eq!((status, body["rule"].as_str()), (403, Some("G1")), "{body}");
    let new = json!({"name": "Eve", "email": "eve@demo.tandem", "role": "Technician", "password": "long enough password"});
    for role in ["alice", "external", "customer"] {
        assert_eq!(
            h.post("/api/v1/admin/technicians", Some(who(role)), new.clone())
                .await
                .0,
            403,
            "{role} creates an account"
        );
    }
    let elevate =
        json!({"method": "ProvideCredentials", "username": "admin", "password": "secret"});
    // Dave is not in the session: it is answered as missing; the others are in it, and refused.
    for (role, refused) in [("dave", 404), ("external", 403), ("customer", 403)] {
        assert_eq!(
            h.post(
                &format!("/api/v1/sessions/{}/elevate", s.0),
                Some(who(role)),
                elevate.clone()
            )
            .await
            .0,
            refused,
            "{role} elevates"
        );
    }
    let (status, _) = h
        .post(
            "/api/v1/session-keys",
            Some(&sc.dave),
            json!({"queue": {"Team": i.tier1.0}}),
        )
        .await;
    assert_eq!(status, 403, "a session key into someone else's team queue");
    for role in ["external", "customer"] {
        assert_eq!(
            h.post("/api/v1/session-keys", Some(who(role)), json!({}))
                .await
                .0,
            403
        );
    }
    assert!(tried > 150, "only {tried} forbidden attempts");
    h.finish().await;
}

on_both_databases!(forbidden_paths_of_every_command);

/// Logins: a wrong password is refused; repeated attempts on one account name from one address
/// are throttled (429 with Retry-After), the same for an unknown address, and never lock the
/// account for anyone else (the attack suite signs in from another address); logout ends the
/// token.
async fn login_lockout_and_logout(db: Db) {
    let h = Harness::start(db).await;
    let wrong = json!({"email": "bob@demo.tandem", "password": "not the password"});
    let stranger = json!({"email": "nobody@demo.tandem", "password": "not the password"});
    let mut on_account = Vec::new();
    let mut on_stranger = Vec::new();
    for _ in 0..10 {
        let (status, body) = h.post("/api/v1/login", None, wrong.clone()).await;
        if status == 401 {
            assert_eq!(body["message"], "Wrong e-mail address or password");
        }
        on_account.push(status);
        on_stranger.push(h.post("/api/v1/login", None, stranger.clone()).await.0);
    }
    assert_eq!(on_account.first(), Some(&401));
    assert_eq!(on_account.last(), Some(&429), "throttled: {on_account:?}");
    assert_eq!(
        on_account, on_stranger,
        "an unknown address gets the same answers"
    );
    let response = h
        .http
        .post(format!("{}/api/v1/login", h.base))
        .json(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().get("retry-after").is_some());

    let token = h.login("alice@demo.tandem").await;
    assert_eq!(h.get("/api/v1/snapshot", Some(&token)).await.0, 200);
    let (_, snap) = h.get("/api/v1/snapshot", Some(&token)).await;
    let me = snap["view"]["me"].as_u64().unwrap().to_string();
    assert_eq!(
        snap["view"]["state"]["technicians"][&me]["logged_in"], true,
        "signing in lists the technician (S3)"
    );
    assert_eq!(
        h.post("/api/v1/logout", Some(&token), json!({})).await.0,
        200
    );
    assert_eq!(
        h.get("/api/v1/snapshot", Some(&token)).await.0,
        401,
        "the token ends with logout"
    );
    let stored = h.appliance().store.all_events().await.unwrap();
    assert!(
        !format!("{stored:?}").contains(&token),
        "no token in the event store"
    );
    h.finish().await;
}

/// S4 and X3 through a real SMTP server: inviting a technician with extended availability mails
/// them; an external invitation with an address is mailed with its link when allowed.
async fn invitation_mail_reaches_a_real_smtp_server(db: Db) {
    let smtp = Smtp::start();
    let h = Harness::start_with(db, Some(smtp.url.clone())).await;
    let alice = h.login("alice@demo.tandem").await;
    let i = ids(&h, &alice).await;
    let (_, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    // Bob has extended availability in the demo (S4).
    h.ok(
        &alice,
        &Command::InviteTechnician {
            session,
            technician: i.bob,
        },
    )
    .await;
    let mail = smtp.message_containing("bob@demo.tandem").await;
    assert!(
        mail.contains("Alice Archer asks you to join a support session"),
        "{mail}"
    );
    // The link opens the Android app (App Links) or, without it, a page that says what to do.
    let link = mail
        .split_whitespace()
        .find(|w| w.starts_with("https://tandem.example.test/invitations/"))
        .unwrap_or_else(|| panic!("no invitation link in {mail}"));
    let path = link.trim_start_matches("https://tandem.example.test");
    let page = h
        .http
        .get(format!("{}{path}", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Tandem app"));
    // Dave is only logged out, without extended availability: no mail.
    let invited = h
        .ok(
            &alice,
            &Command::InviteExternal {
                session,
                policy: i.view_only,
                invitee: ExternalInvitee::Anyone {
                    name: "Sam".into(),
                    email: Some("sam@partner.example".into()),
                },
                comments: "printer vendor".into(),
            },
        )
        .await;
    let link = invited["link"].as_str().unwrap();
    assert!(
        link.starts_with("https://tandem.example.test/join/"),
        "built from the public URL, not the Host header: {link}"
    );
    let mail = smtp.message_containing("sam@partner.example").await;
    assert!(mail.contains(link), "the mail carries the one-time link");
    assert_eq!(smtp.count(), 2);
    h.finish().await;
}

/// S4 with mail down: the invitation stands, and the technician who sent it (nobody else) is
/// told, on their feed, that its mail was not sent and why.
async fn a_mail_that_cannot_be_sent_is_reported_to_the_technician_who_caused_it(db: Db) {
    // A port just let go: nothing listens there, so the SMTP server is unreachable.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let h = Harness::start_with(db, Some(format!("smtp://127.0.0.1:{port}"))).await;
    let alice = h.login("alice@demo.tandem").await;
    let dave = h.login("dave@demo.tandem").await;
    let i = ids(&h, &alice).await;
    let (_, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    let since = h.last_seq().await;
    let mut alice_feed = h.ws(&alice, Some(since)).await;
    let mut dave_feed = h.ws(&dave, Some(since)).await;
    // Bob has extended availability in the demo (S4): he is mailed.
    h.ok(
        &alice,
        &Command::InviteTechnician {
            session,
            technician: i.bob,
        },
    )
    .await;
    let seen = alice_feed
        .until(|m| m["event"]["MailNotSent"].is_object())
        .await;
    let told = &seen.last().unwrap()["event"]["MailNotSent"];
    assert_eq!(told["technician"], json!(i.alice.0));
    assert!(!told["reason"].as_str().unwrap().is_empty(), "{told}");
    assert!(
        seen.iter()
            .any(|m| m["event"]["InvitationSent"].is_object()),
        "the invitation itself stands"
    );
    // Dave sees the session's invitation traffic only as far as he may; never the mail.
    h.ok(&dave, &Command::SetExtendedAvailability { on: true })
        .await;
    let dave_saw = dave_feed
        .until(|m| m["event"]["ExtendedAvailabilityChanged"].is_object())
        .await;
    assert!(
        dave_saw
            .iter()
            .all(|m| !m["event"]["MailNotSent"].is_object()),
        "{dave_saw:?}"
    );
    h.finish().await;
}

/// X1: one link redeemed by fifty people at once lets exactly one in.
async fn one_link_redeemed_fifty_times_at_once(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.login("alice@demo.tandem").await;
    let i = ids(&h, &alice).await;
    let (_, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    let invited = h
        .ok(
            &alice,
            &Command::InviteExternal {
                session,
                policy: i.view_only,
                invitee: ExternalInvitee::Anyone {
                    name: "Sam".into(),
                    email: None,
                },
                comments: String::new(),
            },
        )
        .await;
    let token = invited["link"]
        .as_str()
        .unwrap()
        .rsplit_once("/join/")
        .unwrap()
        .1
        .to_owned();
    let attempts = (0..50).map(|_| {
        let (http, url, token) = (
            h.http.clone(),
            format!("{}/api/v1/external/redeem", h.base),
            token.clone(),
        );
        tokio::spawn(async move {
            http.post(url)
                .json(&json!({"token": token}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "exactly one success: {statuses:?}"
    );
    assert!(
        // 410: used up (answered as any unusable link); 429: one address asking too often.
        statuses.iter().all(|s| [200, 410, 429].contains(s)),
        "the others are refused clearly: {statuses:?}"
    );
    let (_, snap) = h.get("/api/v1/snapshot", Some(&alice)).await;
    assert_eq!(
        snap["view"]["state"]["sessions"][session.0.to_string()]["externals"]
            .as_object()
            .unwrap()
            .len(),
        1
    );
    h.finish().await;
}

/// Group commit (issue 14): commands that wait while a commit is under way are committed
/// together, and still none is answered before it is stored. Fifty chat lines from five consoles
/// at once, with two customers racing for one session key in the middle: every line is accepted
/// and survives a restart, in fewer transactions than commands; exactly one customer gets in,
/// and the other's used-up key fails that join alone.
async fn commands_waiting_together_share_a_commit_and_each_is_stored(db: Db) {
    let mut h = Harness::start(db).await;
    let alice = h.login("alice@demo.tandem").await;
    let (_, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    let mut consoles = Vec::new();
    for _ in 0..5 {
        consoles.push(h.login("alice@demo.tandem").await);
    }
    let (_, key) = h
        .post("/api/v1/session-keys", Some(&alice), json!({}))
        .await;
    let commits_before = h.appliance().commits();
    let mut lines = Vec::new();
    for n in 0..50 {
        let (http, url, token) = (
            h.http.clone(),
            format!("{}/api/v1/commands", h.base),
            consoles[n % 5].clone(),
        );
        let command = Command::SendChat {
            session,
            text: format!("line {n}"),
        };
        lines.push(tokio::spawn(async move {
            http.post(url)
                .bearer_auth(token)
                .json(&command)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let joins: Vec<_> = ["Lee", "Max"]
        .into_iter()
        .map(|name| {
            let (http, url) = (h.http.clone(), format!("{}/api/v1/customer/join", h.base));
            let body = json!({"key": key["key"], "customer": {"name": name, "machine": "pc", "platform": "Linux", "mode": "Full"}});
            tokio::spawn(async move { http.post(url).json(&body).send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for line in lines {
        statuses.push(line.await.unwrap());
    }
    assert!(
        statuses.iter().all(|s| *s == 200),
        "every line is accepted: {statuses:?}"
    );
    let mut joined = Vec::new();
    for join in joins {
        joined.push(join.await.unwrap());
    }
    joined.sort_unstable();
    // The other is told the key is used up: 409 when both were in one commit (its side write
    // rolled back alone), 410 when the first was stored before the other was checked.
    assert!(
        joined[0] == 200 && [409, 410].contains(&joined[1]),
        "one customer gets in; the used-up key fails the other alone: {joined:?}"
    );
    let commits = h.appliance().commits() - commits_before;
    assert!(
        commits < 51,
        "51 accepted commands in {commits} commits: none shared a commit"
    );
    // Told done means stored: after a restart every line is there, once.
    h.restart().await;
    let alice = h.login("alice@demo.tandem").await;
    let (_, snap) = h.get("/api/v1/snapshot", Some(&alice)).await;
    let chat: Vec<String> = snap["view"]["chat"][session.0.to_string()]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap().to_owned())
        .collect();
    for n in 0..50 {
        assert_eq!(
            chat.iter().filter(|t| **t == format!("line {n}")).count(),
            1,
            "line {n} stored once: {chat:?}"
        );
    }
    let state = h.appliance().state().await;
    let raced = state
        .sessions
        .values()
        .filter(|s| ["Lee", "Max"].contains(&s.customer.info.name.as_str()))
        .count();
    assert_eq!(raced, 1, "one session from the raced key");
    h.finish().await;
}

/// The writer is one task (issue 14): a command whose planning panics fails alone, and the
/// writer carries on with the next.
async fn a_command_that_panics_fails_alone_and_the_writer_carries_on(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.login("alice@demo.tandem").await;
    let (_, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    let before = h.last_seq().await;
    let panicked = h
        .appliance()
        .observe("Panics", |_, _| panic!("a rule with a bug"))
        .await;
    assert!(panicked.is_err(), "the panicking command is refused");
    assert_eq!(h.last_seq().await, before, "nothing of it was stored");
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    h.ok(
        &alice,
        &Command::SendChat {
            session,
            text: "still here".into(),
        },
    )
    .await;
    assert_eq!(
        h.last_seq().await,
        before + 2,
        "the next commands are carried out"
    );
    h.finish().await;
}

/// A chat line may carry a NUL, which PostgreSQL's text cannot hold: it is accepted, it fails
/// nothing committed with it, and a snapshot shows it as U+FFFD (the event keeps it).
async fn a_chat_line_with_a_nul_is_stored_on_both_databases(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.login("alice@demo.tandem").await;
    let (_, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    h.ok(
        &alice,
        &Command::SendChat {
            session,
            text: "a\u{0}b".into(),
        },
    )
    .await;
    h.ok(
        &alice,
        &Command::SendChat {
            session,
            text: "after".into(),
        },
    )
    .await;
    let (_, snap) = h.get("/api/v1/snapshot", Some(&alice)).await;
    let chat: Vec<&str> = snap["view"]["chat"][session.0.to_string()]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert_eq!(chat, ["a\u{FFFD}b", "after"]);
    h.finish().await;
}

/// The event feed: a snapshot first, then numbered events; a console that reconnects with the
/// last number it saw receives exactly what it missed, once each.
async fn console_resumes_the_event_feed_exactly(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.login("alice@demo.tandem").await;
    let (customer, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    let mut feed = h.ws(&alice, None).await;
    let first = feed.next().await;
    assert_eq!(first["type"], "snapshot");
    let waiting = &first["view"]["state"]["sessions"][session.0.to_string()];
    assert_eq!(
        waiting["status"]["Queued"]["Personal"], first["view"]["me"],
        "the waiting customer is in the snapshot"
    );
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    h.ok(
        &customer,
        &Command::SendChat {
            session,
            text: "one".into(),
        },
    )
    .await;
    let seen = feed
        .until(|m| m["event"]["ChatPosted"]["text"] == "one")
        .await;
    let last_seen = seen.last().unwrap()["seq"].as_i64().unwrap();
    feed.ping(7).await;
    feed.until(|m| m["type"] == "pong" && m["nonce"] == 7).await;
    feed.close().await;

    // While the console is away: three messages, and things it must not see.
    for text in ["two", "three", "four"] {
        h.ok(
            &customer,
            &Command::SendChat {
                session,
                text: text.into(),
            },
        )
        .await;
    }
    let dave = h.login("dave@demo.tandem").await;
    let (_, other) = h.customer_joins(&dave, "Lou").await;
    h.ok(
        &dave,
        &Command::AcceptFromQueue {
            session: SessionId(other),
        },
    )
    .await;
    h.ok(
        &dave,
        &Command::SendChat {
            session: SessionId(other),
            text: "private to Dave".into(),
        },
    )
    .await;
    h.ok(
        &customer,
        &Command::SendChat {
            session,
            text: "five".into(),
        },
    )
    .await;

    let mut feed = h.ws(&alice, Some(last_seen)).await;
    let missed = feed
        .until(|m| m["event"]["ChatPosted"]["text"] == "five")
        .await;
    let texts: Vec<&str> = missed
        .iter()
        .filter_map(|m| m["event"]["ChatPosted"]["text"].as_str())
        .collect();
    assert_eq!(
        texts,
        ["two", "three", "four", "five"],
        "exactly the missed messages, in order, once"
    );
    assert!(
        missed.iter().all(|m| m["type"] == "event"),
        "no snapshot when resuming"
    );
    let numbers: Vec<i64> = missed.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]) && numbers[0] > last_seen);
    // Live again.
    h.ok(
        &customer,
        &Command::SendChat {
            session,
            text: "six".into(),
        },
    )
    .await;
    let live = feed.until(|m| m["event"]["ChatPosted"].is_object()).await;
    assert_eq!(live.last().unwrap()["event"]["ChatPosted"]["text"], "six");
    feed.close().await;

    // A number the appliance never issued (a console that saw another appliance): a snapshot.
    let mut feed = h.ws(&alice, Some(h.last_seq().await + 1000)).await;
    let fresh = feed.next().await;
    assert_eq!(fresh["type"], "snapshot");
    let chat: Vec<&str> = fresh["view"]["chat"][session.0.to_string()]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(chat, ["one", "two", "three", "four", "five", "six"]);
    feed.close().await;
    h.finish().await;
}

/// Customers see their session but never invitations (they carry addresses); outsiders see
/// nothing of a session.
async fn each_feed_carries_only_what_its_reader_may_see(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.login("alice@demo.tandem").await;
    let dave = h.login("dave@demo.tandem").await;
    let i = ids(&h, &alice).await;
    let (customer, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    let mut kim = h.ws(&customer, None).await;
    assert_eq!(kim.next().await["type"], "snapshot");
    let mut outsider = h.ws(&dave, None).await;
    assert_eq!(outsider.next().await["type"], "snapshot");
    h.ok(
        &alice,
        &Command::InviteTechnician {
            session,
            technician: i.carol,
        },
    )
    .await;
    h.ok(
        &alice,
        &Command::SendChat {
            session,
            text: "marker".into(),
        },
    )
    .await;
    let seen = kim
        .until(|m| m["event"]["ChatPosted"]["text"] == "marker")
        .await;
    assert!(
        seen.iter().all(|m| m["event"]["InvitationSent"].is_null()),
        "no invitation reaches the customer: {seen:?}"
    );
    h.ok(&dave, &Command::SetExtendedAvailability { on: true })
        .await;
    let dave_saw = outsider
        .until(|m| m["event"]["ExtendedAvailabilityChanged"].is_object())
        .await;
    assert!(
        dave_saw.iter().all(|m| m["event"]["ChatPosted"].is_null()),
        "Dave sees nothing of Alice's session: {dave_saw:?}"
    );
    h.finish().await;
}

/// Bad input gets a clear error with the right status, and changes nothing.
async fn bad_input_gets_clear_errors(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.login("alice@demo.tandem").await;
    let before = h.last_seq().await;
    let raw = |body: &'static str| {
        h.http
            .post(format!("{}/api/v1/commands", h.base))
            .bearer_auth(&alice)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let response = raw("{\"SendChat\": {\"session\": 1, ").await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");
    assert_eq!(
        raw("{\"NoSuchCommand\": {}}")
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    let (status, body) = h
        .command(
            &alice,
            &Command::EndSession {
                session: SessionId(987_654),
            },
        )
        .await;
    assert_eq!(
        (status, body["message"].as_str().unwrap()),
        (404, "No Session with id 987654 exists")
    );
    let (status, body) = h
        .command(
            &alice,
            &Command::SendChat {
                session: SessionId(1),
                text: "x".repeat(MAX_CHAT_CHARS + 1),
            },
        )
        .await;
    assert!(
        status == 422 || status == 403 || status == 404,
        "{status} {body}"
    );
    let huge = "x".repeat(100 * 1024);
    let response = h
        .http
        .post(format!("{}/api/v1/commands", h.base))
        .bearer_auth(&alice)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        413,
        "oversized bodies are refused"
    );
    let (status, _) = h
        .post(
            "/api/v1/external/redeem",
            None,
            json!({"token": "not-a-link"}),
        )
        .await;
    assert_eq!(status, 410);
    let (status, _) = h.post("/api/v1/customer/join", None, json!({"key": "NOPE1234", "customer": {"name": "K", "machine": "m", "platform": "Linux", "mode": "Full"}})).await;
    assert_eq!(status, 410);
    let (status, _) = h.get("/api/v1/snapshot", Some("forged-token")).await;
    assert_eq!(status, 401);
    let (status, body) = h.post("/api/v1/admin/technicians", Some(&h.login("admin@demo.tandem").await), json!({"name": "Eve", "email": "eve@demo.tandem", "role": "Technician", "password": "short"})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        h.last_seq().await,
        before + 1,
        "only the admin's sign-in changed anything"
    );
    h.finish().await;
}

/// Everything survives a restart: the organisation, sessions, members, invitations, chat.
async fn everything_survives_a_restart(db: Db) {
    let mut h = Harness::start(db).await;
    let sc = scene(&h).await;
    h.ok(
        &sc.customer,
        &Command::SendChat {
            session: sc.session,
            text: "before the restart".into(),
        },
    )
    .await;
    let state_before = h.appliance().state().await;
    let (_, view_before) = h.get("/api/v1/snapshot", Some(&sc.alice)).await;
    h.restart().await;
    assert_eq!(
        h.appliance().state().await,
        state_before,
        "the same state, rebuilt from the store"
    );
    let (status, view_after) = h.get("/api/v1/snapshot", Some(&sc.alice)).await;
    assert_eq!(status, 200, "sign-ins survive too");
    assert_eq!(
        view_after["view"]["state"], view_before["view"]["state"],
        "sessions, members, invitations"
    );
    assert_eq!(
        view_after["view"]["chat"], view_before["view"]["chat"],
        "chat"
    );
    let (status, _) = h
        .command(
            &sc.external,
            &Command::SendChat {
                session: sc.session,
                text: "still here".into(),
            },
        )
        .await;
    assert_eq!(status, 200, "the external user's access survives");
    h.finish().await;
}

/// Wait (at most 10 s) until the appliance says a copy of the state that `wanted` is stored.
async fn stored_copy(
    appliance: &tandem_appliance::appliance::Appliance,
    wanted: impl Fn(i64) -> bool,
) {
    let mut copies = appliance.stored_copies();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        copies.wait_for(|seq| wanted(*seq)),
    )
    .await
    .expect("a copy of the state is stored in time")
    .expect("the appliance is running");
}

/// Issue 14: the appliance starts from its newest stored copy of the state and the events
/// after it, not from every event ever stored; a copy it cannot read makes it replay them all.
async fn the_appliance_starts_from_its_stored_copy_of_the_state(db: Db) {
    let mut h = Harness::start(db).await;
    h.adjust = |c| c.snapshot_every = 5;
    h.restart().await;
    let alice = h.login("alice@demo.tandem").await;
    let (_, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    let (_, ended) = h.customer_joins(&alice, "Lee").await;
    let ended = SessionId(ended);
    h.ok(&alice, &Command::AcceptFromQueue { session: ended })
        .await;
    h.ok(&alice, &Command::EndSession { session: ended }).await;
    for n in 0..6 {
        let text = format!("line {n}");
        h.ok(&alice, &Command::SendChat { session, text }).await;
    }
    // Written off the writer: wait until the appliance says it is stored.
    stored_copy(h.appliance(), |seq| seq > 0).await;
    let store = h.appliance().store.clone();
    let copy = store.latest_state_snapshot().await.unwrap();
    let (copy_seq, body) = copy.expect("a copy of the state is stored every 5 events");
    assert!(copy_seq > 0);
    let text = "after the copy".to_owned();
    h.ok(&alice, &Command::SendChat { session, text }).await;
    let before = h.appliance().state().await;
    assert!(
        !before.sessions.contains_key(&ended),
        "an ended session left the live state"
    );
    h.restart().await;
    assert_eq!(
        h.appliance().state().await,
        before,
        "the copy and the events after it"
    );

    // Proof that the copy is what start-up reads: a copy saying something else is believed.
    let last = h.last_seq().await;
    let copy: Value = serde_json::from_str(&body).unwrap();
    let mut altered: State = serde_json::from_value(copy["state"].clone()).unwrap();
    let name = "Renamed in the copy";
    let team = *altered.teams.keys().next().unwrap();
    altered.teams.get_mut(&team).unwrap().name = name.into();
    let altered = tandem_appliance::state_copy::encode(&altered).unwrap();
    store.save_state_snapshot(last, 0, &altered).await.unwrap();
    h.restart().await;
    assert_eq!(h.appliance().state().await.teams[&team].name, name);

    // A copy of another format, then one this version cannot read at all: every event is
    // replayed instead, and the copy is forgotten so that a new one is stored.
    let mut other_format: Value = serde_json::from_str(&body).unwrap();
    assert!(other_format["format"].is_u64());
    other_format["format"] = 999.into();
    let other_format = other_format.to_string();
    for unreadable in [other_format.as_str(), "{\"not\": \"a state\"}"] {
        store
            .save_state_snapshot(last + 1_000, 0, unreadable)
            .await
            .unwrap();
        h.restart().await;
        assert_eq!(
            h.appliance().state().await,
            before,
            "rebuilt from every event"
        );
        stored_copy(h.appliance(), |seq| seq == last).await;
        let renewed = store.latest_state_snapshot().await.unwrap();
        assert_eq!(
            renewed.map(|(seq, _)| seq),
            Some(last),
            "a new copy replaced it"
        );
    }
    h.finish().await;
}

on_both_databases!(
    login_lockout_and_logout,
    the_appliance_starts_from_its_stored_copy_of_the_state,
    invitation_mail_reaches_a_real_smtp_server,
    a_mail_that_cannot_be_sent_is_reported_to_the_technician_who_caused_it,
    one_link_redeemed_fifty_times_at_once,
    commands_waiting_together_share_a_commit_and_each_is_stored,
    a_command_that_panics_fails_alone_and_the_writer_carries_on,
    a_chat_line_with_a_nul_is_stored_on_both_databases,
    console_resumes_the_event_feed_exactly,
    each_feed_carries_only_what_its_reader_may_see,
    bad_input_gets_clear_errors,
    everything_survives_a_restart,
);

#[tokio::test]
async fn info_openapi_and_certificate_fingerprint() {
    let h = Harness::start(Db::Sqlite).await;
    let (status, info) = h.get("/api/v1/info", None).await;
    assert_eq!(status, 200);
    let pem = std::fs::read(h.dir.path().join("tls-cert.pem")).unwrap();
    let der: rustls::pki_types::CertificateDer =
        rustls::pki_types::pem::PemObject::pem_slice_iter(&pem)
            .next()
            .unwrap()
            .unwrap();
    assert_eq!(
        info["fingerprint"].as_str().unwrap(),
        tandem_appliance::tls::fingerprint(der.as_ref())
    );
    let (status, doc) = h.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/login",
        "/api/v1/commands",
        "/api/v1/events",
        "/api/v1/external/redeem",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is described");
    }
    // A session link opened in a browser: a key nobody gave out is said to be unusable (410);
    // a real one opens the chat (issue 27, `customer/tests/first_minute.rs` in a browser).
    let page = h
        .http
        .get(format!("{}/customer?key=ABCD1234", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410);
    assert!(page.text().await.unwrap().contains("cannot be used"));
    // No Android app configured: no assetlinks.json (Android then opens links in the browser).
    let links = h
        .http
        .get(format!("{}/.well-known/assetlinks.json", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(links.status(), 404);
    let response = h
        .http
        .get(format!("{}/healthz", h.base))
        .send()
        .await
        .unwrap();
    assert!(
        response.headers().get("x-request-id").is_some(),
        "every response carries a request id"
    );
    h.finish().await;
}

/// App Links: with the app's signing certificate configured, the appliance vouches for the app.
#[tokio::test]
async fn asset_links_vouch_for_the_configured_android_app() {
    let mut h = Harness::start(Db::Sqlite).await;
    h.adjust = |c| c.android_app_certificates = vec!["AB:CD:EF".into()];
    h.restart().await;
    let (status, links) = h.get("/.well-known/assetlinks.json", None).await;
    assert_eq!(status, 200);
    assert_eq!(links[0]["target"]["package_name"], "app.tandem");
    assert_eq!(
        links[0]["target"]["sha256_cert_fingerprints"][0],
        "AB:CD:EF"
    );
    assert_eq!(
        links[0]["relation"][0],
        "delegate_permission/common.handle_all_urls"
    );
    h.finish().await;
}

#[tokio::test]
async fn plain_http_is_refused_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = support::config(dir.path(), None, None);
    cfg.tls = tandem_appliance::config::TlsMode::InsecureLoopback;
    cfg.listen = "0.0.0.0:0".parse().unwrap();
    let err = tandem_appliance::start(cfg, false).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("plain HTTP is allowed on loopback only"),
        "{err}"
    );
}

/// A console too far behind receives a fresh snapshot instead of the events it missed.
async fn a_console_too_far_behind_gets_a_snapshot(db: Db) {
    let mut h = Harness::start(db).await;
    h.adjust = |c| c.max_backlog = 3;
    h.restart().await;
    let alice = h.login("alice@demo.tandem").await;
    let (customer, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    let behind = h.last_seq().await;
    let mut feed = h.ws(&alice, Some(behind)).await;
    h.ok(
        &customer,
        &Command::SendChat {
            session,
            text: "near".into(),
        },
    )
    .await;
    assert_eq!(
        feed.until(|m| m["event"]["ChatPosted"].is_object())
            .await
            .len(),
        1,
        "close behind: just the event"
    );
    feed.close().await;
    for n in 0..5 {
        h.ok(
            &customer,
            &Command::SendChat {
                session,
                text: format!("far {n}"),
            },
        )
        .await;
    }
    let mut feed = h.ws(&alice, Some(behind)).await;
    let first = feed.next().await;
    assert_eq!(
        first["type"], "snapshot",
        "six events behind a limit of three"
    );
    assert_eq!(
        first["view"]["chat"][session.0.to_string()]
            .as_array()
            .unwrap()
            .len(),
        6
    );
    h.finish().await;
}

/// The customer's side: prompts arrive and are answered; credentials for elevation reach the
/// customer client only and are stored nowhere; End tells the client to uninstall itself.
async fn customer_prompts_credentials_and_uninstall(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.login("alice@demo.tandem").await;
    let (customer, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    let mut client = h.ws(&customer, None).await;
    assert_eq!(
        client.next().await["view"]["session"]["session"]["owner"],
        json!(ids(&h, &alice).await.alice.0)
    );

    h.ok(
        &alice,
        &Command::StartScreen {
            session,
            control: true,
        },
    )
    .await;
    client
        .until(|m| m["event"]["PromptRaised"]["prompt"]["Allow"] == "ControlScreen")
        .await;
    h.ok(
        &customer,
        &Command::AnswerPrompt {
            session,
            prompt: PromptKind::Allow(Tool::ControlScreen),
            accepted: true,
        },
    )
    .await;
    client
        .until(|m| m["event"]["ScreenChanged"]["screen"] == "Control")
        .await;

    let secret = "Correct-Horse-Battery-9";
    let (status, body) = h
        .post(&format!("/api/v1/sessions/{}/elevate", session.0), Some(&alice), json!({"method": "ProvideCredentials", "username": "administrator", "password": secret}))
        .await;
    assert_eq!(
        (status, body["delivered"].as_bool()),
        (200, Some(true)),
        "{body}"
    );
    let got = client.until(|m| m["type"] == "direct").await;
    let direct = got.last().unwrap();
    assert_eq!(
        (
            direct["body"]["username"].as_str(),
            direct["body"]["password"].as_str()
        ),
        (Some("administrator"), Some(secret))
    );
    let stored = format!("{:?}", h.appliance().store.all_events().await.unwrap());
    assert!(!stored.contains(secret), "credentials are never stored");
    h.ok(
        &customer,
        &Command::AnswerPrompt {
            session,
            prompt: PromptKind::Elevation(ElevationMethod::ProvideCredentials),
            accepted: true,
        },
    )
    .await;
    client
        .until(|m| m["event"]["ClientModeChanged"]["mode"] == "Elevated")
        .await;

    h.ok(&alice, &Command::EndSession { session }).await;
    let end = client
        .until(|m| m["event"]["SessionEnded"].is_object())
        .await;
    assert_eq!(
        end.last().unwrap()["event"]["SessionEnded"]["uninstall_customer_client"],
        true
    );
    // Issue 26: a second End (a double tap, a console that had not heard) is told the session
    // has ended; someone who never took part in it learns nothing of it.
    let (status, again) = h.command(&alice, &Command::EndSession { session }).await;
    assert_eq!(
        (status, again["message"].as_str()),
        (410, Some("The session has ended")),
        "{again}"
    );
    let bob = h.login("bob@demo.tandem").await;
    let (status, _) = h.command(&bob, &Command::EndSession { session }).await;
    assert_eq!(status, 404, "as a session that never existed");
    h.finish().await;
}

/// X5, C1: an external user's feed hears that they left when the session ends, although the
/// ended session has left the appliance's live state by the time the event is delivered.
async fn an_external_user_hears_that_they_left_when_the_session_ends(db: Db) {
    let h = Harness::start(db).await;
    let sc = scene(&h).await;
    let mut feed = h.ws(&sc.external, None).await;
    h.ok(
        &sc.alice,
        &Command::EndSession {
            session: sc.session,
        },
    )
    .await;
    let heard = feed
        .until(|m| m["event"]["MemberLeft"]["why"] == "SessionEnded")
        .await;
    assert!(
        heard.last().unwrap()["event"]["MemberLeft"]["member"]["External"].is_u64(),
        "{heard:?}"
    );
    h.finish().await;
}

on_both_databases!(
    a_console_too_far_behind_gets_a_snapshot,
    an_external_user_hears_that_they_left_when_the_session_ends,
    customer_prompts_credentials_and_uninstall
);

/// A given certificate and key are served instead of the self-signed one.
#[tokio::test]
async fn a_given_certificate_is_served() {
    let made = tempfile::tempdir().unwrap();
    let mut cfg = support::config(made.path(), None, None);
    let first = tandem_appliance::start(cfg.clone(), false).await.unwrap();
    let fingerprint = first.appliance.fingerprint.clone().unwrap();
    first.shutdown().await;
    let elsewhere = tempfile::tempdir().unwrap();
    cfg.data_dir = elsewhere.path().to_path_buf();
    cfg.tls = tandem_appliance::config::TlsMode::Files {
        cert: made.path().join("tls-cert.pem"),
        key: made.path().join("tls-key.pem"),
    };
    let running = tandem_appliance::start(cfg, false).await.unwrap();
    assert_eq!(
        running.appliance.fingerprint.as_deref(),
        Some(fingerprint.as_str())
    );
    assert!(
        !elsewhere.path().join("tls-cert.pem").exists(),
        "no self-signed certificate is made"
    );
    let (http, _) = support::clients(&std::fs::read(made.path().join("tls-cert.pem")).unwrap());
    let response = http
        .get(format!(
            "https://localhost:{}/api/v1/info",
            running.addr.port()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        200,
        "a client trusting that certificate connects"
    );
    running.shutdown().await;
}

/// Events that take a session out of a console's view still reach it: a colleague takes the
/// session from the team queue; the owner ends it. A console resuming later gets them too.
async fn consoles_hear_when_a_session_leaves_their_view(db: Db) {
    let h = Harness::start(db).await;
    let alice = h.login("alice@demo.tandem").await;
    let bob = h.login("bob@demo.tandem").await;
    let i = ids(&h, &alice).await;
    let (_, key) = h
        .post(
            "/api/v1/session-keys",
            Some(&alice),
            json!({"queue": {"Team": i.tier1.0}}),
        )
        .await;
    let kim = json!({"name": "Kim", "machine": "kim-pc", "platform": "MacOs", "mode": "Full"});
    let (_, joined) = h
        .post(
            "/api/v1/customer/join",
            None,
            json!({"key": key["key"], "customer": kim}),
        )
        .await;
    let session = SessionId(joined["session"].as_u64().unwrap());
    let mut bobs = h.ws(&bob, None).await;
    let snap = bobs.next().await;
    assert!(
        snap["view"]["state"]["sessions"][session.0.to_string()].is_object(),
        "waiting in Bob's team queue"
    );
    let resume_from = snap["seq"].as_i64().unwrap();
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    let taken = bobs
        .until(|m| m["event"]["SessionAccepted"].is_object())
        .await;
    assert_eq!(
        taken.last().unwrap()["event"]["SessionAccepted"]["owner"],
        i.alice.0,
        "Bob sees Alice take it"
    );
    h.ok(
        &alice,
        &Command::SendChat {
            session,
            text: "just between Alice and Kim".into(),
        },
    )
    .await;
    let mut alices = h.ws(&alice, Some(h.last_seq().await)).await;
    h.ok(&alice, &Command::EndSession { session }).await;
    alices
        .until(|m| m["event"]["SessionEnded"].is_object())
        .await;
    // Bob, resuming from before: the hand-over, but not Alice's chat.
    let mut again = h.ws(&bob, Some(resume_from)).await;
    h.ok(&bob, &Command::SetExtendedAvailability { on: false })
        .await;
    let replay = again
        .until(|m| m["event"]["ExtendedAvailabilityChanged"].is_object())
        .await;
    assert!(
        replay
            .iter()
            .any(|m| m["event"]["SessionAccepted"].is_object())
    );
    assert!(
        replay.iter().all(|m| m["event"]["ChatPosted"].is_null()),
        "{replay:?}"
    );
    h.finish().await;
}

on_both_databases!(consoles_hear_when_a_session_leaves_their_view);

/// The screen's flow control (A1): a viewer whose link is too slow skips frames instead of
/// falling behind. The relay keeps at most a couple of frames for it, tells it how many it
/// skipped, and asks the customer client for a key frame to start again from.
#[tokio::test]
async fn a_slow_screen_viewer_skips_frames_and_a_key_frame_is_asked_for() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let h = Harness::start(Db::Sqlite).await;
    let alice = h.login("alice@demo.tandem").await;
    let (customer, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    h.ok(
        &alice,
        &Command::StartScreen {
            session,
            control: false,
        },
    )
    .await;
    let prompt = PromptKind::Allow(Tool::ViewScreen);
    h.ok(
        &customer,
        &Command::AnswerPrompt {
            session,
            prompt,
            accepted: true,
        },
    )
    .await;

    let port = h.running.as_ref().unwrap().addr.port();
    let open = |token: &str| {
        let url = format!(
            "wss://localhost:{port}/api/v1/sessions/{}/screen?access_token={token}",
            session.0
        );
        let tls = h.tls.clone();
        async move {
            tokio_tungstenite::connect_async_tls_with_config(
                url,
                None,
                false,
                Some(tokio_tungstenite::Connector::Rustls(tls)),
            )
            .await
            .unwrap()
            .0
        }
    };
    let mut host = open(&customer).await;
    let mut viewer = open(&alice).await;
    // The viewer asks for a key frame; once the host hears it, the viewer is surely attached.
    viewer
        .send(Message::Text("\"refresh\"".into()))
        .await
        .unwrap();
    // What the host is sent, past the appliance's liveness pings.
    async fn next_data<S>(socket: &mut S) -> Message
    where
        S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
            + Unpin,
    {
        loop {
            let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            if !matches!(message, Message::Ping(_) | Message::Pong(_)) {
                return message;
            }
        }
    }
    // A viewer that has not said its size is sent the whole screen (issue 15), then its request.
    let first = next_data(&mut host).await;
    assert_eq!(
        first,
        Message::Text(r#"{"view":{"width":65535,"height":65535}}"#.into())
    );
    let second = next_data(&mut host).await;
    assert_eq!(second, Message::Text("\"refresh\"".into()));

    // 40 frames of 1 MiB each while the viewer reads nothing: far more than the sockets buffer.
    let pixels = vec![0u8; 1 << 20];
    for number in 0..40u32 {
        let frame = tandem_core::screen::encode(&tandem_core::screen::Frame {
            key: false,
            width: 512,
            height: 512,
            number,
            scaled_from: None,
            moves: Vec::new(),
            tiles: vec![tandem_core::screen::Tile {
                x: 0,
                y: 0,
                w: 512,
                h: 512,
                data: &pixels,
            }],
        });
        host.send(Message::Binary(frame.into())).await.unwrap();
    }
    // The viewer reads what reaches it: a few frames, a notice of the skipped ones, and the
    // newest frame last; never the whole backlog.
    let (mut frames, mut skipped, mut last) = (0, 0u64, None);
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(std::time::Duration::from_millis(500), viewer.next()).await
    {
        match message {
            Message::Binary(bytes) => {
                frames += 1;
                last = tandem_core::screen::number_of(&bytes);
            }
            Message::Text(text) => {
                skipped += serde_json::from_str::<Value>(&text).unwrap()["skipped"]
                    .as_u64()
                    .unwrap_or(0)
            }
            _ => {}
        }
    }
    assert!(skipped > 0, "the viewer is told it skipped frames");
    assert_eq!(
        frames + skipped,
        40,
        "each frame was either delivered or counted as skipped"
    );
    // (The relay keeps 12 screen messages per viewer, room for the pointer's between frames;
    // what the socket's buffers took besides is a few more.)
    assert!(
        frames < 30,
        "a slow viewer gets a few frames, not the backlog: {frames}"
    );
    assert_eq!(last, Some(39), "the newest frame is the last one delivered");
    // Once the relay found the viewer behind, it asked the host for a key frame.
    let asked = next_data(&mut host).await;
    assert_eq!(asked, Message::Text("\"refresh\"".into()));

    h.finish().await;
}

/// An ended session's invitations leave every console's snapshot with it (S7): a phone on mobile
/// data is not sent every invitation its technician ever sent or received.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_sessions_invitations_leave_the_consoles_snapshots() {
    let h = Harness::start(Db::Sqlite).await;
    let alice = h.login("alice@demo.tandem").await;
    let bob = h.login("bob@demo.tandem").await;
    let ids = ids(&h, &alice).await;
    let (_, session) = h.customer_joins(&alice, "Kim").await;
    let session = SessionId(session);
    h.ok(&alice, &Command::AcceptFromQueue { session }).await;
    let invite_bob = Command::InviteTechnician {
        session,
        technician: ids.bob,
    };
    h.ok(&alice, &invite_bob).await;
    let count = |snap: &Value| {
        let held = &snap["view"]["state"]["invitations"];
        held.as_object()
            .map(serde_json::Map::len)
            .or(held.as_array().map(Vec::len))
    };
    for token in [&alice, &bob] {
        let (_, snap) = h.get("/api/v1/snapshot", Some(token)).await;
        assert_eq!(count(&snap), Some(1), "{snap}");
    }
    h.ok(&alice, &Command::EndSession { session }).await;
    for token in [&alice, &bob] {
        let (_, snap) = h.get("/api/v1/snapshot", Some(token)).await;
        assert_eq!(count(&snap), Some(0), "{snap}");
    }
    h.finish().await;
}

/// Issue 26: two-step sign-in through the API, as the app uses it: set up with a first code from
/// the app, then a sign-in without a code is told to send one, a recovery code signs in once, a
/// wrong code is refused and audited; an account whose group requires it and has not set it up
/// is refused with what to do.
#[tokio::test]
async fn two_step_sign_in_through_the_api() {
    let h = Harness::start(Db::Sqlite).await;
    let bob = h.login("bob@demo.tandem").await;
    let (status, started) = h
        .post("/api/v1/account/second-factor", Some(&bob), json!({}))
        .await;
    assert_eq!(status, 200, "{started}");
    let key = started["secret"].as_str().unwrap();
    assert!(
        started["url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Tandem:bob%40demo.tandem?")
    );
    let code = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(key).unwrap())
        .build()
        .unwrap()
        .generate_current()
        .to_string();
    let (status, wrong) = h
        .post(
            "/api/v1/account/second-factor/confirm",
            Some(&bob),
            json!({"code": "000000"}),
        )
        .await;
    assert_eq!(status, 401, "{wrong}");
    let (status, confirmed) = h
        .post(
            "/api/v1/account/second-factor/confirm",
            Some(&bob),
            json!({"code": code}),
        )
        .await;
    assert_eq!(status, 200, "{confirmed}");
    let codes: Vec<String> = serde_json::from_value(confirmed["recovery_codes"].clone()).unwrap();
    assert_eq!(codes.len(), 10);
    let (_, status_now) = h.get("/api/v1/account/second-factor", Some(&bob)).await;
    assert_eq!(status_now["enabled"], true);

    let login = |code: Option<&str>| {
        let mut body = json!({"email": "bob@demo.tandem", "password": "tandem-demo-2026"});
        if let Some(c) = code {
            body["code"] = json!(c);
        }
        h.post("/api/v1/login", None, body)
    };
    let (status, asked) = login(None).await;
    assert_eq!(
        (status, asked["error"].as_str()),
        (401, Some("second_factor_required")),
        "{asked}"
    );
    let (status, _) = login(Some(&code)).await;
    assert_eq!(
        status, 401,
        "the code confirming the set-up is not good twice"
    );
    let (status, _) = login(Some(&codes[3])).await;
    assert_eq!(status, 200);
    let (status, _) = login(Some(&codes[3])).await;
    assert_eq!(status, 401, "a recovery code signs in once");

    // Required for every group (the demo's technicians are all below one of these): Carol has
    // not set it up.
    let admin = h.login("admin@demo.tandem").await;
    let state = h.appliance().state().await;
    let tops: Vec<TeamId> = state
        .teams
        .values()
        .filter(|t| t.parent.is_none())
        .map(|t| t.id)
        .collect();
    drop(state);
    for team in tops {
        h.ok(
            &admin,
            &Command::Admin(AdminCommand::RequireSecondFactor {
                team,
                required: true,
            }),
        )
        .await;
    }
    let (status, refused) = h
        .post(
            "/api/v1/login",
            None,
            json!({"email": "carol@demo.tandem", "password": "tandem-demo-2026"}),
        )
        .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (403, Some("second_factor_setup_required")),
        "{refused}"
    );
    h.finish().await;
}
