//! A test stand-in for the customer client (issue 5 brings the real one): joins a session with
//! a key, chats, reads the transcript, or redeems an external link, through the core's API, as
//! its own process. The JVM tests of the Kotlin bindings drive it. Prints JSON on stdout.
//!
//!   TANDEM_URL=https://localhost:8443/ TANDEM_FINGERPRINT=AB:… tandem-test-customer join KEY NAME
//!   … say TOKEN SESSION TEXT  |  transcript TOKEN  |  redeem LINK_TOKEN
//!
//! The TOKEN `join` prints is the session's token and the key it is bound to (issue 26), joined
//! by `~`: each later call proves the key as the real client does.
use std::process::ExitCode;
use tandem_core::client::{Api, ClientError, Endpoint, ProofKey};
use tandem_core::domain::{ClientMode, Command, CustomerInfo, Platform, SessionId};
use tandem_core::protocol::View;

/// The connection of a customer whose handle `join` printed: its token, proving its key.
fn as_customer(api: &Api, handle: &str) -> Result<Api, ClientError> {
    Ok(match handle.split_once('~') {
        Some((token, key)) => api
            .with_token(token.to_owned())
            .with_proof(ProofKey::from_text(key)?),
        None => api.with_token(handle.to_owned()),
    })
}

async fn run(args: &[String]) -> Result<String, ClientError> {
    let url = std::env::var("TANDEM_URL")
        .map_err(|_| ClientError::Address("TANDEM_URL is not set".into()))?;
    let fingerprint = std::env::var("TANDEM_FINGERPRINT").unwrap_or_default();
    let api = Api::new(Endpoint::new(&url, &fingerprint)?)?;
    let arg = |i: usize| {
        args.get(i)
            .cloned()
            .ok_or_else(|| ClientError::Address(format!("argument {i} is missing")))
    };
    match args.first().map(String::as_str) {
        Some("join") => {
            let customer = CustomerInfo {
                name: arg(2)?,
                machine: format!("{}-pc", arg(2)?),
                platform: Platform::Linux,
                mode: ClientMode::Full,
            };
            let (joined_api, joined) = api.join(&arg(1)?, &customer).await?;
            let handle = match joined_api.proof() {
                Some(key) => format!("{}~{}", joined.token, key.to_text()),
                None => joined.token,
            };
            Ok(serde_json::json!({ "token": handle, "session": joined.session.0 }).to_string())
        }
        Some("say") => {
            let session = SessionId(
                arg(2)?
                    .parse()
                    .map_err(|_| ClientError::Address("session is a number".into()))?,
            );
            as_customer(&api, &arg(1)?)?
                .command(&Command::SendChat {
                    session,
                    text: arg(3)?,
                })
                .await?;
            Ok(serde_json::json!({ "said": true }).to_string())
        }
        Some("transcript") => {
            let snapshot = as_customer(&api, &arg(1)?)?.snapshot().await?;
            let chat = match snapshot.view {
                View::Customer { session } | View::External { session, .. } => session.chat,
                View::Technician { .. } => Vec::new(),
            };
            let texts: Vec<String> = chat.into_iter().map(|c| c.text).collect();
            Ok(serde_json::json!(texts).to_string())
        }
        Some("redeem") => {
            let (_, redeemed) = api.redeem(&arg(1)?).await?;
            Ok(
                serde_json::json!({ "token": redeemed.token, "external": redeemed.external.0 })
                    .to_string(),
            )
        }
        _ => Err(ClientError::Address(
            "usage: join KEY NAME | say TOKEN SESSION TEXT | transcript TOKEN | redeem LINK_TOKEN"
                .into(),
        )),
    }
}

#[tokio::main(flavor = "current_thread")]
#[allow(clippy::print_stdout)]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
