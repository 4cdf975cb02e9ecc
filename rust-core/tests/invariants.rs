//! Property tests: random command sequences by random actors, starting from the fixture
//! organisation, must keep the product's invariants after every step, and the flyout menu must
//! agree exactly with what the commands accept (A3).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use proptest::prelude::*;
use std::collections::BTreeSet;
use support::*;
use tandem_core::domain::*;

/// How many random sequences each property runs. Each sequence has up to `MAX_STEPS` steps.
const CASES: u32 = 1000;
const MAX_STEPS: usize = 80;

/// One random step. Small numbers pick among whatever exists when the step runs, so most steps
/// name real sessions, people and invitations.
#[derive(Debug, Clone)]
enum Step {
    Arrive {
        queue: u8,
        platform: u8,
        mode: u8,
    },
    TakeFromQueue {
        who: u8,
        session: u8,
    },
    Act {
        who: u8,
        session: u8,
        action: u8,
        target: u8,
    },
    Answer {
        session: u8,
        prompt: u8,
        accepted: bool,
    },
    Respond {
        who: u8,
        invitation: u8,
        accept: bool,
    },
    Redeem {
        invitation: u8,
    },
    Presence {
        who: u8,
        logged_in: bool,
        extended: bool,
    },
    Grant {
        team: u8,
        permission: u8,
        on: bool,
    },
    Scopes {
        team: u8,
        narrow: bool,
    },
    Enable {
        team: u8,
        on: bool,
    },
    /// Mia (master) locks or unlocks a permission of a group as it stands (G1).
    Lock {
        team: u8,
        permission: u8,
        locked: bool,
    },
    /// Mia or Tom (an administrator below Support) puts a technician in a group or takes them
    /// out: with the union of groups, the way around a lock issue 26 found.
    Member {
        admin: bool,
        who: u8,
        team: u8,
        member: bool,
    },
    /// Mia or Tom moves a group under another.
    Move {
        admin: bool,
        team: u8,
        parent: u8,
    },
    Account {
        who: u8,
        enabled: bool,
    },
    Jump {
        who: u8,
        jump_client: u8,
    },
    Button {
        button: u8,
    },
    Later {
        minutes: u16,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(queue, platform, mode)| Step::Arrive { queue, platform, mode }),
        3 => (any::<u8>(), any::<u8>()).prop_map(|(who, session)| Step::TakeFromQueue { who, session }),
        10 => (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(who, session, action, target)| Step::Act { who, session, action, target }),
        3 => (any::<u8>(), any::<u8>(), any::<bool>()).prop_map(|(session, prompt, accepted)| Step::Answer { session, prompt, accepted }),
        3 => (any::<u8>(), any::<u8>(), any::<bool>()).prop_map(|(who, invitation, accept)| Step::Respond { who, invitation, accept }),
        2 => any::<u8>().prop_map(|invitation| Step::Redeem { invitation }),
        1 => (any::<u8>(), any::<bool>(), any::<bool>()).prop_map(|(who, logged_in, extended)| Step::Presence { who, logged_in, extended }),
        1 => (any::<u8>(), any::<u8>(), any::<bool>()).prop_map(|(team, permission, on)| Step::Grant { team, permission, on }),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(team, narrow)| Step::Scopes { team, narrow }),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(team, on)| Step::Enable { team, on }),
        1 => (any::<u8>(), any::<u8>(), any::<bool>()).prop_map(|(team, permission, locked)| Step::Lock { team, permission, locked }),
        1 => (any::<bool>(), any::<u8>(), any::<u8>(), any::<bool>()).prop_map(|(admin, who, team, member)| Step::Member { admin, who, team, member }),
        1 => (any::<bool>(), any::<u8>(), any::<u8>()).prop_map(|(admin, team, parent)| Step::Move { admin, team, parent }),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(who, enabled)| Step::Account { who, enabled }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(who, jump_client)| Step::Jump { who, jump_client }),
        1 => any::<u8>().prop_map(|button| Step::Button { button }),
        1 => any::<u16>().prop_map(|minutes| Step::Later { minutes: minutes % 180 }),
    ]
}

