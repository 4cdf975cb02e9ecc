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
    #[arg(long, env = "TANDEM_URL", required_unless_present_any = ["button_config", "jump_config"])]
    url: Option<String>,
    /// The SHA-256 fingerprint of a self-signed appliance's certificate; without it, the
    /// system's trust store decides.
    #[arg(long, env = "TANDEM_FINGERPRINT")]
    fingerprint: Option<String>,
    /// The session key the technician gave you.
    #[arg(
        long,
        required_unless_present_any = ["button_config", "jump_config"],
        conflicts_with = "button_config"
    )]
    key: Option<String>,
    /// Run as a jump client's background agent (what its service runs, J1).
    #[arg(long, conflicts_with_all = ["key", "button_config"])]
    jump_config: Option<std::path::PathBuf>,
    /// Start a session with a support button's configuration (what its launcher runs, B1).
    #[arg(long)]
    button_config: Option<std::path::PathBuf>,
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
    let places = tandem_customer::button::Places::for_user();
    let exe = || std::env::current_exe().unwrap_or_else(|_| "tandem-customer".into());
    if let Some(config) = &cli.jump_config {
        let Some(places) = places else {
            eprintln!("The jump client needs a home directory.");
            return ExitCode::FAILURE;
        };
        return match tandem_customer::jump::run_agent(config, places, exe()).await {
            Ok(end) => {
                tracing::info!(?end, "jump client agent stopped");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("The jump client stopped: {e}");
                ExitCode::FAILURE
            }
        };
    }
    // A session's customer client runs from its own installation, which End removes (C1).
    if let Some(places) = &places {
        tandem_customer::install::relocate(places);
    }
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
    // Through a support button's launcher, or with a session key.
    let (url, fingerprint, button) = match &cli.button_config {
        Some(path) => match tandem_customer::button::read(path) {
            Ok(config) => (config.url, config.fingerprint, Some(config.button)),
            Err(e) => {
                eprintln!("This support button cannot be used: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => (
            cli.url.clone().unwrap_or_default(),
            cli.fingerprint.clone(),
            None,
        ),
    };
    let endpoint = match &fingerprint {
        Some(f) => Endpoint::new(&url, f),
        None => Endpoint::platform(&url),
    };
    let joined = match (endpoint.and_then(Api::new), button, &cli.key) {
        (Ok(api), Some(button), _) => api.start_from_button(button, &customer).await,
        (Ok(api), None, Some(key)) => api.join(key, &customer).await,
        (Ok(_), None, None) => Err(tandem_core::client::ClientError::Address(
            "a session key is needed".into(),
        )),
        (Err(e), _, _) => Err(e),
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
    let install = session::Install {
        url,
        fingerprint,
        exe: exe(),
        places: places.clone(),
    };
    match session::run(api, joined.session, consent, lines, say, install).await {
        Ok(Ended::SessionEnded { uninstall }) => {
            println!("The technician ended the session.");
            // C1: the customer client uninstalls itself; support buttons and jump clients have
            // installations of their own and stay (B1, J1).
            match (uninstall, &places) {
                (true, Some(places)) => match tandem_customer::install::uninstall(places) {
                    Ok(true) => println!("The support client has been removed from this computer."),
                    Ok(false) => {}
                    Err(e) => eprintln!("The support client could not remove itself: {e}"),
                },
                _ => println!("This support client is closing."),
            }
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
