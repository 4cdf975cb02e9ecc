//! One or more tests per product rule (the ids of `Rule`), named after the rule id, asserting what
//! a technician, customer or administrator would notice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use support::*;
use tandem_core::domain::*;

fn chat(w: &mut World, actor: Actor, s: SessionId, text: &str) -> Result<Vec<Event>, CommandError> {
    w.run(
        actor,
        Command::SendChat {
            session: s,
            text: text.into(),
        },
    )
}

// ---------------------------------------------------------------- session tools

/// Apply what the appliance observed (no actor commands these).
fn observed(w: &mut World, decide: impl Fn(&State) -> Vec<Event>) -> usize {
    let events = decide(&w.state);
    for e in &events {
        w.state.apply(e);
    }
    events.len()
}

#[test]
fn a3_a_customer_whose_connection_drops_is_waited_for_greyed_then_gone() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let until = Timestamp(w.now.0 + 180_000);
    assert_eq!(
        observed(&mut w, |st| st.customer_connection_lost(s, until)),
        1
    );
    assert_eq!(
        observed(&mut w, |st| st.customer_connection_lost(s, until)),
        0,
        "told twice, recorded once"
    );
    // A3: the customer's tools are greyed and say why; chat stays.
    let shell = w.action(tech(w.alice), s, Action::CommandShell);
    let denial = shell.denial.unwrap();
    assert_eq!(denial.rule, Rule::A3);
    assert!(
        denial.to_string().contains("connection dropped"),
        "{denial}"
    );
    assert!(
        w.action(tech(w.alice), s, Action::SendChat)
            .denial
            .is_none()
    );
    // Back in time: online again. Lost again and not back by the deadline: gone, the
    // technician keeps the session.
    assert_eq!(observed(&mut w, |st| st.customer_reconnected(s)), 1);
    assert_eq!(w.session(s).customer.link, CustomerLink::Online);
    assert!(
        w.action(tech(w.alice), s, Action::CommandShell)
            .denial
            .is_none()
    );
    observed(&mut w, |st| st.customer_connection_lost(s, until));
    assert_eq!(
        observed(&mut w, |st| st
            .customer_wait_over(s, Timestamp(until.0 - 1))),
        0,
        "not before its deadline"
    );
    observed(&mut w, |st| st.customer_wait_over(s, until));
    assert!(!w.session(s).customer.connected);
    assert_eq!(
        w.session(s).customer.gone,
        Some(CustomerGone::ConnectionLost)
    );
    assert_eq!(w.session(s).owner, Some(w.alice));
    // A session nobody took ends when its customer does not come back.
    let queued = w.arrive(
        QueueRef::Personal(w.alice),
        customer("Lee", Platform::Linux, ClientMode::Full),
    );
    observed(&mut w, |st| st.customer_connection_lost(queued, until));
    observed(&mut w, |st| st.customer_wait_over(queued, until));
    assert!(w.has_ended(queued));
}

#[test]
fn a1_a_sessions_chat_is_bounded_and_says_so_once_full() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let line = "x".repeat(MAX_CHAT_CHARS);
    let fits = usize::try_from(MAX_CHAT_BYTES_PER_SESSION).unwrap() / MAX_CHAT_CHARS;
    for _ in 0..fits {
        chat(&mut w, Actor::Customer(s), s, &line).unwrap();
    }
    let full = chat(&mut w, Actor::Customer(s), s, &line).unwrap_err();
    assert!(full.to_string().contains("chat is full"), "{full}");
    // Whoever speaks, the budget is the session's; a short line still fits where room is left.
    let alice = tech(w.alice);
    let refused = chat(&mut w, alice, s, &line).unwrap_err();
    assert!(refused.to_string().contains("chat is full"), "{refused}");
    chat(&mut w, alice, s, "ok").unwrap();
}

#[test]
fn a1_technician_chats_shares_the_screen_and_opens_a_shell() {
    let mut w = World::new();
    w.set(w.tier1, Permission::AskOnceForAll, false);
    let s = w.session_owned_by(w.alice);
    let tech_alice = tech(w.alice);
    let said = chat(&mut w, tech_alice, s, "Hello Kim").unwrap();
    assert!(
        matches!(&said[0], Event::ChatPosted { from: Participant::Technician(t), text, .. } if *t == w.alice && text == "Hello Kim")
    );
    chat(&mut w, Actor::Customer(s), s, "Hi!").unwrap();

    w.ok(
        tech(w.alice),
        Command::StartScreen {
            session: s,
            control: true,
        },
    );
    assert_eq!(
        w.session(s).screen,
        ScreenState::Off,
        "nothing is shared before the customer allows it"
    );
    w.customer_answers(s, PromptKind::Allow(Tool::ControlScreen), true);
    assert_eq!(w.session(s).screen, ScreenState::Control);

    w.ok(tech(w.alice), Command::StartShell { session: s });
    w.customer_answers(s, PromptKind::Allow(Tool::Shell), true);
    assert!(w.session(s).shell);
}

#[test]
fn a1_the_customer_can_take_back_the_screen_and_close_the_shell() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    w.ok(
        tech(w.alice),
        Command::StartScreen {
            session: s,
            control: true,
        },
    );
    w.customer_answers(s, PromptKind::Allow(Tool::ControlScreen), true);
    w.ok(tech(w.alice), Command::StartShell { session: s });
    w.ok(Actor::Customer(s), Command::StopScreen { session: s });
    w.ok(Actor::Customer(s), Command::StopShell { session: s });
    assert_eq!(
        (w.session(s).screen, w.session(s).shell),
        (ScreenState::Off, false)
    );
    assert_eq!(
        w.denied(tech(w.dave), Command::StopScreen { session: s })
            .rule,
        Rule::G4,
        "outsiders cannot"
    );
}

#[test]
fn a1_customer_who_declines_keeps_the_screen_private() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    w.ok(
        tech(w.alice),
        Command::StartScreen {
            session: s,
            control: false,
        },
    );
    w.customer_answers(s, PromptKind::Allow(Tool::ViewScreen), false);
    assert_eq!(w.session(s).screen, ScreenState::Off);
    assert!(w.session(s).prompts.is_empty());
}

#[test]
fn a2_chat_off_disables_the_chat_bar_and_pin_keeps_it_docked() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    w.ok(
        tech(w.alice),
        Command::SetChat {
            session: s,
            enabled: false,
        },
    );
    let d = w.denied(
        Actor::Customer(s),
        Command::SendChat {
            session: s,
            text: "hello?".into(),
        },
    );
    assert_eq!(d.to_string(), "Chat is switched off for this session (A2)");
    assert_eq!(
        w.action(tech(w.alice), s, Action::SendChat)
            .denial
            .unwrap()
            .rule,
        Rule::A2
    );
    w.ok(
        tech(w.alice),
        Command::SetChat {
            session: s,
            enabled: true,
        },
    );
    chat(&mut w, Actor::Customer(s), s, "thanks").unwrap();

    w.ok(
        tech(w.alice),
        Command::SetChatPinned {
            session: s,
            pinned: true,
        },
    );
    assert!(w.session(s).chat_pinned.contains(&w.alice));
    w.ok(
        tech(w.alice),
        Command::SetChatPinned {
            session: s,
            pinned: false,
        },
    );
    assert!(!w.session(s).chat_pinned.contains(&w.alice));
}

#[test]
fn a2_switching_chat_needs_the_group_permission() {
    let mut w = World::new();
    w.set(w.tier1, Permission::ToggleChat, false);
    let s = w.session_owned_by(w.alice);
    let d = w.denied(
        tech(w.alice),
        Command::SetChat {
            session: s,
            enabled: false,
        },
    );
    assert_eq!(
        d.to_string(),
        "Your groups do not allow you to switch chat on or off (G3)"
    );
    assert!(w.session(s).chat_enabled);
}

#[test]
fn a3_every_action_is_listed_and_greyed_ones_say_why() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    );
    let inv = w.state.invitations.keys().copied().max().unwrap();
    w.ok(tech(w.bob), Command::AcceptInvitation { invitation: inv });

    let menu = w.state.available_actions(tech(w.bob), s, w.now);
    assert_eq!(
        menu.len(),
        Action::ALL.len(),
        "greyed actions are shown, not hidden"
    );
    let transfer = menu
        .iter()
        .find(|a| a.action == Action::TransferToTeam)
        .unwrap();
    assert!(!transfer.enabled());
    assert_eq!(
        transfer.denial.as_ref().unwrap().to_string(),
        "Only the session owner can transfer the session (T3)"
    );
    assert!(
        menu.iter()
            .find(|a| a.action == Action::LeaveSession)
            .unwrap()
            .enabled()
    );
    for a in menu.iter().filter(|a| !a.enabled()) {
        assert!(!a.denial.as_ref().unwrap().to_string().is_empty());
    }
}

#[test]
fn a3_someone_outside_the_session_sees_everything_greyed() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let menu = w.state.available_actions(tech(w.dave), s, w.now);
    assert!(menu.iter().all(|a| {
        a.denial
            .as_ref()
            .is_some_and(|d| d.reason == Reason::NotInSession)
    }));
    assert_eq!(
        w.denied(
            tech(w.dave),
            Command::SendChat {
                session: s,
                text: "hi".into()
            }
        )
        .rule,
        Rule::G4
    );
}

// ---------------------------------------------------------------- elevation

#[test]
fn e1_click_to_chat_offers_chat_only_until_upgraded() {
    let mut w = World::new();
    let s = w.session_with(
        w.alice,
        customer("Kim", Platform::Windows, ClientMode::ClickToChat),
    );
    let tech_alice = tech(w.alice);
    chat(&mut w, tech_alice, s, "hello").unwrap();
    let view = w.action(tech(w.alice), s, Action::ViewScreen);
    assert_eq!(view.denial.as_ref().unwrap().rule, Rule::E1);
    assert_eq!(
        view.remedy,
        Some(Action::UpgradeToFullClient),
        "the menu offers the way forward"
    );
    for tool in [
        Action::ControlScreen,
        Action::CommandShell,
        Action::SystemInfo,
        Action::PinJumpClient,
        Action::DeploySupportButton,
    ] {
        assert_eq!(
            w.action(tech(w.alice), s, tool).denial.unwrap().rule,
            Rule::E1,
            "{tool:?}"
        );
    }
    assert_eq!(
        w.denied(
            tech(w.alice),
            Command::StartScreen {
                session: s,
                control: false
            }
        )
        .rule,
        Rule::E1
    );

    w.ok(tech(w.alice), Command::UpgradeToFullClient { session: s });
    w.customer_answers(s, PromptKind::UpgradeToFullClient, true);
    assert_eq!(w.session(s).customer.info.mode, ClientMode::Full);
    assert!(w.action(tech(w.alice), s, Action::ViewScreen).enabled());
    assert_eq!(
        w.action(tech(w.alice), s, Action::UpgradeToFullClient)
            .denial
            .unwrap()
            .reason,
        Reason::AlreadyFullClient
    );
}