fn pick<T: Copy>(items: &[T], n: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[usize::from(n) % items.len()])
}

/// Mostly (three times in four) pick from the likely candidates, otherwise from everything, so
/// that sequences go deep into sessions while refusals are still exercised.
fn biased<T: Copy>(likely: &[T], everything: &[T], n: u8) -> Option<T> {
    if !n.is_multiple_of(4) && !likely.is_empty() {
        pick(likely, n / 4)
    } else {
        pick(everything, n / 4)
    }
}

/// The people inside a session, as actors.
fn insiders(w: &World, s: SessionId) -> Vec<Actor> {
    let session = &w.state.sessions[&s];
    // The owner twice: most menu actions are theirs.
    let mut all: Vec<Actor> = session
        .owner
        .iter()
        .chain(&session.owner)
        .chain(&session.members)
        .map(|t| Actor::Technician(*t))
        .collect();
    all.extend(session.externals.keys().map(|e| Actor::External(*e)));
    if session.customer.connected {
        all.push(Actor::Customer(s));
    }
    all
}

fn active_sessions(w: &World) -> Vec<SessionId> {
    w.state
        .sessions
        .values()
        .filter(|s| s.status == SessionStatus::Active)
        .map(|s| s.id)
        .collect()
}

fn technicians(w: &World) -> Vec<TechnicianId> {
    w.state.technicians.keys().copied().collect()
}

fn sessions(w: &World) -> Vec<SessionId> {
    w.state.sessions.keys().copied().collect()
}

/// Everyone who could press a button in a session's menu: technicians, external users of any
/// session, and that session's customer.
fn actors(w: &World, s: SessionId) -> Vec<Actor> {
    let mut all: Vec<Actor> = technicians(w).into_iter().map(Actor::Technician).collect();
    for session in w.state.sessions.values() {
        all.extend(session.externals.keys().map(|e| Actor::External(*e)));
    }
    all.push(Actor::Customer(s));
    all
}

/// Every target a targeted action could name, whether or not the engine would offer it.
fn universe(w: &World, s: SessionId, action: Action) -> Vec<Target> {
    let techs = technicians(w);
    let teams: Vec<TeamId> = w.state.teams.keys().copied().collect();
    match action {
        Action::TransferToTeam | Action::ShareAnyRepresentative => {
            teams.into_iter().map(Target::Team).collect()
        }
        Action::TransferToTechnician | Action::ShareWithTechnician => {
            techs.into_iter().map(Target::Technician).collect()
        }
        Action::RequestHelp => w.state.issues.keys().map(|i| Target::Issue(*i)).collect(),
        Action::InviteExternal => w
            .state
            .policies
            .keys()
            .map(|p| Target::Policy(*p))
            .collect(),
        // A cancellation names only the invitation; its session is the invitation's own.
        Action::CancelInvitation => w
            .state
            .invitations
            .values()
            .filter(|i| i.session == s)
            .map(|i| Target::Invitation(i.id))
            .collect(),
        Action::RemoveMember => {
            let mut all: Vec<Participant> =
                techs.into_iter().map(Participant::Technician).collect();
            for session in w.state.sessions.values() {
                all.extend(session.externals.keys().map(|e| Participant::External(*e)));
            }
            all.push(Participant::Customer);
            all.into_iter().map(Target::Participant).collect()
        }
        Action::DeploySupportButton => teams
            .into_iter()
            .map(QueueRef::Team)
            .chain(techs.into_iter().map(QueueRef::Personal))
            .map(Target::Queue)
            .collect(),
        Action::PinJumpClient => techs
            .into_iter()
            .map(JumpLocation::Personal)
            .chain(w.state.jump_groups.keys().map(|g| JumpLocation::Group(*g)))
            .map(Target::JumpLocation)
            .collect(),
        _ => vec![],
    }
}

