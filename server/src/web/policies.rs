//! Security policies for external users (X2): each with a name, a full description and the
//! tools it allows at most (G4). Created through the rules engine; the form is greyed with the
//! engine's reason for whoever may not (A3).
use super::pages::{forged_form, now, page, run_then};
use super::session::WebSession;
use super::tree::Allowed;
use crate::appliance::Appliance;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::Arc;
use tandem_core::domain::{Actor, AdminCommand, Command, Permission, PermissionSet, TeamId};

/// A policy as listed.
#[derive(Debug)]
pub struct PolicyRow {
    /// The group it serves, or the whole organisation.
    group: String,
    name: String,
    description: String,
    permissions: Vec<String>,
}

/// The policies page.
#[derive(Debug, Template)]
#[template(path = "policies.html")]
struct PoliciesPage {
    name: String,
    csrf: String,
    policies: Vec<PolicyRow>,
    /// Each permission's form name and how it reads.
    choices: Vec<(String, String)>,
    /// The groups a policy may serve: (id, name), empty for "the whole organisation".
    groups: Vec<(String, String)>,
    create: Allowed,
}

/// A checkbox's name for a permission.
fn choice(p: Permission) -> String {
    format!("allow-{p:?}")
}

/// `GET /admin/policies`
pub async fn policies(State(appliance): State<Arc<Appliance>>, session: WebSession) -> Response {
    let state = appliance.state().await;
    let actor = Actor::Technician(session.technician);
    let name = session.name_in(&state);
    // G1 (issue 26): an administrator sees the policies of their groups and the organisation's;
    // a master administrator, every one.
    let home = match state.technicians.get(&session.technician).map(|t| t.role) {
        Some(tandem_core::domain::Role::Administrator { team }) => Some(team),
        _ => None,
    };
    let mine = |p: &&tandem_core::domain::SecurityPolicy| {
        home.is_none_or(|home| p.team.is_none_or(|t| state.is_within(t, home)))
    };
    let group = |team: Option<TeamId>| {
        team.and_then(|t| state.teams.get(&t))
            .map_or_else(|| "The whole organisation".to_owned(), |t| t.name.clone())
    };
    let mut policies: Vec<PolicyRow> = state
        .policies
        .values()
        .filter(mine)
        .map(|p| PolicyRow {
            group: group(p.team),
            name: p.name.clone(),
            description: p.description.clone(),
            permissions: Permission::ALL
                .iter()
                .filter(|x| p.permissions.has(**x))
                .map(|x| super::tree::label(*x))
                .collect(),
        })
        .collect();
    policies.sort_by_key(|p| p.name.to_lowercase());
    let create = Allowed::of(
        &state,
        actor,
        &Command::Admin(AdminCommand::CreateSecurityPolicy {
            name: "New policy".into(),
            description: "A policy".into(),
            permissions: PermissionSet::with([]),
            // Planned as the form goes: for the first group an administrator manages.
            team: home.and_then(|home| {
                state
                    .teams
                    .values()
                    .find(|t| t.parent == Some(home))
                    .map(|t| t.id)
            }),
        }),
        now(),
    );
    // A master administrator may make a policy for everyone; an administrator, for their groups.
    let mut groups: Vec<(String, String)> = state
        .teams
        .values()
        .filter(|t| home.is_none_or(|home| t.id != home && state.is_within(t.id, home)))
        .map(|t| (t.id.0.to_string(), t.name.clone()))
        .collect();
    groups.sort_by_key(|(_, n)| n.to_lowercase());
    if home.is_none() {
        groups.insert(0, (String::new(), "The whole organisation".to_owned()));
    }
    page(
        StatusCode::OK,
        &PoliciesPage {
            name,
            csrf: session.csrf.clone(),
            policies,
            choices: Permission::ALL
                .iter()
                .map(|p| (choice(*p), super::tree::label(*p)))
                .collect(),
            groups,
            create,
        },
    )
}

/// `POST /admin/policies`: the form's fields are `csrf`, `name`, `description`, `team` (empty:
/// the whole organisation) and one `allow-<Permission>` per box ticked.
pub async fn create_policy(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    if !session.carried_by(&field("csrf")) {
        return forged_form();
    }
    let allowed = Permission::ALL
        .iter()
        .copied()
        .filter(|p| form.contains_key(&choice(*p)));
    let command = AdminCommand::CreateSecurityPolicy {
        name: field("name"),
        description: field("description"),
        permissions: PermissionSet::with(allowed),
        team: field("team").parse::<u64>().ok().map(TeamId),
    };
    run_then(&appliance, &session, command, "/admin/policies").await
}