#[test]
fn e2_full_client_elevates_to_administrative_rights() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    w.ok(
        tech(w.alice),
        Command::Elevate {
            session: s,
            method: ElevationMethod::ProvideCredentials,
        },
    );
    assert_eq!(
        w.session(s).customer.info.mode,
        ClientMode::Full,
        "elevation waits for the client"
    );
    w.customer_answers(
        s,
        PromptKind::Elevation(ElevationMethod::ProvideCredentials),
        true,
    );
    assert_eq!(w.session(s).customer.info.mode, ClientMode::Elevated);
    let again = w
        .action(tech(w.alice), s, Action::ElevatePromptCustomer)
        .denial
        .unwrap();
    assert_eq!(
        again.to_string(),
        "The customer client already runs with administrative rights (E2)"
    );
}

#[test]
fn e2_failed_elevation_leaves_the_client_as_it_was() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    w.ok(
        tech(w.alice),
        Command::Elevate {
            session: s,
            method: ElevationMethod::PromptCustomer,
        },
    );
    w.customer_answers(
        s,
        PromptKind::Elevation(ElevationMethod::PromptCustomer),
        false,
    );
    assert_eq!(w.session(s).customer.info.mode, ClientMode::Full);
    assert!(
        w.action(tech(w.alice), s, Action::ElevatePromptCustomer)
            .enabled(),
        "it can be tried again"
    );
}

#[test]
fn e3_prompt_customer_and_provide_credentials_and_screen_sharing_offers_elevation() {
    let mut w = World::new();
    w.set(w.tier1, Permission::RequestCredentials, false);
    let s = w.session_owned_by(w.alice);
    let d = w.denied(
        tech(w.alice),
        Command::Elevate {
            session: s,
            method: ElevationMethod::PromptCustomer,
        },
    );
    assert_eq!(d.rule, Rule::G3);
    w.ok(
        tech(w.alice),
        Command::Elevate {
            session: s,
            method: ElevationMethod::ProvideCredentials,
        },
    );
    assert!(
        w.session(s)
            .prompts
            .contains_key(&PromptKind::Elevation(ElevationMethod::ProvideCredentials))
    );

    let events = w.ok(
        tech(w.alice),
        Command::StartScreen {
            session: s,
            control: false,
        },
    );
    assert!(
        events.contains(&Event::ElevationSuggested { session: s }),
        "screen sharing offers elevation"
    );

    w.customer_answers(
        s,
        PromptKind::Elevation(ElevationMethod::ProvideCredentials),
        true,
    );
    w.customer_answers(s, PromptKind::Allow(Tool::ViewScreen), true);
    let events = w.ok(
        tech(w.alice),
        Command::StartScreen {
            session: s,
            control: true,
        },
    );
    assert!(
        !events.contains(&Event::ElevationSuggested { session: s }),
        "no offer once elevated"
    );
}

#[test]
fn e4_elevation_only_where_the_platform_supports_it() {
    let mut w = World::new();
    let phone = w.session_with(w.alice, customer("Pat", Platform::Other, ClientMode::Full));
    let d = w
        .action(tech(w.alice), phone, Action::ElevatePromptCustomer)
        .denial
        .unwrap();
    assert_eq!(
        d.to_string(),
        "Administrative elevation exists only for Windows, macOS and Linux customers (E4)"
    );
    assert_eq!(
        w.denied(
            tech(w.alice),
            Command::Elevate {
                session: phone,
                method: ElevationMethod::ProvideCredentials
            }
        )
        .rule,
        Rule::E4
    );
    for platform in [Platform::Windows, Platform::MacOs, Platform::Linux] {
        let s = w.session_with(
            w.alice,
            customer(&format!("{platform:?}"), platform, ClientMode::Full),
        );
        assert!(
            w.action(tech(w.alice), s, Action::ElevateProvideCredentials)
                .enabled(),
            "{platform:?}"
        );
    }
}

#[test]
fn e4_administrators_can_make_windows_clients_ask_for_elevation_at_start() {
    let mut w = World::new();
    let settings = Settings {
        auto_elevate_windows: true,
        ..Settings::default()
    };
    w.ok(
        tech(w.mia),
        Command::Admin(AdminCommand::UpdateSettings { settings }),
    );
    let win = w.arrive(
        QueueRef::Team(w.tier1),
        customer("Win", Platform::Windows, ClientMode::Full),
    );
    let mac = w.arrive(
        QueueRef::Team(w.tier1),
        customer("Mac", Platform::MacOs, ClientMode::Full),
    );
    assert!(
        w.session(win)
            .prompts
            .contains_key(&PromptKind::Elevation(ElevationMethod::PromptCustomer))
    );
    assert!(
        w.session(mac).prompts.is_empty(),
        "automatic elevation is for Windows only"
    );
}

// ---------------------------------------------------------------- transfer

#[test]
fn t1_owner_transfers_to_a_team_queue_and_a_member_takes_it() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let teams = w
        .state
        .targets(tech(w.alice), s, Action::TransferToTeam, w.now);
    assert!(teams.contains(&Target::Team(w.tier2)) && teams.contains(&Target::Team(w.field)));
    w.ok(
        tech(w.alice),
        Command::TransferToTeam {
            session: s,
            team: w.tier2,
        },
    );
    assert_eq!(
        w.session(s).status,
        SessionStatus::Queued(QueueRef::Team(w.tier2))
    );
    assert_eq!(w.session(s).owner, None);
    assert_eq!(
        w.denied(tech(w.dave), Command::AcceptFromQueue { session: s })
            .rule,
        Rule::T1
    );
    w.ok(tech(w.carol), Command::AcceptFromQueue { session: s });
    assert_eq!(w.session(s).owner, Some(w.carol));
}

#[test]
fn t1_transfer_scope_limits_the_teams_offered() {
    let mut w = World::new();
    w.ok(
        tech(w.mia),
        Command::Admin(AdminCommand::SetPermission {
            team: w.tier1,
            grant: PermissionGrant::TransferScope(TeamScope::Teams(BTreeSet::from([w.tier2]))),
        }),
    );
    let s = w.session_owned_by(w.alice);
    let offered = w
        .state
        .targets(tech(w.alice), s, Action::TransferToTeam, w.now);
    assert!(offered.contains(&Target::Team(w.tier1)) && offered.contains(&Target::Team(w.tier2)));
    assert!(!offered.contains(&Target::Team(w.field)));
    assert_eq!(
        w.denied(
            tech(w.alice),
            Command::TransferToTeam {
                session: s,
                team: w.field
            }
        )
        .rule,
        Rule::T1
    );
}

#[test]
fn t2_transfer_to_a_technicians_personal_queue() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    w.ok(
        tech(w.alice),
        Command::TransferToTechnician {
            session: s,
            technician: w.carol,
        },
    );
    assert_eq!(
        w.session(s).status,
        SessionStatus::Queued(QueueRef::Personal(w.carol))
    );
    assert_eq!(
        w.denied(tech(w.bob), Command::AcceptFromQueue { session: s })
            .rule,
        Rule::T2
    );
    w.ok(tech(w.carol), Command::AcceptFromQueue { session: s });
    assert_eq!(w.session(s).owner, Some(w.carol));
    assert_eq!(
        w.denied(
            tech(w.carol),
            Command::TransferToTechnician {
                session: s,
                technician: w.carol
            }
        )
        .rule,
        Rule::T2
    );
}

#[test]
fn t3_former_owner_stays_as_member_with_transfer_share_and_remove_greyed() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    w.ok(
        tech(w.alice),
        Command::TransferToTechnician {
            session: s,
            technician: w.carol,
        },
    );
    w.ok(tech(w.carol), Command::AcceptFromQueue { session: s });
    assert!(w.session(s).members.contains(&w.alice));
    for (action, rule) in [
        (Action::TransferToTeam, Rule::T3),
        (Action::TransferToTechnician, Rule::T3),
        (Action::ShareWithTechnician, Rule::S6),
        (Action::ShareAnyRepresentative, Rule::S6),
        (Action::RemoveMember, Rule::M1),
    ] {
        let d = w.action(tech(w.alice), s, action).denial.unwrap();
        assert_eq!(
            (d.rule, &d.reason),
            (rule, &Reason::OwnerOnly(action)),
            "{action:?}"
        );
    }
    assert_eq!(
        w.denied(
            tech(w.alice),
            Command::RemoveMember {
                session: s,
                member: Participant::Customer
            }
        )
        .rule,
        Rule::M1
    );
    // The session lives on with its new owner after the former owner leaves.
    w.ok(tech(w.alice), Command::LeaveSession { session: s });
    assert_eq!(w.session(s).status, SessionStatus::Active);
    w.ok(tech(w.carol), Command::EndSession { session: s });
    assert!(w.has_ended(s));
    // C1: nothing can be done in it afterwards; it is not found, as for anyone outside it.
    assert!(matches!(
        w.state.execute(
            tech(w.carol),
            &Command::AcceptFromQueue { session: s },
            w.now
        ),
        Err(CommandError::NotFound { .. })
    ));
}

// ---------------------------------------------------------------- sharing

#[test]
fn s1_request_help_lists_only_issues_that_allow_it_and_routes_to_the_issue_team() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let issues = w
        .state
        .targets(tech(w.alice), s, Action::RequestHelp, w.now);
    assert_eq!(issues, vec![Target::Issue(w.printer)]);
    assert_eq!(
        w.denied(
            tech(w.alice),
            Command::RequestHelp {
                session: s,
                issue: w.billing
            }
        )
        .rule,
        Rule::S1
    );
    let inv = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::RequestHelp {
            session: s,
            issue: w.printer,
        },
    ));
    assert_eq!(
        w.denied(tech(w.dave), Command::AcceptInvitation { invitation: inv })
            .reason,
        Reason::NotForYou
    );
    w.ok(tech(w.carol), Command::AcceptInvitation { invitation: inv });
    assert!(w.session(s).members.contains(&w.carol));
}

