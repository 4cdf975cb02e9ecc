//! `tandem-appliance`: serve, or serve with a demo organisation.
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use tandem_appliance::config::{Config, TlsMode};

#[derive(Parser, Debug)]
#[command(
    name = "tandem-appliance",
    version,
    about = "The Tandem remote support appliance"
)]
struct Cli {
    #[command(subcommand)]
    mode: Option<Mode>,
    /// Where certificates and the SQLite database live.
    #[arg(
        long,
        env = "TANDEM_DATA_DIR",
        default_value = "tandem-data",
        global = true
    )]
    data_dir: PathBuf,
    /// The address to listen on. All interfaces by default, so an emulator reaches it at 10.0.2.2.
    #[arg(
        long,
        env = "TANDEM_LISTEN",
        default_value = "0.0.0.0:8443",
        global = true
    )]
    listen: SocketAddr,
    /// Where the support client's packages are (`tandem-customer-<platform>`, see the README);
    /// by default `<data dir>/downloads`.
    #[arg(long, env = "TANDEM_DOWNLOADS", global = true)]
    downloads: Option<PathBuf>,
    /// A PostgreSQL URL; without it, SQLite in the data directory.
    #[arg(long, env = "TANDEM_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// A PEM certificate chain to serve instead of the self-signed certificate.
    #[arg(long, env = "TANDEM_TLS_CERT", requires = "tls_key", global = true)]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "TANDEM_TLS_KEY", requires = "tls_cert", global = true)]
    tls_key: Option<PathBuf>,
    /// Serve plain HTTP: loopback development only.
    #[arg(long, global = true)]
    insecure_http: bool,
    /// The address people and consoles use to reach the appliance; links are built from it.
    #[arg(long, env = "TANDEM_PUBLIC_URL", global = true)]
    public_url: Option<url::Url>,
    /// An SMTP server for invitation mail, e.g. smtp://127.0.0.1:2525 or smtps://user:pass@host.
    #[arg(long, env = "TANDEM_SMTP_URL", global = true)]
    smtp_url: Option<String>,
    /// The sender of the appliance's mail.
    #[arg(
        long,
        env = "TANDEM_MAIL_FROM",
        default_value = "Tandem <tandem@localhost>",
        global = true
    )]
    mail_from: String,
    /// SHA-256 fingerprint of the certificate the Tandem Android app is signed with (repeat, or
    /// separate with commas), for App Links: invitation links then open the app.
    #[arg(
        long = "android-app-certificate",
        env = "TANDEM_ANDROID_APP_CERTIFICATES",
        value_delimiter = ',',
        global = true
    )]
    android_app_certificates: Vec<String>,
    /// How long a console sign-in lasts, in seconds; its open sockets close when it ends.
    #[arg(
        long,
        env = "TANDEM_SIGN_IN_SECONDS",
        default_value_t = 12 * 60 * 60,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    sign_in_seconds: u32,
    /// How long a connection's peer may stay silent (pinged every third of it) before the
    /// appliance counts it gone, in seconds.
    #[arg(
        long,
        env = "TANDEM_DEAD_AFTER_SECONDS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u16).range(3..),
        global = true
    )]
    dead_after_seconds: u16,
    /// How long a session waits for a customer client whose connection dropped (it reconnects
    /// by itself) before it says the customer left, in seconds.
    #[arg(
        long,
        env = "TANDEM_CUSTOMER_GRACE_SECONDS",
        default_value_t = 180,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    customer_grace_seconds: u32,
    /// How long a technician stays listed after their last console's connection drops, in
    /// seconds (signing out is immediate).
    #[arg(
        long,
        env = "TANDEM_PRESENCE_GRACE_SECONDS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    presence_grace_seconds: u32,
    /// How many times a mail is tried (pausing 2 s, 4 s, 8 s … between) before the technician
    /// who caused it is told it was not sent.
    #[arg(
        long,
        env = "TANDEM_MAIL_ATTEMPTS",
        default_value_t = 5,
        value_parser = clap::value_parser!(u32).range(1..=10),
        global = true
    )]
    mail_attempts: u32,
    /// The most sockets (event feeds, shells, screens, jump agents) one source address may hold
    /// open at once; behind a reverse proxy every client shares its address, so raise it there.
    #[arg(
        long,
        env = "TANDEM_MAX_SOCKETS_PER_SOURCE",
        default_value_t = 256,
        value_parser = clap::value_parser!(u32).range(16..),
        global = true
    )]
    max_sockets_per_source: u32,
    /// How many events between two stored copies of the whole state; start-up reads the last
    /// copy and replays only the events after it.
    #[arg(
        long,
        env = "TANDEM_SNAPSHOT_EVERY",
        default_value_t = tandem_appliance::config::DEFAULT_SNAPSHOT_EVERY,
        value_parser = clap::value_parser!(i64).range(100..),
        global = true
    )]
    snapshot_every: i64,
    /// Raise every rate limit out of reach, for load benchmarks on a machine of your own
    /// (`appliance-bench`): one benchmark client sends thousands of commands a second, which
    /// the limits exist to refuse. Never for an appliance anyone else can reach.
    #[arg(long, global = true)]
    load_test_rates: bool,
    /// Log as JSON lines instead of text.
    #[arg(long, env = "TANDEM_LOG_JSON", global = true)]
    log_json: bool,
}

