//! The support client downloaded from a click-to-chat session (issue 27, E1).
//!
//! 1. The customer's page, with the session's customer token, asks for a one-time download
//!    credential (`POST /api/v1/customer/download`): it lasts [`TICKET_TTL_MS`] and only while
//!    the session is in click-to-chat.
//! 2. The browser downloads `GET /downloads/{platform}/tandem-support-<credential>`: the same
//!    bytes for everyone (the operator's program with this appliance's address appended), under
//!    a name that carries the credential.
//! 3. The client, started with a double-click, reads its own name and presents the credential
//!    with a key of its own (`POST /api/v1/customer/full-client`). The first to do so takes the
//!    customer's seat as the full client: the browser's token ends and its socket closes. A
//!    second presentation (the file run again elsewhere, forwarded, or copied) is refused.
use super::ApiJson;
use crate::appliance::{Appliance, SideWrite, now_ms};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::secret;
use crate::store::TokenKind;
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;
use tandem_core::domain::{
    ClientMode, Command, CommandError, Denial, Platform, Reason, Rule, SessionId,
};
use tandem_core::download::{credential_in, file_name};
use tandem_core::protocol::Joined;

/// How long a download credential can be used: time to download and start a program, not more.
pub const TICKET_TTL_MS: i64 = 30 * 60 * 1000;

/// The same lifetime as any customer client's token.
const CUSTOMER_TOKEN_TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// How every credential that cannot be used is answered, whatever the reason.
const UNUSABLE: &str = "This download was used already or has expired: open your session's page again and download the support client from there";

/// One platform's download, as the page lists it.
#[derive(Debug, Serialize)]
pub struct Offered {
    /// Its platform's id (`linux-x86_64`).
    pub target: &'static str,
    /// Its platform, for people.
    pub label: &'static str,
    /// Where to get it.
    pub href: String,
    /// The file's name (which carries the credential).
    pub file: String,
    /// Its size in bytes.
    pub size: usize,
    /// The SHA-256 of the file, hex.
    pub sha256: String,
}

/// The answer to a page asking for the support client.
#[derive(Debug, Serialize)]
pub struct Offer {
    /// One entry per platform this appliance has a package for.
    pub downloads: Vec<Offered>,
    /// The platforms it has none for, for people.
    pub missing: Vec<&'static str>,
    /// Seconds the links work for.
    pub expires_in_s: i64,
}

/// `POST /api/v1/customer/download`: a one-time credential for the session's full client.
pub async fn offer(
    State(appliance): State<Arc<Appliance>>,
    credential: crate::auth::Credential,
) -> Result<Json<Offer>, ApiError> {
    let Principal::Customer(session) = credential.principal()? else {
        return Err(ApiError::Unauthorized(
            "Only a session's customer downloads its client",
        ));
    };
    appliance.limits.command(&credential.token_hash)?;
    click_to_chat(&appliance, session).await?;
    let ticket = secret::token();
    let now = now_ms();
    appliance
        .store
        .insert_download(
            &secret::hash(&ticket),
            crate::appliance::id(session.0),
            now,
            now.saturating_add(TICKET_TTL_MS),
        )
        .await?;
    let packages = &appliance.packages;
    let downloads = packages
        .present
        .iter()
        .map(|p| {
            let file = file_name(&ticket, p.target.windows);
            Offered {
                target: p.target.id,
                label: p.target.label,
                href: format!("/downloads/{}/{file}", p.target.id),
                file,
                size: p.bytes.len(),
                sha256: p.sha256.clone(),
            }
        })
        .collect();
    Ok(Json(Offer {
        downloads,
        missing: packages.missing().iter().map(|t| t.label).collect(),
        expires_in_s: TICKET_TTL_MS / 1000,
    }))
}

/// The session is live and in click-to-chat: there is a seat for the full client (E1).
async fn click_to_chat(appliance: &Appliance, session: SessionId) -> Result<(), ApiError> {
    let state = appliance.state().await;
    match state.sessions.get(&session) {
        Some(s) if s.customer.info.mode == ClientMode::ClickToChat => Ok(()),
        Some(_) => Err(CommandError::from(Denial::new(Rule::E1, Reason::AlreadyFullClient)).into()),
        None => Err(ApiError::Gone("The session has ended")),
    }
}

/// `GET /downloads/{platform}/{file}`: the program, under the name that carries its credential.
/// Checked before serving, so a used or expired link says so instead of handing out a program
/// that cannot join.
pub async fn serve(
    State(appliance): State<Arc<Appliance>>,
    ConnectInfo(source): ConnectInfo<SocketAddr>,
    Path((target, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    appliance.limits.guest(source.ip())?;
    let package = appliance.packages.get(&target).ok_or(ApiError::Gone(
        "This appliance has no support client for that platform",
    ))?;
    let ticket = credential_in(&file)
        .filter(|t| file == file_name(t, package.target.windows))
        .ok_or(ApiError::Gone(UNUSABLE))?;
    appliance
        .store
        .download_session(&secret::hash(ticket), now_ms())
        .await?
        .ok_or(ApiError::Gone(UNUSABLE))?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
        .map_err(|_| ApiError::Gone(UNUSABLE))?;
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        package.bytes.clone(),
    )
        .into_response())
}

/// A downloaded client presenting its credential.
#[derive(Deserialize)]
pub struct FullClientRequest {
    /// The credential from its file's name.
    pub ticket: String,
    /// The computer's id, as the client reports it (shown to technicians, never proof).
    pub machine: String,
    /// Its operating system.
    pub platform: Platform,
    /// The public half of the client's key, which the token is bound to (issue 26).
    pub proof_key: String,
}

tandem_core::debug_without_secrets!(FullClientRequest { machine, platform });

/// `POST /api/v1/customer/full-client`: works once per credential.
pub async fn claim(
    State(appliance): State<Arc<Appliance>>,
    ConnectInfo(source): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<FullClientRequest>,
) -> Result<Json<Joined>, ApiError> {
    appliance.limits.guest(source.ip())?;
    let public_key = crate::proof::parse_public(&request.proof_key).ok_or_else(|| {
        ApiError::BadRequest("proof_key must be an Ed25519 public key, base64url".into())
    })?;
    let ticket_hash = secret::hash(&request.ticket);
    let session = appliance
        .store
        .download_session(&ticket_hash, now_ms())
        .await?
        .ok_or(ApiError::Gone(UNUSABLE))?;
    let session = SessionId(u64::try_from(session).map_err(|_| ApiError::Gone(UNUSABLE))?);
    let token = secret::token();
    let sides = vec![
        SideWrite::UseDownload {
            ticket_hash,
            session: crate::appliance::id(session.0),
        },
        SideWrite::Token {
            kind: TokenKind::Customer,
            token_hash: secret::hash(&token),
            ttl_ms: CUSTOMER_TOKEN_TTL_MS,
        },
        SideWrite::BindToken {
            token_hash: secret::hash(&token),
            public_key,
        },
    ];
    let command = Command::StartFullClient {
        session,
        machine: request.machine,
        platform: request.platform,
    };
    appliance
        .execute(
            tandem_core::domain::Actor::Customer(session),
            &command,
            sides,
        )
        .await
        .map_err(|e| match e {
            ApiError::AlreadyUsed(_) => ApiError::Gone(UNUSABLE),
            other => other,
        })?;
    Ok(Json(Joined { token, session }))
}
