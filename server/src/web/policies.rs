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
use tandem_core::domain::{Actor, AdminCommand, Command, Permission, PermissionSet};

/// A policy as listed.
#[derive(Debug)]
pub struct PolicyRow {
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
    let mut policies: Vec<PolicyRow> = state
        .policies
        .values()
        .map(|p| PolicyRow {
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
        }),
        now(),
    );
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
            create,
        },
    )
}

/// `POST /admin/policies`: the form's fields are `csrf`, `name`, `description` and one
/// `allow-<Permission>` per box ticked.
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
    };
    run_then(&appliance, &session, command, "/admin/policies").await
}