/// The commands that carry out an action on a target. Several for an external invitation: the
/// invitee is a parameter beside the policy, and any one accepted form counts.
fn commands(
    w: &World,
    s: SessionId,
    action: Action,
    target: Option<Target>,
    serial: u64,
) -> Vec<Command> {
    let session = &w.state.sessions[&s];
    let one = |c| vec![c];
    match (action, target) {
        (Action::SendChat, _) => one(Command::SendChat {
            session: s,
            text: "hello".into(),
        }),
        (Action::ToggleChat, _) => one(Command::SetChat {
            session: s,
            enabled: !session.chat_enabled,
        }),
        (Action::PinChat, _) => {
            let pinned = |t| session.chat_pinned.contains(&t);
            // The command a given technician would send: the opposite of their own pin.
            one(Command::SetChatPinned {
                session: s,
                pinned: !session.owner.is_some_and(pinned),
            })
        }
        (Action::ViewScreen, _) => one(Command::StartScreen {
            session: s,
            control: false,
        }),
        (Action::ControlScreen, _) => one(Command::StartScreen {
            session: s,
            control: true,
        }),
        (Action::CommandShell, _) => one(Command::StartShell { session: s }),
        (Action::SystemInfo, _) => one(Command::ViewSystemInfo { session: s }),
        (Action::UpgradeToFullClient, _) => one(Command::UpgradeToFullClient { session: s }),
        (Action::ElevatePromptCustomer, _) => one(Command::Elevate {
            session: s,
            method: ElevationMethod::PromptCustomer,
        }),
        (Action::ElevateProvideCredentials, _) => one(Command::Elevate {
            session: s,
            method: ElevationMethod::ProvideCredentials,
        }),
        (Action::TransferToTeam, Some(Target::Team(team))) => {
            one(Command::TransferToTeam { session: s, team })
        }
        (Action::TransferToTechnician, Some(Target::Technician(technician))) => {
            one(Command::TransferToTechnician {
                session: s,
                technician,
            })
        }
        (Action::ShareWithTechnician, Some(Target::Technician(technician))) => {
            one(Command::InviteTechnician {
                session: s,
                technician,
            })
        }
        (Action::ShareAnyRepresentative, Some(Target::Team(team))) => {
            one(Command::InviteAnyRepresentative { session: s, team })
        }
        (Action::RequestHelp, Some(Target::Issue(issue))) => {
            one(Command::RequestHelp { session: s, issue })
        }
        (Action::InviteExternal, Some(Target::Policy(policy))) => {
            let fresh = ExternalInvitee::Anyone {
                name: format!("Guest {serial}"),
                email: Some(format!("g{serial}@x.example")),
            };
            std::iter::once(fresh)
                .chain(
                    w.state
                        .approved_externals
                        .keys()
                        .map(|p| ExternalInvitee::Approved(*p)),
                )
                .map(|invitee| Command::InviteExternal {
                    session: s,
                    policy,
                    invitee,
                    comments: "help".into(),
                })
                .collect()
        }
        (Action::CancelInvitation, Some(Target::Invitation(invitation))) => {
            one(Command::CancelInvitation { invitation })
        }
        (Action::RemoveMember, Some(Target::Participant(member))) => {
            one(Command::RemoveMember { session: s, member })
        }
        (Action::DeploySupportButton, Some(Target::Queue(queue))) => {
            let profile = w
                .state
                .button_profiles
                .keys()
                .next()
                .copied()
                .unwrap_or(ButtonProfileId(0));
            one(Command::DeploySupportButton {
                session: s,
                name: "Help".into(),
                expires_at: w.now.plus_millis(HOUR),
                profile,
                queue,
            })
        }
        (Action::RemoveSupportButton, _) => one(Command::RemoveSupportButton { session: s }),
        (Action::PinJumpClient, Some(Target::JumpLocation(location))) => {
            one(Command::PinJumpClient {
                session: s,
                location,
            })
        }
        (Action::UnpinJumpClient, _) => one(Command::UnpinJumpClient { session: s }),
        (Action::EndSession, _) => one(Command::EndSession { session: s }),
        (Action::HoldSession, _) => one(Command::HoldSession { session: s }),
        (Action::LeaveSession, _) => one(Command::LeaveSession { session: s }),
        _ => vec![],
    }
}