#[test]
fn s1_share_by_team_then_member() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let people = w
        .state
        .targets(tech(w.alice), s, Action::ShareWithTechnician, w.now);
    assert!(
        people.contains(&Target::Technician(w.bob))
            && people.contains(&Target::Technician(w.carol))
    );
    assert!(
        !people.contains(&Target::Technician(w.alice)),
        "not oneself"
    );
    let inv = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    ));
    w.ok(tech(w.bob), Command::AcceptInvitation { invitation: inv });
    assert!(w.session(s).members.contains(&w.bob));
}

#[test]
fn s2_any_representative_goes_to_the_team_queue_and_one_member_takes_it() {
    let mut w = World::new();
    let s = w.session_owned_by(w.carol);
    let first = World::invitation_id(&w.ok(
        tech(w.carol),
        Command::InviteAnyRepresentative {
            session: s,
            team: w.tier1,
        },
    ));
    let second = World::invitation_id(&w.ok(
        tech(w.carol),
        Command::InviteAnyRepresentative {
            session: s,
            team: w.tier1,
        },
    ));
    w.ok(tech(w.bob), Command::AcceptInvitation { invitation: first });
    let d = w.denied(
        tech(w.alice),
        Command::AcceptInvitation { invitation: first },
    );
    assert_eq!(d.rule, Rule::S7, "a single member takes it");
    // Issue 26: the one who lost the race is told who won it, not that it is "no longer active".
    assert_eq!(d.reason, Reason::TakenBy("Bob".into()));
    assert_eq!(d.to_string(), "Bob took this session first (S7)");
    w.ok(
        tech(w.alice),
        Command::AcceptInvitation { invitation: second },
    );
    assert!(w.session(s).members.contains(&w.alice) && w.session(s).members.contains(&w.bob));
}

#[test]
fn s3_only_listed_technicians_and_teams_with_listed_members_are_offered() {
    let mut w = World::new();
    w.ok(tech(w.bob), Command::SetLoggedIn { logged_in: false });
    let s = w.session_owned_by(w.alice);
    let people = w
        .state
        .targets(tech(w.alice), s, Action::ShareWithTechnician, w.now);
    assert!(
        !people.contains(&Target::Technician(w.bob)),
        "logged out, no extended availability"
    );
    assert!(
        people.contains(&Target::Technician(w.erin)),
        "extended availability keeps Erin listed"
    );
    assert_eq!(
        w.denied(
            tech(w.alice),
            Command::InviteTechnician {
                session: s,
                technician: w.bob
            }
        )
        .reason,
        Reason::NotListed
    );

    w.ok(tech(w.carol), Command::SetLoggedIn { logged_in: false });
    let teams = w
        .state
        .targets(tech(w.alice), s, Action::ShareAnyRepresentative, w.now);
    assert!(
        !teams.contains(&Target::Team(w.tier2)),
        "nobody in Tier 2 is listed"
    );
    assert!(teams.contains(&Target::Team(w.field)));
}

#[test]
fn s3_teams_outside_ones_own_need_the_share_outside_permission() {
    let mut w = World::new();
    w.ok(
        tech(w.mia),
        Command::Admin(AdminCommand::SetPermission {
            team: w.tier1,
            grant: PermissionGrant::InviteScope(TeamScope::Teams(BTreeSet::new())),
        }),
    );
    let s = w.session_owned_by(w.alice);
    let teams = w
        .state
        .targets(tech(w.alice), s, Action::ShareAnyRepresentative, w.now);
    assert_eq!(teams, vec![Target::Team(w.tier1)]);
    let people = w
        .state
        .targets(tech(w.alice), s, Action::ShareWithTechnician, w.now);
    assert!(!people.contains(&Target::Technician(w.dave)));
    assert_eq!(
        w.denied(
            tech(w.alice),
            Command::InviteTechnician {
                session: s,
                technician: w.dave
            }
        )
        .rule,
        Rule::S3
    );
}

#[test]
fn s4_inviting_someone_with_extended_availability_also_mails_them() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let to_erin = w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.erin,
        },
    );
    assert!(
        matches!(&to_erin[0], Event::InvitationSent { email: Some(e), .. } if e == "erin@example.com")
    );
    let to_bob = w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    );
    assert!(matches!(
        &to_bob[0],
        Event::InvitationSent { email: None, .. }
    ));
}

#[test]
fn s5_an_active_invitation_can_be_cancelled() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let inv = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    ));
    assert_eq!(
        w.state
            .targets(tech(w.alice), s, Action::CancelInvitation, w.now),
        vec![Target::Invitation(inv)]
    );
    w.ok(tech(w.alice), Command::CancelInvitation { invitation: inv });
    assert_eq!(
        w.invitation(inv).state,
        InvitationState::Ended(InvitationEnd::Cancelled)
    );
    assert_eq!(
        w.denied(tech(w.bob), Command::AcceptInvitation { invitation: inv })
            .rule,
        Rule::S7
    );
    assert_eq!(
        w.action(tech(w.alice), s, Action::CancelInvitation)
            .denial
            .unwrap()
            .rule,
        Rule::S5
    );
}

#[test]
fn s6_only_the_owner_invites_once_per_person_and_invitations_do_not_time_out() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let inv = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    ));
    let dup = w.denied(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    );
    assert_eq!(
        dup.to_string(),
        "This person already has an active invitation to this session (S6)"
    );
    w.now = w.now.plus_millis(30 * 24 * HOUR);
    w.ok(tech(w.bob), Command::AcceptInvitation { invitation: inv });
    let d = w.denied(
        tech(w.bob),
        Command::InviteTechnician {
            session: s,
            technician: w.carol,
        },
    );
    assert_eq!(
        d.to_string(),
        "Only the session owner can invite technicians (S6)"
    );
}

#[test]
fn s7_every_inactivating_event_ends_the_invitation() {
    let mut w = World::new();
    let cases: [(&str, InvitationEnd); 6] = [
        ("cancel", InvitationEnd::Cancelled),
        ("transfer", InvitationEnd::InviterNoLongerOwner),
        ("hold", InvitationEnd::InviterNoLongerOwner),
        ("end", InvitationEnd::SessionEnded),
        ("accept", InvitationEnd::Accepted),
        ("decline", InvitationEnd::Declined),
    ];
    for (what, expected) in cases {
        let s = w.session_owned_by(w.alice);
        let inv = World::invitation_id(&w.ok(
            tech(w.alice),
            Command::InviteTechnician {
                session: s,
                technician: w.bob,
            },
        ));
        let (a, b) = (tech(w.alice), tech(w.bob));
        let events = match what {
            "cancel" => w.ok(a, Command::CancelInvitation { invitation: inv }),
            "transfer" => w.ok(
                a,
                Command::TransferToTeam {
                    session: s,
                    team: w.tier2,
                },
            ),
            "hold" => w.ok(a, Command::HoldSession { session: s }),
            "end" => w.ok(a, Command::EndSession { session: s }),
            "accept" => w.ok(b, Command::AcceptInvitation { invitation: inv }),
            _ => w.ok(b, Command::DeclineInvitation { invitation: inv }),
        };
        assert!(
            events.contains(&Event::InvitationEnded {
                invitation: inv,
                why: expected
            }),
            "{what}"
        );
        // An ended session's invitations leave the live state with it.
        let state = w.state.invitations.get(&inv).map(|i| i.state);
        let kept = if what == "end" {
            None
        } else {
            Some(InvitationState::Ended(expected))
        };
        assert_eq!(state, kept, "{what}");
    }
}

#[test]
fn s7_the_inviter_leaving_ends_their_invitations() {
    // The inviter is the owner while an invitation is active; an owner leaves by holding (C2) or
    // by handing over and then leaving. Both end their invitations.
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let inv = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    ));
    w.ok(
        tech(w.alice),
        Command::TransferToTechnician {
            session: s,
            technician: w.carol,
        },
    );
    w.ok(tech(w.alice), Command::LeaveSession { session: s });
    assert!(!w.invitation(inv).is_active(w.now));
}

// ---------------------------------------------------------------- external users

#[test]
fn x1_owner_sends_a_one_time_invitation_to_an_external_user() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let inv = w.invite_external(s, w.alice, w.view_only, "Sam");
    w.redeem(inv);
    let again = w.denied(Actor::Guest, Command::RedeemExternal { invitation: inv });
    assert_eq!(
        again.to_string(),
        "This invitation is no longer active (X1)"
    );
    assert_eq!(w.session(s).externals.len(), 1);
}

#[test]
fn x1_members_cannot_invite_externally() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let inv = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    ));
    w.ok(tech(w.bob), Command::AcceptInvitation { invitation: inv });
    assert_eq!(
        w.action(tech(w.bob), s, Action::InviteExternal)
            .denial
            .unwrap()
            .rule,
        Rule::X1
    );
}

#[test]
fn x2_the_invitation_carries_policy_name_comments_and_the_policy_is_described() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let policies = w
        .state
        .targets(tech(w.alice), s, Action::InviteExternal, w.now);
    assert_eq!(
        policies,
        vec![Target::Policy(w.view_only), Target::Policy(w.full_access)]
    );
    assert_eq!(
        w.state.policies[&w.view_only].description,
        "Sees the screen and chats; cannot control."
    );
    let inv = w.invite_external(s, w.alice, w.view_only, "Sam");
    let Invitee::External {
        invitee,
        policy,
        comments,
        expires_at,
    } = &w.invitation(inv).invitee
    else {
        panic!()
    };
    assert_eq!(*policy, w.view_only);
    assert_eq!(comments, "Knows the accounting software");
    assert!(matches!(invitee, ExternalInvitee::Anyone { name, .. } if name == "Sam"));
    assert_eq!(*expires_at, w.now.plus_millis(2 * HOUR));
    let x = w.redeem(inv);
    assert_eq!(
        w.session(s).externals[&x].name,
        "Sam",
        "the name shown in chat"
    );
}

#[test]
fn x2_an_external_invitation_needs_a_name() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let err = w.run(
        tech(w.alice),
        Command::InviteExternal {
            session: s,
            policy: w.view_only,
            invitee: ExternalInvitee::Anyone {
                name: "  ".into(),
                email: None,
            },
            comments: String::new(),
        },
    );
    assert!(matches!(
        err,
        Err(CommandError::Invalid(InvalidInput::Empty(_)))
    ));
}

#[test]
fn x3_the_appliance_mails_the_invitation_only_when_administrators_allow_it() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let invite = |w: &mut World, name: &str| {
        w.ok(
            tech(w.alice),
            Command::InviteExternal {
                session: s,
                policy: w.view_only,
                invitee: ExternalInvitee::Anyone {
                    name: name.into(),
                    email: Some(format!("{name}@x.example")),
                },
                comments: String::new(),
            },
        )
    };
    assert!(matches!(
        &invite(&mut w, "sam")[0],
        Event::InvitationSent { email: None, .. }
    ));
    let settings = Settings {
        appliance_sends_external_invitations: true,
        ..Settings::default()
    };
    w.ok(
        tech(w.mia),
        Command::Admin(AdminCommand::UpdateSettings { settings }),
    );
    assert!(
        matches!(&invite(&mut w, "lee")[0], Event::InvitationSent { email: Some(e), .. } if e == "lee@x.example")
    );
}