#[derive(Subcommand, Debug, Clone, Copy)]
enum Mode {
    /// Serve (the default). With TANDEM_ADMIN_EMAIL and TANDEM_ADMIN_PASSWORD set, a new appliance
    /// creates its master administrator from them.
    Serve,
    /// Serve with a demo organisation, made on first start, and print how to sign in.
    Demo,
}

fn config(cli: &Cli) -> Config {
    let tls = match (&cli.tls_cert, &cli.tls_key, cli.insecure_http) {
        (_, _, true) => TlsMode::InsecureLoopback,
        (Some(cert), Some(key), false) => TlsMode::Files {
            cert: cert.clone(),
            key: key.clone(),
        },
        _ => TlsMode::SelfSigned,
    };
    // Port 0 asks for any free port; pick it now, so that the public URL in links names it.
    let listen = if cli.listen.port() == 0 {
        std::net::TcpListener::bind(cli.listen)
            .and_then(|l| l.local_addr())
            .unwrap_or(cli.listen)
    } else {
        cli.listen
    };
    let scheme = if cli.insecure_http { "http" } else { "https" };
    let host = if listen.ip().is_unspecified() {
        "localhost".to_owned()
    } else {
        listen.ip().to_string()
    };
    let fallback = format!("{scheme}://{host}:{}/", listen.port());
    let public_url = cli
        .public_url
        .clone()
        .or_else(|| url::Url::parse(&fallback).ok());
    Config {
        data_dir: cli.data_dir.clone(),
        listen,
        downloads_dir: cli.downloads.clone(),
        // The demo also serves this build's own support client, when it was built beside the
        // appliance (`./scripts/appliance demo` builds both) and no --downloads was given, so a
        // reviewer can try the whole flow.
        client_beside: (matches!(cli.mode, Some(Mode::Demo)) && cli.downloads.is_none())
            .then(|| {
                std::env::current_exe()
                    .ok()?
                    .parent()
                    .map(std::path::Path::to_path_buf)
            })
            .flatten(),
        database_url: cli.database_url.clone(),
        tls,
        public_url: public_url.unwrap_or_else(|| {
            url::Url::parse("https://localhost:8443/").unwrap_or_else(|_| unreachable_url())
        }),
        smtp_url: cli.smtp_url.clone(),
        mail_from: cli.mail_from.clone(),
        max_backlog: tandem_appliance::config::DEFAULT_MAX_BACKLOG,
        android_app_certificates: cli.android_app_certificates.clone(),
        rate_limits: if cli.load_test_rates {
            tracing::warn!(
                "--load-test-rates: rate limits are out of reach; for load benchmarks only"
            );
            tandem_appliance::limits::RateLimits::for_load_tests()
        } else {
            tandem_appliance::limits::RateLimits::default()
        },
        sign_in_ms: i64::from(cli.sign_in_seconds) * 1000,
        dead_after: std::time::Duration::from_secs(u64::from(cli.dead_after_seconds)),
        customer_grace: std::time::Duration::from_secs(u64::from(cli.customer_grace_seconds)),
        presence_grace: std::time::Duration::from_secs(u64::from(cli.presence_grace_seconds)),
        mail_attempts: cli.mail_attempts,
        max_sockets_per_source: usize::try_from(cli.max_sockets_per_source)
            .unwrap_or(tandem_appliance::connections::DEFAULT_MAX_SOCKETS_PER_SOURCE),
        snapshot_every: cli.snapshot_every,
    }
}