/// A3 exactly: an action is enabled when, and only when, some command carrying it out is
/// accepted; the offered targets are exactly the accepted ones; and when the action's own
/// preconditions fail, every such command is refused with the very reason the menu shows.
fn assert_menu_agrees(w: &World, actor: Actor, s: SessionId) {
    let menu = w.state.available_actions(actor, s, w.now);
    for line in &menu {
        let action = line.action;
        let pinned_fix = |mut cmds: Vec<Command>| {
            // PinChat flips the asking technician's own pin.
            if let (Action::PinChat, Actor::Technician(t)) = (action, actor) {
                let pinned = w.state.sessions[&s].chat_pinned.contains(&t);
                cmds = vec![Command::SetChatPinned {
                    session: s,
                    pinned: !pinned,
                }];
            }
            cmds
        };
        let targets: Vec<Option<Target>> = if action.is_targeted() {
            universe(w, s, action).into_iter().map(Some).collect()
        } else {
            vec![None]
        };
        let mut accepted_targets = BTreeSet::new();
        let mut outcomes = Vec::new();
        for target in targets {
            for cmd in pinned_fix(commands(w, s, action, target, 0)) {
                let result = w.state.plan(actor, &cmd, w.now);
                if result.is_ok()
                    && let Some(t) = target
                {
                    accepted_targets.insert(t);
                }
                outcomes.push((cmd, result));
            }
        }
        let any_accepted = outcomes.iter().any(|(_, r)| r.is_ok());
        assert_eq!(
            line.enabled(),
            any_accepted,
            "{actor:?} {action:?}: menu says {:?}, commands {outcomes:?}",
            line.denial
        );
        if action.is_targeted() {
            let offered: BTreeSet<Target> = w
                .state
                .targets(actor, s, action, w.now)
                .into_iter()
                .collect();
            assert_eq!(
                offered, accepted_targets,
                "{actor:?} {action:?}: offered targets differ from accepted ones"
            );
        }
        if let Some(denial) = &line.denial {
            let base_refused = !matches!(
                denial.reason,
                Reason::NoTransferTarget
                    | Reason::NoOneToInvite
                    | Reason::NoTeamToInvite
                    | Reason::NoHelpIssue
                    | Reason::NoPolicy
                    | Reason::NothingToCancel
                    | Reason::NoOneToRemove
                    | Reason::QueueNotYours
                    | Reason::NoJumpAccess
            ) || !action.is_targeted();
            if base_refused {
                for (cmd, result) in &outcomes {
                    assert_eq!(
                        result.as_ref().err(),
                        Some(&CommandError::Denied(denial.clone())),
                        "{actor:?} {cmd:?}"
                    );
                }
            }
        }
    }
}

