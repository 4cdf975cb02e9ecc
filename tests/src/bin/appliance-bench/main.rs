//! The appliance under load (issue 14): the release binary driven over HTTPS as consoles drive
//! it, with the floors measured in the same run, printed as figures and ratios. It asserts
//! nothing about time: it is a measurement, not a test.
//!
//! ```text
//! cargo build --release -p tandem-appliance -p tandem-e2e
//! target/release/appliance-bench [--seconds 3] [--sessions 100,1000,10000] [--history 1000000]
//!     [--consoles 1000] [--postgres URL]
//! ```
//!
//! - Floors: an HTTPS request that does nothing (`GET /api/v1/info`) from 1, 10 and 50 clients,
//!   and a bare insert and commit on the same kind of database with the appliance's durability
//!   (SQLite: WAL, `synchronous = FULL`; PostgreSQL: its defaults).
//! - Commands: a chat line (`SendChat`, accepted, stored, fanned out) from 1, 10 and 50
//!   clients, each with its own sign-in and session: p50, p99, commands per second, and the
//!   appliance's CPU per command, against the floors.
//! - Growth: at each number of live sessions, and after `--history` more events of sessions
//!   that ended, the command's p99 from 10 clients, the time of a console's snapshot, the
//!   appliance's memory, and its start-up (killed and started again on what it stored).
//! - Fan-out: idle consoles' event feeds (`--consoles 1000`), then chat lines at 100 a second:
//!   the time from sending a line to its arrival at the last console, the snapshots sent again
//!   (a console that fell behind), and the appliance's memory per idle console.
//! - Keystroke: through the shell relay, idle and while 50 commands a second are committed.
//!
//! The appliance runs with `--load-test-rates`: its rate limits exist to refuse exactly this.
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tandem_core::client::{Api, ClientError};
use tandem_core::domain::{ClientMode, Command, CustomerInfo, Platform, SessionId};
use tandem_e2e::Appliance;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

mod history;
mod keystroke;

/// The demo accounts' password (`tandem-appliance demo` prints it; demo data only).
const DEMO_PASSWORD: &str = "tandem-demo-2026";
const TECHNICIAN: &str = "alice@demo.tandem";
const CLIENTS: [usize; 3] = [1, 10, 50];

#[derive(Debug, thiserror::Error)]
enum BenchError {
    #[error(transparent)]
    Start(#[from] tandem_e2e::StartError),
    #[error("the appliance: {0}")]
    Client(#[from] ClientError),
    #[error("the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Usage(String),
}

struct Options {
    seconds: f64,
    sessions: Vec<usize>,
    postgres: Option<String>,
    consoles: usize,
    history: usize,
}

fn options() -> Result<Options, BenchError> {
    let mut o = Options {
        seconds: 3.0,
        sessions: vec![100, 1_000],
        postgres: None,
        consoles: 1_000,
        history: 0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| BenchError::Usage(format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--seconds" => {
                o.seconds = value()?
                    .parse()
                    .map_err(|_| BenchError::Usage("--seconds: a number".into()))?;
            }
            "--sessions" => {
                o.sessions = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()
                    .map_err(|_| {
                        BenchError::Usage("--sessions: numbers separated by commas".into())
                    })?;
                o.sessions.sort_unstable();
            }
            "--postgres" => o.postgres = Some(value()?),
            "--history" => {
                o.history = value()?
                    .parse()
                    .map_err(|_| BenchError::Usage("--history: a number of events".into()))?;
            }
            "--consoles" => {
                o.consoles = value()?
                    .parse()
                    .map_err(|_| BenchError::Usage("--consoles: a number".into()))?;
            }
            other => return Err(BenchError::Usage(format!("unknown argument {other}"))),
        }
    }
    Ok(o)
}

/// Latencies of one run, and how long it lasted.
struct Run {
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Run {
    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let at = ((sorted.len().saturating_sub(1)) as f64 * p).round() as usize;
        sorted.get(at).copied().unwrap_or_default()
    }

