//! What the tests of the customer's page and its downloads share: reading the page, waiting
//! for what it shows, the file the browser saved, and what the technician sees and reads.
use super::WAIT;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tandem_core::client::{Console, Picture, ScreenView};
use tandem_core::domain::{Participant, SessionId};
use tandem_e2e::browser::fantoccini::{Client, Locator};

/// The text of the element at `css`.
pub async fn text_of(page: &Client, css: &str) -> String {
    page.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Wait until the element at `xpath` is on the page.
pub async fn shown(page: &Client, xpath: &str) {
    page.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("the page never showed {xpath}: {e}"));
}

/// The file the browser finished saving in `dir` (Chromium writes `*.crdownload` until done).
pub async fn downloaded(dir: &Path) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let done: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_none_or(|x| x != "crdownload"))
            .collect();
        if let [file] = done.as_slice() {
            return file.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the browser saved no download in {}", dir.display());
}

/// The first picture the technician sees that passes `test`.
pub async fn picture_where(
    view: &ScreenView,
    what: &str,
    test: impl Fn(&Picture) -> bool,
) -> Picture {
    let deadline = Instant::now() + WAIT;
    let mut last = 0;
    while Instant::now() < deadline {
        if let Some(p) = view.latest(last) {
            if test(&p) {
                return p;
            }
            last = p.seq;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the technician never saw {what}");
}

/// Wait until the technician reads `text` from the customer.
pub async fn customer_says(alice: &Console, s: SessionId, text: &str) {
    alice
        .wait_for(WAIT, |m| {
            m.chat.get(&s).is_some_and(|lines| {
                lines
                    .iter()
                    .any(|l| l.from == Participant::Customer && l.text == text)
            })
        })
        .await
        .unwrap_or_else(|e| panic!("the technician never read {text:?}: {e}"));
}

/// The customer opens the technician's link for `key` and starts the chat as `name`.
pub async fn join_chat(page: &Client, base: &str, key: &str, name: &str) {
    page.goto(&format!("{base}/customer?key={key}"))
        .await
        .unwrap();
    page.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys(name)
        .await
        .unwrap();
    page.find(Locator::Id("join-chat"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}
