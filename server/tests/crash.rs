//! The appliance process killed with SIGKILL in the middle of a session, then started again on
//! the same data: no acknowledged chat message is lost, and a console resumes its event feed
//! with nothing missed and nothing doubled. On SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command as Process, Stdio};
use support::{Db, Ws};
use tandem_core::domain::{Command, SessionId};

struct Appliance {
    child: Child,
    port: u16,
    stderr: std::thread::JoinHandle<String>,
}

/// Start the real binary and wait for it to say it is ready.
fn spawn(data_dir: &std::path::Path, database_url: Option<&str>) -> Appliance {
    let mut command = Process::new(env!("CARGO_BIN_EXE_tandem-appliance"));
    command
        .arg("demo")
        .arg("--listen")
        .arg("127.0.0.1:0")
        .arg("--data-dir")
        .arg(data_dir)
        // The demo logs each command only when asked (its banner stays on the screen); this test
        // reads that log for secrets, so it asks.
        .env("TANDEM_LOG", "info,sqlx=warn");
    if let Some(url) = database_url {
        command.arg("--database-url").arg(url);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut port = 0;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(addr) = line.strip_prefix("Tandem appliance listening on ") {
            port = addr.rsplit_once(':').unwrap().1.parse().unwrap();
        }
        if line == "ready" {
            break;
        }
    }
    assert_ne!(port, 0, "the appliance announced where it listens");
    Appliance {
        child,
        port,
        stderr,
    }
}

struct Client {
    http: reqwest::Client,
    tls: std::sync::Arc<rustls::ClientConfig>,
}

impl Client {
    async fn post(
        &self,
        port: u16,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Result<(u16, Value), reqwest::Error> {
        let mut request = self
            .http
            .post(format!("https://localhost:{port}{path}"))
            .json(&body);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }
}

async fn killed_mid_session(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = match db {
        Db::Sqlite => None,
        Db::Postgres => Some(support::fresh_postgres().await),
    };
    let first = spawn(dir.path(), database_url.as_deref());
    let (http, tls) = support::clients(&std::fs::read(dir.path().join("tls-cert.pem")).unwrap());
    let client = Client { http, tls };
    let login = json!({"email": "alice@demo.tandem", "password": support::PASSWORD});
    let (_, body) = client
        .post(first.port, "/api/v1/login", None, login.clone())
        .await
        .unwrap();
    let alice = body["token"].as_str().unwrap().to_owned();
    let (_, key) = client
        .post(first.port, "/api/v1/session-keys", Some(&alice), json!({}))
        .await
        .unwrap();
    let customer_info =
        json!({"name": "Kim", "machine": "kim-pc", "platform": "Linux", "mode": "Full"});
    let (_, joined) = client
        .post(
            first.port,
            "/api/v1/customer/join",
            None,
            json!({"key": key["key"], "customer": customer_info}),
        )
        .await
        .unwrap();
    let customer = joined["token"].as_str().unwrap().to_owned();
    let session = SessionId(joined["session"].as_u64().unwrap());
    let accept = serde_json::to_value(Command::AcceptFromQueue { session }).unwrap();
    assert_eq!(
        client
            .post(first.port, "/api/v1/commands", Some(&alice), accept)
            .await
            .unwrap()
            .0,
        200
    );

    // Alice's console follows the session.
    let mut console = Ws::connect(
        &format!(
            "wss://localhost:{}/api/v1/events?access_token={alice}",
            first.port
        ),
        client.tls.clone(),
    )
    .await;
    let snapshot = console.next().await;
    let mut last_seen = snapshot["seq"].as_i64().unwrap();
    let mut seen: Vec<String> = Vec::new();

    // The customer chats as fast as the appliance acknowledges; the process dies mid-stream.
    let sender = {
        let (client, customer, port) = (
            Client {
                http: client.http.clone(),
                tls: client.tls.clone(),
            },
            customer.clone(),
            first.port,
        );
        tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for n in 0.. {
                let text = format!("message {n}");
                let command = serde_json::to_value(Command::SendChat {
                    session,
                    text: text.clone(),
                })
                .unwrap();
                match client
                    .post(port, "/api/v1/commands", Some(&customer), command)
                    .await
                {
                    Ok((200, _)) => acknowledged.push(text),
                    _ => break,
                }
            }
            acknowledged
        })
    };
    // Let the console see some of it, then kill the appliance without warning.
    while seen.len() < 10 {
        let m = console.next().await;
        if let Some(text) = m["event"]["ChatPosted"]["text"].as_str() {
            seen.push(text.to_owned());
            last_seen = m["seq"].as_i64().unwrap();
        }
    }
    let mut first = first;
    first.child.kill().unwrap(); // SIGKILL
    first.child.wait().unwrap();
    let acknowledged = sender.await.unwrap();
    // The customer sends one line at a time, each after the last was answered: a console that
    // saw ten lines means at least nine answers (the tenth's may be on its way at the kill).
    assert!(
        acknowledged.len() >= 9,
        "the customer got acknowledgements before the kill: {}",
        acknowledged.len()
    );
    drop(console);

    // Start again on the same data.
    let second = spawn(dir.path(), database_url.as_deref());
    let (_, snapshot) = client
        .post(second.port, "/api/v1/login", None, login)
        .await
        .unwrap();
    assert!(
        snapshot["token"].is_string(),
        "signing in works after the restart"
    );
    let view = client
        .http
        .get(format!("https://localhost:{}/api/v1/snapshot", second.port))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    let view: Value = view.json().await.unwrap();
    let transcript: Vec<String> = view["view"]["chat"][session.0.to_string()]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_owned())
        .collect();
    for text in &acknowledged {
        assert!(transcript.contains(text), "acknowledged {text:?} was lost");
    }

    // The console resumes from the last number it saw: the rest arrives, once each.
    let mut console = Ws::connect(
        &format!(
            "wss://localhost:{}/api/v1/events?access_token={alice}&since={last_seen}",
            second.port
        ),
        client.tls.clone(),
    )
    .await;
    // One message after the restart marks the end of what the console must catch up on.
    let after = serde_json::to_value(Command::SendChat {
        session,
        text: "after the restart".into(),
    })
    .unwrap();
    assert_eq!(
        client
            .post(second.port, "/api/v1/commands", Some(&customer), after)
            .await
            .unwrap()
            .0,
        200
    );
    let resumed = console
        .until(|m| m["event"]["ChatPosted"]["text"] == "after the restart")
        .await;
    assert!(
        resumed.iter().all(|m| m["type"] == "event"),
        "a resume, not a snapshot"
    );
    seen.extend(
        resumed
            .iter()
            .filter_map(|m| m["event"]["ChatPosted"]["text"].as_str().map(str::to_owned)),
    );
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for text in &seen {
        *counts.entry(text).or_default() += 1;
    }
    assert!(
        counts.values().all(|n| *n == 1),
        "a message arrived twice: {counts:?}"
    );
    for text in &acknowledged {
        assert!(
            counts.contains_key(text.as_str()),
            "the console missed {text:?}"
        );
    }
    let mut second = second;
    second.child.kill().unwrap();
    second.child.wait().unwrap();
    // No secret in what the appliance logged.
    for log in [first.stderr.join().unwrap(), second.stderr.join().unwrap()] {
        assert!(log.contains("accepted"), "the appliance logged its work");
        for secret in [alice.as_str(), customer.as_str(), support::PASSWORD] {
            assert!(!log.contains(secret), "a secret reached the log");
        }
    }
}

on_both_databases!(killed_mid_session);
