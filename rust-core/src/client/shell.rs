//! A technician's view of a session's command shell: bytes typed go to the customer's shell,
//! bytes it prints come back. The appliance only forwards them.
use super::api::Api;
use super::error::ClientError;
use crate::domain::SessionId;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use super::stream::StreamSocket as Socket;

/// An open shell stream.
#[derive(Debug)]
pub struct ShellStream {
    socket: Socket,
}

impl ShellStream {
    /// Attach to a session's shell, which must be open (the customer allowed it).
    ///
    /// # Errors
    /// `Refused` when the rules do not allow it now; otherwise a connection failure.
    pub async fn open(api: &Api, session: SessionId) -> Result<Self, ClientError> {
        let socket =
            super::stream::open(api, &format!("api/v1/sessions/{}/shell", session.0)).await?;
        Ok(Self { socket })
    }

    /// Type into the shell.
    ///
    /// # Errors
    /// When the stream has closed.
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), ClientError> {
        self.socket
            .send(Message::Binary(bytes.to_vec().into()))
            .await
            .map_err(|e| ClientError::Network(e.to_string()))
    }

    /// Tell the shell the terminal's size.
    ///
    /// # Errors
    /// When the stream has closed.
    pub async fn resize(&mut self, cols: u16, rows: u16) -> Result<(), ClientError> {
        let text = serde_json::json!({ "resize": { "cols": cols, "rows": rows } }).to_string();
        self.socket
            .send(Message::Text(text.into()))
            .await
            .map_err(|e| ClientError::Network(e.to_string()))
    }

    /// The next output, or `None` once the shell stream has ended (closed, or the right to it
    /// was withdrawn).
    pub async fn recv(&mut self) -> Option<Vec<u8>> {
        loop {
            match self.socket.next().await? {
                Ok(Message::Binary(bytes)) => return Some(bytes.to_vec()),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }
}