/// The invariants that hold after every step.
fn assert_invariants(w: &World, ended_invitations: &BTreeSet<InvitationId>) {
    // G1 (issue 26): a permission a master administrator locked in a group holds for each of its
    // technicians (and those of the groups below) whatever other groups they are in: switched on
    // exactly when every lock on their groups has it on.
    for t in technicians(w) {
        let has = w.state.permissions_of(t);
        let mut locked: std::collections::BTreeMap<Permission, bool> = Default::default();
        for team in w.state.teams_of(t) {
            for (key, value) in w.state.locks_on(team.id) {
                if let PermissionKey::Flag(p) = key {
                    *locked.entry(p).or_insert(true) &= value.has(p);
                }
            }
        }
        for (p, on) in locked {
            assert_eq!(
                has.has(p),
                on,
                "{t:?} {p:?} is locked {on} in one of their groups"
            );
        }
    }
    // The appliance finds an event's audience from the session and its teams (issue 14): the
    // same technicians as asking every technician.
    for s in w.state.sessions.values() {
        let asked: BTreeSet<_> = technicians(w)
            .into_iter()
            .filter(|t| w.state.sees_session(*t, s))
            .collect();
        assert_eq!(
            w.state.technicians_seeing_session(s),
            asked,
            "session {}",
            s.id
        );
    }
    for i in w.state.invitations.values() {
        let asked: BTreeSet<_> = technicians(w)
            .into_iter()
            .filter(|t| w.state.sees_invitation(*t, i))
            .collect();
        assert_eq!(
            w.state.technicians_seeing_invitation(i),
            asked,
            "invitation {}",
            i.id
        );
    }
    // A console's view finds the technician's teams once (issue 14): it holds exactly the
    // sessions and invitations the technician sees one by one.
    for t in technicians(w) {
        let view = w.state.view_for(t);
        let seen: BTreeSet<_> = w
            .state
            .sessions
            .values()
            .filter(|s| w.state.sees_session(t, s))
            .map(|s| s.id)
            .collect();
        assert_eq!(view.sessions.keys().copied().collect::<BTreeSet<_>>(), seen);
        let seen: BTreeSet<_> = w
            .state
            .invitations
            .values()
            .filter(|i| w.state.sees_invitation(t, i))
            .map(|i| i.id)
            .collect();
        assert_eq!(
            view.invitations.keys().copied().collect::<BTreeSet<_>>(),
            seen
        );
    }
    for s in w.state.sessions.values() {
        // Exactly one owner per active session; none while queued or ended.
        assert_eq!(
            s.status == SessionStatus::Active,
            s.owner.is_some(),
            "session {}: {:?} with owner {:?}",
            s.id,
            s.status,
            s.owner
        );
        if let Some(owner) = s.owner {
            assert!(
                !s.members.contains(&owner),
                "the owner is not also a member"
            );
            assert!(
                w.state.technicians.contains_key(&owner),
                "owners are technicians, never external users"
            );
        }
        if s.status == SessionStatus::Ended {
            assert!(
                s.members.is_empty() && s.externals.is_empty(),
                "nobody stays in an ended session"
            );
        }
        // G1 (ours): a disabled account is in no session and no session waits for it.
        for t in w.state.technicians.values().filter(|t| !t.enabled) {
            assert!(
                !s.has_technician(t.id)
                    && s.status != SessionStatus::Queued(QueueRef::Personal(t.id)),
                "session {} still holds disabled technician {}",
                s.id,
                t.id
            );
        }
        // A question stays only while whoever asked it is in the session (C2, M1, G1).
        for p in s.prompts.values() {
            if let Some(Participant::Technician(t)) = p.by {
                assert!(
                    s.has_technician(t),
                    "session {}: a prompt of {t}, who left",
                    s.id
                );
            }
        }
        // X5: external users leave with the technician who invited them.
        for e in s.externals.values() {
            assert!(
                s.has_technician(e.invited_by),
                "external {} stayed after {} left",
                e.id,
                e.invited_by
            );
        }
    }
    let mut seen = BTreeSet::new();
    for i in w.state.invitations.values().filter(|i| i.is_active(w.now)) {
        // S6/S7: an active invitation's inviter is still the owner of the still active session.
        let s = &w.state.sessions[&i.session];
        assert_eq!(s.status, SessionStatus::Active);
        assert_eq!(
            s.owner,
            Some(i.inviter),
            "invitation {} outlived its inviter's ownership",
            i.id
        );
        // S7: an ended invitation never becomes active again.
        assert!(
            !ended_invitations.contains(&i.id),
            "invitation {} came back",
            i.id
        );
        // S6: at most one active invitation per invited person and session.
        let person = match &i.invitee {
            Invitee::Technician(t) => {
                assert!(
                    w.state.technicians[t].enabled,
                    "invitation {} waits for a disabled technician",
                    i.id
                );
                assert!(
                    !s.has_technician(*t),
                    "an active invitation for someone already in the session"
                );
                Some(format!("t{t}"))
            }
            Invitee::External {
                invitee: ExternalInvitee::Approved(p),
                ..
            } => Some(format!("a{p}")),
            Invitee::External {
                invitee: ExternalInvitee::Anyone { email: Some(e), .. },
                ..
            } => Some(format!("e{}", e.to_lowercase())),
            _ => None,
        };
        if let Some(person) = person {
            assert!(
                seen.insert((i.session, person.clone())),
                "two active invitations for {person} in session {}",
                i.session
            );
        }
    }
}

