//! How people without accounts get in: customers with a session key or a support button, and
//! external users with a one-time link (X1, X4).
use super::ApiJson;
use crate::appliance::{Appliance, SideWrite, now_ms};
use crate::error::ApiError;
use crate::secret;
use crate::store::TokenKind;
use axum::Json;
use axum::extract::ConnectInfo;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;
use tandem_core::domain::{
    Actor, Command, CommandError, CustomerInfo, Entity, Event, ExternalInvitee, InvitationId,
    Invitee, QueueRef, SessionId, SupportButtonId, Timestamp,
};
use tandem_core::protocol::{ButtonSecret, Joined, Redeemed};

/// A customer client's token lives a day: longer than any session should.
const CUSTOMER_TOKEN_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// An external user's token lives twelve hours.
const EXTERNAL_TOKEN_TTL_MS: i64 = 12 * 60 * 60 * 1000;
/// A support button's secret lasts until the button is removed (its expiry is the rules'
/// business: an expired button's press is refused with B1); this bound keeps the column finite.
const BUTTON_SECRET_TTL_MS: i64 = 10 * 365 * 24 * 60 * 60 * 1000;

/// How every session key that cannot be used is answered.
const UNUSABLE_KEY: &str = "This session key is not valid, was used already, or has expired";

/// A customer arriving with a session key.
#[derive(Deserialize)]
pub struct JoinRequest {
    /// The key the technician gave them.
    pub key: String,
    /// Who and where they are.
    pub customer: CustomerInfo,
    /// The public half of the client's key, which the token is bound to (issue 26).
    #[serde(default)]
    pub proof_key: Option<String>,
}

/// A customer pressing a support button (B1).
#[derive(Deserialize)]
pub struct ButtonRequest {
    /// The button.
    pub button: SupportButtonId,
    /// The button's secret, from its launcher's configuration.
    pub secret: String,
    /// Who and where they are.
    pub customer: CustomerInfo,
    /// The public half of the client's key, which the token is bound to (issue 26).
    #[serde(default)]
    pub proof_key: Option<String>,
}

fn started(executed: &crate::appliance::Executed) -> Result<SessionId, ApiError> {
    executed
        .find(|e| match e {
            Event::SessionStarted { session, .. } => Some(*session),
            _ => None,
        })
        .ok_or(ApiError::Internal("no session started"))
}

impl std::fmt::Debug for ButtonRequest {
    // The secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ButtonRequest")
            .field("button", &self.button)
            .field("customer", &self.customer)
            .finish_non_exhaustive()
    }
}

/// `POST /api/v1/customer/join`
pub async fn customer_join(
    State(appliance): State<Arc<Appliance>>,
    ConnectInfo(source): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<JoinRequest>,
) -> Result<Json<Joined>, ApiError> {
    appliance.limits.guest(source.ip())?;
    // Malformed input is refused before the key is looked at, so a bad request cannot test
    // whether a key is valid without using it up.
    request.customer.validate().map_err(CommandError::from)?;
    let proof_key = bound_key(request.proof_key.as_deref())?;
    let key_hash = secret::hash(&request.key.to_uppercase());
    let queue = appliance
        .store
        .session_key_queue(&key_hash, now_ms())
        .await?
        .ok_or(ApiError::Gone(UNUSABLE_KEY))?;
    let queue: QueueRef =
        serde_json::from_str(&queue).map_err(|_| ApiError::Internal("stored queue"))?;
    let token = secret::token();
    let mut sides = vec![
        SideWrite::UseSessionKey { key_hash },
        SideWrite::Token {
            kind: TokenKind::Customer,
            token_hash: secret::hash(&token),
            ttl_ms: CUSTOMER_TOKEN_TTL_MS,
        },
    ];
    sides.extend(proof_key.map(|public_key| SideWrite::BindToken {
        token_hash: secret::hash(&token),
        public_key,
    }));
    let executed = appliance
        .execute(
            Actor::Guest,
            &Command::StartSession {
                queue,
                customer: request.customer,
            },
            sides,
        )
        .await
        .map_err(|e| match e {
            // Used by someone else a moment ago: the same answer as any unusable key.
            ApiError::AlreadyUsed(_) => ApiError::Gone(UNUSABLE_KEY),
            other => other,
        })?;
    Ok(Json(Joined {
        token,
        session: started(&executed)?,
    }))
}

