//! The appliance's HTTPS API, as a console (or a customer or external user) calls it.
use super::error::ClientError;
use super::tls::{PinnedVerifier, Trust, pinned_config, trust_config};
use crate::domain::{Command, QueueRef, SessionId};
use crate::protocol::{
    ActionLine, CommandResponse, ErrorBody, Info, Joined, LoginRequest, LoginResponse, Redeemed,
    SecondFactorCode, SecondFactorConfirmed, SecondFactorStarted, SecondFactorStatus,
    SessionKeyResponse, Snapshot,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// Where the appliance is and how it is trusted.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Its address, e.g. `https://10.0.2.2:8443/`.
    pub base: url::Url,
    /// How its certificate is trusted.
    pub trust: Trust,
}

impl Endpoint {
    /// An endpoint trusted by a pinned certificate fingerprint.
    ///
    /// # Errors
    /// When the address is not an http(s) URL.
    pub fn new(base: &str, fingerprint: &str) -> Result<Self, ClientError> {
        Self::with_trust(base, Trust::Pinned(fingerprint.to_owned()))
    }

    /// An endpoint trusted through the platform's trust store.
    ///
    /// # Errors
    /// When the address is not an http(s) URL.
    pub fn platform(base: &str) -> Result<Self, ClientError> {
        Self::with_trust(base, Trust::Platform)
    }

    fn with_trust(base: &str, trust: Trust) -> Result<Self, ClientError> {
        let mut base =
            url::Url::parse(base).map_err(|e| ClientError::Address(format!("{base}: {e}")))?;
        if !matches!(base.scheme(), "https" | "http") {
            return Err(ClientError::Address(format!("{base}: use https://")));
        }
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Ok(Self { base, trust })
    }

    /// The WebSocket address of a stream (`path` relative to the appliance), carrying the token.
    ///
    /// # Errors
    /// When the address cannot be built.
    pub fn stream_url(&self, path: &str, token: &str) -> Result<url::Url, ClientError> {
        let mut url = self
            .base
            .join(path)
            .map_err(|e| ClientError::Address(e.to_string()))?;
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        url.set_scheme(scheme)
            .map_err(|()| ClientError::Address("no WebSocket address".into()))?;
        url.query_pairs_mut().append_pair("access_token", token);
        Ok(url)
    }

    /// The WebSocket address of the event feed.
    ///
    /// # Errors
    /// When the address cannot be built.
    pub fn events_url(&self, token: &str, since: Option<i64>) -> Result<url::Url, ClientError> {
        let mut url = self
            .base
            .join("api/v1/events")
            .map_err(|e| ClientError::Address(e.to_string()))?;
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        url.set_scheme(scheme)
            .map_err(|()| ClientError::Address("no WebSocket address".into()))?;
        url.query_pairs_mut().append_pair("access_token", token);
        if let Some(n) = since {
            url.query_pairs_mut().append_pair("since", &n.to_string());
        }
        Ok(url)
    }
}

/// What an appliance presents before it is trusted: its own account of itself, and the
/// fingerprint of the certificate this connection actually saw (compare them, then pin it).
#[derive(Debug, Clone)]
pub struct FirstContact {
    /// What the appliance says about itself.
    pub info: Info,
    /// The fingerprint of the certificate presented on this connection.
    pub presented: String,
}

/// Ask an appliance who it is, trusting nothing yet: the first-use step before pinning.
///
/// # Errors
/// When it cannot be reached or does not answer as an appliance.
pub async fn first_contact(base: &str) -> Result<FirstContact, ClientError> {
    let endpoint = Endpoint::new(base, "")?;
    let (tls, verifier) = pinned_config(None).map_err(|e| ClientError::Untrusted(e.to_string()))?;
    let api = Api::with_tls(endpoint, tls, Some(verifier.clone()), None)?;
    let info: Info = api.get("api/v1/info").await?;
    let presented = verifier
        .seen()
        .ok_or_else(|| ClientError::Untrusted("no certificate was presented".into()))?;
    Ok(FirstContact { info, presented })
}

/// A connection to the appliance's HTTPS API, signed in or not.
#[derive(Debug, Clone)]
pub struct Api {
    endpoint: Endpoint,
    http: reqwest::Client,
    tls: Arc<rustls::ClientConfig>,
    token: Option<String>,
    verifier: Option<Arc<PinnedVerifier>>,
    /// A customer client's key its token is bound to (issue 26): every request proves it.
    proof: Option<super::ProofKey>,
}

