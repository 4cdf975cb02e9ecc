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

/// The code an authenticator app shows now for a base32 key.
fn code_for(key: &str) -> String {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(key.trim()).unwrap())
        .build()
        .unwrap()
        .generate_current()
        .to_string()
}

async fn text_of(browser: &Client, css: &str) -> String {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Fill the page's code field and send it.
async fn send_code(browser: &Client, code: &str) {
    browser
        .find(Locator::Css("input[name=code]"))
        .await
        .unwrap()
        .send_keys(code)
        .await
        .unwrap();
    let button = browser
        .find(Locator::XPath(
            "//input[@name='code']/ancestor::form//button",
        ))
        .await
        .unwrap();
    submit(browser, button).await;
}

/// Password only, up to the page the appliance answers with.
async fn password_step(browser: &Client, base: &str, email: &str) {
    browser.goto(&format!("{base}/login")).await.unwrap();
    for (field, value) in [("email", email), ("password", PASSWORD)] {
        browser
            .find(Locator::Css(&format!("input[name={field}]")))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    let button = browser
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap();
    submit(browser, button).await;
}

/// Issue 26: an administrator sets up two-step sign-in in the browser (the QR code and key, a
/// first code, the recovery codes), then signs in with a code: a wrong one is refused, a recovery
/// code works once. Required for Tier 1, Alice is sent to set it up before anything else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_step_sign_in_is_set_up_and_asked_for_in_the_browser() {
    let app = Appliance::start().await.unwrap();
    let base = format!("https://localhost:{}", app.addr.port());
    let driver = Driver::start().await;
    let (admin, _profile) = driver.browser().await;
    sign_in(&admin, &base, "admin@demo.tandem").await;
    admin
        .goto(&format!("{base}/account/two-step"))
        .await
        .unwrap();
    let start = admin
        .find(Locator::XPath("//button[text()='Set up two-step sign-in']"))
        .await
        .unwrap();
    submit(&admin, start).await;
    admin
        .wait()
        .for_element(Locator::Css("figure.qr svg"))
        .await
        .unwrap();
    shot(&admin, "two-step-set-up").await;
    let key = text_of(&admin, "code.key").await;
    assert_eq!(key.len(), 32, "a 160-bit key in base32: {key}");
    send_code(&admin, "123456").await;
    assert!(
        text_of(&admin, "p.error")
            .await
            .contains("That code is not right"),
        "a wrong first code turns nothing on"
    );
    send_code(&admin, &code_for(&key)).await;
    admin
        .wait()
        .for_element(Locator::Css("ul.codes"))
        .await
        .unwrap();
    shot(&admin, "two-step-recovery-codes").await;
    let codes: Vec<String> = {
        let mut out = Vec::new();
        for e in admin.find_all(Locator::Css("ul.codes code")).await.unwrap() {
            out.push(e.text().await.unwrap());
        }
        out
    };
    assert_eq!(codes.len(), 10, "{codes:?}");

    // Signed out, then in again: the password leads to the code's step.
    let sign_out = admin
        .find(Locator::XPath("//button[text()='Sign out']"))
        .await
        .unwrap();
    submit(&admin, sign_out).await;
    password_step(&admin, &base, "admin@demo.tandem").await;
    admin
        .wait()
        .for_element(Locator::Css("input[name=step]"))
        .await
        .unwrap();
    shot(&admin, "two-step-sign-in").await;
    send_code(&admin, "000000").await;
    assert!(
        text_of(&admin, "p.error")
            .await
            .contains("That code is not right")
    );
    send_code(&admin, &codes[0].to_uppercase()).await;
    admin
        .wait()
        .for_element(Locator::Css("ul.tree"))
        .await
        .unwrap();
    // A recovery code signs in once.
    let sign_out = admin
        .find(Locator::XPath("//button[text()='Sign out']"))
        .await
        .unwrap();
    submit(&admin, sign_out).await;
    password_step(&admin, &base, "admin@demo.tandem").await;
    send_code(&admin, &codes[0]).await;
    assert!(
        text_of(&admin, "p.error")
            .await
            .contains("That code is not right")
    );
    send_code(&admin, &codes[1]).await;
    admin
        .wait()
        .for_element(Locator::Css("ul.tree"))
        .await
        .unwrap();

    // Required for Tier 1: Alice (a technician of Tier 1) is sent to set it up first.
    open_group(&admin, "Tier 1").await;
    let require = admin
        .find(Locator::XPath(
            "//li[.//strong[@class='team-name' and text()='Tier 1']]//form[contains(@action, '/two-step')]//button",
        ))
        .await
        .unwrap();
    submit(&admin, require).await;
    let (alice, _alice_profile) = driver.browser().await;
    password_step(&alice, &base, "alice@demo.tandem").await;
    alice
        .wait()
        .for_element(Locator::Css("p.notice"))
        .await
        .unwrap();
    assert!(
        text_of(&alice, "p.notice")
            .await
            .contains("One of your groups requires two-step sign-in"),
    );
    assert!(alice.current_url().await.unwrap().path() == "/account/two-step");
    alice.goto(&format!("{base}/admin")).await.unwrap();
    assert_eq!(
        alice.current_url().await.unwrap().path(),
        "/account/two-step",
        "nothing else until it is set up"
    );
    // Her console cannot sign in either until then.
    let refused = Console::sign_in(
        app.endpoint().unwrap(),
        "alice@demo.tandem",
        PASSWORD,
        FeedOptions::default(),
    )
    .await
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(refused.contains("requires two-step sign-in"), "{refused}");
}