#[test]
fn x4_the_link_is_redeemed_through_the_web_and_not_as_a_technician_invitation() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let inv = w.invite_external(s, w.alice, w.view_only, "Sam");
    assert_eq!(
        w.denied(tech(w.bob), Command::AcceptInvitation { invitation: inv })
            .rule,
        Rule::X4
    );
    w.now = w.now.plus_millis(2 * HOUR);
    assert_eq!(
        w.denied(Actor::Guest, Command::RedeemExternal { invitation: inv })
            .reason,
        Reason::LinkExpired
    );
}

#[test]
fn x5_external_users_see_only_the_session_and_never_own_it() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let sam = w.external(s, w.alice, w.full_access, "Sam");
    let lee = w.external(s, w.alice, w.view_only, "Lee");
    assert_eq!(w.session(s).externals.len(), 2, "several external users");
    let ext = Actor::External(sam);
    for action in [
        Action::TransferToTeam,
        Action::ShareWithTechnician,
        Action::InviteExternal,
        Action::RemoveMember,
        Action::EndSession,
        Action::ElevatePromptCustomer,
    ] {
        assert_eq!(
            w.action(ext, s, action).denial.unwrap().rule,
            Rule::X5,
            "{action:?}"
        );
    }
    assert!(w.action(ext, s, Action::LeaveSession).enabled());
    chat(&mut w, ext, s, "hello from Sam").unwrap();
    assert_eq!(
        w.denied(ext, Command::AcceptFromQueue { session: s }).rule,
        Rule::G4
    );
    // Logged out when the technician who invited them leaves.
    w.ok(
        tech(w.alice),
        Command::TransferToTechnician {
            session: s,
            technician: w.carol,
        },
    );
    assert_eq!(
        w.session(s).externals.len(),
        2,
        "a transfer alone does not log them out"
    );
    w.ok(tech(w.alice), Command::LeaveSession { session: s });
    assert!(w.session(s).externals.is_empty());
    assert_eq!(
        w.denied(
            Actor::External(lee),
            Command::SendChat {
                session: s,
                text: "still here?".into()
            }
        )
        .rule,
        Rule::G4
    );
}

#[test]
fn x6_approved_only_technicians_may_invite_only_approved_people() {
    let mut w = World::new();
    w.ok(
        tech(w.mia),
        Command::Admin(AdminCommand::SetPermission {
            team: w.tier1,
            grant: PermissionGrant::ExternalScope(ExternalScope::ApprovedOnly),
        }),
    );
    let events = w.ok(
        tech(w.mia),
        Command::Admin(AdminCommand::AddApprovedExternal {
            name: "Vendor Vic".into(),
            email: "vic@vendor.example".into(),
            team: None,
        }),
    );
    let Event::ApprovedExternalAdded { person } = &events[0] else {
        panic!()
    };
    let s = w.session_owned_by(w.alice);
    let anyone = w.denied(
        tech(w.alice),
        Command::InviteExternal {
            session: s,
            policy: w.view_only,
            invitee: ExternalInvitee::Anyone {
                name: "Random".into(),
                email: Some("r@x.example".into()),
            },
            comments: String::new(),
        },
    );
    assert_eq!(
        anyone.to_string(),
        "You may invite only approved external users (X6)"
    );
    let inv = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::InviteExternal {
            session: s,
            policy: w.view_only,
            invitee: ExternalInvitee::Approved(person.id),
            comments: String::new(),
        },
    ));
    let x = w.redeem(inv);
    assert_eq!(w.session(s).externals[&x].name, "Vendor Vic");

    // Approved by Tom for Tier 2 only: Carol (Tier 2) may invite Val, Alice (Tier 1) may not;
    // the master administrator may approve the same address for everyone.
    let approve = |team: Option<TeamId>| {
        Command::Admin(AdminCommand::AddApprovedExternal {
            name: "Val".into(),
            email: "val@vendor.example".into(),
            team,
        })
    };
    let events = w.ok(tech(w.tom), approve(Some(w.tier2)));
    let Event::ApprovedExternalAdded { person: val } = &events[0] else {
        panic!()
    };
    let (policy, val) = (w.view_only, val.id);
    let invite = |session| Command::InviteExternal {
        session,
        policy,
        invitee: ExternalInvitee::Approved(val),
        comments: String::new(),
    };
    let d = w.denied(tech(w.alice), invite(s));
    assert_eq!((d.rule, d.reason), (Rule::X6, Reason::ApprovedElsewhere));
    let carols = w.session_owned_by(w.carol);
    w.ok(tech(w.carol), invite(carols));
    w.ok(tech(w.mia), approve(None));
}

// ---------------------------------------------------------------- members

#[test]
fn m1_only_the_owner_removes_members_and_removing_the_customer_keeps_the_session() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let inv = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    ));
    w.ok(tech(w.bob), Command::AcceptInvitation { invitation: inv });
    let x = w.external(s, w.alice, w.view_only, "Sam");
    assert_eq!(
        w.denied(
            tech(w.bob),
            Command::RemoveMember {
                session: s,
                member: Participant::External(x)
            }
        )
        .rule,
        Rule::M1
    );
    let removable = w
        .state
        .targets(tech(w.alice), s, Action::RemoveMember, w.now);
    assert_eq!(
        removable.len(),
        3,
        "Bob, Sam and the customer: {removable:?}"
    );
    w.ok(
        tech(w.alice),
        Command::RemoveMember {
            session: s,
            member: Participant::External(x),
        },
    );
    w.ok(
        tech(w.alice),
        Command::RemoveMember {
            session: s,
            member: Participant::Technician(w.bob),
        },
    );
    w.ok(
        tech(w.alice),
        Command::RemoveMember {
            session: s,
            member: Participant::Customer,
        },
    );
    let session = w.session(s);
    assert!(session.members.is_empty() && session.externals.is_empty());
    assert!(!session.customer.connected);
    assert_eq!(
        (session.status, session.owner),
        (SessionStatus::Active, Some(w.alice)),
        "the technician keeps the session tab"
    );
    assert_eq!(
        w.denied(
            tech(w.alice),
            Command::RemoveMember {
                session: s,
                member: Participant::Technician(w.alice)
            }
        )
        .reason,
        Reason::CannotRemoveOwner
    );
}

// ---------------------------------------------------------------- support button, jump client

#[test]
fn b1_support_button_starts_sessions_into_its_queue_until_it_expires() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let past = w.denied(
        tech(w.alice),
        Command::DeploySupportButton {
            session: s,
            name: "Help".into(),
            expires_at: w.now,
            profile: w.profile,
            queue: QueueRef::Team(w.tier1),
        },
    );
    assert_eq!(past.rule, Rule::B1);
    let events = w.ok(
        tech(w.alice),
        Command::DeploySupportButton {
            session: s,
            name: "Help".into(),
            expires_at: w.now.plus_millis(24 * HOUR),
            profile: w.profile,
            queue: QueueRef::Team(w.tier1),
        },
    );
    let Event::SupportButtonDeployed { button, .. } = &events[0] else {
        panic!()
    };
    assert_eq!(
        w.action(tech(w.alice), s, Action::DeploySupportButton)
            .denial
            .unwrap()
            .reason,
        Reason::ButtonAlreadyDeployed
    );
    let kim = w.session(s).customer.info.clone();
    let next = w.ok(
        Actor::Guest,
        Command::StartSessionFromButton {
            button: button.id,
            customer: kim.clone(),
        },
    );
    assert!(
        matches!(&next[0], Event::SessionStarted { queue: QueueRef::Team(t), .. } if *t == w.tier1)
    );
    w.now = w.now.plus_millis(24 * HOUR);
    assert_eq!(
        w.denied(
            Actor::Guest,
            Command::StartSessionFromButton {
                button: button.id,
                customer: kim
            }
        )
        .to_string(),
        "This support button has expired (B1)"
    );
    w.ok(tech(w.alice), Command::RemoveSupportButton { session: s });
    assert!(w.state.support_buttons.is_empty());
}

#[test]
fn b1_a_button_leads_only_to_queues_of_the_deploying_technician() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let queues = w
        .state
        .targets(tech(w.alice), s, Action::DeploySupportButton, w.now);
    assert!(queues.contains(&Target::Queue(QueueRef::Personal(w.alice))));
    assert!(queues.contains(&Target::Queue(QueueRef::Team(w.tier1))));
    assert!(!queues.contains(&Target::Queue(QueueRef::Team(w.field))));
}

#[test]
fn j1_pinned_jump_client_gives_later_unattended_access_to_who_may_use_it() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let spots = w
        .state
        .targets(tech(w.alice), s, Action::PinJumpClient, w.now);
    assert_eq!(
        spots,
        vec![
            Target::JumpLocation(JumpLocation::Personal(w.alice)),
            Target::JumpLocation(JumpLocation::Group(w.servers))
        ]
    );
    let events = w.ok(
        tech(w.alice),
        Command::PinJumpClient {
            session: s,
            location: JumpLocation::Group(w.servers),
        },
    );
    let Event::JumpClientPinned { jump_client, .. } = &events[0] else {
        panic!()
    };
    let jc = jump_client.id;
    w.ok(tech(w.alice), Command::EndSession { session: s });
    assert!(
        w.state.jump_clients.contains_key(&jc),
        "ending a session never removes a jump client"
    );

    assert_eq!(
        w.denied(tech(w.dave), Command::StartJumpSession { jump_client: jc })
            .rule,
        Rule::J1
    );
    let events = w.ok(tech(w.carol), Command::StartJumpSession { jump_client: jc });
    let unattended = events
        .iter()
        .find_map(|e| match e {
            Event::SessionStarted { session, .. } => Some(*session),
            _ => None,
        })
        .unwrap();
    assert_eq!(w.session(unattended).owner, Some(w.carol));
    w.ok(
        tech(w.carol),
        Command::UnpinJumpClient {
            session: unattended,
        },
    );
    assert!(w.state.jump_clients.is_empty());
}

