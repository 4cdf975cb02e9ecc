//! Commands on sessions (every command of the rules engine goes through one endpoint), the
//! flyout menu, elevation with credentials, and session keys.
use super::ApiJson;
use crate::appliance::{Appliance, Executed, Published, SideWrite, now_ms};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::secret;
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tandem_core::domain::{
    AdminCommand, Command, ElevationMethod, Event, Invitee, QueueRef, Rule, SessionId, Timestamp,
};
use tandem_core::protocol::{ActionLine, CommandResponse, SessionKeyResponse};

/// A session key lets one customer in within this time.
pub const SESSION_KEY_TTL_MS: i64 = 60 * 60 * 1000;

/// The public address of a one-time link.
pub fn external_url(appliance: &Appliance, token: &str) -> String {
    appliance
        .config
        .public_url
        .join(&format!("join/{token}"))
        .map_or_else(|_| format!("/join/{token}"), |u| u.to_string())
}

/// S4 and X3: mail the invitations the rules say are mailed, if mail is configured.
pub fn notify(
    appliance: &Arc<Appliance>,
    state: &tandem_core::domain::State,
    executed: &Executed,
    link: Option<&str>,
) {
    for published in &executed.events {
        let Event::InvitationSent {
            invitation,
            email: Some(to),
        } = &published.event
        else {
            continue;
        };
        let (technician, id) = (invitation.inviter, invitation.id);
        let Some(mailer) = &appliance.mailer else {
            tracing::warn!("an invitation should be mailed, but no SMTP server is configured");
            let appliance = Arc::clone(appliance);
            tokio::spawn(async move {
                appliance
                    .mail_not_sent(
                        technician,
                        id,
                        "this appliance has no mail server set up".into(),
                    )
                    .await;
            });
            continue;
        };
        let inviter = state
            .technicians
            .get(&invitation.inviter)
            .map_or("A technician", |t| t.name.as_str());
        let (subject, body) = match (&invitation.invitee, link) {
            (Invitee::External { .. }, Some(link)) => (
                format!("{inviter} invites you to a remote support session"),
                format!(
                    "{inviter} invites you to join a remote support session.\n\nOpen this link to join (it works once, for two hours):\n{link}\n"
                ),
            ),
            (Invitee::Technician(_), _) => (
                format!("{inviter} asks you to join a support session"),
                format!(
                    "{inviter} invites you to share support session {}.\n\nAccept or decline in the Tandem app (this link opens it on your phone) or your console:\n{}\n",
                    invitation.session,
                    appliance
                        .config
                        .public_url
                        .join(&format!("invitations/{}", invitation.id.0))
                        .map_or_else(
                            |_| appliance.config.public_url.to_string(),
                            |u| u.to_string()
                        )
                ),
            ),
            _ => continue,
        };
        let appliance = Arc::clone(appliance);
        mailer.send_later(
            to.clone(),
            subject,
            body,
            appliance.config.mail_attempts,
            move |reason| async move { appliance.mail_not_sent(technician, id, reason).await },
        );
    }
}

/// `POST /api/v1/commands`: any command of the rules engine, as the caller.
pub async fn command(
    State(appliance): State<Arc<Appliance>>,
    credential: crate::auth::Credential,
    ApiJson(command): ApiJson<Command>,
) -> Result<Json<CommandResponse>, ApiError> {
    let who = credential.principal()?;
    appliance.limits.command(&credential.token_hash)?;
    match &command {
        Command::SendChat { .. } => appliance.limits.chat(&credential.token_hash)?,
        Command::Admin(AdminCommand::CreateTechnician { .. }) => {
            return Err(ApiError::BadRequest("Create technicians with POST /api/v1/admin/technicians, which also sets their password".into()));
        }
        // Only a downloaded client presenting its one-time credential takes the full
        // client's seat (POST /api/v1/customer/full-client): a browser saying so is not proof.
        Command::StartFullClient { .. } => {
            return Err(ApiError::BadRequest(
                "The full client joins with its download's credential at POST /api/v1/customer/full-client".into(),
            ));
        }
        Command::Elevate {
            method: ElevationMethod::ProvideCredentials,
            ..
        } => {
            return Err(ApiError::BadRequest(
                "Provide credentials with POST /api/v1/sessions/{id}/elevate".into(),
            ));
        }
        _ => {}
    }
    {
        use crate::visibility::{
            may_see_invitation, may_see_session, no_such_invitation, no_such_session,
            target_invitation, target_session,
        };
        let inner = appliance.read().await;
        if let Some(session) = target_session(&command)
            && !may_see_session(&inner.state, who, session)
        {
            let gone = !inner.state.sessions.contains_key(&session);
            drop(inner);
            // Someone who took part in a session that has ended is told so (a second End, a
            // command from a console that had not heard yet); anyone else learns nothing of it.
            if gone
                && let Principal::Technician(me) = who
                && appliance
                    .store
                    .session_parties(session)
                    .await?
                    .technicians
                    .contains(&me)
            {
                return Err(ApiError::Gone("The session has ended"));
            }
            return Err(no_such_session(session));
        }
        if let Some(invitation) = target_invitation(&command)
            && !may_see_invitation(&inner.state, who, invitation)
        {
            return Err(no_such_invitation(invitation));
        }
    }
    let link_token = matches!(command, Command::InviteExternal { .. }).then(secret::token);
    let sides = link_token
        .iter()
        .map(|t| SideWrite::Link {
            token_hash: secret::hash(t),
        })
        .collect();
    let executed = appliance.execute(who.actor(), &command, sides).await?;
    let link = link_token.map(|t| external_url(&appliance, &t));
    let state = appliance.state().await;
    notify(&appliance, &state, &executed, link.as_deref());
    Ok(Json(CommandResponse {
        events: executed.events,
        link,
    }))
}