    #[allow(clippy::cast_precision_loss)]
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Each of `clients` tasks repeats `op` until `seconds` have passed.
async fn drive<F, Fut>(clients: usize, seconds: f64, op: F) -> Result<Run, BenchError>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), BenchError>> + Send,
{
    let op = Arc::new(op);
    let start = Instant::now();
    let until = start + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for client in 0..clients {
        let op = Arc::clone(&op);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < until {
                let t = Instant::now();
                op(client).await?;
                latencies.push(t.elapsed());
            }
            Ok::<_, BenchError>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.map_err(|e| BenchError::Usage(e.to_string()))??);
    }
    Ok(Run {
        latencies,
        elapsed: start.elapsed(),
    })
}

/// The appliance process's CPU time so far (user + system), from /proc.
fn cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the command name in parentheses: fields 14 and 15 (utime, stime) in clock ticks,
    // which Linux reports at 100 a second (USER_HZ).
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let ticks = field(11) + field(12);
    Duration::from_millis(ticks * 10)
}

/// The appliance process's resident memory, from /proc.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Inserts and commits on `$conn`, one at a time, with `$insert`, for `$seconds`. A macro, not
/// a function: the two databases' connections share no type.
macro_rules! time_commits {
    ($conn:expr, $insert:expr, $seconds:expr) => {{
        use sqlx::Connection as _;
        let mut latencies = Vec::new();
        let start = Instant::now();
        let until = start + Duration::from_secs_f64($seconds);
        while Instant::now() < until {
            let t = Instant::now();
            let mut tx = $conn.begin().await?;
            sqlx::query($insert)
                .bind("a chat line")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            latencies.push(t.elapsed());
        }
        Run {
            latencies,
            elapsed: start.elapsed(),
        }
    }};
}

/// A bare insert and commit, one at a time, on a database of the same kind and durability.
async fn bare_commits(postgres: Option<&str>, seconds: f64) -> Result<Run, BenchError> {
    use sqlx::Connection as _;
    if let Some(url) = postgres {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::query("CREATE TEMP TABLE floor (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)")
            .execute(&mut conn)
            .await?;
        return Ok(time_commits!(
            conn,
            "INSERT INTO floor (body) VALUES ($1)",
            seconds
        ));
    }
    let dir = tempfile::tempdir().map_err(|e| BenchError::Usage(e.to_string()))?;
    let path = dir.path().join("floor.db");
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display())).await?;
    for statement in [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "CREATE TABLE floor (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
    ] {
        sqlx::query(statement).execute(&mut conn).await?;
    }
    Ok(time_commits!(
        conn,
        "INSERT INTO floor (body) VALUES (?)",
        seconds
    ))
}

/// A fresh PostgreSQL database for the appliance, made on the server `admin_url` points at.
async fn fresh_postgres(admin_url: &str) -> Result<String, BenchError> {
    use sqlx::Connection;
    let name = format!("tandem_bench_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut conn)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    let mut url = url_with_database(admin_url, &name);
    if url.is_empty() {
        url = admin_url.to_owned();
    }
    Ok(url)
}

fn url_with_database(url: &str, database: &str) -> String {
    match url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{database}"),
        None => String::new(),
    }
}

async fn sign_in(endpoint: &Api) -> Result<Api, BenchError> {
    sign_in_as(endpoint, TECHNICIAN).await
}

async fn sign_in_as(endpoint: &Api, email: &str) -> Result<Api, BenchError> {
    Ok(endpoint.login(email, DEMO_PASSWORD, None).await?.0)
}

/// One live session more: a key, a customer joining with it, the technician taking it.
async fn open_session(technician: &Api, guest: &Api, n: usize) -> Result<SessionId, BenchError> {
    Ok(open_session_as_customer(technician, guest, n).await?.1)
}

/// One live session more, and its customer's credential.
async fn open_session_as_customer(
    technician: &Api,
    guest: &Api,
    n: usize,
) -> Result<(Api, SessionId), BenchError> {
    let key = technician.session_key(None).await?.key;
    let customer = CustomerInfo {
        name: format!("Customer {n}"),
        machine: format!("bench-{n}"),
        platform: Platform::Linux,
        mode: ClientMode::Full,
    };
    let (customer, joined) = guest.join(&key, &customer).await?;
    technician
        .command(&Command::AcceptFromQueue {
            session: joined.session,
        })
        .await?;
    Ok((customer, joined.session))
}