#[test]
fn j1_a_personal_jump_client_is_only_for_its_owner() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let events = w.ok(
        tech(w.alice),
        Command::PinJumpClient {
            session: s,
            location: JumpLocation::Personal(w.alice),
        },
    );
    let Event::JumpClientPinned { jump_client, .. } = &events[0] else {
        panic!()
    };
    assert_eq!(
        w.denied(
            tech(w.carol),
            Command::StartJumpSession {
                jump_client: jump_client.id
            }
        )
        .rule,
        Rule::J1
    );
    assert_eq!(
        w.denied(
            tech(w.alice),
            Command::PinJumpClient {
                session: s,
                location: JumpLocation::Group(w.servers)
            }
        )
        .reason,
        Reason::AlreadyPinned
    );
}

// ---------------------------------------------------------------- closing

#[test]
fn c1_end_closes_the_session_removes_everyone_and_uninstalls_the_client() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let inv = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    ));
    w.ok(tech(w.bob), Command::AcceptInvitation { invitation: inv });
    w.ok(
        tech(w.alice),
        Command::PinJumpClient {
            session: s,
            location: JumpLocation::Personal(w.alice),
        },
    );
    let pending = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.carol,
        },
    ));
    let events = w.ok(tech(w.alice), Command::EndSession { session: s });
    assert!(events.contains(&Event::SessionEnded {
        session: s,
        uninstall_customer_client: true
    }));
    assert!(events.contains(&Event::MemberLeft {
        session: s,
        member: Participant::Technician(w.bob),
        why: LeaveReason::SessionEnded
    }));
    assert!(events.contains(&Event::InvitationEnded {
        invitation: pending,
        why: InvitationEnd::SessionEnded
    }));
    assert!(!w.state.invitations.contains_key(&pending), "gone with it");
    assert_eq!(w.state.jump_clients.len(), 1, "the jump client stays");
    // The session is closed: it has left the live state, and nothing more can be done in it.
    assert!(w.has_ended(s));
    assert!(matches!(
        w.state.execute(
            tech(w.bob),
            &Command::SendChat {
                session: s,
                text: "hi".into()
            },
            w.now
        ),
        Err(CommandError::NotFound { .. })
    ));
}

#[test]
fn c2_hold_returns_the_session_to_the_owners_queue_and_members_stay() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let inv = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    ));
    w.ok(tech(w.bob), Command::AcceptInvitation { invitation: inv });
    w.ok(tech(w.alice), Command::HoldSession { session: s });
    let session = w.session(s);
    assert_eq!(
        session.status,
        SessionStatus::Queued(QueueRef::Personal(w.alice))
    );
    assert!(session.members.contains(&w.bob) && !session.has_technician(w.alice));
    w.ok(tech(w.alice), Command::AcceptFromQueue { session: s });
    assert_eq!(w.session(s).owner, Some(w.alice));
}

#[test]
fn c2_hold_needs_the_group_permission() {
    let mut w = World::new();
    w.set(w.tier1, Permission::HoldSessions, false);
    let s = w.session_owned_by(w.alice);
    assert_eq!(
        w.action(tech(w.alice), s, Action::HoldSession)
            .denial
            .unwrap()
            .reason,
        Reason::NotPermitted(Permission::HoldSessions)
    );
}

#[test]
fn c3_a_member_ending_the_session_only_leaves_it() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let inv = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    ));
    w.ok(tech(w.bob), Command::AcceptInvitation { invitation: inv });
    assert_eq!(
        w.denied(tech(w.bob), Command::EndSession { session: s })
            .rule,
        Rule::C3
    );
    w.ok(tech(w.bob), Command::LeaveSession { session: s });
    assert_eq!(
        (w.session(s).status, w.session(s).owner),
        (SessionStatus::Active, Some(w.alice))
    );
    assert!(!w.session(s).members.contains(&w.bob));
    assert_eq!(
        w.action(tech(w.alice), s, Action::LeaveSession)
            .denial
            .unwrap()
            .reason,
        Reason::OwnerCannotLeave
    );
}

// ---------------------------------------------------------------- groups and permissions

#[test]
fn g1_administrators_manage_only_below_their_group_and_masters_lock_permissions() {
    let mut w = World::new();
    let tom = tech(w.tom);
    let created = w.ok(
        tom,
        Command::Admin(AdminCommand::CreateTeam {
            parent: Some(w.tier1),
            name: "Tier 1 nights".into(),
            description: String::new(),
        }),
    );
    assert!(matches!(&created[0], Event::TeamCreated { .. }));
    assert_eq!(
        w.denied(
            tom,
            Command::Admin(AdminCommand::CreateTeam {
                parent: None,
                name: "Rogue".into(),
                description: String::new()
            })
        )
        .rule,
        Rule::G1
    );
    assert_eq!(
        w.denied(
            tom,
            Command::Admin(AdminCommand::CreateTeam {
                parent: Some(w.field),
                name: "Rogue".into(),
                description: String::new()
            })
        )
        .rule,
        Rule::G1
    );
    assert_eq!(
        w.denied(
            tom,
            Command::Admin(AdminCommand::UpdateTeam {
                team: w.support,
                name: "Mine".into(),
                description: String::new(),
                enabled: true
            })
        )
        .reason,
        Reason::OutsideAdminScope
    );
    w.ok(
        tom,
        Command::Admin(AdminCommand::SetPermission {
            team: w.tier1,
            grant: PermissionGrant::Flag(Permission::RemoteControl, false),
        }),
    );

    w.ok(
        tech(w.mia),
        Command::Admin(AdminCommand::LockPermission {
            team: w.support,
            key: PermissionKey::Flag(Permission::RemoteControl),
            locked: true,
        }),
    );
    let locked = w.denied(
        tom,
        Command::Admin(AdminCommand::SetPermission {
            team: w.tier1,
            grant: PermissionGrant::Flag(Permission::RemoteControl, true),
        }),
    );
    assert_eq!(
        locked.to_string(),
        "A master administrator locked this permission (G1)"
    );
    assert_eq!(
        w.denied(
            tom,
            Command::Admin(AdminCommand::LockPermission {
                team: w.tier1,
                key: PermissionKey::TransferScope,
                locked: true
            })
        )
        .reason,
        Reason::MasterOnly
    );
    w.ok(
        tech(w.mia),
        Command::Admin(AdminCommand::SetPermission {
            team: w.tier1,
            grant: PermissionGrant::Flag(Permission::RemoteControl, true),
        }),
    );
    assert_eq!(
        w.denied(
            tech(w.alice),
            Command::Admin(AdminCommand::CreateButtonProfile {
                name: "Mine".into(),
                team: None,
            })
        )
        .reason,
        Reason::NotAdministrator
    );
}

/// G2: a team moves with everything below it; a master administrator may move it anywhere,
/// an administrator only within the groups below theirs (G1); never below itself.
#[test]
fn g2_a_team_moves_with_its_subtree_within_the_movers_scope_and_never_below_itself() {
    let mut w = World::new();
    let (mia, tom) = (tech(w.mia), tech(w.tom));
    let nights = match &w.ok(
        mia,
        Command::Admin(AdminCommand::CreateTeam {
            parent: Some(w.tier2),
            name: "Tier 2 nights".into(),
            description: String::new(),
        }),
    )[0]
    {
        Event::TeamCreated { team } => team.id,
        other => panic!("{other:?}"),
    };
    // Tier 2 (with Tier 2 nights below it) moves under Tier 1: both within Tom's scope.
    let moved = w.ok(
        tom,
        Command::Admin(AdminCommand::MoveTeam {
            team: w.tier2,
            parent: Some(w.tier1),
        }),
    );
    assert_eq!(
        moved,
        vec![Event::TeamMoved {
            team: w.tier2,
            parent: Some(w.tier1)
        }]
    );
    assert!(w.state.is_within(nights, w.tier1), "the subtree came along");
    // Below itself or its own subteam: refused as a loop, for anyone.
    for parent in [w.tier2, nights] {
        let refused = w.state.plan(
            mia,
            &Command::Admin(AdminCommand::MoveTeam {
                team: w.tier2,
                parent: Some(parent),
            }),
            w.now,
        );
        assert_eq!(refused, Err(CommandError::Invalid(InvalidInput::Cycle)));
    }
    // Tom may not take a team to the top, nor under a group outside his scope (G1).
    for parent in [None, Some(w.field)] {
        let d = w.denied(
            tom,
            Command::Admin(AdminCommand::MoveTeam {
                team: w.tier2,
                parent,
            }),
        );
        assert_eq!((d.rule, d.reason), (Rule::G1, Reason::OutsideAdminScope));
    }
    // A master administrator may.
    w.ok(
        mia,
        Command::Admin(AdminCommand::MoveTeam {
            team: w.tier2,
            parent: None,
        }),
    );
    assert_eq!(w.state.teams[&w.tier2].parent, None);
}

/// G1 (ours): a master administrator reads every line of the audit; an administrator of a
/// group those of the technicians they manage and their own; a technician is told why not.
#[test]
fn g1_the_audit_is_read_within_the_administrators_scope() {
    let w = World::new();
    let every = w.state.admin_scope(tech(w.mia)).unwrap();
    assert!(
        [w.mia, w.dave, w.tom]
            .iter()
            .all(|t| every.covers_technician(*t))
    );
    let toms = w.state.admin_scope(tech(w.tom)).unwrap();
    assert!(toms.covers_technician(w.alice) && toms.covers_technician(w.tom));
    assert!(!toms.covers_technician(w.dave) && !toms.covers_technician(w.mia));
    let Err(CommandError::Denied(d)) = w.state.admin_scope(tech(w.alice)) else {
        panic!("a technician reads the audit");
    };
    assert_eq!((d.rule, d.reason), (Rule::G1, Reason::NotAdministrator));
}

#[test]
fn g1_the_first_account_is_a_master_administrator_and_only_the_first() {
    let (mut state, mia) = State::bootstrap("Mia", "mia@example.com");
    assert_eq!(state.technicians[&mia].role, Role::MasterAdministrator);
    let again = state.execute(
        Actor::Guest,
        &Command::Bootstrap {
            name: "Eve".into(),
            email: "eve@example.com".into(),
        },
        Timestamp(0),
    );
    assert_eq!(
        again.unwrap_err().to_string(),
        "This appliance has accounts already; administrators create new ones (G1)"
    );
    assert_eq!(state.technicians.len(), 1);
}