/// Carry out one step; returns the events of an accepted command.
fn run_step(w: &mut World, step: &Step, serial: u64) -> Option<(Actor, Command, Vec<Event>)> {
    let techs = technicians(w);
    let teams: Vec<TeamId> = w.state.teams.keys().copied().collect();
    let all_sessions = sessions(w);
    let (actor, command) = match *step {
        Step::Arrive {
            queue,
            platform,
            mode,
        } => {
            let queues: Vec<QueueRef> = teams
                .iter()
                .map(|t| QueueRef::Team(*t))
                .chain(techs.iter().map(|t| QueueRef::Personal(*t)))
                .collect();
            let platform = [
                Platform::Windows,
                Platform::MacOs,
                Platform::Linux,
                Platform::Other,
            ][usize::from(platform) % 4];
            let mode = [ClientMode::ClickToChat, ClientMode::Full][usize::from(mode) % 2];
            let name = format!("Customer {}", serial % 5);
            (
                Actor::Guest,
                Command::StartSession {
                    queue: pick(&queues, queue)?,
                    customer: CustomerInfo {
                        name: name.clone(),
                        machine: format!("{name}-pc"),
                        platform,
                        mode,
                    },
                },
            )
        }
        Step::TakeFromQueue { who, session } => {
            let queued: Vec<SessionId> = w
                .state
                .sessions
                .values()
                .filter(|s| matches!(s.status, SessionStatus::Queued(_)))
                .map(|s| s.id)
                .collect();
            let s = biased(&queued, &all_sessions, session)?;
            let able: Vec<TechnicianId> = match w.state.sessions[&s].status {
                SessionStatus::Queued(QueueRef::Personal(t)) => vec![t],
                SessionStatus::Queued(QueueRef::Team(team)) => {
                    w.state.teams[&team].members.iter().copied().collect()
                }
                _ => vec![],
            };
            (
                tech(biased(&able, &techs, who)?),
                Command::AcceptFromQueue { session: s },
            )
        }
        Step::Act {
            who,
            session,
            action,
            target,
        } => {
            let s = biased(&active_sessions(w), &all_sessions, session)?;
            let actor = biased(&insiders(w, s), &actors(w, s), who)?;
            assert_menu_agrees(w, actor, s);
            let enabled: Vec<Action> = w
                .state
                .available_actions(actor, s, w.now)
                .into_iter()
                .filter(|a| a.enabled())
                .map(|a| a.action)
                .collect();
            let action = biased(&enabled, &Action::ALL, action)?;
            let offered = w.state.targets(actor, s, action, w.now);
            let target = if action.is_targeted() {
                Some(biased(&offered, &universe(w, s, action), target)?)
            } else {
                None
            };
            let mut cmds = commands(w, s, action, target, serial);
            if let (Action::PinChat, Actor::Technician(t)) = (action, actor) {
                cmds = vec![Command::SetChatPinned {
                    session: s,
                    pinned: !w.state.sessions[&s].chat_pinned.contains(&t),
                }];
            }
            (actor, cmds.into_iter().next()?)
        }
        Step::Answer {
            session,
            prompt,
            accepted,
        } => {
            let asked: Vec<SessionId> = w
                .state
                .sessions
                .values()
                .filter(|s| !s.prompts.is_empty())
                .map(|s| s.id)
                .collect();
            let s = biased(&asked, &all_sessions, session)?;
            let waiting: Vec<PromptKind> = w.state.sessions[&s].prompts.keys().copied().collect();
            (
                Actor::Customer(s),
                Command::AnswerPrompt {
                    session: s,
                    prompt: pick(&waiting, prompt)?,
                    accepted,
                },
            )
        }
        Step::Respond {
            who,
            invitation,
            accept,
        } => {
            let invitations: Vec<InvitationId> = w.state.invitations.keys().copied().collect();
            let active: Vec<InvitationId> = w
                .state
                .invitations
                .values()
                .filter(|i| i.is_active(w.now))
                .map(|i| i.id)
                .collect();
            let invitation = biased(&active, &invitations, invitation)?;
            let invited: Vec<TechnicianId> = match &w.state.invitations[&invitation].invitee {
                Invitee::Technician(t) => vec![*t],
                Invitee::AnyRepresentative(team) | Invitee::HelpRequest { team, .. } => {
                    w.state.teams[team].members.iter().copied().collect()
                }
                Invitee::External { .. } => vec![],
            };
            // Accept three times as often as decline, so people do join.
            let command = if accept || !who.is_multiple_of(3) {
                Command::AcceptInvitation { invitation }
            } else {
                Command::DeclineInvitation { invitation }
            };
            (tech(biased(&invited, &techs, who)?), command)
        }
        Step::Redeem { invitation } => {
            let invitations: Vec<InvitationId> = w.state.invitations.keys().copied().collect();
            let links: Vec<InvitationId> = w
                .state
                .invitations
                .values()
                .filter(|i| i.is_active(w.now) && matches!(i.invitee, Invitee::External { .. }))
                .map(|i| i.id)
                .collect();
            (
                Actor::Guest,
                Command::RedeemExternal {
                    invitation: biased(&links, &invitations, invitation)?,
                },
            )
        }
        Step::Presence {
            who,
            logged_in,
            extended,
        } => {
            let t = pick(&techs, who)?;
            let _ = w.run(tech(t), Command::SetExtendedAvailability { on: extended });
            (tech(t), Command::SetLoggedIn { logged_in })
        }
        Step::Grant {
            team,
            permission,
            on,
        } => {
            let grant = PermissionGrant::Flag(
                Permission::ALL[usize::from(permission) % Permission::ALL.len()],
                on,
            );
            (
                tech(w.mia),
                Command::Admin(AdminCommand::SetPermission {
                    team: pick(&teams, team)?,
                    grant,
                }),
            )
        }
        Step::Scopes { team, narrow } => {
            let team = pick(&teams, team)?;
            let (scope, external) = if narrow {
                (
                    TeamScope::Teams(BTreeSet::from([team])),
                    ExternalScope::ApprovedOnly,
                )
            } else {
                (TeamScope::Any, ExternalScope::Anyone)
            };
            let _ = w.run(
                tech(w.mia),
                Command::Admin(AdminCommand::SetPermission {
                    team,
                    grant: PermissionGrant::TransferScope(scope.clone()),
                }),
            );
            let _ = w.run(
                tech(w.mia),
                Command::Admin(AdminCommand::SetPermission {
                    team,
                    grant: PermissionGrant::ExternalScope(external),
                }),
            );
            (
                tech(w.mia),
                Command::Admin(AdminCommand::SetPermission {
                    team,
                    grant: PermissionGrant::InviteScope(scope),
                }),
            )
        }
        Step::Enable { team, on } => {
            let t = &w.state.teams[&pick(&teams, team)?];
            (
                tech(w.mia),
                Command::Admin(AdminCommand::UpdateTeam {
                    team: t.id,
                    name: t.name.clone(),
                    description: t.description.clone(),
                    enabled: on,
                }),
            )
        }
        Step::Lock {
            team,
            permission,
            locked,
        } => (
            tech(w.mia),
            Command::Admin(AdminCommand::LockPermission {
                team: pick(&teams, team)?,
                // The shell and remote control (what the menu shows) most of the time.
                key: PermissionKey::Flag(biased(
                    &[Permission::CommandShell, Permission::RemoteControl],
                    &Permission::ALL,
                    permission,
                )?),
                locked,
            }),
        ),
        Step::Member {
            admin,
            who,
            team,
            member,
        } => (
            tech(if admin { w.tom } else { w.mia }),
            Command::Admin(AdminCommand::SetTeamMember {
                team: pick(&teams, team)?,
                technician: pick(&techs, who)?,
                member,
            }),
        ),
        Step::Move {
            admin,
            team,
            parent,
        } => (
            tech(if admin { w.tom } else { w.mia }),
            Command::Admin(AdminCommand::MoveTeam {
                team: pick(&teams, team)?,
                parent: Some(pick(&teams, parent)?),
            }),
        ),
        Step::Account { who, enabled } => (
            tech(w.mia),
            Command::Admin(AdminCommand::SetTechnicianEnabled {
                technician: pick(&techs, who)?,
                enabled,
            }),
        ),
        Step::Jump { who, jump_client } => {
            let clients: Vec<JumpClientId> = w.state.jump_clients.keys().copied().collect();
            (
                tech(pick(&techs, who)?),
                Command::StartJumpSession {
                    jump_client: pick(&clients, jump_client)?,
                },
            )
        }
        Step::Button { button } => {
            let buttons: Vec<&SupportButton> = w.state.support_buttons.values().collect();
            let b = buttons.get(usize::from(button) % buttons.len().max(1))?;
            let customer = CustomerInfo {
                name: "Button user".into(),
                machine: b.machine.clone(),
                platform: Platform::Windows,
                mode: ClientMode::Full,
            };
            (
                Actor::Guest,
                Command::StartSessionFromButton {
                    button: b.id,
                    customer,
                },
            )
        }
        Step::Later { minutes } => {
            w.now = w.now.plus_millis(u64::from(minutes) * 60_000);
            return None;
        }
    };
    let events = w.run(actor, command.clone()).ok()?;
    Some((actor, command, events))
}