/// The credentials the growth series holds: the chatting consoles, a guest, and a console that
/// sees none of the sessions.
struct Clients {
    consoles: Vec<Api>,
    anonymous: Api,
    outsider: Api,
}

impl Clients {
    /// The same credentials, at the address of an appliance started again.
    fn reconnect(&mut self, appliance: &Appliance) -> Result<(), BenchError> {
        let fresh = Api::new(appliance.endpoint()?)?;
        let moved = |a: &Api| match a.token() {
            Some(token) => fresh.with_token(token.to_owned()),
            None => fresh.clone(),
        };
        self.consoles = self.consoles.iter().map(moved).collect();
        self.anonymous = moved(&self.anonymous);
        self.outsider = moved(&self.outsider);
        Ok(())
    }
}

/// One row of the growth series: the command from 10 clients, a console's snapshot, the
/// appliance's memory, then its start-up, killed and started again on what it stored.
#[allow(clippy::print_stdout)]
async fn growth_row(
    label: &str,
    appliance: &mut Appliance,
    clients: &mut Clients,
    sessions: &[SessionId],
    seconds: f64,
) -> Result<(Duration, Duration, Duration), BenchError> {
    let pid = appliance
        .pid()
        .ok_or_else(|| BenchError::Usage("the appliance has no pid".into()))?;
    let (run, per) = chat(pid, &clients.consoles, sessions, 10, seconds).await?;
    // The median of five: a console that sees every live session, and one that sees none of
    // them (the organisation alone).
    let median = |api: Api| async move {
        let mut times = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let snapshot = api.snapshot().await?;
            times.push(t.elapsed());
            drop(snapshot);
        }
        times.sort_unstable();
        Ok::<_, BenchError>(times[times.len() / 2])
    };
    let snapshot = median(clients.consoles[1].clone()).await?;
    let outsiders = median(clients.outsider.clone()).await?;
    let events = clients.consoles[1]
        .snapshot()
        .await
        .map(|s| s.seq)
        .unwrap_or_default();
    let rss = rss_mib(pid);
    let restarting = Instant::now();
    appliance.restart().await?;
    let startup = restarting.elapsed();
    clients.reconnect(appliance)?;
    println!(
        "| {label} | {events} | {} | {} | {:.0} µs | {} | {} | {rss:.0} MiB | {:.2} s |",
        ms(run.percentile(0.5)),
        ms(run.percentile(0.99)),
        per.as_secs_f64() * 1e6,
        ms(snapshot),
        ms(outsiders),
        startup.as_secs_f64()
    );
    Ok((run.percentile(0.99), outsiders, startup))
}

/// Chat lines from `clients` consoles, each in its own session: the run, and CPU per command.
async fn chat(
    pid: u32,
    consoles: &[Api],
    sessions: &[SessionId],
    clients: usize,
    seconds: f64,
) -> Result<(Run, Duration), BenchError> {
    let pairs: Arc<Vec<(Api, SessionId)>> = Arc::new(
        (0..clients)
            .map(|i| {
                (
                    consoles[i % consoles.len()].clone(),
                    sessions[i % sessions.len()],
                )
            })
            .collect(),
    );
    let before = cpu(pid);
    let run = drive(clients, seconds, move |i| {
        let pairs = Arc::clone(&pairs);
        async move {
            let (api, session) = &pairs[i];
            api.command(&Command::SendChat {
                session: *session,
                text: "Could you open the printer settings?".into(),
            })
            .await?;
            Ok(())
        }
    })
    .await?;
    let used = cpu(pid).saturating_sub(before);
    let per = used / u32::try_from(run.latencies.len().max(1)).unwrap_or(u32::MAX);
    Ok((run, per))
}