#[test]
fn g2_a_disabled_group_grants_nothing_down_its_subtree() {
    let mut w = World::new();
    let team = &w.state.teams[&w.tier1];
    assert_eq!(
        (team.name.as_str(), team.parent, team.enabled),
        ("Tier 1", Some(w.support), true)
    );
    let s = w.session_owned_by(w.alice);
    w.ok(
        tech(w.mia),
        Command::Admin(AdminCommand::UpdateTeam {
            team: w.support,
            name: "Support".into(),
            description: "First line".into(),
            enabled: false,
        }),
    );
    assert!(
        !w.state.team_enabled(w.tier1),
        "Tier 1 lies below the disabled Support"
    );
    let d = w
        .action(tech(w.alice), s, Action::ViewScreen)
        .denial
        .unwrap();
    assert_eq!(d.reason, Reason::NotPermitted(Permission::DesktopViewing));
    assert_eq!(
        w.denied(
            Actor::Guest,
            Command::StartSession {
                queue: QueueRef::Team(w.tier1),
                customer: customer("Q", Platform::Linux, ClientMode::Full)
            }
        )
        .rule,
        Rule::G2
    );
}

#[test]
fn g2_a_disabled_groups_queue_is_seen_by_nobody() {
    let mut w = World::new();
    let queued = w.arrive(
        QueueRef::Team(w.tier1),
        customer("Q", Platform::Linux, ClientMode::Full),
    );
    let s = w.session(queued).clone();
    assert!(
        w.state.sees_session(w.alice, &s),
        "a member sees the team's queue"
    );
    w.ok(
        tech(w.mia),
        Command::Admin(AdminCommand::UpdateTeam {
            team: w.support,
            name: "Support".into(),
            description: "First line".into(),
            enabled: false,
        }),
    );
    assert!(
        !w.state.sees_session(w.alice, &s),
        "the customer's name and chat are no longer hers to see once Tier 1's parent is disabled"
    );
    assert!(!w.state.view_for(w.alice).sessions.contains_key(&queued));
}

#[test]
fn g3_a_permission_switched_off_greys_its_action() {
    let mut w = World::new();
    let pairs = [
        (Permission::RemoteControl, Action::ControlScreen),
        (Permission::DesktopViewing, Action::ViewScreen),
        (Permission::CommandShell, Action::CommandShell),
        (Permission::ViewSystemInfo, Action::SystemInfo),
        (Permission::TransferSessions, Action::TransferToTeam),
        (
            Permission::SendCollaborationInvites,
            Action::ShareWithTechnician,
        ),
        (Permission::InviteExternal, Action::InviteExternal),
        (Permission::DeploySupportButton, Action::DeploySupportButton),
        (Permission::UnattendedAccess, Action::PinJumpClient),
    ];
    let s = w.session_owned_by(w.alice);
    for (permission, action) in pairs {
        assert!(
            w.action(tech(w.alice), s, action).enabled(),
            "{action:?} before"
        );
        w.set(w.tier1, permission, false);
        assert_eq!(
            w.action(tech(w.alice), s, action).denial.unwrap().reason,
            Reason::NotPermitted(permission)
        );
        w.set(w.tier1, permission, true);
    }
}

#[test]
fn g3_ask_once_for_all_covers_every_later_tool() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    w.ok(
        tech(w.alice),
        Command::StartScreen {
            session: s,
            control: false,
        },
    );
    w.customer_answers(s, PromptKind::Allow(Tool::ViewScreen), true);
    let shell = w.ok(tech(w.alice), Command::StartShell { session: s });
    assert_eq!(
        shell,
        vec![Event::ShellChanged {
            session: s,
            open: true
        }],
        "no second prompt"
    );

    w.set(w.tier1, Permission::AskOnceForAll, false);
    let t = w.session_owned_by(w.alice);
    w.ok(
        tech(w.alice),
        Command::StartScreen {
            session: t,
            control: false,
        },
    );
    w.customer_answers(t, PromptKind::Allow(Tool::ViewScreen), true);
    let shell = w.ok(tech(w.alice), Command::StartShell { session: t });
    assert!(
        matches!(
            shell[0],
            Event::PromptRaised {
                prompt: PromptKind::Allow(Tool::Shell),
                ..
            }
        ),
        "asked again"
    );
}

#[test]
fn g4_external_permissions_are_the_intersection_of_policy_and_inviter_groups() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let viewer = Actor::External(w.external(s, w.alice, w.view_only, "Sam"));
    assert!(w.action(viewer, s, Action::ViewScreen).enabled());
    let d = w.action(viewer, s, Action::ControlScreen).denial.unwrap();
    assert_eq!(
        d.to_string(),
        "The security policy you were invited under does not allow you to control the remote screen (G4)"
    );
    assert_eq!(
        w.denied(
            viewer,
            Command::StartScreen {
                session: s,
                control: true
            }
        )
        .rule,
        Rule::G4
    );

    // A full-access policy gives no more than the inviting technician's groups allow.
    let full = Actor::External(w.external(s, w.alice, w.full_access, "Lee"));
    assert!(w.action(full, s, Action::ControlScreen).enabled());
    w.set(w.tier1, Permission::RemoteControl, false);
    assert_eq!(
        w.action(full, s, Action::ControlScreen)
            .denial
            .unwrap()
            .rule,
        Rule::G4
    );
}

// ---------------------------------------------------------------- bad input loses nothing

#[test]
fn malformed_or_unknown_input_gets_a_clear_error() {
    let mut w = World::new();
    let s = w.session_owned_by(w.alice);
    let tech_alice = tech(w.alice);
    let long = "x".repeat(MAX_CHAT_CHARS + 1);
    assert!(matches!(
        chat(&mut w, tech_alice, s, &long),
        Err(CommandError::Invalid(InvalidInput::TooLong { .. }))
    ));
    assert!(matches!(
        chat(&mut w, tech_alice, s, " \n"),
        Err(CommandError::Invalid(InvalidInput::Empty(_)))
    ));
    let unknown = w.run(
        tech(w.alice),
        Command::EndSession {
            session: SessionId(999_999),
        },
    );
    assert_eq!(
        unknown.unwrap_err().to_string(),
        "No Session with id 999999 exists"
    );
    let bad_mail = w.run(
        tech(w.mia),
        Command::Admin(AdminCommand::CreateTechnician {
            name: "Zed".into(),
            email: "zed".into(),
            role: Role::Technician,
        }),
    );
    assert!(matches!(
        bad_mail,
        Err(CommandError::Invalid(InvalidInput::Email(_)))
    ));
}

#[test]
fn events_replayed_on_a_copy_rebuild_the_same_state() {
    // The appliance may persist events and rebuild from them: replaying what commands produced
    // must give exactly the state those commands left.
    let mut w = World::new();
    let mut copy = w.state.clone();
    let mut log = w.ok(
        Actor::Guest,
        Command::StartSession {
            queue: QueueRef::Team(w.tier1),
            customer: customer("Kim", Platform::Linux, ClientMode::Full),
        },
    );
    let Event::SessionStarted { session: s, .. } = log[0] else {
        panic!()
    };
    log.extend(w.ok(tech(w.alice), Command::AcceptFromQueue { session: s }));
    log.extend(w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    ));
    let invite = w.ok(
        tech(w.alice),
        Command::InviteExternal {
            session: s,
            policy: w.view_only,
            invitee: ExternalInvitee::Anyone {
                name: "Sam".into(),
                email: None,
            },
            comments: String::new(),
        },
    );
    let x = World::invitation_id(&invite);
    log.extend(invite);
    log.extend(w.ok(Actor::Guest, Command::RedeemExternal { invitation: x }));
    log.extend(w.ok(
        tech(w.alice),
        Command::TransferToTeam {
            session: s,
            team: w.tier2,
        },
    ));
    log.extend(w.ok(tech(w.carol), Command::AcceptFromQueue { session: s }));
    for e in &log {
        copy.apply(e);
    }
    assert_eq!(copy, w.state);
}

#[test]
fn the_state_travels_as_json_with_questions_pending() {
    // Consoles and customer clients receive sessions as JSON, pending questions included.
    let mut w = World::new();
    w.set(w.tier1, Permission::AskOnceForAll, false);
    let s = w.session_owned_by(w.alice);
    w.ok(
        tech(w.alice),
        Command::StartScreen {
            session: s,
            control: true,
        },
    );
    w.ok(tech(w.alice), Command::StartShell { session: s });
    w.ok(
        tech(w.alice),
        Command::Elevate {
            session: s,
            method: ElevationMethod::PromptCustomer,
        },
    );
    assert_eq!(w.session(s).prompts.len(), 3);
    let json = serde_json::to_string(&w.state).expect("the state serialises");
    let back: State = serde_json::from_str(&json).expect("and reads back");
    assert_eq!(back, w.state);
}

/// G1 (ours): a master administrator disables, re-enables, signs out and resets the password
/// of any account but disables or resets no account of their own; an administrator manages only
/// the plain technicians whose groups all lie below theirs. A disabled account is not offered
/// for invitations (S3).
#[test]
fn g1_accounts_are_disabled_reset_and_signed_out_within_the_administrators_scope() {
    let mut w = World::new();
    let (mia, tom) = (tech(w.mia), tech(w.tom));
    let disable = |technician| {
        Command::Admin(AdminCommand::SetTechnicianEnabled {
            technician,
            enabled: false,
        })
    };
    assert!(w.state.technicians[&w.alice].is_listed());
    // Tom administers the groups below Support: Alice is in Tier 1.
    assert_eq!(
        w.ok(tom, disable(w.alice)),
        vec![Event::TechnicianEnabledChanged {
            technician: w.alice,
            enabled: false
        }]
    );
    let alice = &w.state.technicians[&w.alice];
    assert!(!alice.enabled && !alice.logged_in && !alice.is_listed());
    w.ok(
        tom,
        Command::Admin(AdminCommand::SetTechnicianEnabled {
            technician: w.alice,
            enabled: true,
        }),
    );
    assert!(w.state.technicians[&w.alice].enabled);
    for command in [
        Command::Admin(AdminCommand::ResetPassword {
            technician: w.alice,
        }),
        Command::Admin(AdminCommand::SignOutEverywhere {
            technician: w.alice,
        }),
    ] {
        w.ok(tom, command);
    }

    // Dave is in Field, outside Tom's groups; Tom's own account and Mia's are not his to manage.
    let d = w.denied(tom, disable(w.dave));
    assert_eq!(
        (d.rule, d.reason),
        (Rule::G1, Reason::AccountOutsideAdminScope)
    );
    let d = w.denied(tom, disable(w.mia));
    assert_eq!((d.rule, d.reason), (Rule::G1, Reason::MasterOnly));
    // A member of a group of his and of one outside it is not his alone.
    w.ok(
        mia,
        Command::Admin(AdminCommand::SetTeamMember {
            team: w.field,
            technician: w.bob,
            member: true,
        }),
    );
    let d = w.denied(tom, disable(w.bob));
    assert_eq!(
        (d.rule, d.reason),
        (Rule::G1, Reason::AccountOutsideAdminScope)
    );

    // Nobody disables or resets their own account; signing oneself out everywhere is fine.
    for own in [
        disable(w.mia),
        Command::Admin(AdminCommand::ResetPassword { technician: w.mia }),
    ] {
        let d = w.denied(mia, own);
        assert_eq!((d.rule, d.reason), (Rule::G1, Reason::OwnAccount));
    }
    w.ok(
        mia,
        Command::Admin(AdminCommand::SignOutEverywhere { technician: w.mia }),
    );
    // A master administrator manages anyone else; a technician manages nobody.
    w.ok(mia, disable(w.tom));
    let d = w.denied(tech(w.carol), disable(w.dave));
    assert_eq!((d.rule, d.reason), (Rule::G1, Reason::NotAdministrator));
}

