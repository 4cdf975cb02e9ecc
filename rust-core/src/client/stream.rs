//! Opening a stream through the appliance (a session's shell or screen, a jump client's agent
//! connection): a WebSocket with the caller's token, whose refusals come back as the rules
//! engine's reasons.
use super::api::Api;
use super::error::ClientError;

/// A stream's socket.
pub type StreamSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connect to `path` (relative to the appliance) with the caller's token.
///
/// # Errors
/// `Refused` with the rule when the appliance says no; otherwise a connection failure.
pub async fn open(api: &Api, path: &str) -> Result<StreamSocket, ClientError> {
    let token = api
        .token()
        .ok_or_else(|| ClientError::Protocol("not signed in".into()))?;
    let url = api.endpoint().stream_url(path, token)?;
    let connector = tokio_tungstenite::Connector::Rustls(api.tls());
    match tokio_tungstenite::connect_async_tls_with_config(
        api.socket_request(url.as_str())?,
        None,
        false,
        Some(connector),
    )
    .await
    {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            let status = response.status().as_u16();
            let body = response
                .body()
                .as_deref()
                .and_then(|b| serde_json::from_slice::<crate::protocol::ErrorBody>(b).ok());
            Err(match body {
                Some(body) => ClientError::Refused {
                    status,
                    code: body.error,
                    message: body.message,
                    rule: body.rule,
                },
                None => ClientError::Refused {
                    status,
                    code: "refused".into(),
                    message: format!("the appliance answered {status}"),
                    rule: None,
                },
            })
        }
        Err(e) => Err(ClientError::Network(e.to_string())),
    }
}