impl Api {
    /// A connection trusting the endpoint's certificate as the endpoint says.
    ///
    /// # Errors
    /// When TLS cannot be configured.
    pub fn new(endpoint: Endpoint) -> Result<Self, ClientError> {
        let (tls, verifier) =
            trust_config(&endpoint.trust).map_err(|e| ClientError::Untrusted(e.to_string()))?;
        Self::with_tls(endpoint, tls, verifier, None)
    }

    fn with_tls(
        endpoint: Endpoint,
        tls: Arc<rustls::ClientConfig>,
        verifier: Option<Arc<PinnedVerifier>>,
        token: Option<String>,
    ) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .use_preconfigured_tls((*tls).clone())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ClientError::Network(e.to_string()))?;
        Ok(Self {
            endpoint,
            http,
            tls,
            token,
            verifier,
            proof: None,
        })
    }

    /// The same connection acting with a bearer token.
    #[must_use]
    pub fn with_token(&self, token: String) -> Self {
        Self {
            token: Some(token),
            ..self.clone()
        }
    }

    /// The same connection proving `key` with every request: a customer client whose token
    /// was bound to it at join (issue 26).
    #[must_use]
    pub fn with_proof(&self, key: super::ProofKey) -> Self {
        Self {
            proof: Some(key),
            ..self.clone()
        }
    }

    /// The key this connection proves, if any: kept with the token for a restart.
    #[must_use]
    pub fn proof(&self) -> Option<&super::ProofKey> {
        self.proof.as_ref()
    }

    /// The bearer token in use.
    #[must_use]
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// A WebSocket handshake to `url` carrying this connection's proof, if it has one.
    ///
    /// # Errors
    /// When the address is not a WebSocket URL.
    pub fn socket_request(
        &self,
        url: &str,
    ) -> Result<tokio_tungstenite::tungstenite::handshake::client::Request, ClientError> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
        let mut request = url
            .into_client_request()
            .map_err(|e| ClientError::Address(e.to_string()))?;
        if let (Some(key), Some(token)) = (&self.proof, &self.token) {
            let value = key
                .header(token)
                .parse()
                .map_err(|_| ClientError::Protocol("a proof that is no header".into()))?;
            request
                .headers_mut()
                .insert(crate::protocol::PROOF_HEADER, value);
        }
        Ok(request)
    }

    /// A request with this connection's token and proof.
    fn signed(&self, mut request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        if let Some(t) = &self.token {
            request = request.bearer_auth(t);
            if let Some(key) = &self.proof {
                request = request.header(crate::protocol::PROOF_HEADER, key.header(t));
            }
        }
        request
    }

    /// Where the appliance is.
    #[must_use]
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The TLS configuration this connection trusts with, for WebSocket streams.
    #[must_use]
    pub fn tls(&self) -> Arc<rustls::ClientConfig> {
        self.tls.clone()
    }

    /// A transport failure, told apart from a refused certificate by asking the verifier.
    fn failed(&self, e: &reqwest::Error) -> ClientError {
        match self.verifier.as_ref().and_then(|v| v.refused()) {
            Some(why) => ClientError::Untrusted(why),
            None => ClientError::from_reqwest(e),
        }
    }

    fn url(&self, path: &str) -> Result<url::Url, ClientError> {
        self.endpoint
            .base
            .join(path)
            .map_err(|e| ClientError::Address(e.to_string()))
    }

    async fn answer<R: DeserializeOwned>(response: reqwest::Response) -> Result<R, ClientError> {
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ClientError::from_reqwest(&e))?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes)
                .map_err(|e| ClientError::Protocol(e.to_string()));
        }
        let body = serde_json::from_slice::<ErrorBody>(&bytes).unwrap_or_else(|_| ErrorBody {
            error: "unknown".into(),
            message: format!("the appliance answered {status}"),
            rule: None,
        });
        Err(ClientError::refused(status, body))
    }

    async fn get<R: DeserializeOwned>(&self, path: &str) -> Result<R, ClientError> {
        let request = self.signed(self.http.get(self.url(path)?));
        Self::answer(request.send().await.map_err(|e| self.failed(&e))?).await
    }

    async fn post<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, ClientError> {
        let request = self.signed(self.http.post(self.url(path)?).json(body));
        Self::answer(request.send().await.map_err(|e| self.failed(&e))?).await
    }

    /// What the appliance says about itself.
    ///
    /// # Errors
    /// A [`ClientError`].
    pub async fn info(&self) -> Result<Info, ClientError> {
        self.get("api/v1/info").await
    }

    /// Sign in; the returned connection carries the token. `code` is the authenticator app's
    /// code (or a recovery code) of an account with two-step sign-in on.
    ///
    /// # Errors
    /// A [`ClientError`]: wrong credentials are `Refused` with status 401, a lock 429; an account
    /// that needs its code is `Refused` 401 with the code `second_factor_required`.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        code: Option<&str>,
    ) -> Result<(Self, LoginResponse), ClientError> {
        let response: LoginResponse = self
            .post(
                "api/v1/login",
                &LoginRequest {
                    email: email.into(),
                    password: password.into(),
                    code: code.map(str::to_owned),
                },
            )
            .await?;
        Ok((self.with_token(response.token.clone()), response))
    }

    /// Where this technician stands with two-step sign-in (issue 26).
    ///
    /// # Errors
    /// A [`ClientError`].
    pub async fn second_factor(&self) -> Result<SecondFactorStatus, ClientError> {
        self.get("api/v1/account/second-factor").await
    }

    /// Begin setting up two-step sign-in: the key for an authenticator app.
    ///
    /// # Errors
    /// A [`ClientError`]: `Refused` 400 while it is on already.
    pub async fn start_second_factor(&self) -> Result<SecondFactorStarted, ClientError> {
        self.post("api/v1/account/second-factor", &serde_json::json!({}))
            .await
    }

    /// Confirm the set-up with the app's first code: the recovery codes.
    ///
    /// # Errors
    /// A [`ClientError`]: `Refused` 401 for a wrong code.
    pub async fn confirm_second_factor(
        &self,
        code: &str,
    ) -> Result<SecondFactorConfirmed, ClientError> {
        self.post(
            "api/v1/account/second-factor/confirm",
            &SecondFactorCode { code: code.into() },
        )
        .await
    }

    /// Sign out: the token stops working.
    ///
    /// # Errors
    /// A [`ClientError`].
    pub async fn logout(&self) -> Result<(), ClientError> {
        let _: serde_json::Value = self.post("api/v1/logout", &serde_json::json!({})).await?;
        Ok(())
    }

    /// Everything this principal sees now.
    ///
    /// # Errors
    /// A [`ClientError`].
    pub async fn snapshot(&self) -> Result<Snapshot, ClientError> {
        self.get("api/v1/snapshot").await
    }

    /// Any command of the rules engine.
    ///
    /// # Errors
    /// A [`ClientError`]; a refusal names its rule.
    pub async fn command(&self, command: &Command) -> Result<CommandResponse, ClientError> {
        self.post("api/v1/commands", command).await
    }

    /// The flyout menu of a session as the appliance computes it.
    ///
    /// # Errors
    /// A [`ClientError`].
    pub async fn actions(&self, session: SessionId) -> Result<Vec<ActionLine>, ClientError> {
        self.get(&format!("api/v1/sessions/{}/actions", session.0))
            .await
    }

    /// A single-use key that brings one customer into a queue (the technician's own if `None`).
    ///
    /// # Errors
    /// A [`ClientError`].
    pub async fn session_key(
        &self,
        queue: Option<QueueRef>,
    ) -> Result<SessionKeyResponse, ClientError> {
        self.post(
            "api/v1/session-keys",
            &serde_json::json!({ "queue": queue }),
        )
        .await
    }

    /// Elevate the customer client (E3): Prompt Customer, or Provide Credentials, which go to
    /// the customer client only and are never stored. Returns whether a connected client got them.
    ///
    /// # Errors
    /// A [`ClientError`]; a refusal names its rule.
    pub async fn elevate(
        &self,
        session: SessionId,
        method: crate::domain::ElevationMethod,
        credentials: Option<(String, String)>,
    ) -> Result<bool, ClientError> {
        let (username, password) = credentials.unzip();
        let body =
            serde_json::json!({ "method": method, "username": username, "password": password });
        let answer: serde_json::Value = self
            .post(&format!("api/v1/sessions/{}/elevate", session.0), &body)
            .await?;
        Ok(answer["delivered"].as_bool().unwrap_or(false))
    }

    /// The customer client reports its computer's system information.
    ///
    /// # Errors
    /// A [`ClientError`].
    pub async fn report_system_info(
        &self,
        info: &crate::protocol::SystemInfo,
    ) -> Result<(), ClientError> {
        let _: serde_json::Value = self.post("api/v1/customer/system-info", info).await?;
        Ok(())
    }

    /// The latest system information the session's customer client reported.
    ///
    /// # Errors
    /// A [`ClientError`]: `Refused` 403 where the rules do not allow it, 404 before any report.
    pub async fn system_info(
        &self,
        session: SessionId,
    ) -> Result<crate::protocol::SystemInfo, ClientError> {
        self.get(&format!("api/v1/sessions/{}/system-info", session.0))
            .await
    }

    /// The customer client of a computer just pinned as a jump client fetches its agent's
    /// credential (J1).
    ///
    /// # Errors
    /// A [`ClientError`]: `Refused` 410 when the computer is not pinned.
    pub async fn jump_credentials(&self) -> Result<crate::protocol::JumpCredentials, ClientError> {
        self.post("api/v1/customer/jump-client", &serde_json::json!({}))
            .await
    }

    /// A customer joins with a session key (the customer client's first call).
    ///
    /// # Errors
    /// A [`ClientError`]: `Refused` with status 410 for an unknown or used key.
    pub async fn join(
        &self,
        key: &str,
        customer: &crate::domain::CustomerInfo,
    ) -> Result<(Self, Joined), ClientError> {
        // A key of its own, that the appliance binds the session's token to (issue 26).
        let proof = super::ProofKey::generate()?;
        let joined: Joined = self
            .post(
                "api/v1/customer/join",
                &serde_json::json!({ "key": key, "customer": customer, "proof_key": proof.public() }),
            )
            .await?;
        Ok((
            self.with_token(joined.token.clone()).with_proof(proof),
            joined,
        ))
    }

    /// A downloaded support client takes the customer's seat in the click-to-chat session its
    /// download's one-time credential was issued for (issue 27, E1).
    ///
    /// # Errors
    /// A [`ClientError`]: `Refused` 410 when the credential was used already or has expired.
    pub async fn join_full_client(
        &self,
        credential: &str,
        machine: &str,
        platform: crate::domain::Platform,
    ) -> Result<(Self, Joined), ClientError> {
        let proof = super::ProofKey::generate()?;
        let joined: Joined = self
            .post(
                "api/v1/customer/full-client",
                &serde_json::json!({
                    "ticket": credential,
                    "machine": machine,
                    "platform": platform,
                    "proof_key": proof.public(),
                }),
            )
            .await?;
        Ok((
            self.with_token(joined.token.clone()).with_proof(proof),
            joined,
        ))
    }

    /// The secret of the support button deployed from this customer's session (B1), which the
    /// appliance hands out once.
    ///
    /// # Errors
    /// A [`ClientError`]: `Refused` 410 once it was handed out, 404 when nothing was deployed.
    pub async fn button_secret(&self) -> Result<crate::protocol::ButtonSecret, ClientError> {
        self.post("api/v1/customer/support-button", &serde_json::json!({}))
            .await
    }

    /// A customer presses a support button (B1): a session starts in the button's queue.
    ///
    /// # Errors
    /// A [`ClientError`]: `Refused` 403 (B1) once the button has expired; 404 for a button that
    /// does not exist or a wrong secret (the same answer for both).
    pub async fn start_from_button(
        &self,
        button: crate::domain::SupportButtonId,
        secret: &str,
        customer: &crate::domain::CustomerInfo,
    ) -> Result<(Self, Joined), ClientError> {
        let proof = super::ProofKey::generate()?;
        let joined: Joined = self
            .post(
                "api/v1/customer/button",
                &serde_json::json!({ "button": button, "secret": secret, "customer": customer, "proof_key": proof.public() }),
            )
            .await?;
        Ok((
            self.with_token(joined.token.clone()).with_proof(proof),
            joined,
        ))
    }

    /// Redeem a one-time external link (its token, the part after `/join/`).
    ///
    /// # Errors
    /// A [`ClientError`]: `Refused` for a used, cancelled or expired link.
    pub async fn redeem(&self, link_token: &str) -> Result<(Self, Redeemed), ClientError> {
        let redeemed: Redeemed = self
            .post(
                "api/v1/external/redeem",
                &serde_json::json!({ "token": link_token }),
            )
            .await?;
        Ok((self.with_token(redeemed.token.clone()), redeemed))
    }
}