/// G1 (ours): disabling an account leaves no customer waiting for it and no right it passed on.
/// Its sessions go back to the team queue they last waited in, or end when they never waited in
/// one; the external users it invited are logged out (X5); its invitations, and those to it, end
/// (S7, S6); it leaves the sessions it shared; and it can do nothing more, whatever it still holds.
#[test]
fn g1_a_disabled_account_leaves_no_customer_waiting_and_no_right_behind() {
    let mut w = World::new();
    let alice = tech(w.alice);
    // From Tier 1's queue, with Bob as a member, a vendor Alice invited, and Carol invited.
    let from_team = w.arrive(
        QueueRef::Team(w.tier1),
        customer("Kim", Platform::Windows, ClientMode::Full),
    );
    w.ok(alice, Command::AcceptFromQueue { session: from_team });
    w.join(from_team, w.alice, w.bob);
    let vendor = w.external(from_team, w.alice, w.full_access, "Vic");
    let to_carol = w.invite(from_team, w.alice, w.carol);
    // Came to Alice alone: one she took from her personal queue, one still waiting there.
    let personal = w.session_owned_by(w.alice);
    let waiting = w.arrive(
        QueueRef::Personal(w.alice),
        customer("Lee", Platform::Linux, ClientMode::Full),
    );
    // Bob's sessions: Alice is a member of one and invited to the other.
    let bobs = w.session_owned_by(w.bob);
    w.join(bobs, w.bob, w.alice);
    let bobs_other = w.session_with(w.bob, customer("Max", Platform::MacOs, ClientMode::Full));
    let pending_to_alice = w.invite(bobs_other, w.bob, w.alice);

    w.disable(w.tom, w.alice);

    let s = w.session(from_team);
    assert_eq!(s.status, SessionStatus::Queued(QueueRef::Team(w.tier1)));
    assert_eq!(
        (s.owner, s.members.iter().copied().collect::<Vec<_>>()),
        (None, vec![w.bob])
    );
    assert!(
        !s.externals.contains_key(&vendor),
        "the vendor went with Alice (X5)"
    );
    assert_eq!(
        w.invitation(to_carol).state,
        InvitationState::Ended(InvitationEnd::InviterNoLongerOwner)
    );
    assert!(w.has_ended(personal) && w.has_ended(waiting));
    assert!(!w.session(bobs).has_technician(w.alice));
    assert_eq!(w.session(bobs).owner, Some(w.bob));
    assert_eq!(
        w.invitation(pending_to_alice).state,
        InvitationState::Ended(InvitationEnd::InviteeDisabled)
    );
    // A colleague takes the customer from the queue; Alice does nothing more.
    w.ok(
        tech(w.erin),
        Command::AcceptFromQueue { session: from_team },
    );
    assert_eq!(w.session(from_team).owner, Some(w.erin));
    let d = w.denied(alice, Command::SetLoggedIn { logged_in: true });
    assert_eq!((d.rule, d.reason), (Rule::G1, Reason::AccountDisabled));
}

/// G1, G2 (ours): a session whose team (or a group above it) was disabled since has no queue to
/// go back to: with nobody else in it, it ends with its owner's account rather than wait where
/// nobody may take it.
#[test]
fn g1_a_disabled_accounts_session_from_a_disabled_team_ends() {
    let mut w = World::new();
    let s = w.arrive(
        QueueRef::Team(w.tier1),
        customer("Kim", Platform::Windows, ClientMode::Full),
    );
    w.ok(tech(w.alice), Command::AcceptFromQueue { session: s });
    // Support, the group above Tier 1: nobody sees or takes Tier 1's queue any more (G2).
    let support = &w.state.teams[&w.support];
    let disable_support = Command::Admin(AdminCommand::UpdateTeam {
        team: w.support,
        name: support.name.clone(),
        description: support.description.clone(),
        enabled: false,
    });
    w.ok(tech(w.mia), disable_support);
    let events = w.disable(w.mia, w.alice);
    assert!(w.has_ended(s));
    assert!(events.contains(&Event::SessionEnded {
        session: s,
        uninstall_customer_client: true
    }));
}

/// Ours (G2, X2, S1, J1, B1, X6): lists show names only, so two of a kind in one list never share
/// a name, whatever its case or spaces; the same form sent twice (a double tap on a slow network)
/// makes one thing. A group's name is unique among its siblings: renaming to its own name, or a
/// name used in another branch, is fine; moving it next to a namesake is not.
#[test]
fn names_tell_things_apart_in_every_list() {
    let mut w = World::new();
    let mia = tech(w.mia);
    let (support, field, tier1, tier2) = (w.support, w.field, w.tier1, w.tier2);
    let refused = |w: &mut World, command: AdminCommand, rule: Rule| {
        let d = w.denied(mia, Command::Admin(command));
        assert_eq!((d.rule, d.reason), (rule, Reason::NameTaken));
    };
    let group = |parent, name: &str| AdminCommand::CreateTeam {
        parent,
        name: name.into(),
        description: String::new(),
    };
    refused(&mut w, group(Some(support), "  tier 1 "), Rule::G2);
    refused(&mut w, group(None, "FIELD"), Rule::G2);
    let tier1_in_field = w.ok(mia, Command::Admin(group(Some(field), "Tier 1")));
    let Event::TeamCreated { team } = &tier1_in_field[0] else {
        panic!("{tier1_in_field:?}")
    };
    let rename = |team, name: &str| AdminCommand::UpdateTeam {
        team,
        name: name.into(),
        description: String::new(),
        enabled: true,
    };
    refused(&mut w, rename(tier2, "Tier 1"), Rule::G2);
    w.ok(mia, Command::Admin(rename(tier2, "tier 2")));
    // Siblings named alike in a store from before this rule can still be changed otherwise.
    let mut older = w.state.teams[&tier2].clone();
    older.name = "Tier 1".into();
    w.state.teams.insert(tier2, older);
    w.ok(mia, Command::Admin(rename(tier2, "Tier 1")));
    refused(
        &mut w,
        AdminCommand::MoveTeam {
            team: team.id,
            parent: Some(support),
        },
        Rule::G2,
    );

    refused(
        &mut w,
        AdminCommand::CreateSecurityPolicy {
            name: "view only".into(),
            description: String::new(),
            permissions: PermissionSet::default(),
            team: None,
        },
        Rule::X2,
    );
    refused(
        &mut w,
        AdminCommand::CreateSupportIssue {
            name: "Printer".into(),
            team: tier1,
            allow_help_requests: true,
        },
        Rule::S1,
    );
    refused(
        &mut w,
        AdminCommand::CreateJumpGroup {
            name: "servers".into(),
            members: BTreeSet::new(),
            team: None,
        },
        Rule::J1,
    );
    refused(
        &mut w,
        AdminCommand::CreateButtonProfile {
            name: "Default".into(),
            team: None,
        },
        Rule::B1,
    );
    let approve = |name: &str, email: &str| {
        Command::Admin(AdminCommand::AddApprovedExternal {
            name: name.into(),
            email: email.into(),
            team: None,
        })
    };
    w.ok(mia, approve("Vic", "vic@vendor.example"));
    let d = w.denied(mia, approve("Victor", "VIC@vendor.example"));
    assert_eq!((d.rule, d.reason), (Rule::X6, Reason::AlreadyApproved));
    w.ok(mia, approve("Vic", "vic@other.example"));
}

/// G1 (ours), T2, T3: a session that came to Alice alone and that she handed to Bob, staying in
/// it, is not ended when Bob's account is disabled: it waits in Alice's personal queue, even
/// when Bob, a member himself, had not taken it yet.
#[test]
fn g1_a_disabled_accounts_session_stays_with_a_colleague_in_it() {
    let mut w = World::new();
    let alice = tech(w.alice);
    let s = w.session_owned_by(w.alice);
    w.join(s, w.alice, w.bob);
    w.ok(
        alice,
        Command::TransferToTechnician {
            session: s,
            technician: w.bob,
        },
    );
    assert_eq!(
        w.session(s).status,
        SessionStatus::Queued(QueueRef::Personal(w.bob))
    );

    w.disable(w.tom, w.bob);
    let session = w.session(s);
    assert_eq!(
        session.status,
        SessionStatus::Queued(QueueRef::Personal(w.alice))
    );
    assert!(!session.has_technician(w.bob) && session.members.contains(&w.alice));
    w.ok(alice, Command::AcceptFromQueue { session: s });
    assert_eq!(w.session(s).owner, Some(w.alice));
}

/// G1 (ours): a master administrator reads every session's report; an administrator those in
/// which a technician they manage, or they themselves, took part, and those that waited in the
/// queue of a group below theirs; a technician reads none.
#[test]
fn g1_session_reports_are_read_within_the_administrators_scope() {
    let w = World::new();
    let (mia, tom) = (tech(w.mia), tech(w.tom));
    let reason = |r: Result<(), CommandError>| match r {
        Err(CommandError::Denied(d)) => Some((d.rule, d.reason)),
        Ok(()) => None,
        Err(other) => panic!("{other:?}"),
    };
    let may = |actor, technicians: &[TechnicianId], teams: &[TeamId]| {
        reason(w.state.may_read_session_report(actor, technicians, teams))
    };
    assert_eq!(w.state.admin_scope(mia).unwrap(), AdminScope::Every);
    assert_eq!(may(mia, &[w.dave], &[w.field]), None);
    // Tom administers the groups below Support: Tier 1 (Alice) and Tier 2 (Carol).
    assert_eq!(may(tom, &[w.dave, w.alice], &[]), None);
    assert_eq!(may(tom, &[w.tom], &[]), None, "his own sessions");
    assert_eq!(may(tom, &[], &[w.tier2]), None);
    let outside = Some((Rule::G1, Reason::SessionOutsideAdminScope));
    assert_eq!(may(tom, &[w.dave], &[w.field]), outside);
    assert_eq!(
        may(tom, &[], &[w.support]),
        outside,
        "his own group is not below it"
    );
    assert_eq!(may(tom, &[w.mia], &[]), outside, "a master administrator's");
    assert_eq!(
        may(tech(w.alice), &[w.alice], &[w.tier1]),
        Some((Rule::G1, Reason::NotAdministrator))
    );
}

