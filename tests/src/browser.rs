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
        self.browser_with(width, height, ratio, None).await
    }

    /// The user agent of Chrome on an Android phone.
    pub const PHONE_AGENT: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36";

    /// A Chromium that is a phone as far as pages can tell: a phone's screen and Chrome for
    /// Android's user agent (the customer's page offers a phone no client to run).
    pub async fn phone(&self) -> (Client, tempfile::TempDir) {
        self.browser_as(390, 844, 2, None, Some(Self::PHONE_AGENT))
            .await
    }

    /// A desktop-sized Chromium (1280 x 800) that saves downloads into `downloads` without
    /// asking, as a customer's browser does with its default settings.
    pub async fn desktop_downloading_to(
        &self,
        downloads: &std::path::Path,
    ) -> (Client, tempfile::TempDir) {
        self.browser_with(1280, 800, 1, Some(downloads)).await
    }

    /// The user agent of Chrome on Windows 10 or 11 (which all say "Windows NT 10.0").
    pub const WINDOWS_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

    /// A desktop Chromium that tells pages it runs on Windows, saving downloads into
    /// `downloads` without asking.
    pub async fn windows_downloading_to(
        &self,
        downloads: &std::path::Path,
    ) -> (Client, tempfile::TempDir) {
        self.browser_as(1280, 800, 1, Some(downloads), Some(Self::WINDOWS_AGENT))
            .await
    }

    async fn browser_with(
        &self,
        width: u32,
        height: u32,
        ratio: u32,
        downloads: Option<&std::path::Path>,
    ) -> (Client, tempfile::TempDir) {
        self.browser_as(width, height, ratio, downloads, None).await
    }

    async fn browser_as(
        &self,
        width: u32,
        height: u32,
        ratio: u32,
        downloads: Option<&std::path::Path>,
        agent: Option<&str>,
    ) -> (Client, tempfile::TempDir) {
        let profile = tempfile::tempdir().unwrap();
        let prefs = downloads.map(|d| {
            serde_json::json!({
                "download.default_directory": d.display().to_string(),
                "download.prompt_for_download": false,
                "safebrowsing.enabled": false,
            })
        });
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
        let mut caps = caps;
        if let Some(agent) = agent {
            caps["goog:chromeOptions"]["mobileEmulation"]["userAgent"] = serde_json::json!(agent);
        }
        if let Some(prefs) = prefs {
            caps["goog:chromeOptions"]["prefs"] = prefs;
            // A desktop browser, not an emulated phone: its own user agent and window size.
            if let Some(options) = caps["goog:chromeOptions"].as_object_mut() {
                options.remove("mobileEmulation");
                if let Some(args) = options.get_mut("args").and_then(|a| a.as_array_mut()) {
                    args.push(serde_json::json!(format!("--window-size={width},{height}")));
                    if let Some(agent) = agent {
                        args.push(serde_json::json!(format!("--user-agent={agent}")));
                    }
                }
            }
        }
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
