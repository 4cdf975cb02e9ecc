//! The Jump Client end to end (J1, C1): pinning installs a background agent with its own copy
//! of the program; End removes the session's customer client and leaves the agent; a technician
//! starts an unattended session through the agent and runs a command in it; unpinning makes the
//! agent uninstall itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{WAIT, join, read_until, said, shell_when_open, sign_in, take_session};
use tandem_core::domain::{Command, JumpLocation, SessionStatus};
use tandem_e2e::Appliance;

/// Wait until `test` holds, or fail saying `what`.
async fn eventually(what: &str, home: &Path, test: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !test() {
        assert!(
            Instant::now() < deadline,
            "{what} never happened; the customer client said {:?} and logged {:?}; the agent logged {:?}",
            said(home, "customer.out"),
            said(home, "customer.err"),
            said(home, ".local/share/tandem/jump-client/agent.log")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether a process is running (not gone, not a zombie).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(") ")
            .next()
            .is_some_and(|rest| !rest.starts_with('Z'))
    })
}

/// Stops the detached agent if the test fails before unpinning does.
struct Agent(u32);

impl Agent {
    /// The agent installed in `home`, once its installation is complete (it writes its pid last).
    async fn installed_in(home: &Path, what: &str) -> Self {
        let pid_file = home.join(".local/share/tandem/jump-client/agent.pid");
        eventually(what, home, || pid_file.is_file()).await;
        Self(
            std::fs::read_to_string(&pid_file)
                .unwrap()
                .trim()
                .parse()
                .unwrap(),
        )
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .arg("-9")
            .arg(self.0.to_string())
            .status();
    }
}

fn installations(home: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(home.join(".local/share/tandem/customer-client"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_jump_client_survives_end_serves_an_unattended_session_and_leaves_when_unpinned() {
    let app = Appliance::start().await.unwrap();
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let mut customer = join(&app, h, &key, &["--allow-all"]);
    let s = take_session(&alice).await;

    // The customer client installed itself for the session and runs from there.
    let installed = installations(h);
    assert_eq!(installed.len(), 1, "one installation: {installed:?}");
    assert!(installed[0].join("tandem-customer").is_file());

    let me = alice.current().me;
    alice
        .command(Command::PinJumpClient {
            session: s,
            location: JumpLocation::Personal(me),
        })
        .await
        .unwrap();
    let jump = h.join(".local/share/tandem/jump-client");
    let config = h.join(".config/tandem/jump-client.json");
    let unit = h.join(".config/systemd/user/tandem-jump-client.service");
    let agent = Agent::installed_in(h, "the jump client's installation").await;
    let pid = agent.0;
    assert!(
        jump.join("tandem-customer").is_file(),
        "the agent has its own copy of the program"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&config).unwrap().permissions().mode() & 0o777,
        0o600,
        "the agent's credential is readable by the user only"
    );
    assert!(
        std::fs::read_to_string(&unit)
            .unwrap()
            .contains("--jump-config")
    );
    let jump_client = *alice.current().state.jump_clients.keys().next().unwrap();

    // End (C1): the customer client removes itself; the jump client stays (J1).
    alice
        .command(Command::EndSession { session: s })
        .await
        .unwrap();
    let status = tokio::time::timeout(WAIT, customer.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
    assert!(
        said(h, "customer.out").contains("removed from this computer"),
        "{}",
        said(h, "customer.out")
    );
    assert_eq!(
        installations(h),
        Vec::<PathBuf>::new(),
        "End uninstalled the customer client"
    );
    assert!(jump.join("tandem-customer").is_file() && config.is_file() && unit.is_file());
    assert!(running(pid), "the agent keeps running after End");

    // An unattended session through the jump client: the agent joins and allows the shell.
    let before = alice.current().state.sessions.len();
    alice
        .command(Command::StartJumpSession { jump_client })
        .await
        .unwrap();
    let current = alice
        .wait_for(WAIT, |m| {
            m.state
                .sessions
                .values()
                .any(|x| x.jump_client == Some(jump_client) && x.status == SessionStatus::Active)
        })
        .await
        .unwrap();
    assert!(current.state.sessions.len() > before);
    let u = current
        .state
        .sessions
        .values()
        .find(|x| x.jump_client == Some(jump_client) && x.status == SessionStatus::Active)
        .unwrap()
        .id;
    alice
        .command(Command::StartShell { session: u })
        .await
        .unwrap();
    let Some(mut shell) = shell_when_open(&alice, u).await else {
        panic!(
            "the agent never allowed the shell; it logged {:?}",
            said(h, ".local/share/tandem/jump-client/agent.log")
        )
    };
    shell.send(b"echo unattended-$((2+3))\n").await.unwrap();
    read_until(&mut shell, "unattended-5").await;

    // Unpin (J1): the agent uninstalls itself and exits.
    alice
        .command(Command::UnpinJumpClient { session: u })
        .await
        .unwrap();
    eventually("the agent's uninstall", h, || {
        !jump.exists() && !config.exists() && !unit.exists()
    })
    .await;
    eventually("the agent's exit", h, || !running(pid)).await;
}

/// A pin belongs to the session it was made in, never to the machine id a client reports: a
/// second client on the same computer (the same `/etc/machine-id`), in a new session, installs
/// no agent and takes nothing from the one that was pinned, which keeps running (issue 10: a
/// client claiming another's machine id got its agent credential and revoked the real one's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_client_reporting_the_pinned_machine_id_gets_no_agent_and_takes_nothing() {
    let app = Appliance::start().await.unwrap();
    let alice = sign_in(&app, "alice").await;
    let first_home = tempfile::tempdir().unwrap();
    let key = alice.session_key(None).await.unwrap().key;
    let mut first = join(&app, first_home.path(), &key, &["--allow-all"]);
    let s = take_session(&alice).await;
    let me = alice.current().me;
    alice
        .command(Command::PinJumpClient {
            session: s,
            location: JumpLocation::Personal(me),
        })
        .await
        .unwrap();
    let first_agent = Agent::installed_in(first_home.path(), "the first installation").await;
    alice
        .command(Command::EndSession { session: s })
        .await
        .unwrap();
    tokio::time::timeout(WAIT, first.wait())
        .await
        .unwrap()
        .unwrap();

    // Another client on this computer joins a new session and is taken.
    let second_home = tempfile::tempdir().unwrap();
    let h = second_home.path();
    let key = alice.session_key(None).await.unwrap().key;
    let mut second = join(&app, h, &key, &["--allow-all"]);
    take_session(&alice).await;
    eventually("the second client hears who helps it", h, || {
        said(h, "customer.out").contains("is helping you")
    })
    .await;
    assert!(
        !h.join(".local/share/tandem/jump-client").exists(),
        "nothing was installed in the second home: {}",
        said(h, "customer.out")
    );
    assert!(!said(h, "customer.out").contains("pinned"));
    assert!(
        running(first_agent.0),
        "the pinned computer's agent still runs"
    );
    let _ = second.kill().await;
}