/// A client's public key as sent at join, checked (issue 26).
fn bound_key(sent: Option<&str>) -> Result<Option<String>, ApiError> {
    sent.map(|k| {
        crate::proof::parse_public(k).ok_or_else(|| {
            ApiError::BadRequest("proof_key must be an Ed25519 public key, base64url".into())
        })
    })
    .transpose()
}

/// `POST /api/v1/customer/button`: a press must present the button's secret; a wrong one is
/// answered exactly as a button that does not exist.
pub async fn customer_button(
    State(appliance): State<Arc<Appliance>>,
    ConnectInfo(source): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<ButtonRequest>,
) -> Result<Json<Joined>, ApiError> {
    appliance.limits.guest(source.ip())?;
    request.customer.validate().map_err(CommandError::from)?;
    let proof_key = bound_key(request.proof_key.as_deref())?;
    let unknown = || -> ApiError {
        CommandError::NotFound {
            kind: Entity::SupportButton,
            id: request.button.0,
        }
        .into()
    };
    let holder = appliance
        .store
        .token_subject(&secret::hash(&request.secret), now_ms())
        .await?;
    if holder
        != Some((
            TokenKind::SupportButton,
            crate::appliance::id(request.button.0),
        ))
    {
        return Err(unknown());
    }
    let token = secret::token();
    let mut sides = vec![SideWrite::Token {
        kind: TokenKind::Customer,
        token_hash: secret::hash(&token),
        ttl_ms: CUSTOMER_TOKEN_TTL_MS,
    }];
    sides.extend(proof_key.map(|public_key| SideWrite::BindToken {
        token_hash: secret::hash(&token),
        public_key,
    }));
    let command = Command::StartSessionFromButton {
        button: request.button,
        customer: request.customer,
    };
    let executed = appliance.execute(Actor::Guest, &command, sides).await?;
    Ok(Json(Joined {
        token,
        session: started(&executed)?,
    }))
}

/// `POST /api/v1/customer/support-button`: the customer client of the session a support button
/// was deployed from gets the button's secret, once (B1). The launcher presents it with each
/// press; it stops working when the button is removed.
pub async fn button_secret(
    State(appliance): State<Arc<Appliance>>,
    who: crate::auth::Principal,
) -> Result<Json<ButtonSecret>, ApiError> {
    let what = super::claim::Claimable {
        kind: TokenKind::SupportButton,
        ttl_ms: BUTTON_SECRET_TTL_MS,
        nothing: "No support button was deployed from this session",
        claimed: "This support button's secret was handed out already; remove and deploy it again",
    };
    let (button, secret) = super::claim::claim_once(
        &appliance,
        who,
        &what,
        |state, session| state.button_deployed_from(session).map(|b| b.id),
        |b| b.0,
    )
    .await?;
    Ok(Json(ButtonSecret { button, secret }))
}

/// A one-time link, sent in the body so it stays out of URLs and logs.
#[derive(Deserialize)]
pub struct LinkRequest {
    /// The token from the link.
    pub token: String,
}

/// What the landing page shows before joining.
#[derive(Debug, Serialize)]
pub struct Preview {
    /// Who invited.
    pub inviter: String,
    /// The name the invitee will appear under.
    pub name: String,
    /// The security policy's name and full description (X2).
    pub policy: String,
    /// Its description.
    pub policy_description: String,
    /// Whether the link can still be used.
    pub active: bool,
}

/// How every link that cannot be used is answered, whatever the reason (unknown, used,
/// cancelled, expired, its session ended): nothing tells an unusable link from a made-up one.
const UNUSABLE_LINK: ApiError = ApiError::Gone("This invitation link is not valid");

/// The external invitation a link stands for, if the link can be used now.
async fn usable_invitation(
    appliance: &Appliance,
    token: &str,
) -> Result<(InvitationId, std::sync::Arc<tandem_core::domain::State>), ApiError> {
    let invitation = appliance
        .store
        .link_invitation(&secret::hash(token))
        .await?
        .ok_or(UNUSABLE_LINK)?;
    let id = InvitationId(u64::try_from(invitation).map_err(|_| UNUSABLE_LINK)?);
    let state = appliance.state().await;
    let now = Timestamp(u64::try_from(now_ms()).unwrap_or(0));
    let usable = state
        .invitations
        .get(&id)
        .is_some_and(|i| i.is_active(now) && matches!(i.invitee, Invitee::External { .. }));
    if !usable {
        return Err(UNUSABLE_LINK);
    }
    Ok((id, state))
}

