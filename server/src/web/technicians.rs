//! Technicians (issue 16): the accounts, their roles and groups; a new account with its first
//! password (which the rules engine never sees: `accounts::create_account`, as the API's), and
//! membership of groups (G2, G1: administrators only in groups below theirs). Each form is
//! greyed with the engine's reason where it would be refused (A3).
use super::pages::{forged_form, now, page, run_then};
use super::session::WebSession;
use super::tree::Allowed;
use crate::accounts::create_account;
use crate::appliance::Appliance;
use crate::error::ApiError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::sync::Arc;
use tandem_core::domain::{
    Actor, AdminCommand, Command, Event, Participant, QueueRef, Role, SessionStatus,
    State as Domain, TeamId, TechnicianId,
};

/// A group a technician could belong to, and whether this administrator may change that.
#[derive(Debug)]
pub struct Membership {
    team: u64,
    name: String,
    /// "Nina Night in Tier 1", as the switch is read aloud.
    subject: String,
    member: bool,
    change: Allowed,
}

/// A technician as listed.
#[derive(Debug)]
pub struct TechnicianRow {
    id: u64,
    name: String,
    email: String,
    role: String,
    groups: Vec<Membership>,
    /// May sign in.
    enabled: bool,
    /// Disabling or enabling it, signing it out everywhere, a new password: whether this
    /// administrator may, or why not.
    toggle: Allowed,
    sign_out: Allowed,
    reset: Allowed,
    /// What disabling it now would do to the sessions it is in, if anything.
    disabling: Option<String>,
}

/// The technicians page.
#[derive(Debug, Template)]
#[template(path = "technicians.html")]
struct TechniciansPage {
    name: String,
    csrf: String,
    technicians: Vec<TechnicianRow>,
    /// Roles offered for a new account: form value and how it reads.
    roles: Vec<(String, String)>,
    create: Allowed,
}

fn role_text(state: &Domain, role: Role) -> String {
    match role {
        Role::Technician => "Technician".into(),
        Role::MasterAdministrator => "Master administrator".into(),
        Role::Administrator { team } => format!(
            "Administrator of the groups below {}",
            state.teams.get(&team).map_or("?", |t| t.name.as_str())
        ),
    }
}

/// What disabling the account would do to the sessions it is in, from the events the engine
/// would commit (so the page never guesses), or nothing when it is in none (or may not be
/// disabled by this administrator).
fn disabling_effect(state: &Domain, actor: Actor, technician: TechnicianId) -> Option<String> {
    let command = Command::Admin(AdminCommand::SetTechnicianEnabled {
        technician,
        enabled: false,
    });
    let events = state.plan(actor, &command, now()).ok()?;
    let count = |kind: &dyn Fn(&Event) -> bool| events.iter().filter(|e| kind(e)).count();
    let to = |team: bool| move |e: &Event| matches!(e, Event::SessionReleased { queue, .. } if matches!(queue, QueueRef::Team(_)) == team);
    let to_team = count(&to(true));
    let to_colleague = count(&to(false));
    let ended = count(&|e| matches!(e, Event::SessionEnded { .. }));
    let left = count(
        &|e| matches!(e, Event::MemberLeft { member: Participant::Technician(t), .. } if *t == technician),
    );
    let out = count(&|e| {
        matches!(
            e,
            Event::MemberLeft {
                member: Participant::External(_),
                ..
            }
        )
    });
    let sessions = |n: usize| format!("{n} session{}", if n == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    if to_team > 0 {
        parts.push(format!(
            "hands {} back to a team's queue",
            sessions(to_team)
        ));
    }
    if to_colleague > 0 {
        let n = sessions(to_colleague);
        parts.push(format!("hands {n} to a colleague in it"));
    }
    if ended > 0 {
        parts.push(format!("ends {} nobody else can take", sessions(ended)));
    }
    if left > 0 {
        parts.push(format!("takes them out of {} they shared", sessions(left)));
    }
    if out > 0 {
        let people = if out == 1 {
            "external user"
        } else {
            "external users"
        };
        parts.push(format!("logs out {out} {people}"));
    }
    (!parts.is_empty()).then(|| format!("Disabling the account now {}.", parts.join(", ")))
}

/// `GET /admin/technicians`
pub async fn technicians(State(appliance): State<Arc<Appliance>>, session: WebSession) -> Response {
    let state = appliance.state().await;
    let actor = Actor::Technician(session.technician);
    let name = session.name_in(&state);
    let mut teams: Vec<_> = state.teams.values().collect();
    teams.sort_by_key(|t| t.name.to_lowercase());
    let may = |command: AdminCommand| Allowed::of(&state, actor, &Command::Admin(command), now());
    // Who is in a live session or has one waiting: only their disabling does more than sign out.
    let involved: BTreeSet<TechnicianId> = state
        .sessions
        .values()
        .filter(|s| s.is_live())
        .flat_map(|s| {
            let waiting = match s.status {
                SessionStatus::Queued(QueueRef::Personal(t)) => Some(t),
                _ => None,
            };
            s.owner
                .into_iter()
                .chain(waiting)
                .chain(s.members.iter().copied())
        })
        .collect();
    let mut rows: Vec<TechnicianRow> = state
        .technicians
        .values()
        .map(|t| TechnicianRow {
            id: t.id.0,
            name: t.name.clone(),
            email: t.email.clone(),
            role: role_text(&state, t.role),
            enabled: t.enabled,
            toggle: may(AdminCommand::SetTechnicianEnabled {
                technician: t.id,
                enabled: !t.enabled,
            }),
            disabling: (t.enabled && involved.contains(&t.id))
                .then(|| disabling_effect(&state, actor, t.id))
                .flatten(),
            sign_out: may(AdminCommand::SignOutEverywhere { technician: t.id }),
            reset: may(AdminCommand::ResetPassword { technician: t.id }),
            groups: teams
                .iter()
                .map(|team| {
                    let member = team.members.contains(&t.id);
                    let command = Command::Admin(AdminCommand::SetTeamMember {
                        team: team.id,
                        technician: t.id,
                        member: !member,
                    });
                    Membership {
                        team: team.id.0,
                        name: team.name.clone(),
                        subject: format!("{} in {}", t.name, team.name),
                        member,
                        change: Allowed::of(&state, actor, &command, now()),
                    }
                })
                .collect(),
        })
        .collect();
    rows.sort_by_key(|r| r.name.to_lowercase());
    let mut roles = vec![("technician".to_owned(), "Technician".to_owned())];
    roles.extend(teams.iter().map(|t| {
        (
            format!("administrator:{}", t.id.0),
            format!("Administrator of the groups below {}", t.name),
        )
    }));
    roles.push(("master".into(), "Master administrator".into()));
    let create = Allowed::of(
        &state,
        actor,
        &Command::Admin(AdminCommand::CreateTechnician {
            name: "New technician".into(),
            email: "new.technician@example.invalid".into(),
            role: Role::Technician,
        }),
        now(),
    );
    page(
        StatusCode::OK,
        &TechniciansPage {
            name,
            csrf: session.csrf.clone(),
            technicians: rows,
            roles,
            create,
        },
    )
}

/// The new account form's fields.
#[derive(Debug, Deserialize)]
pub struct NewTechnicianForm {
    csrf: String,
    name: String,
    email: String,
    role: String,
    password: String,
}

/// `technician`, `administrator:<team>` or `master`.
fn parse_role(value: &str) -> Option<Role> {
    match value {
        "technician" => Some(Role::Technician),
        "master" => Some(Role::MasterAdministrator),
        other => other
            .strip_prefix("administrator:")?
            .parse()
            .ok()
            .map(|id| Role::Administrator { team: TeamId(id) }),
    }
}

/// `POST /admin/technicians`
pub async fn create_technician(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Form(form): Form<NewTechnicianForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged_form();
    }
    let Some(role) = parse_role(&form.role) else {
        return page(
            StatusCode::BAD_REQUEST,
            &super::pages::refused("No such role.".into()),
        );
    };
    let created = create_account(
        &appliance,
        session.technician,
        &form.name,
        &form.email,
        role,
        &form.password,
    )
    .await;
    account_outcome(created.map(|_| ()))
}