fn initial_world() -> World {
    let mut w = World::new();
    // Some approved people, so approved-only scopes can be exercised.
    w.ok(
        tech(w.mia),
        Command::Admin(AdminCommand::AddApprovedExternal {
            name: "Vic".into(),
            email: "vic@vendor.example".into(),
            team: None,
        }),
    );
    // And one approved for Tier 2's technicians only (X6).
    w.ok(
        tech(w.mia),
        Command::Admin(AdminCommand::AddApprovedExternal {
            name: "Val".into(),
            email: "val@vendor.example".into(),
            team: Some(w.tier2),
        }),
    );
    // Sessions already under way, so that sequences start deep inside them: Alice's has Bob as a
    // member, an external user she invited and a pending invitation to Carol.
    let s = w.session_owned_by(w.alice);
    let bob = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.bob,
        },
    ));
    w.ok(tech(w.bob), Command::AcceptInvitation { invitation: bob });
    w.external(s, w.alice, w.full_access, "Sam");
    w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: s,
            technician: w.carol,
        },
    );
    w.session_with(
        w.carol,
        customer("Lou", Platform::Linux, ClientMode::ClickToChat),
    );
    w.arrive(
        QueueRef::Team(w.tier1),
        customer("Ada", Platform::MacOs, ClientMode::Full),
    );
    w
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: CASES,
        max_shrink_iters: 4000,
        // Failures print their minimal sequence; nothing is written into the source tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Every invariant holds after every step of a random sequence, and the menu agrees with the
    /// commands for whoever acted.
    #[test]
    fn invariants_hold_after_every_step(steps in prop::collection::vec(step(), 1..MAX_STEPS)) {
        let mut w = initial_world();
        let mut ended = BTreeSet::new();
        for (serial, step) in (0u64..).zip(&steps) {
            let jump_clients_before = w.state.jump_clients.clone();
            if let Some((actor, command, events)) = run_step(&mut w, step, serial) {
                for e in &events {
                    if let Event::InvitationEnded { invitation, .. } = e {
                        ended.insert(*invitation);
                    }
                    // X5: an external user never becomes owner.
                    if let Event::SessionAccepted { .. } = e {
                        prop_assert!(!matches!(actor, Actor::External(_)));
                    }
                }
                // J1: only unpinning removes a jump client; End never does.
                let removed = jump_clients_before.keys().any(|j| !w.state.jump_clients.contains_key(j));
                prop_assert!(!removed || matches!(command, Command::UnpinJumpClient { .. }), "{command:?} removed a jump client");
            }
            assert_invariants(&w, &ended);
        }
    }

    /// The menu agrees with the commands for every person in every session, at the end of a
    /// random sequence.
    #[test]
    fn available_actions_match_accepted_commands_for_everyone(steps in prop::collection::vec(step(), 1..MAX_STEPS)) {
        let mut w = initial_world();
        for (serial, step) in (0u64..).zip(&steps) {
            run_step(&mut w, step, serial);
        }
        for s in sessions(&w) {
            for actor in actors(&w, s) {
                assert_menu_agrees(&w, actor, s);
            }
        }
    }
}
