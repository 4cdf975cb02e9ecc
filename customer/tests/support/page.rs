//! What the tests of the customer's page and its downloads share: reading the page, waiting
//! for what it shows, the file the browser saved, and what the technician sees and reads.
use super::WAIT;
use std::path::{Path, PathBuf};
use std::time::Duration;
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

/// The file the browser finished saving in `dir`.
pub async fn downloaded(dir: &Path) -> PathBuf {
    // Chromium makes the file's name early, writes `*.crdownload` (and briefly a hidden
    // `.org.chromium…` file), and renames that over the name when done.
    let listed = || -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
            })
            .collect()
    };
    let finished = || {
        let files = listed();
        files.len() == 1 && files[0].extension().is_none_or(|x| x != "crdownload")
    };
    super::until_in(dir, Duration::from_secs(60), finished, || {
        format!("the browser saved no download in {}", dir.display())
    })
    .await;
    listed().remove(0)
}

/// The first picture the technician sees that passes `test`.
pub async fn picture_where(
    view: &ScreenView,
    what: &str,
    test: impl Fn(&Picture) -> bool,
) -> Picture {
    let seen = tokio::time::timeout(WAIT, async {
        let mut last = 0;
        while let Some(p) = view.next_picture(last).await {
            if test(&p) {
                return Some(p);
            }
            last = p.seq;
        }
        None
    })
    .await;
    if let Ok(Some(p)) = seen {
        return p;
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