#[allow(clippy::print_stdout, clippy::too_many_lines)]
async fn bench(o: Options) -> Result<(), BenchError> {
    let database = match &o.postgres {
        Some(admin) => Some(fresh_postgres(admin).await?),
        None => None,
    };
    // Every feed comes from this machine's one address.
    let mut args = vec!["--load-test-rates", "--max-sockets-per-source", "1000000"];
    if let Some(url) = &database {
        args.extend(["--database-url", url.as_str()]);
    }
    let appliance = Appliance::start_with(&args).await?;
    let pid = appliance
        .pid()
        .ok_or_else(|| BenchError::Usage("the appliance has no pid".into()))?;
    let anonymous = Api::new(appliance.endpoint()?)?;
    let kind = if database.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "appliance-bench: release appliance over HTTPS on {kind}, {} s per run, {} cores",
        o.seconds,
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get)
    );

    // Floors, same run.
    let commit = bare_commits(database.as_deref(), o.seconds).await?;
    println!(
        "\nfloor: a bare insert+commit ({kind}, one at a time): p50 {}, p99 {}, {:.0}/s",
        ms(commit.percentile(0.5)),
        ms(commit.percentile(0.99)),
        commit.rate()
    );
    let mut noop = BTreeMap::new();
    for clients in CLIENTS {
        let api = anonymous.clone();
        let run = drive(clients, o.seconds, move |_| {
            let api = api.clone();
            async move {
                api.info().await?;
                Ok(())
            }
        })
        .await?;
        println!(
            "floor: an HTTPS no-op from {clients:>2}: p50 {}, p99 {}, {:.0}/s",
            ms(run.percentile(0.5)),
            ms(run.percentile(0.99)),
            run.rate()
        );
        noop.insert(clients, run);
    }

    // One sign-in per client (each its own credential), and a session for each.
    let mut consoles = Vec::new();
    for _ in 0..CLIENTS[CLIENTS.len() - 1] {
        consoles.push(sign_in(&anonymous).await?);
    }
    let mut sessions = Vec::new();
    for n in 0..CLIENTS[CLIENTS.len() - 1] {
        sessions.push(open_session(&consoles[0], &anonymous, n).await?);
    }

    println!(
        "\ncommand: a chat line, accepted, stored and fanned out ({} live sessions)",
        sessions.len()
    );
    println!(
        "| clients | p50 | p99 | commands/s | CPU/command | p99 / commit p99 | rate / commit rate | p50 / no-op p50 |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for clients in CLIENTS {
        let (run, per) = chat(pid, &consoles, &sessions, clients, o.seconds).await?;
        let floor = &noop[&clients];
        println!(
            "| {clients} | {} | {} | {:.0} | {:.0} µs | {:.1}x | {:.2}x | {:.1}x |",
            ms(run.percentile(0.5)),
            ms(run.percentile(0.99)),
            run.rate(),
            per.as_secs_f64() * 1e6,
            run.percentile(0.99).as_secs_f64() / commit.percentile(0.99).as_secs_f64().max(1e-9),
            run.rate() / commit.rate().max(1e-9),
            run.percentile(0.5).as_secs_f64() / floor.percentile(0.5).as_secs_f64().max(1e-9)
        );
    }

    println!(
        "\ngrowth: live sessions and stored events (10 clients chatting; a console's snapshot; the appliance's memory; its start-up, killed and started again on what it stored)"
    );
    println!(
        "| live sessions | stored events | command p50 | command p99 | CPU/command | snapshot, sees all | snapshot, sees none | RSS | start-up |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let outsider = sign_in_as(&anonymous, "carol@demo.tandem").await?;
    let mut clients = Clients {
        consoles,
        anonymous,
        outsider,
    };
    let mut appliance = appliance;
    let mut rows = Vec::new();
    for &target in &o.sessions {
        let opening = Instant::now();
        while sessions.len() < target {
            let n = sessions.len();
            let session = open_session(&clients.consoles[0], &clients.anonymous, n).await?;
            sessions.push(session);
        }
        let opened = opening.elapsed();
        let label = target.to_string();
        let row = growth_row(&label, &mut appliance, &mut clients, &sessions, o.seconds);
        rows.push(row.await?);
        if opened > Duration::from_secs(1) {
            println!(
                "  (opening the sessions took {:.1} s)",
                opened.as_secs_f64()
            );
        }
    }
    if o.history > 0 {
        let took = history::store(&clients.consoles, &clients.anonymous, o.history).await?;
        let label = format!(
            "{} + {} events of ended sessions",
            sessions.len(),
            o.history
        );
        let row = growth_row(&label, &mut appliance, &mut clients, &sessions, o.seconds);
        rows.push(row.await?);
        println!("  (writing the history took {:.0} s)", took.as_secs_f64());
    }
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
        println!(
            "\ngrowth ratios, largest against smallest: command p99 {:.2}x, snapshot (sees none) {:.2}x, start-up {:.2}x",
            ratio(last.0, first.0),
            ratio(last.1, first.1),
            ratio(last.2, first.2)
        );
    }
    let pid = appliance
        .pid()
        .ok_or_else(|| BenchError::Usage("the appliance has no pid".into()))?;
    let Clients {
        consoles,
        anonymous,
        ..
    } = clients;
    fan_out(pid, &anonymous, o.consoles).await?;
    keystroke::bench(&consoles[0], &anonymous, &consoles[2]).await?;
    appliance.stop().await;
    Ok(())
}