/// `POST /api/v1/external/invitation`
pub async fn external_preview(
    State(appliance): State<Arc<Appliance>>,
    ConnectInfo(source): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<LinkRequest>,
) -> Result<Json<Preview>, ApiError> {
    appliance.limits.guest(source.ip())?;
    let (id, state) = usable_invitation(&appliance, &request.token).await?;
    let invitation = state.invitations.get(&id).ok_or(UNUSABLE_LINK)?;
    let Invitee::External {
        invitee, policy, ..
    } = &invitation.invitee
    else {
        return Err(UNUSABLE_LINK);
    };
    let policy = state.policies.get(policy);
    let name = match invitee {
        ExternalInvitee::Anyone { name, .. } => name.clone(),
        ExternalInvitee::Approved(p) => state
            .approved_externals
            .get(p)
            .map(|p| p.name.clone())
            .unwrap_or_default(),
    };
    Ok(Json(Preview {
        inviter: state
            .technicians
            .get(&invitation.inviter)
            .map(|t| t.name.clone())
            .unwrap_or_default(),
        name,
        policy: policy.map(|p| p.name.clone()).unwrap_or_default(),
        policy_description: policy.map(|p| p.description.clone()).unwrap_or_default(),
        active: true,
    }))
}

/// `POST /api/v1/external/redeem`: works once (X1).
pub async fn external_redeem(
    State(appliance): State<Arc<Appliance>>,
    ConnectInfo(source): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<LinkRequest>,
) -> Result<Json<Redeemed>, ApiError> {
    appliance.limits.guest(source.ip())?;
    let (invitation, _) = usable_invitation(&appliance, &request.token).await?;
    let token = secret::token();
    let sides = vec![
        SideWrite::RedeemLink {
            token_hash: secret::hash(&request.token),
        },
        SideWrite::Token {
            kind: TokenKind::External,
            token_hash: secret::hash(&token),
            ttl_ms: EXTERNAL_TOKEN_TTL_MS,
        },
    ];
    // Used up by someone else a moment ago, or refused by the rules: the same answer again.
    let executed = appliance
        .execute(Actor::Guest, &Command::RedeemExternal { invitation }, sides)
        .await
        .map_err(|e| match e {
            ApiError::AlreadyUsed(_) | ApiError::Command(_) | ApiError::Gone(_) => UNUSABLE_LINK,
            other => other,
        })?;
    let (session, external) = executed
        .find(|e| match e {
            Event::ExternalJoined { session, external } => Some((*session, external.id)),
            _ => None,
        })
        .ok_or(ApiError::Internal("nobody joined"))?;
    Ok(Json(Redeemed {
        token,
        session,
        external,
    }))
}

/// The page an invitation mail's link opens without the app.
#[derive(askama::Template)]
#[template(path = "invitation.html")]
struct InvitationPage;

/// `GET /invitations/{id}`: where an invitation mail's link leads when the Tandem app is not
/// installed (where it is, Android opens the app instead). Says nothing about the invitation:
/// the console shows it after sign-in.
pub async fn invitation_page() -> axum::response::Response {
    crate::web::page(axum::http::StatusCode::OK, &InvitationPage)
}

/// `GET /.well-known/assetlinks.json`: the appliance vouches for the Tandem Android app, so
/// Android opens invitation links in it (App Links). 404 until its certificate is configured.
pub async fn asset_links(State(appliance): State<Arc<Appliance>>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let certificates = &appliance.config.android_app_certificates;
    if certificates.is_empty() {
        return (
            axum::http::StatusCode::NOT_FOUND,
            "No Android app is configured for App Links",
        )
            .into_response();
    }
    Json(serde_json::json!([{
        "relation": ["delegate_permission/common.handle_all_urls"],
        "target": {
            "namespace": "android_app",
            "package_name": "app.tandem",
            "sha256_cert_fingerprints": certificates,
        }
    }]))
    .into_response()
}

tandem_core::debug_without_secrets!(LinkRequest {});

tandem_core::debug_without_secrets!(JoinRequest { customer });
