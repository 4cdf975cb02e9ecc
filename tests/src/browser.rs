//! A real browser for the web tests (issue 16): Debian's Chromium, headless, driven through its
//! matching chromedriver (WebDriver, on loopback over plain HTTP), against the real appliance.
//! Screenshots go to `target/browser-screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

pub use fantoccini;
use fantoccini::{Client, ClientBuilder};
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// chromedriver on a free port, stopped when dropped with every browser it started.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Its browsers are in its process group: a test that ends without closing its browser
        // (or panics first) must not leave a Chromium running after it.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let mut child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver; scripts/setup installs it)");
        // It says when it listens; whatever it says after is read too (and dropped), so a
        // full pipe never stops it.
        let out = child.stdout.take().unwrap();
        let (told, started) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            let mut told = Some(told);
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                if line.contains("started successfully") {
                    told.take().map(|t| t.send(()));
                }
            }
        });
        let started = tokio::time::timeout(Duration::from_secs(20), started).await;
        assert!(matches!(started, Ok(Ok(()))), "chromedriver did not start");
        let url = format!("http://127.0.0.1:{port}");
        Self { child, url }
    }

    /// A new headless Chromium the size of a phone, trusting the appliance's own certificate
    /// as a reviewer who accepted it would; its profile directory lives as long as the second
    /// value.
    pub async fn browser(&self) -> (Client, tempfile::TempDir) {
        self.browser_sized(390, 844, 2).await
    }

    /// A new headless Chromium whose window is `width` x `height` CSS pixels at `ratio` device
    /// pixels each.
    pub async fn browser_sized(
        &self,
        width: u32,
        height: u32,
        ratio: u32,
    ) -> (Client, tempfile::TempDir) {
        let profile = tempfile::tempdir().unwrap();
        let caps = serde_json::json!({
            "acceptInsecureCerts": true,
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         format!("--user-data-dir={}", profile.path().display())],
                "mobileEmulation": {"deviceMetrics": {"width": width, "height": height, "pixelRatio": ratio}}
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a Chromium session");
        (client, profile)
    }
}

pub fn screenshots() -> std::path::PathBuf {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Save what the browser shows as `target/browser-screenshots/{name}.png`.
pub async fn shot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.unwrap();
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
}