/// Marked chat lines delivered so far, across every feed; `done` is told when all have arrived.
struct Deliveries {
    count: std::sync::atomic::AtomicUsize,
    expected: usize,
    done: tokio::sync::Notify,
}

/// What one console's feed saw: when each marked chat line arrived, and how many snapshots.
struct Feed {
    arrivals: Vec<(usize, Instant)>,
    snapshots: usize,
}

/// Hold one console's event feed open, noting when each marked chat line arrives, until `stop`.
async fn feed(
    url: String,
    connector: tokio_tungstenite::Connector,
    ready: tokio::sync::mpsc::Sender<()>,
    deliveries: Arc<Deliveries>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Feed {
    use futures_util::StreamExt as _;
    let mut seen = Feed {
        arrivals: Vec::new(),
        snapshots: 0,
    };
    let Ok((mut socket, _)) = tokio_tungstenite::connect_async_tls_with_config(
        url,
        // As the console's own feed reads (its default zeroes 128 KiB before every read).
        Some(WebSocketConfig::default().read_buffer_size(tandem_core::client::FEED_READ_BUFFER)),
        false,
        Some(connector),
    )
    .await
    else {
        let _ = ready.send(()).await;
        return seen;
    };
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            message = socket.next() => {
                let Some(Ok(message)) = message else { break };
                let Ok(text) = message.into_text() else { continue };
                let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
                match value["type"].as_str() {
                    Some("snapshot") => {
                        seen.snapshots += 1;
                        if seen.snapshots == 1 {
                            let _ = ready.send(()).await;
                        }
                    }
                    Some("event") => {
                        if let Some(n) = value["event"]["ChatPosted"]["text"].as_str().and_then(|t| t.strip_prefix("fan-out ")).and_then(|n| n.parse().ok()) {
                            seen.arrivals.push((n, Instant::now()));
                            let count = deliveries.count.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                            if count == deliveries.expected {
                                deliveries.done.notify_one();
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    seen
}

/// `consoles` idle event feeds of another technician, Bob, with one session of his own (a
/// sign-in per 16 feeds: one credential holds at most 16 sockets), then chat lines in that
/// session: 300 at 100 a second (is there a snapshot storm?), then 100 at 20 a second (the
/// delivery latency when the two cores are not saturated by the fan-out and its consumers).
#[allow(clippy::print_stdout, clippy::cast_precision_loss)]
async fn fan_out(pid: u32, anonymous: &Api, consoles: usize) -> Result<(), BenchError> {
    const RATES: [(usize, u64); 2] = [(300, 100), (100, 20)];
    const BOB: &str = "bob@demo.tandem";
    let lines: usize = RATES.iter().map(|(n, _)| n).sum();
    let sender = sign_in_as(anonymous, BOB).await?;
    let session = open_session(&sender, anonymous, 0).await?;
    // Every sign-in first: what a password check leaves in the allocator (argon2id's 19 MiB
    // per hash, on each hashing thread) is not an idle console's cost.
    let mut credentials = Vec::with_capacity(consoles.div_ceil(16));
    for _ in 0..consoles.div_ceil(16) {
        credentials.push(sign_in_as(anonymous, BOB).await?);
    }
    let rss_before = rss_mib(pid);
    let (ready_tx, mut ready) = tokio::sync::mpsc::channel(consoles.max(1));
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let deliveries = Arc::new(Deliveries {
        count: std::sync::atomic::AtomicUsize::new(0),
        expected: consoles * lines,
        done: tokio::sync::Notify::new(),
    });
    let mut feeds = Vec::new();
    for n in 0..consoles {
        let api = &credentials[n / 16];
        let token = api.token().unwrap_or_default().to_owned();
        let url = api.endpoint().events_url(&token, None)?.to_string();
        let connector = tokio_tungstenite::Connector::Rustls(api.tls());
        feeds.push(tokio::spawn(feed(
            url,
            connector,
            ready_tx.clone(),
            Arc::clone(&deliveries),
            stop.clone(),
        )));
        // A few at a time: the appliance answers each with a snapshot.
        if n % 50 == 49 {
            for _ in 0..50 {
                ready.recv().await;
            }
        }
    }
    for _ in 0..consoles % 50 {
        ready.recv().await;
    }
    // Every feed has its snapshot: the consoles are idle now.
    let rss_idle = rss_mib(pid);
    let mut sent = Vec::with_capacity(lines);
    let mut cpu_used = Vec::new();
    for (count, per_second) in RATES {
        let (appliance_cpu, own_cpu) = (cpu(pid), cpu(std::process::id()));
        let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / per_second));
        for _ in 0..count {
            tick.tick().await;
            let n = sent.len();
            sent.push(Instant::now());
            sender
                .command(&Command::SendChat {
                    session,
                    text: format!("fan-out {n}"),
                })
                .await?;
        }
        // Until every line so far reached every console, or long after it should have.
        let expected = consoles * sent.len();
        let waited = Instant::now();
        while deliveries.count.load(std::sync::atomic::Ordering::Relaxed) < expected
            && waited.elapsed() < Duration::from_secs(30)
        {
            let _ =
                tokio::time::timeout(Duration::from_millis(100), deliveries.done.notified()).await;
        }
        cpu_used.push((
            cpu(pid).saturating_sub(appliance_cpu),
            cpu(std::process::id()).saturating_sub(own_cpu),
        ));
    }
    let _ = stop_tx.send(true);
    let mut last = vec![None::<Instant>; lines];
    let (mut delivered, mut resent) = (0usize, 0usize);
    for f in feeds {
        let seen = f.await.map_err(|e| BenchError::Usage(e.to_string()))?;
        resent += seen.snapshots.saturating_sub(1);
        for (n, at) in seen.arrivals {
            if let Some(slot) = last.get_mut(n) {
                delivered += 1;
                *slot = Some(slot.map_or(at, |t: Instant| t.max(at)));
            }
        }
    }
    println!(
        "
fan-out: {consoles} idle consoles' feeds, chat lines in a session they all see (CPU per delivery: the appliance's, and the bench's {consoles} consoles' on the same 2 cores)"
    );
    println!(
        "| consoles | lines | send to last console p50 | p99 | deliveries | snapshots sent again | appliance CPU/delivery | consoles' CPU/delivery |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut first = 0;
    for ((count, per_second), (appliance_cpu, own_cpu)) in RATES.into_iter().zip(cpu_used) {
        let range = first..first + count;
        first += count;
        let latencies: Vec<Duration> = last[range.clone()]
            .iter()
            .zip(&sent[range])
            .filter_map(|(l, s)| l.map(|l| l.duration_since(*s)))
            .collect();
        let run = Run {
            latencies,
            elapsed: Duration::from_secs(1),
        };
        let per = |d: Duration| d.as_secs_f64() * 1e6 / (consoles * count).max(1) as f64;
        println!(
            "| {consoles} | {count} at {per_second}/s | {} | {} | {delivered} of {} | {resent} | {:.1} µs | {:.1} µs |",
            ms(run.percentile(0.5)),
            ms(run.percentile(0.99)),
            consoles * lines,
            per(appliance_cpu),
            per(own_cpu),
        );
    }
    println!(
        "memory of the idle consoles: {:.0} MiB, {:.1} KB per console",
        rss_idle - rss_before,
        (rss_idle - rss_before) * 1024.0 / consoles.max(1) as f64
    );
    Ok(())
}

#[tokio::main]
#[allow(clippy::print_stderr)]
async fn main() -> ExitCode {
    let result = match options() {
        Ok(o) => bench(o).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("appliance-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