#[allow(clippy::expect_used)]
fn unreachable_url() -> url::Url {
    url::Url::parse("https://localhost/").expect("a constant URL parses")
}

#[allow(clippy::print_stdout)]
fn announce(running: &tandem_appliance::Running, demo: bool) {
    let a = &running.appliance;
    println!("Tandem appliance listening on {}", running.addr);
    println!("  public URL:   {}", a.config.public_url);
    println!(
        "  Android emulator: {}://10.0.2.2:{}/",
        a.config.public_url.scheme(),
        running.addr.port()
    );
    match &a.fingerprint {
        Some(f) => println!("  TLS certificate SHA-256 fingerprint: {f}"),
        None => println!("  WARNING: plain HTTP (loopback development only)"),
    }
    println!(
        "  administration (web): {}",
        a.config
            .public_url
            .join("login")
            .map_or_else(|_| "/login".to_owned(), |u| u.to_string())
    );
    println!("  database:     {:?}", a.store.backend());
    println!(
        "  customers:    {} (a session key is typed there; a session link opens the chat)",
        a.config.public_url
    );
    for p in &a.packages.present {
        println!(
            "  support client download: {} ({})",
            p.target.id,
            p.from.display()
        );
    }
    if a.packages.present.is_empty() {
        println!(
            "  support client downloads: none in {} (see the README's \"Support client packages\")",
            a.config.effective_downloads_dir().display()
        );
    }
    println!(
        "  mail:         {}",
        if a.mailer.is_some() {
            "SMTP configured"
        } else {
            "not configured (invitations are not mailed)"
        }
    );
    if demo {
        println!(
            "Demo organisation{}; every account's password is {}",
            if running.seeded {
                " created"
            } else {
                " in place"
            },
            tandem_appliance::demo::DEMO_PASSWORD
        );
        for account in tandem_appliance::demo::ACCOUNTS {
            println!("  {:<22} {}", account.email, account.role);
        }
    }
    println!("ready");
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // The demo starts with its banner on the screen: each command of its seeding (and of every
    // click after) is logged only when asked for (TANDEM_LOG=info).
    let default_filter = if matches!(cli.mode, Some(Mode::Demo)) {
        "info,sqlx=warn,tandem_appliance::appliance=warn"
    } else {
        "info,sqlx=warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TANDEM_LOG")
        .unwrap_or_else(|_| default_filter.into());
    if cli.log_json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let demo = matches!(cli.mode, Some(Mode::Demo));
    let running = match tandem_appliance::start(config(&cli), demo).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "the appliance could not start");
            return ExitCode::FAILURE;
        }
    };
    // A new appliance's master administrator, from the environment (never from arguments,
    // which other users of the machine can read).
    if let (Ok(email), Ok(password)) = (
        std::env::var("TANDEM_ADMIN_EMAIL"),
        std::env::var("TANDEM_ADMIN_PASSWORD"),
    ) && running.appliance.state().await.technicians.is_empty()
        && let Err(e) = tandem_appliance::accounts::bootstrap_master(
            &running.appliance,
            "Administrator",
            &email,
            &password,
        )
        .await
    {
        tracing::error!(error = %e, "could not create the master administrator");
    }
    announce(&running, demo);
    let handle = running.handle();
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        #[cfg(unix)]
        let terminate = async {
            match term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! { _ = ctrl_c => {}, () = terminate => {} }
        tracing::info!("shutting down");
        handle.graceful_shutdown(Some(std::time::Duration::from_secs(5)));
    });
    match running.wait().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the server failed");
            ExitCode::FAILURE
        }
    }
}
