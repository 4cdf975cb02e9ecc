//! The administration web interface in a real browser (issue 16): Debian's Chromium, headless,
//! driven through its matching chromedriver, against the real appliance binary, at a phone's
//! size (390x844 CSS pixels). Screenshots go to `target/browser-screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

use std::time::Duration;
use tandem_core::client::{Console, FeedOptions};
use tandem_e2e::Appliance;
use tandem_e2e::browser::fantoccini::{Client, Locator};
use tandem_e2e::browser::{Driver, shot};

const PASSWORD: &str = "tandem-demo-2026";

async fn scroll_to(browser: &Client, element: &fantoccini::elements::Element) {
    let arg = serde_json::to_value(element).unwrap();
    browser
        .execute("arguments[0].scrollIntoView({block: 'center'})", vec![arg])
        .await
        .unwrap();
}

/// Click a button that posts a form, and wait for the page the appliance answers with.
async fn submit(browser: &Client, button: fantoccini::elements::Element) {
    // The page posting is marked; the appliance's answer is a new page, unmarked.
    browser
        .execute("document.documentElement.dataset.posting = '1'", Vec::new())
        .await
        .unwrap();
    button.click().await.unwrap();
    browser
        .wait()
        .for_element(Locator::Css("html:not([data-posting])"))
        .await
        .unwrap();
    browser
        .wait()
        .for_element(Locator::Css("body"))
        .await
        .unwrap();
}

async fn sign_in(browser: &Client, base: &str, email: &str) {
    browser.goto(&format!("{base}/login")).await.unwrap();
    browser
        .find(Locator::Css("input[name=email]"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    browser
        .find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    let button = browser
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap();
    submit(browser, button).await;
    browser
        .wait()
        .for_element(Locator::Css("ul.tree"))
        .await
        .unwrap();
}

/// Open a group's section of the tree (its `<details>`).
async fn open_group(browser: &Client, name: &str) {
    let summary = format!("//li[.//strong[@class='team-name' and text()='{name}']]//summary");
    browser
        .find(Locator::XPath(&summary))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// The lock button of a permission in a group's section.
fn lock_button(group: &str, permission: &str) -> String {
    format!(
        "//li[.//strong[@class='team-name' and text()='{group}']]//tr[td[text()='{permission}']]//button[@class='lock']"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_builds_a_locked_group_in_the_browser_and_a_sub_administrator_sees_why_not()
 {
    let app = Appliance::start().await.unwrap();
    let base = format!("https://localhost:{}", app.addr.port());
    let driver = Driver::start().await;

    // The master administrator, on a phone-sized browser, builds "Night shift" below Service Desk
    // and locks its remote control.
    let (admin, _admin_profile) = driver.browser().await;
    sign_in(&admin, &base, "admin@demo.tandem").await;
    shot(&admin, "admin-tree").await;
    open_group(&admin, "Service Desk").await;
    let create =
        "//li[.//strong[@class='team-name' and text()='Service Desk']]//form[@class='create']";
    let form = admin.find(Locator::XPath(create)).await.unwrap();
    form.find(Locator::Css("input[name=name]"))
        .await
        .unwrap()
        .send_keys("Night shift")
        .await
        .unwrap();
    form.find(Locator::Css("input[name=description]"))
        .await
        .unwrap()
        .send_keys("After hours")
        .await
        .unwrap();
    submit(&admin, form.find(Locator::Css("button")).await.unwrap()).await;
    admin
        .wait()
        .for_element(Locator::XPath(
            "//strong[@class='team-name' and text()='Night shift']",
        ))
        .await
        .unwrap();
    open_group(&admin, "Night shift").await;
    let lock = admin
        .find(Locator::XPath(&lock_button(
            "Night shift",
            "Remote control",
        )))
        .await
        .unwrap();
    submit(&admin, lock).await;
    open_group(&admin, "Night shift").await;
    let unlock = admin
        .find(Locator::XPath(&lock_button(
            "Night shift",
            "Remote control",
        )))
        .await
        .unwrap();
    assert_eq!(unlock.text().await.unwrap(), "Unlock", "locked");
    scroll_to(&admin, &unlock).await;
    shot(&admin, "admin-group-permissions").await;

    // A security policy for external users (X2): name, full description, the tools ticked.
    admin.goto(&format!("{base}/admin/policies")).await.unwrap();
    let form = admin.find(Locator::Css("form.create")).await.unwrap();
    form.find(Locator::Css("input[name=name]"))
        .await
        .unwrap()
        .send_keys("Vendor, view only")
        .await
        .unwrap();
    form.find(Locator::Css("input[name=description]"))
        .await
        .unwrap()
        .send_keys("Sees the screen and chats")
        .await
        .unwrap();
    for tool in ["allow-DesktopViewing", "allow-ToggleChat"] {
        form.find(Locator::Css(&format!("input[name={tool}]")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    submit(&admin, form.find(Locator::Css("button")).await.unwrap()).await;
    let made = admin
        .find(Locator::XPath(
            "//section[h2[text()='Vendor, view only']]/p[@class='muted']",
        ))
        .await
        .unwrap();
    assert_eq!(made.text().await.unwrap(), "Toggle chat, Desktop viewing");
    scroll_to(&admin, &made).await;
    shot(&admin, "security-policy").await;
    admin.goto(&format!("{base}/admin/audit")).await.unwrap();
    admin
        .wait()
        .for_element(Locator::Css("table.audit"))
        .await
        .unwrap();
    shot(&admin, "audit").await;
    admin.close().await.unwrap();

    // Tom administers Service Desk's groups: the lock is greyed, with the engine's reason.
    let (tom, _tom_profile) = driver.browser().await;
    sign_in(&tom, &base, "tom@demo.tandem").await;
    open_group(&tom, "Night shift").await;
    let button = tom
        .find(Locator::XPath(&lock_button(
            "Night shift",
            "Remote control",
        )))
        .await
        .unwrap();
    assert!(
        button.attr("disabled").await.unwrap().is_some(),
        "greyed for a sub-administrator"
    );
    let reason = format!(
        "{}/following-sibling::span[@class='reason']",
        lock_button("Night shift", "Remote control")
    );
    let reason = tom
        .find(Locator::XPath(&reason))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(reason, "Only master administrators can do this (G1)");
    scroll_to(&tom, &button).await;
    shot(&tom, "sub-administrator-greyed").await;
    tom.close().await.unwrap();

    // A technician's console sees the new group.
    let alice = Console::sign_in(
        app.endpoint().unwrap(),
        "alice@demo.tandem",
        PASSWORD,
        FeedOptions::default(),
    )
    .await
    .unwrap();
    let seen = alice
        .wait_for(Duration::from_secs(10), |m| {
            m.state.teams.values().any(|t| t.name == "Night shift")
        })
        .await;
    assert!(seen.is_ok(), "the technician's console sees Night shift");
}
