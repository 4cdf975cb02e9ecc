//! The attacker's tools: raw HTTPS and WebSocket requests to the real appliance process, from a
//! chosen loopback source address (127.0.0.0/8 is all loopback, so each address stands for
//! another machine on the network), with whatever body and token the attack needs.
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tandem_e2e::Appliance;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// The demo organisation's password.
pub const PASSWORD: &str = "tandem-demo-2026";

/// A WebSocket to the appliance.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The attacker's view of one appliance.
pub struct Raw {
    port: u16,
    pem: Vec<u8>,
    tls: Arc<rustls::ClientConfig>,
    http: reqwest::Client,
}

/// A loopback address standing for another machine.
pub fn source(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

impl Raw {
    pub fn new(app: &Appliance) -> Self {
        let pem = app.cert_pem().unwrap();
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(&pem) {
            roots.add(cert.unwrap()).unwrap();
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let mut raw = Self {
            port: app.addr.port(),
            pem,
            tls: Arc::new(tls),
            http: reqwest::Client::new(),
        };
        raw.http = raw.client(source(1));
        raw
    }

    /// A raw TLS connection to the appliance, for attacks below HTTP.
    pub async fn tls(&self) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        tokio_rustls::TlsConnector::from(self.tls.clone())
            .connect(name, tcp)
            .await
            .unwrap()
    }

    /// A WebSocket peer that goes mute once connected: the upgrade is made by hand over TLS,
    /// then nothing is ever sent back (no pong: pongs are a WebSocket library's doing). How long
    /// after the upgrade the appliance closed the connection.
    pub async fn mute_socket(&self, path: &str) -> Duration {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let mut tls = self.tls().await;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        tls.write_all(request.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let n = tls.read(&mut buf).await.unwrap();
        let head = String::from_utf8_lossy(&buf[..n]);
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        let upgraded = Instant::now();
        // Read (pings, frames) without answering, until the appliance hangs up.
        while let Ok(n) = tls.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
        upgraded.elapsed()
    }

    /// An HTTP client whose connections come from `from`.
    pub fn client(&self, from: IpAddr) -> reqwest::Client {
        reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(reqwest::Certificate::from_pem(&self.pem).unwrap())
            .local_address(from)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.port)
    }

    /// POST from 127.0.0.1.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        Self::post_with(&self.http, &self.url(path), token, body).await
    }

    /// POST from another address.
    pub async fn post_from(
        &self,
        client: &reqwest::Client,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (u16, Value) {
        Self::post_with(client, &self.url(path), token, body).await
    }

    async fn post_with(
        client: &reqwest::Client,
        url: &str,
        token: Option<&str>,
        body: Value,
    ) -> (u16, Value) {
        let mut request = client.post(url).json(&body);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.http.get(self.url(path));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Sign a demo technician in from 127.0.0.1; their token.
    pub async fn login(&self, who: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/login",
                None,
                json!({"email": format!("{who}@demo.tandem"), "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 200, "{who} signs in: {body}");
        body["token"].as_str().unwrap().to_owned()
    }

    /// A command; its status and body.
    pub async fn command(&self, token: &str, command: Value) -> (u16, Value) {
        self.post("/api/v1/commands", Some(token), command).await
    }

    /// A command that must be accepted.
    pub async fn ok(&self, token: &str, command: Value) -> Value {
        let (status, body) = self.command(token, command.clone()).await;
        assert_eq!(status, 200, "{command} is accepted: {body}");
        body
    }

    /// The snapshot a token sees.
    pub async fn snapshot(&self, token: &str) -> Value {
        let (status, body) = self.get("/api/v1/snapshot", Some(token)).await;
        assert_eq!(status, 200, "snapshot: {body}");
        body
    }

    /// The signed-in technician's id.
    pub async fn me(&self, token: &str) -> u64 {
        self.snapshot(token).await["view"]["me"].as_u64().unwrap()
    }

    /// The id of some entry of an organisation collection (`policies`, `button_profiles`).
    pub async fn first_id(&self, token: &str, collection: &str) -> u64 {
        self.snapshot(token).await["view"]["state"][collection]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// `technician` pins the session's computer to their personal list.
    pub async fn pin_personal(&self, technician: &str, session: u64) {
        let me = self.me(technician).await;
        self.ok(
            technician,
            json!({"PinJumpClient": {"session": session, "location": {"Personal": me}}}),
        )
        .await;
    }

    /// `technician` deploys a support button from the session; its id.
    pub async fn deploy_button(&self, technician: &str, session: u64) -> u64 {
        let me = self.me(technician).await;
        let profile = self.first_id(technician, "button_profiles").await;
        let deployed = self
            .ok(
                technician,
                json!({"DeploySupportButton": {"session": session, "name": "Kim's help",
                    "expires_at": 4_102_444_800_000_u64, "profile": profile, "queue": {"Personal": me}}}),
            )
            .await;
        deployed["events"][0]["event"]["SupportButtonDeployed"]["button"]["id"]
            .as_u64()
            .unwrap()
    }

    /// What a customer's claim of a once-only credential (`jump-client`, `support-button`)
    /// gets: the status and the body.
    pub async fn claim(&self, customer: &str, what: &str) -> (u16, Value) {
        self.post(
            &format!("/api/v1/customer/{what}"),
            Some(customer),
            json!({}),
        )
        .await
    }

    /// A customer joins `technician`'s personal queue with a key, claiming `machine`.
    pub async fn customer_joins(&self, technician: &str, machine: &str) -> (String, u64) {
        let (status, key) = self
            .post("/api/v1/session-keys", Some(technician), json!({}))
            .await;
        assert_eq!(status, 200, "{key}");
        let (status, joined) = self
            .post(
                "/api/v1/customer/join",
                None,
                json!({"key": key["key"], "customer": customer(machine)}),
            )
            .await;
        assert_eq!(status, 200, "{joined}");
        (
            joined["token"].as_str().unwrap().to_owned(),
            joined["session"].as_u64().unwrap(),
        )
    }

    /// A customer joins and `technician` takes the session; the customer's token and the session.
    pub async fn active_session(&self, technician: &str, machine: &str) -> (String, u64) {
        let (customer, session) = self.customer_joins(technician, machine).await;
        self.ok(technician, json!({"AcceptFromQueue": {"session": session}}))
            .await;
        (customer, session)
    }

    /// Open a WebSocket (`path` with its query); the handshake's error if refused.
    pub async fn ws(&self, path: &str) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let url = format!("wss://localhost:{}{path}", self.port);
        tokio_tungstenite::connect_async_tls_with_config(
            url,
            None,
            false,
            Some(tokio_tungstenite::Connector::Rustls(self.tls.clone())),
        )
        .await
        .map(|(s, _)| s)
    }

    /// The HTTP status a refused WebSocket handshake got (0 if it was accepted).
    pub async fn ws_status(&self, path: &str) -> u16 {
        match self.ws(path).await {
            Ok(_) => 0,
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => r.status().as_u16(),
            Err(e) => panic!("{path}: {e}"),
        }
    }
}

/// What a customer client says about itself; any client can say anything.
pub fn customer(machine: &str) -> Value {
    json!({"name": "Kim", "machine": machine, "platform": "Linux", "mode": "Full"})
}

/// The next text message as JSON, or `None` once the socket is closed.
pub async fn next_json(socket: &mut Socket) -> Option<Value> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                return Some(serde_json::from_str(text.as_str()).unwrap_or(Value::Null));
            }
            Ok(Some(Ok(Message::Close(_)) | Err(_)) | None) => return None,
            Ok(Some(Ok(_))) => {}
            Err(_) => panic!("nothing arrived within 10 s"),
        }
    }
}