/// `GET /api/v1/sessions/{session}/actions`
pub async fn actions(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
    Path(session): Path<u64>,
) -> Result<Json<Vec<ActionLine>>, ApiError> {
    let session = SessionId(session);
    let state = appliance.state().await;
    if !crate::visibility::may_see_session(&state, who, session) {
        return Err(crate::visibility::no_such_session(session));
    }
    let now = Timestamp(u64::try_from(now_ms()).unwrap_or(0));
    let actor = who.actor();
    let lines = state
        .available_actions(actor, session, now)
        .into_iter()
        .map(|line| ActionLine {
            action: line.action,
            enabled: line.enabled(),
            reason: line.denial.as_ref().map(ToString::to_string),
            rule: line.denial.as_ref().map(|d| d.rule),
            remedy: line.remedy,
            targets: state.targets(actor, session, line.action, now),
        })
        .collect();
    Ok(Json(lines))
}

/// An elevation request (E3).
#[derive(Deserialize)]
pub struct ElevateRequest {
    /// Prompt Customer or Provide Credentials.
    pub method: ElevationMethod,
    /// For Provide Credentials: the administrative user name.
    pub username: Option<String>,
    /// For Provide Credentials: its password. Passed to the customer client only, never stored.
    pub password: Option<String>,
}

/// The outcome of an elevation request.
#[derive(Debug, Serialize)]
pub struct ElevateResponse {
    /// The events of the request.
    pub events: Vec<Published>,
    /// For Provide Credentials: whether a connected customer client received them.
    pub delivered: bool,
}

/// `POST /api/v1/sessions/{session}/elevate`
pub async fn elevate(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
    Path(session): Path<u64>,
    ApiJson(request): ApiJson<ElevateRequest>,
) -> Result<Json<ElevateResponse>, ApiError> {
    let credentials = match (request.method, &request.username, &request.password) {
        (ElevationMethod::PromptCustomer, _, _) => None,
        // A line break would end sudo's password line and reach the client as typed input.
        (ElevationMethod::ProvideCredentials, Some(u), Some(p))
            if u.chars().chain(p.chars()).any(char::is_control) =>
        {
            return Err(ApiError::BadRequest(
                "The user name and password may not contain line breaks or control characters"
                    .into(),
            ));
        }
        (ElevationMethod::ProvideCredentials, Some(u), Some(p))
            if !u.trim().is_empty() && !p.is_empty() =>
        {
            Some((u.clone(), p.clone()))
        }
        (ElevationMethod::ProvideCredentials, _, _) => {
            return Err(ApiError::BadRequest(
                "Provide Credentials needs a user name and a password".into(),
            ));
        }
    };
    if !crate::visibility::may_see_session(&appliance.read().await.state, who, SessionId(session)) {
        return Err(crate::visibility::no_such_session(SessionId(session)));
    }
    let command = Command::Elevate {
        session: SessionId(session),
        method: request.method,
    };
    let executed = appliance.execute(who.actor(), &command, Vec::new()).await?;
    let delivered = credentials.is_some_and(|(username, password)| {
        let body = serde_json::json!({ "kind": "elevation_credentials", "username": username, "password": password });
        appliance.send_direct(i64::try_from(session).unwrap_or(i64::MAX), body)
    });
    Ok(Json(ElevateResponse {
        events: executed.events,
        delivered,
    }))
}

/// A request for a session key.
#[derive(Debug, Deserialize)]
pub struct SessionKeyRequest {
    /// The queue the customer arrives in; the technician's personal queue if absent.
    pub queue: Option<QueueRef>,
}

/// `POST /api/v1/session-keys`
pub async fn session_key(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
    ApiJson(request): ApiJson<SessionKeyRequest>,
) -> Result<Json<SessionKeyResponse>, ApiError> {
    let Principal::Technician(me) = who else {
        return Err(
            tandem_core::domain::CommandError::from(tandem_core::domain::Denial::new(
                Rule::G4,
                tandem_core::domain::Reason::TechniciansOnly,
            ))
            .into(),
        );
    };
    let queue = request.queue.unwrap_or(QueueRef::Personal(me));
    appliance
        .state()
        .await
        .check_own_queue(me, queue, Rule::G4)?;
    let key = secret::session_key();
    let expires_at = now_ms() + SESSION_KEY_TTL_MS;
    let queue_json = serde_json::to_string(&queue).map_err(|_| ApiError::Internal("queue"))?;
    appliance
        .store
        .insert_session_key(
            &secret::hash(&key),
            &queue_json,
            i64::try_from(me.0).unwrap_or(0),
            expires_at,
        )
        .await?;
    let url = appliance
        .config
        .public_url
        .join(&format!("customer?key={key}"))
        .map_or_else(|_| String::new(), |u| u.to_string());
    Ok(Json(SessionKeyResponse {
        key,
        url,
        expires_at,
    }))
}

tandem_core::debug_without_secrets!(ElevateRequest { method, username });