/// G1 (ours): an administrator brings into their groups only the technicians they manage, or an
/// account they created that is in no group yet; never one from another branch or one a master
/// administrator left in no group, whose password and session reports would then be theirs.
#[test]
fn g1_an_administrator_brings_into_their_groups_only_their_own_technicians() {
    let mut w = World::new();
    let (mia, tom) = (tech(w.mia), tech(w.tom));
    let create = |name: &str| {
        Command::Admin(AdminCommand::CreateTechnician {
            name: name.into(),
            email: format!("{}@example.com", name.to_lowercase()),
            role: Role::Technician,
        })
    };
    let created = |events: &[Event]| match &events[0] {
        Event::TechnicianCreated { technician } => technician.id,
        other => panic!("{other:?}"),
    };
    let add = |team, technician, member| {
        Command::Admin(AdminCommand::SetTeamMember {
            team,
            technician,
            member,
        })
    };
    let outside = (Rule::G1, Reason::AccountOutsideAdminScope);
    let finn = created(&w.ok(tom, create("Finn")));
    w.ok(tom, add(w.tier1, finn, true));
    w.ok(tom, add(w.tier2, w.alice, true));
    let gus = created(&w.ok(mia, create("Gus")));
    let d = w.denied(tom, add(w.tier1, gus, true));
    assert_eq!((d.rule, d.reason), outside, "Mia's new account");
    let d = w.denied(tom, add(w.tier1, w.dave, true));
    assert_eq!((d.rule, d.reason), outside, "Dave, in Field Services");
    // Left in no group by the master administrator, Bob is not Tom's to take back.
    w.ok(mia, add(w.tier1, w.bob, false));
    let d = w.denied(tom, add(w.tier1, w.bob, true));
    assert_eq!((d.rule, d.reason), outside, "Bob, in no group");
    w.ok(mia, add(w.tier1, gus, true));
    w.ok(tom, add(w.tier1, gus, false));
    // Once in a group, an account is no longer its creator's to take back when left in none.
    w.ok(mia, add(w.tier1, finn, false));
    let d = w.denied(tom, add(w.tier1, finn, true));
    assert_eq!((d.rule, d.reason), outside, "Finn, his once");
}

/// G1: a lock set by a master administrator above a group still binds it after an administrator
/// moves it; only a master administrator may move it out from under the lock.
#[test]
fn g1_an_administrator_never_moves_a_group_out_from_under_a_lock() {
    let mut w = World::new();
    let (mia, tom) = (tech(w.mia), tech(w.tom));
    w.ok(
        mia,
        Command::Admin(AdminCommand::LockPermission {
            team: w.tier1,
            key: PermissionKey::Flag(Permission::RemoteControl),
            locked: true,
        }),
    );
    let events = w.ok(
        tom,
        Command::Admin(AdminCommand::CreateTeam {
            parent: Some(w.tier1),
            name: "Night shift".into(),
            description: String::new(),
        }),
    );
    let Event::TeamCreated { team: night } = &events[0] else {
        panic!("{events:?}")
    };
    let to_tier2 = Command::Admin(AdminCommand::MoveTeam {
        team: night.id,
        parent: Some(w.tier2),
    });
    let d = w.denied(tom, to_tier2.clone());
    assert_eq!((d.rule, d.reason), (Rule::G1, Reason::Locked));
    w.ok(mia, to_tier2);
}

/// X6: under "approved only", the menu offers Invite External only while someone approved for
/// the technician is left; people approved for another group do not count (A3: the menu and
/// the command agree).
#[test]
fn x6_people_approved_for_another_group_leave_the_menu_greyed() {
    let mut w = World::new();
    for team in [w.tier1, w.tier2] {
        w.ok(
            tech(w.mia),
            Command::Admin(AdminCommand::SetPermission {
                team,
                grant: PermissionGrant::ExternalScope(ExternalScope::ApprovedOnly),
            }),
        );
    }
    w.ok(
        tech(w.tom),
        Command::Admin(AdminCommand::AddApprovedExternal {
            name: "Val".into(),
            email: "val@vendor.example".into(),
            team: Some(w.tier2),
        }),
    );
    let s = w.session_owned_by(w.alice);
    let invite = w.action(tech(w.alice), s, Action::InviteExternal);
    let denial = invite.denial.expect("greyed");
    assert_eq!(
        (denial.rule, denial.reason),
        (Rule::X6, Reason::NoApprovedExternal)
    );
    let carols = w.session_owned_by(w.carol);
    assert!(
        w.action(tech(w.carol), carols, Action::InviteExternal)
            .denial
            .is_none()
    );
}

/// G1 (issue 26): a lock holds for the locked group's technicians whatever other groups they
/// are in, and for every group created or moved under it. The attack: the master switches the
/// shell off in Tier 1 and locks it; an administrator below Support puts Tier 1's Alice in a
/// group of his with the shell on, or moves such a group into Tier 1.
#[test]
fn g1_a_lock_holds_over_every_group_of_a_technician_and_every_group_moved_under_it() {
    let mut w = World::new();
    let (mia, tom) = (tech(w.mia), tech(w.tom));
    for team in [w.support, w.tier1, w.tier2] {
        w.set(team, Permission::CommandShell, true);
    }
    let s = w.session_owned_by(w.alice);
    assert!(w.action(tech(w.alice), s, Action::CommandShell).enabled());
    w.set(w.tier1, Permission::CommandShell, false);
    w.ok(
        mia,
        Command::Admin(AdminCommand::LockPermission {
            team: w.tier1,
            key: PermissionKey::Flag(Permission::CommandShell),
            locked: true,
        }),
    );
    // A sibling group of Tom's with the shell on, and Alice in it too.
    let night = w.team(tom, Some(w.support), "Night shift");
    w.ok(
        tom,
        Command::Admin(AdminCommand::SetTeamMember {
            team: night,
            technician: w.alice,
            member: true,
        }),
    );
    assert!(
        w.state.teams[&night]
            .permissions
            .has(Permission::CommandShell)
    );
    let shell = Command::StartShell { session: s };
    let d = w.denied(tech(w.alice), shell.clone());
    assert_eq!(
        d.reason,
        Reason::NotPermitted(Permission::CommandShell),
        "{d}"
    );
    assert!(!w.action(tech(w.alice), s, Action::CommandShell).enabled());
    // Carol (Tier 2, shell on) in a group Tom then moves into Tier 1: the lock reaches her there
    // too, and the moved group grants what the lock says.
    let escalations = w.team(tom, Some(w.tier2), "Escalations");
    w.ok(
        tom,
        Command::Admin(AdminCommand::SetTeamMember {
            team: escalations,
            technician: w.carol,
            member: true,
        }),
    );
    let carols = w.session_owned_by(w.carol);
    assert!(
        w.action(tech(w.carol), carols, Action::CommandShell)
            .enabled()
    );
    w.ok(
        tom,
        Command::Admin(AdminCommand::MoveTeam {
            team: escalations,
            parent: Some(w.tier1),
        }),
    );
    let moved = &w.state.teams[&escalations];
    assert!(
        !w.state
            .team_permissions(moved)
            .has(Permission::CommandShell)
    );
    assert_eq!(
        w.denied(tech(w.carol), Command::StartShell { session: carols })
            .reason,
        Reason::NotPermitted(Permission::CommandShell)
    );
    // Bob, in Tier 1 alone, was never allowed; unlocked, the union holds again for Alice.
    w.ok(
        mia,
        Command::Admin(AdminCommand::LockPermission {
            team: w.tier1,
            key: PermissionKey::Flag(Permission::CommandShell),
            locked: false,
        }),
    );
    assert!(w.action(tech(w.alice), s, Action::CommandShell).enabled());
    // A lock with the permission on holds too: a group below cannot switch it off for its own.
    w.set(w.tier1, Permission::RemoteControl, true);
    w.ok(
        mia,
        Command::Admin(AdminCommand::LockPermission {
            team: w.tier1,
            key: PermissionKey::Flag(Permission::RemoteControl),
            locked: true,
        }),
    );
    assert!(
        w.state
            .team_permissions(&w.state.teams[&escalations])
            .has(Permission::RemoteControl)
    );
}

/// G1, X2 (issue 26): a security policy an administrator makes serves the groups they manage,
/// like their approved external users: Tom's policy for Tier 2 is offered to Carol (Tier 2) and
/// not to Alice (Tier 1), is not in Alice's view, and Tom cannot make one for everyone.
#[test]
fn g1_a_policy_made_for_a_group_serves_only_that_groups_technicians() {
    let mut w = World::new();
    let tom = tech(w.tom);
    let denial = w.denied(
        tom,
        Command::Admin(AdminCommand::CreateSecurityPolicy {
            name: "Vendor".into(),
            description: "Sees the screen".into(),
            permissions: PermissionSet::with([Permission::DesktopViewing]),
            team: None,
        }),
    );
    assert_eq!(
        (denial.rule, denial.reason),
        (Rule::G1, Reason::OutsideAdminScope)
    );
    let events = w.ok(
        tom,
        Command::Admin(AdminCommand::CreateSecurityPolicy {
            name: "Vendor".into(),
            description: "Sees the screen".into(),
            permissions: PermissionSet::with([Permission::DesktopViewing]),
            team: Some(w.tier2),
        }),
    );
    let Event::SecurityPolicyCreated { policy } = &events[0] else {
        panic!("{events:?}")
    };
    let vendor = policy.id;
    let offered = |w: &World, who: TechnicianId, s: SessionId| {
        w.state
            .targets(tech(who), s, Action::InviteExternal, w.now)
            .contains(&Target::Policy(vendor))
    };
    let carols = w.session_owned_by(w.carol);
    let alices = w.session_owned_by(w.alice);
    assert!(offered(&w, w.carol, carols));
    assert!(!offered(&w, w.alice, alices));
    assert!(
        w.state
            .targets(tech(w.alice), alices, Action::InviteExternal, w.now)
            .contains(&Target::Policy(w.view_only)),
        "the organisation's own policies still serve everyone"
    );
    assert!(!w.state.view_for(w.alice).policies.contains_key(&vendor));
    assert!(w.state.view_for(w.carol).policies.contains_key(&vendor));
}