/// The membership form's fields.
#[derive(Debug, Deserialize)]
pub struct MembershipForm {
    csrf: String,
    team: u64,
    member: bool,
}

/// `POST /admin/technicians/{technician}/groups`
pub async fn set_membership(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Path(technician): Path<u64>,
    Form(form): Form<MembershipForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged_form();
    }
    let command = AdminCommand::SetTeamMember {
        team: TeamId(form.team),
        technician: TechnicianId(technician),
        member: form.member,
    };
    run_then(&appliance, &session, command, "/admin/technicians").await
}

/// The enable or disable form's fields.
#[derive(Debug, Deserialize)]
pub struct EnabledForm {
    csrf: String,
    enabled: bool,
}

/// `POST /admin/technicians/{technician}/enabled`
pub async fn set_enabled(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Path(technician): Path<u64>,
    Form(form): Form<EnabledForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged_form();
    }
    let command = AdminCommand::SetTechnicianEnabled {
        technician: TechnicianId(technician),
        enabled: form.enabled,
    };
    run_then(&appliance, &session, command, "/admin/technicians").await
}

/// A form that carries nothing but its token.
#[derive(Debug, Deserialize)]
pub struct TokenOnly {
    csrf: String,
}

/// `POST /admin/technicians/{technician}/sign-out`
pub async fn sign_out_everywhere(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Path(technician): Path<u64>,
    Form(form): Form<TokenOnly>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged_form();
    }
    let command = AdminCommand::SignOutEverywhere {
        technician: TechnicianId(technician),
    };
    run_then(&appliance, &session, command, "/admin/technicians").await
}

/// The new password form's fields.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    csrf: String,
    password: String,
}

/// `POST /admin/technicians/{technician}/password`
pub async fn reset_password(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Path(technician): Path<u64>,
    Form(form): Form<PasswordForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged_form();
    }
    let reset = crate::accounts::reset_password(
        &appliance,
        session.technician,
        TechnicianId(technician),
        &form.password,
    )
    .await;
    account_outcome(reset.map(|_| ()))
}

/// Back to the technicians, or the reason a change to an account was refused.
fn account_outcome(outcome: Result<(), ApiError>) -> Response {
    let refused = |status: StatusCode, reason: String| page(status, &super::pages::refused(reason));
    match outcome {
        Ok(()) => Redirect::to("/admin/technicians").into_response(),
        Err(e @ ApiError::Command(tandem_core::domain::CommandError::NotFound { .. })) => {
            refused(StatusCode::NOT_FOUND, e.to_string())
        }
        Err(e @ ApiError::Command(_)) => refused(StatusCode::FORBIDDEN, e.to_string()),
        Err(e @ ApiError::BadRequest(_)) => refused(StatusCode::BAD_REQUEST, e.to_string()),
        Err(e) => refused(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_read_from_the_form() {
        assert_eq!(parse_role("technician"), Some(Role::Technician));
        assert_eq!(parse_role("master"), Some(Role::MasterAdministrator));
        assert_eq!(
            parse_role("administrator:4"),
            Some(Role::Administrator { team: TeamId(4) })
        );
        assert_eq!(parse_role("administrator:x"), None);
        assert_eq!(parse_role("root"), None);
    }
}
