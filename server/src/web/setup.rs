//! What sessions use, set up by administrators (issue 16): support issues and whether they take
//! help requests (S1), people approved for external invitations (X6), jump groups (J1), support
//! button profiles (B1), and the settings (X3: the appliance mails external invitations; E4).
//! Each is a command of the rules engine; each form is greyed with its reason where refused.
use super::pages::{forged_form, now, page, run_then};
use super::session::WebSession;
use super::tree::Allowed;
use crate::appliance::Appliance;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use tandem_core::domain::{
    Actor, AdminCommand, Command, Settings, State as Domain, TeamId, TechnicianId,
};

/// A listed thing: its name and what else to say about it.
#[derive(Debug)]
pub struct Item {
    name: String,
    detail: String,
}

/// The setup page.
#[derive(Debug, Template)]
#[template(path = "setup.html")]
struct SetupPage {
    name: String,
    csrf: String,
    /// Groups to choose from: id and name.
    teams: Vec<(u64, String)>,
    /// Technicians to choose from: form name and name.
    technicians: Vec<(String, String)>,
    issues: Vec<Item>,
    externals: Vec<Item>,
    jump_groups: Vec<Item>,
    profiles: Vec<Item>,
    settings: Settings,
    allowed: HashMap<&'static str, Allowed>,
}

impl SetupPage {
    /// The engine's reason a form is refused, if it is.
    fn reason(&self, form: &str) -> Option<&str> {
        self.allowed.get(form).and_then(|a| a.reason.as_deref())
    }
}

fn team_name(state: &Domain, team: Option<TeamId>) -> String {
    team.and_then(|t| state.teams.get(&t))
        .map_or_else(|| "the whole organisation".to_owned(), |t| t.name.clone())
}

fn sorted(mut items: Vec<Item>) -> Vec<Item> {
    items.sort_by_key(|i| i.name.to_lowercase());
    items
}

/// `GET /admin/setup`
pub async fn setup(State(appliance): State<Arc<Appliance>>, session: WebSession) -> Response {
    let state = appliance.state().await;
    let actor = Actor::Technician(session.technician);
    let me = state.technicians.get(&session.technician);
    // Each form planned as its command would go: the first group a scoped administrator may
    // use, or the whole organisation for a master administrator.
    let home = me.and_then(|t| match t.role {
        tandem_core::domain::Role::Administrator { team } => state
            .teams
            .values()
            .find(|x| x.parent == Some(team))
            .map(|x| x.id),
        _ => None,
    });
    let team_for_issue = home
        .or_else(|| state.teams.keys().next().copied())
        .unwrap_or(TeamId(0));
    let plan = |command: AdminCommand| Allowed::of(&state, actor, &Command::Admin(command), now());
    let allowed = HashMap::from([
        (
            "issue",
            plan(AdminCommand::CreateSupportIssue {
                name: "Issue".into(),
                team: team_for_issue,
                allow_help_requests: true,
            }),
        ),
        (
            "external",
            plan(AdminCommand::AddApprovedExternal {
                name: "Someone".into(),
                email: "someone@example.invalid".into(),
                team: home,
            }),
        ),
        (
            "jump",
            plan(AdminCommand::CreateJumpGroup {
                name: "Group".into(),
                members: BTreeSet::new(),
                team: home,
            }),
        ),
        (
            "profile",
            plan(AdminCommand::CreateButtonProfile {
                name: "Profile".into(),
                team: home,
            }),
        ),
        (
            "settings",
            plan(AdminCommand::UpdateSettings {
                settings: state.settings.clone(),
            }),
        ),
    ]);
    let mut teams: Vec<(u64, String)> = state
        .teams
        .values()
        .map(|t| (t.id.0, t.name.clone()))
        .collect();
    teams.sort_by_key(|(_, n)| n.to_lowercase());
    let mut technicians: Vec<(String, String)> = state
        .technicians
        .values()
        .map(|t| (format!("member-{}", t.id.0), t.name.clone()))
        .collect();
    technicians.sort_by_key(|(_, n)| n.to_lowercase());
    let names = |ids: &BTreeSet<TechnicianId>| {
        ids.iter()
            .filter_map(|id| state.technicians.get(id).map(|t| t.name.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let page_ = SetupPage {
        name: session.name_in(&state),
        csrf: session.csrf.clone(),
        issues: sorted(
            state
                .issues
                .values()
                .map(|i| Item {
                    name: i.name.clone(),
                    detail: format!(
                        "{}; {}",
                        team_name(&state, Some(i.team)),
                        if i.allow_help_requests {
                            "takes help requests"
                        } else {
                            "no help requests"
                        }
                    ),
                })
                .collect(),
        ),
        externals: sorted(
            state
                .approved_externals
                .values()
                .map(|e| Item {
                    name: e.name.clone(),
                    detail: format!("{}; {}", e.email, team_name(&state, e.team)),
                })
                .collect(),
        ),
        jump_groups: sorted(
            state
                .jump_groups
                .values()
                .map(|g| Item {
                    name: g.name.clone(),
                    detail: format!("{}; {}", names(&g.members), team_name(&state, g.team)),
                })
                .collect(),
        ),
        profiles: sorted(
            state
                .button_profiles
                .values()
                .map(|p| Item {
                    name: p.name.clone(),
                    detail: team_name(&state, p.team),
                })
                .collect(),
        ),
        settings: state.settings.clone(),
        teams,
        technicians,
        allowed,
    };
    page(StatusCode::OK, &page_)
}

/// `POST /admin/setup/{what}`: `what` names the form; fields as the page writes them.
pub async fn create(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    axum::extract::Path(what): axum::extract::Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    if !session.carried_by(&field("csrf")) {
        return forged_form();
    }
    let team = || field("team").parse::<u64>().ok().map(TeamId);
    let command = match what.as_str() {
        "issue" => AdminCommand::CreateSupportIssue {
            name: field("name"),
            team: team().unwrap_or(TeamId(0)),
            allow_help_requests: form.contains_key("help"),
        },
        "external" => AdminCommand::AddApprovedExternal {
            name: field("name"),
            email: field("email"),
            team: team(),
        },
        "jump" => AdminCommand::CreateJumpGroup {
            name: field("name"),
            members: form
                .keys()
                .filter_map(|k| k.strip_prefix("member-")?.parse().ok().map(TechnicianId))
                .collect(),
            team: team(),
        },
        "profile" => AdminCommand::CreateButtonProfile {
            name: field("name"),
            team: team(),
        },
        "settings" => AdminCommand::UpdateSettings {
            settings: Settings {
                appliance_sends_external_invitations: form.contains_key("mail"),
                auto_elevate_windows: form.contains_key("elevate"),
            },
        },
        _ => {
            return page(
                StatusCode::NOT_FOUND,
                &super::pages::refused("No such form.".into()),
            );
        }
    };
    run_then(&appliance, &session, command, "/admin/setup").await
}