/// Read until the appliance closes the socket; how long that took from `since`, the close
/// code, and every JSON message read on the way.
pub async fn closed_after(
    socket: &mut Socket,
    since: Instant,
    limit: Duration,
) -> (Duration, Option<u16>, Vec<Value>) {
    let mut seen = Vec::new();
    let deadline = since + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, socket.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => {
                return (since.elapsed(), frame.map(|f| u16::from(f.code)), seen);
            }
            Ok(Some(Ok(Message::Text(text)))) => {
                seen.push(serde_json::from_str(text.as_str()).unwrap_or(Value::Null));
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => return (since.elapsed(), None, seen),
            Err(_) => panic!("the socket was still open after {limit:?}; it received {seen:?}"),
        }
    }
}

/// Whether the socket is still open: a ping is answered within `wait`.
pub async fn still_open(socket: &mut Socket, wait: Duration) -> bool {
    if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
        return false;
    }
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, socket.next()).await {
            Ok(Some(Ok(Message::Pong(_)))) => return true,
            Ok(Some(Ok(Message::Close(_)) | Err(_)) | None) => return false,
            Ok(Some(Ok(_))) => {}
            Err(_) => return false,
        }
    }
}

/// Whether a socket whose peer reads (and so answers pings) stays open for all of `span`.
pub async fn answers_for(socket: &mut Socket, span: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + span;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return true,
            Ok(Some(Ok(Message::Close(_)) | Err(_)) | None) => return false,
            Ok(Some(Ok(_))) => {}
        }
    }
}

/// The close code the appliance uses when a right ended.
pub fn is_appliance_close(code: Option<u16>) -> bool {
    code.is_some_and(|c| (4001..=4003).contains(&c)) || code == Some(u16::from(CloseCode::Normal))
}

/// Ids of the demo organisation, from a master administrator's snapshot.
pub struct Demo {
    pub teams: std::collections::BTreeMap<String, u64>,
    pub technicians: std::collections::BTreeMap<String, u64>,
}

impl Demo {
    pub async fn read(raw: &Raw, admin_token: &str) -> Self {
        let snapshot = raw.snapshot(admin_token).await;
        let state = &snapshot["view"]["state"];
        let by_name = |v: &Value| {
            v.as_object()
                .unwrap()
                .values()
                .map(|x| {
                    (
                        x["name"].as_str().unwrap().to_owned(),
                        x["id"].as_u64().unwrap(),
                    )
                })
                .collect()
        };
        Self {
            teams: by_name(&state["teams"]),
            technicians: by_name(&state["technicians"]),
        }
    }
}
