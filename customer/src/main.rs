//! `tandem-customer`: join a support session with the key a technician gave you.
use clap::Parser;
use std::process::ExitCode;
use tandem_core::client::{Api, Endpoint};
use tandem_core::domain::{ClientMode, CustomerInfo};
use tandem_customer::session::{self, Consent, Ended};
use tokio::io::AsyncBufReadExt;

#[derive(Parser, Debug)]
#[command(
    name = "tandem-customer",
    version,
    about = "Join a Tandem support session"
)]
struct Cli {
    /// The appliance's address, e.g. https://support.example.com/
    #[arg(long, env = "TANDEM_URL")]
    url: String,
    /// The SHA-256 fingerprint of a self-signed appliance's certificate; without it, the
    /// system's trust store decides.
    #[arg(long, env = "TANDEM_FINGERPRINT")]
    fingerprint: Option<String>,
    /// The session key the technician gave you.
    #[arg(long)]
    key: String,
    /// Your name, as the technician sees it.
    #[arg(long, default_value = "Customer")]
    name: String,
    /// Start in click-to-chat mode: chat only, until you accept the full client (E1).
    #[arg(long)]
    click_to_chat: bool,
    /// Answer every request of the technician with yes, without asking (tests, or your choice).
    #[arg(long, conflicts_with = "deny_all")]
    allow_all: bool,
    /// Answer every request with no.
    #[arg(long)]
    deny_all: bool,
}

#[tokio::main]
#[allow(clippy::print_stdout)]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TANDEM_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let endpoint = match &cli.fingerprint {
        Some(f) => Endpoint::new(&cli.url, f),
        None => Endpoint::platform(&cli.url),
    };
    let machine = std::fs::read_to_string("/etc/machine-id")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| cli.name.clone());
    let customer = CustomerInfo {
        name: cli.name.clone(),
        machine,
        platform: tandem_customer::platform(),
        mode: if cli.click_to_chat {
            ClientMode::ClickToChat
        } else {
            ClientMode::Full
        },
    };
    let joined = match endpoint.and_then(Api::new) {
        Ok(api) => api.join(&cli.key, &customer).await,
        Err(e) => Err(e),
    };
    let (api, joined) = match joined {
        Ok(j) => j,
        Err(e) => {
            eprintln!("Could not join: {e}");
            return ExitCode::FAILURE;
        }
    };
    let consent = if cli.allow_all {
        Consent::AllowAll
    } else if cli.deny_all {
        Consent::DenyAll
    } else {
        Consent::Ask
    };
    let (lines_tx, lines) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        let mut stdin = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = stdin.next_line().await {
            if lines_tx.send(line).await.is_err() {
                break;
            }
        }
    });
    let say: session::Say = Box::new(|line| println!("{line}"));
    match session::run(api, joined.session, consent, lines, say).await {
        Ok(Ended::SessionEnded { uninstall }) => {
            println!(
                "The technician ended the session.{}",
                if uninstall {
                    " This client removes itself."
                } else {
                    ""
                }
            );
            ExitCode::SUCCESS
        }
        Ok(Ended::Disconnected) => {
            println!("The technician disconnected this computer.");
            ExitCode::SUCCESS
        }
        Ok(Ended::Left) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("The session stopped: {e}");
            ExitCode::FAILURE
        }
    }
}
