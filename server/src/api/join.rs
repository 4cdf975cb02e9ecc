//! How people without accounts get in: customers with a session key or a support button, and
//! external users with a one-time link (X1, X4).
use super::ApiJson;
use crate::appliance::{Appliance, SideWrite, now_ms};
use crate::error::ApiError;
use crate::secret;
use crate::store::TokenKind;
use axum::Json;
use axum::extract::State;
use axum::response::Html;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tandem_core::domain::{
    Actor, Command, CustomerInfo, Event, ExternalInvitee, InvitationId, Invitee, QueueRef,
    SessionId, SupportButtonId, Timestamp,
};
use tandem_core::protocol::{Joined, Redeemed};

/// A customer client's token lives a day: longer than any session should.
const CUSTOMER_TOKEN_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// An external user's token lives twelve hours.
const EXTERNAL_TOKEN_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// A customer arriving with a session key.
#[derive(Debug, Deserialize)]
pub struct JoinRequest {
    /// The key the technician gave them.
    pub key: String,
    /// Who and where they are.
    pub customer: CustomerInfo,
}

/// A customer pressing a support button (B1).
#[derive(Debug, Deserialize)]
pub struct ButtonRequest {
    /// The button.
    pub button: SupportButtonId,
    /// Who and where they are.
    pub customer: CustomerInfo,
}

fn started(executed: &crate::appliance::Executed) -> Result<SessionId, ApiError> {
    executed
        .find(|e| match e {
            Event::SessionStarted { session, .. } => Some(*session),
            _ => None,
        })
        .ok_or(ApiError::Internal("no session started"))
}

/// `POST /api/v1/customer/join`
pub async fn customer_join(
    State(appliance): State<Arc<Appliance>>,
    ApiJson(request): ApiJson<JoinRequest>,
) -> Result<Json<Joined>, ApiError> {
    let key_hash = secret::hash(&request.key.to_uppercase());
    let queue = appliance
        .store
        .session_key_queue(&key_hash, now_ms())
        .await?
        .ok_or(ApiError::Gone(
            "This session key is not valid, was used already, or has expired",
        ))?;
    let queue: QueueRef =
        serde_json::from_str(&queue).map_err(|_| ApiError::Internal("stored queue"))?;
    let token = secret::token();
    let sides = vec![
        SideWrite::UseSessionKey { key_hash },
        SideWrite::Token {
            kind: TokenKind::Customer,
            token_hash: secret::hash(&token),
            ttl_ms: CUSTOMER_TOKEN_TTL_MS,
        },
    ];
    let executed = appliance
        .execute(
            Actor::Guest,
            &Command::StartSession {
                queue,
                customer: request.customer,
            },
            sides,
        )
        .await?;
    Ok(Json(Joined {
        token,
        session: started(&executed)?,
    }))
}

/// `POST /api/v1/customer/button`
pub async fn customer_button(
    State(appliance): State<Arc<Appliance>>,
    ApiJson(request): ApiJson<ButtonRequest>,
) -> Result<Json<Joined>, ApiError> {
    let token = secret::token();
    let sides = vec![SideWrite::Token {
        kind: TokenKind::Customer,
        token_hash: secret::hash(&token),
        ttl_ms: CUSTOMER_TOKEN_TTL_MS,
    }];
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

/// A one-time link, sent in the body so it stays out of URLs and logs.
#[derive(Debug, Deserialize)]
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

async fn invitation_of(appliance: &Appliance, token: &str) -> Result<InvitationId, ApiError> {
    let invitation = appliance
        .store
        .link_invitation(&secret::hash(token))
        .await?
        .ok_or(ApiError::Gone("This invitation link is not valid"))?;
    Ok(InvitationId(
        u64::try_from(invitation).map_err(|_| ApiError::Internal("invitation id"))?,
    ))
}

/// `POST /api/v1/external/invitation`
pub async fn external_preview(
    State(appliance): State<Arc<Appliance>>,
    ApiJson(request): ApiJson<LinkRequest>,
) -> Result<Json<Preview>, ApiError> {
    let id = invitation_of(&appliance, &request.token).await?;
    let state = appliance.state().await;
    let invitation = state
        .invitations
        .get(&id)
        .ok_or(ApiError::Gone("This invitation no longer exists"))?;
    let Invitee::External {
        invitee, policy, ..
    } = &invitation.invitee
    else {
        return Err(ApiError::Gone("This invitation link is not valid"));
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
        active: invitation.is_active(Timestamp(u64::try_from(now_ms()).unwrap_or(0))),
    }))
}

/// `POST /api/v1/external/redeem`: works once (X1).
pub async fn external_redeem(
    State(appliance): State<Arc<Appliance>>,
    ApiJson(request): ApiJson<LinkRequest>,
) -> Result<Json<Redeemed>, ApiError> {
    let invitation = invitation_of(&appliance, &request.token).await?;
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
    let executed = appliance
        .execute(Actor::Guest, &Command::RedeemExternal { invitation }, sides)
        .await?;
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

/// `GET /customer?key=…`: where a session link leads in a browser. The key stays in the page's
/// address; the page tells the customer how to start the client with it.
pub async fn customer_page() -> Html<&'static str> {
    Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>Tandem support session</title></head>\
         <body><h1>Your technician is ready to help</h1><p>Start the Tandem support client with this page's address:</p>\
         <pre>tandem-customer --link '<span id=\"link\"></span>'</pre>\
         <script>document.getElementById('link').textContent = location.href;</script></body></html>",
    )
}

/// `GET /invitations/{id}`: where an invitation mail's link leads when the Tandem app is not
/// installed (where it is, Android opens the app instead). Says nothing about the invitation:
/// the console shows it after sign-in.
pub async fn invitation_page() -> Html<&'static str> {
    Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>Tandem invitation</title></head>\
         <body><h1>You are invited to a support session</h1><p>Open this link on a phone with the Tandem app, or sign in to your Tandem console, to accept or decline it.</p></body></html>",
    )
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

/// `GET /join/{token}`: the web access console's page (X4). The token stays in the page's own
/// address; the page sends it in request bodies only.
pub async fn landing() -> Html<&'static str> {
    Html(include_str!("join.html"))
}
