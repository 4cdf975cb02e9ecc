//! The administration web interface (issue 16) over real HTTPS, as a browser meets it: the
//! headers every page carries, the sign-in cookie, changes from other origins or without the
//! form's token refused, a sign-in credential that opens no API (and a console's that opens no
//! page), and the organisation built through the rules engine, greyed with its reasons (A3, G1).
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod support;

use serde_json::Value;
use support::{Db, Harness, PASSWORD};

/// A browser on the appliance's pages: no redirects followed, so each answer can be read.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

impl Browser {
    fn new(h: &Harness) -> Self {
        let pem = std::fs::read(h.dir.path().join("tls-cert.pem")).unwrap();
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            http,
            base: h.base.clone(),
            cookie: None,
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        let mut r = self.http.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            r = r.header("cookie", format!("__Host-tandem-admin={c}"));
        }
        r.send().await.unwrap()
    }

    /// A form posted from `origin` (the appliance's own unless told otherwise).
    async fn post_from(
        &self,
        origin: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("origin", origin)
            .form(form);
        if let Some(c) = &self.cookie {
            r = r.header("cookie", format!("__Host-tandem-admin={c}"));
        }
        r.send().await.unwrap()
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let own = self.base.clone();
        self.post_from(&own, path, form).await
    }

    async fn sign_in(&mut self, email: &str) {
        let r = self
            .post("/login", &[("email", email), ("password", PASSWORD)])
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(attribute), "{attribute} in {cookie}");
        }
        let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
        self.cookie = Some(value.to_owned());
    }

    async fn page(&self, path: &str) -> String {
        let r = self.get(path).await;
        assert_eq!(r.status().as_u16(), 200, "{path}");
        r.text().await.unwrap()
    }
}

/// The value of the first hidden `name` field in a page.
fn field(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\" value=\"")).unwrap();
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// A 403 whose page gives `reason`.
async fn refused_with(r: reqwest::Response, reason: &str) {
    assert_eq!(r.status().as_u16(), 403);
    let body = r.text().await.unwrap();
    assert!(body.contains(reason), "{reason} in {body}");
}

/// `who` creates a plain technician's account, `first.last@demo.tandem` by its name's first
/// word, with a first password: the answer's status.
async fn create_technician(who: &Browser, csrf: &str, name: &str, password: &str) -> u16 {
    let first = name
        .split_whitespace()
        .next()
        .unwrap_or(name)
        .to_lowercase();
    let email = format!("{first}@demo.tandem");
    let form = [
        ("csrf", csrf),
        ("name", name),
        ("email", email.as_str()),
        ("role", "technician"),
        ("password", password),
    ];
    who.post("/admin/technicians", &form)
        .await
        .status()
        .as_u16()
}

/// The id of the group named `name` in the organisation page.
fn team_id(html: &str, name: &str) -> String {
    let at = html.find(&format!("team-name\">{name}<")).unwrap();
    let before = &html[..at];
    let id_at = before.rfind("id=\"team-").unwrap() + 9;
    before[id_at..id_at + before[id_at..].find('"').unwrap()].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_strict_policy_and_changes_need_the_origin_and_the_forms_token() {
    let h = Harness::start(Db::Sqlite).await;
    let mut browser = Browser::new(&h);
    let login = browser.get("/login").await;
    let headers = login.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("script-src"), "no script may run: {csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
    // The external user's web console: its own script and WebAssembly only, nothing inline, and
    // no referrer to carry the link's token away.
    let join = browser.get("/join/some-link-token").await;
    let headers = join.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert_eq!(
        csp,
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    );
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-frame-options"], "DENY");
    let page = join.text().await.unwrap();
    assert!(
        !page.contains("<script>") && !page.contains("style="),
        "nothing inline"
    );
    // Issue 26: an invitation's page carries the strict policy, no referrer, and runs nothing.
    // Issue 27: the customer's page runs its own script only (click-to-chat), talks only to the
    // appliance, and sends no referrer (its address holds a session key); what was typed after
    // `key=` is never written into it.
    for (path, script) in [
        ("/customer?key=abc%27%3Cb%3E", true),
        ("/invitations/7", false),
    ] {
        let r = browser.get(path).await;
        let headers = r.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        if script {
            assert_eq!(csp, tandem_appliance_customer_csp(), "{path}");
        } else {
            assert!(!csp.contains("script-src"), "{path}: {csp}");
        }
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        let page = r.text().await.unwrap();
        assert!(!page.contains("<b>") && !page.contains("abc'"), "{page}");
        assert!(
            !page.contains("<script>") && !page.contains("style="),
            "nothing inline: {page}"
        );
    }
    let customer = browser.get("/customer?key=abc%27%3Cb%3E").await;
    assert_eq!(
        customer.status().as_u16(),
        410,
        "an unknown key is said to be unusable"
    );
    assert!(
        customer
            .text()
            .await
            .unwrap()
            .contains("not valid, was used already, or has expired"),
    );
    let wasm = browser.get("/static/viewer.wasm").await;
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    let bytes = wasm.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"\0asm", "a WebAssembly module");
    // Not signed in: to the sign-in page.
    let r = browser.get("/admin").await;
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["location"].to_str().unwrap()
        ),
        (303, "/login")
    );

    // A sign-in posted from another origin (another port of the same host is the same site, not
    // the same origin) is refused before any password is checked.
    let other = browser.base.replace("localhost:", "localhost:1");
    let form = [("email", "admin@demo.tandem"), ("password", PASSWORD)];
    assert_eq!(
        browser
            .post_from(&other, "/login", &form)
            .await
            .status()
            .as_u16(),
        403
    );
    let wrong = [("email", "admin@demo.tandem"), ("password", "not it")];
    let r = browser.post("/login", &wrong).await;
    assert_eq!(r.status().as_u16(), 401);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Wrong e-mail address or password")
    );

    browser.sign_in("admin@demo.tandem").await;
    let page = browser.page("/admin").await;
    let csrf = field(&page, "csrf");
    let desk = team_id(&page, "Service Desk");
    let create = |token: &'static str| {
        [
            ("parent", desk.clone()),
            ("name", "Night shift".to_owned()),
            ("csrf", token.to_owned()),
        ]
    };
    // Without the form's token, or with another's, or from elsewhere with it: refused, nothing made.
    let r = browser
        .post(
            "/admin/teams",
            &create("forged")
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let with_token: Vec<(&str, String)> = vec![
        ("parent", desk.clone()),
        ("name", "Night shift".into()),
        ("csrf", csrf.clone()),
    ];
    let form: Vec<(&str, &str)> = with_token.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        browser
            .post_from(&other, "/admin/teams", &form)
            .await
            .status()
            .as_u16(),
        403
    );
    assert!(
        !browser.page("/admin").await.contains("Night shift"),
        "nothing was made"
    );

    // The sign-in's credential opens no API, and a console's token opens no page.
    let r = h
        .http
        .get(format!("{}/api/v1/snapshot", h.base))
        .bearer_auth(browser.cookie.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let console = h.login("admin@demo.tandem").await;
    let mut borrowed = Browser::new(&h);
    borrowed.cookie = Some(console);
    assert_eq!(borrowed.get("/admin").await.status().as_u16(), 303);

    // Signed out: the cookie opens nothing any more.
    let r = browser.post("/logout", &[("csrf", csrf.as_str())]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(browser.get("/admin").await.status().as_u16(), 303);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_builds_a_group_with_a_locked_permission_that_a_sub_administrator_may_not_touch()
 {
    let h = Harness::start(Db::Sqlite).await;
    let mut master = Browser::new(&h);
    master.sign_in("admin@demo.tandem").await;
    let page = master.page("/admin").await;
    let csrf = field(&page, "csrf");
    let desk = team_id(&page, "Service Desk");
    let form = [
        ("parent", desk.as_str()),
        ("name", "Night shift"),
        ("description", "After hours"),
        ("csrf", csrf.as_str()),
    ];
    let r = master.post("/admin/teams", &form).await;
    assert_eq!(r.status().as_u16(), 303);
    // The same form again (a double tap on a slow network): one group, and the reason.
    let again = master.post("/admin/teams", &form).await;
    assert_eq!(again.status().as_u16(), 403);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("Another one in the same list has this name already")
    );
    let page = master.page("/admin").await;
    assert_eq!(page.matches("team-name\">Night shift<").count(), 1);
    let night = team_id(&page, "Night shift");
    let key = r#"{"Flag":"RemoteControl"}"#;
    let lock = [("key", key), ("locked", "true"), ("csrf", csrf.as_str())];
    let r = master
        .post(&format!("/admin/teams/{night}/locks"), &lock)
        .await;
    assert_eq!(r.status().as_u16(), 303);

    // Tom administers Service Desk's groups: he sees the new group and its lock greyed, with the
    // rules engine's reason, and is refused if he posts it anyway (G1).
    let mut tom = Browser::new(&h);
    tom.sign_in("tom@demo.tandem").await;
    let page = tom.page("/admin").await;
    let section = &page[page.find("team-name\">Night shift<").unwrap()..];
    let row = &section[section.find("Remote control").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("disabled") && row.contains("Only master administrators can do this (G1)"),
        "{row}"
    );
    let tom_csrf = field(&page, "csrf");
    let unlock = [
        ("key", key),
        ("locked", "false"),
        ("csrf", tom_csrf.as_str()),
    ];
    let r = tom
        .post(&format!("/admin/teams/{night}/locks"), &unlock)
        .await;
    refused_with(r, "Only master administrators can do this (G1)").await;

    // Turning the locked permission off in Night shift: greyed for Tom with the engine's
    // reason, and refused when posted anyway; in Tier 1, where nothing is locked, it is done.
    let switch_row = &section[section.find("Remote control").unwrap()..];
    let switch_row = &switch_row[..switch_row.find("</tr>").unwrap()];
    assert!(
        switch_row.contains("A master administrator locked this permission (G1)"),
        "{switch_row}"
    );
    let off = [
        ("permission", "RemoteControl"),
        ("on", "false"),
        ("csrf", tom_csrf.as_str()),
    ];
    let r = tom
        .post(&format!("/admin/teams/{night}/permissions"), &off)
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let tier1 = team_id(&page, "Tier 1");
    let r = tom
        .post(&format!("/admin/teams/{tier1}/permissions"), &off)
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let tier1_now = h
        .appliance()
        .state()
        .await
        .teams
        .values()
        .find(|t| t.name == "Tier 1")
        .cloned()
        .unwrap();
    assert!(
        !tier1_now
            .permissions
            .has(tandem_core::domain::Permission::RemoteControl)
    );
    // Renaming: Tier 1 (below his group) yes, Service Desk (his own) no (G1).
    let rename = [
        ("name", "Tier 1 (days)"),
        ("description", ""),
        ("enabled", "on"),
        ("csrf", tom_csrf.as_str()),
    ];
    assert_eq!(
        tom.post(&format!("/admin/teams/{tier1}"), &rename)
            .await
            .status()
            .as_u16(),
        303
    );
    let rename = [
        ("name", "Mine"),
        ("description", ""),
        ("enabled", "on"),
        ("csrf", tom_csrf.as_str()),
    ];
    let r = tom
        .post(
            &format!("/admin/teams/{}", team_id(&page, "Service Desk")),
            &rename,
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("(G1)"));
    assert!(tom.page("/admin").await.contains("Tier 1 (days)"));

    // Moving (G2): Tier 2 below Tier 1 (within Tom's groups) yes; to the top no (G1); below
    // itself never.
    let tier2 = team_id(&page, "Tier 2");
    let under = |parent: &str| [("parent", parent.to_owned()), ("csrf", tom_csrf.clone())];
    let post = |parent: &str| {
        let form = under(parent);
        let tom = &tom;
        let path = format!("/admin/teams/{tier2}/move");
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            tom.post(&path, &form).await.status().as_u16()
        }
    };
    assert_eq!(post(&tier1).await, 303);
    assert_eq!(post("").await, 403);
    assert_eq!(post(&tier2).await, 400);
    let moved = tom.page("/admin").await;
    let at = moved.find("team-name\">Tier 2<").unwrap();
    assert!(
        moved[..at].rfind("depth-2").unwrap() > moved[..at].rfind("depth-1").unwrap_or(0),
        "Tier 2 now two below the top"
    );

    // A technician's console sees the new group, through the API, as built.
    let alice = h.login("alice@demo.tandem").await;
    let (_, snapshot) = h.get("/api/v1/snapshot", Some(&alice)).await;
    let teams = &snapshot["view"]["state"]["teams"];
    let found: Vec<&Value> = teams
        .as_object()
        .unwrap()
        .values()
        .filter(|t| t["name"] == "Night shift")
        .collect();
    assert_eq!(found.len(), 1, "{teams}");
    assert!(found[0]["locks"].to_string().contains("RemoteControl"));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_security_policy_is_made_with_its_tools_and_the_audit_shows_sign_ins_and_refusals() {
    let h = Harness::start(Db::Sqlite).await;
    let mut master = Browser::new(&h);
    master.sign_in("admin@demo.tandem").await;
    let page = master.page("/admin/policies").await;
    let csrf = field(&page, "csrf");
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "Vendor, view only"),
        (
            "description",
            "=cmd|' /C calc'!A0 sees the screen and chats; nothing else",
        ),
        ("allow-DesktopViewing", "on"),
        ("allow-ToggleChat", "on"),
    ];
    let r = master.post("/admin/policies", &form).await;
    assert_eq!(r.status().as_u16(), 303);
    let page = master.page("/admin/policies").await;
    assert!(
        page.contains("Vendor, view only") && page.contains("Toggle chat, Desktop viewing"),
        "{page}"
    );
    // The engine holds it with exactly those tools, as X2/G4 will use it.
    let state = h.appliance().state().await;
    let made = state
        .policies
        .values()
        .find(|p| p.name == "Vendor, view only")
        .unwrap();
    use tandem_core::domain::Permission;
    assert!(
        made.permissions.has(Permission::DesktopViewing)
            && !made.permissions.has(Permission::RemoteControl)
    );
    drop(state);

    // Tom may not lock: refused, and that lands in the audit with his sign-in.
    let mut tom = Browser::new(&h);
    tom.sign_in("tom@demo.tandem").await;
    let tom_page = tom.page("/admin").await;
    let desk = team_id(&tom_page, "Tier 1");
    let tom_csrf = field(&tom_page, "csrf");
    let lock = [
        ("key", r#"{"Flag":"RemoteControl"}"#),
        ("locked", "true"),
        ("csrf", tom_csrf.as_str()),
    ];
    assert_eq!(
        tom.post(&format!("/admin/teams/{desk}/locks"), &lock)
            .await
            .status()
            .as_u16(),
        403
    );
    let mut stranger = Browser::new(&h);
    let wrong = [("email", "admin@demo.tandem"), ("password", "not it")];
    assert_eq!(stranger.post("/login", &wrong).await.status().as_u16(), 401);
    stranger.cookie = None;

    // Tom reads the audit lines of the accounts he manages and his own, not the master
    // administrator's nor those of unknown people (G1).
    let his = tom.page("/admin/audit").await;
    assert!(
        his.contains("Tom Trent (technician") && his.contains("LockPermission"),
        "{his}"
    );
    assert!(
        !his.contains("Ada Admin") && !his.contains("someone at"),
        "{his}"
    );
    let his = tom.get("/admin/audit.csv").await.text().await.unwrap();
    assert!(
        his.contains("Tom Trent") && !his.contains("Ada Admin"),
        "{his}"
    );
    let audit = master.page("/admin/audit").await;
    for seen in [
        "sign-in to the web interface",
        "signed in",
        "refused: wrong e-mail address or password",
        "LockPermission",
        "Only master administrators can do this",
    ] {
        assert!(audit.contains(seen), "{seen} in the audit");
    }
    assert!(!audit.contains("not it"), "never the password tried");
    let csv = master.get("/admin/audit.csv").await;
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("when,who,what,outcome\r\n"));
    assert!(csv.lines().count() >= 5, "{csv}");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_is_created_with_a_password_and_put_in_a_group_within_the_administrators_scope()
 {
    let h = Harness::start(Db::Sqlite).await;
    let mut creator = Browser::new(&h);
    creator.sign_in("tom@demo.tandem").await;
    let page = creator.page("/admin/technicians").await;
    let csrf = field(&page, "csrf");
    let status = create_technician(&creator, &csrf, "Nina Night", "password").await;
    assert_eq!(status, 400, "a weak first password is refused");
    let status = create_technician(&creator, &csrf, "Nina Night", "violet kettle orbit 1947").await;
    assert_eq!(status, 303);
    // She signs in to a console with it.
    let (status, _) = h
        .post("/api/v1/login", None, serde_json::json!({"email": "nina@demo.tandem", "password": "violet kettle orbit 1947"}))
        .await;
    assert_eq!(status, 200);

    // Tom puts her in Tier 1 (below his group); Field Services is not his to change (G1).
    let mut tom = Browser::new(&h);
    tom.sign_in("tom@demo.tandem").await;
    let page = tom.page("/admin/technicians").await;
    let tom_csrf = field(&page, "csrf");
    let state = h.appliance().state().await;
    let nina = state
        .technicians
        .values()
        .find(|t| t.name == "Nina Night")
        .unwrap()
        .id
        .0;
    let tier1 = state
        .teams
        .values()
        .find(|t| t.name == "Tier 1")
        .unwrap()
        .id
        .0
        .to_string();
    let field_services = state
        .teams
        .values()
        .find(|t| t.name == "Field Services")
        .unwrap()
        .id
        .0
        .to_string();
    drop(state);
    let section = &page[page.find("technician-name\">Nina Night<").unwrap()..];
    let row = &section[section.find("<td>Field Services</td>").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("disabled") && row.contains("(G1)"), "{row}");
    let add = |team: &str| {
        vec![
            ("csrf", tom_csrf.clone()),
            ("team", team.to_owned()),
            ("member", "true".to_owned()),
        ]
    };
    let path = format!("/admin/technicians/{nina}/groups");
    let form = add(&tier1);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(tom.post(&path, &form).await.status().as_u16(), 303);
    // An account the master administrator made, in no group yet, is not Tom's to take (G1).
    let mut master = Browser::new(&h);
    master.sign_in("admin@demo.tandem").await;
    let master_csrf = field(&master.page("/admin/technicians").await, "csrf");
    let status = create_technician(
        &master,
        &master_csrf,
        "Omar Other",
        "amber violin harbour 2044",
    )
    .await;
    assert_eq!(status, 303);
    let state = h.appliance().state().await;
    let omar = state
        .technicians
        .values()
        .find(|t| t.name == "Omar Other")
        .unwrap()
        .id
        .0;
    drop(state);
    let r = tom
        .post(&format!("/admin/technicians/{omar}/groups"), &form)
        .await;
    refused_with(
        r,
        "Administrators manage only accounts whose groups are all below",
    )
    .await;
    let form = add(&field_services);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(tom.post(&path, &form).await.status().as_u16(), 403);
    let state = h.appliance().state().await;
    let member_of: Vec<&str> = state
        .teams
        .values()
        .filter(|t| t.members.contains(&tandem_core::domain::TechnicianId(nina)))
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(member_of, ["Tier 1"]);
    drop(state);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_sessions_use_is_set_up_through_the_rules_engine_within_each_administrators_scope() {
    let h = Harness::start(Db::Sqlite).await;
    let mut master = Browser::new(&h);
    master.sign_in("admin@demo.tandem").await;
    let page = master.page("/admin/setup").await;
    let csrf = field(&page, "csrf");
    let state = h.appliance().state().await;
    let tier2 = state
        .teams
        .values()
        .find(|t| t.name == "Tier 2")
        .unwrap()
        .id
        .0
        .to_string();
    let bob = state
        .technicians
        .values()
        .find(|t| t.email == "bob@demo.tandem")
        .unwrap()
        .id
        .0;
    drop(state);
    let member = format!("member-{bob}");
    let forms: [(&str, Vec<(&str, &str)>); 5] = [
        (
            "issue",
            vec![("name", "VPN"), ("team", &tier2), ("help", "on")],
        ),
        (
            "external",
            vec![
                ("name", "Vera Vendor"),
                ("email", "vera@vendor.example"),
                ("team", ""),
            ],
        ),
        (
            "jump",
            vec![("name", "Servers at night"), ("team", ""), (&member, "on")],
        ),
        ("profile", vec![("name", "Night profile"), ("team", "")]),
        ("settings", vec![("mail", "on")]),
    ];
    for (what, fields) in &forms {
        let mut form = fields.clone();
        form.push(("csrf", csrf.as_str()));
        let r = master.post(&format!("/admin/setup/{what}"), &form).await;
        assert_eq!(
            r.status().as_u16(),
            303,
            "{what}: {}",
            r.text().await.unwrap()
        );
    }
    let state = h.appliance().state().await;
    let vpn = state.issues.values().find(|i| i.name == "VPN").unwrap();
    assert!(vpn.allow_help_requests && vpn.team.0.to_string() == tier2);
    assert!(
        state
            .approved_externals
            .values()
            .any(|e| e.email == "vera@vendor.example" && e.team.is_none())
    );
    let group = state
        .jump_groups
        .values()
        .find(|g| g.name == "Servers at night")
        .unwrap();
    assert_eq!(group.members.iter().map(|t| t.0).collect::<Vec<_>>(), [bob]);
    assert!(
        state
            .button_profiles
            .values()
            .any(|p| p.name == "Night profile")
    );
    assert!(state.settings.appliance_sends_external_invitations);
    drop(state);
    let page = master.page("/admin/setup").await;
    assert!(page.contains("Vera Vendor") && page.contains("Servers at night"));

    // Tom may approve someone for a group below his, not for the whole organisation (G1); the
    // settings are not his to change either.
    let mut tom = Browser::new(&h);
    tom.sign_in("tom@demo.tandem").await;
    let tom_csrf = field(&tom.page("/admin/setup").await, "csrf");
    let org_wide = [
        ("name", "Olga"),
        ("email", "olga@example.org"),
        ("team", ""),
        ("csrf", tom_csrf.as_str()),
    ];
    let r = tom.post("/admin/setup/external", &org_wide).await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("(G1)"));
    let scoped = [
        ("name", "Olga"),
        ("email", "olga@example.org"),
        ("team", tier2.as_str()),
        ("csrf", tom_csrf.as_str()),
    ];
    assert_eq!(
        tom.post("/admin/setup/external", &scoped)
            .await
            .status()
            .as_u16(),
        303
    );
    let settings = [("csrf", tom_csrf.as_str())];
    assert_eq!(
        tom.post("/admin/setup/settings", &settings)
            .await
            .status()
            .as_u16(),
        403
    );
    assert!(
        h.appliance()
            .state()
            .await
            .settings
            .appliance_sends_external_invitations,
        "unchanged"
    );
    h.finish().await;
}

/// A form's fields, from owned values.
fn fields<'a>(form: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// An account disabled, enabled, given a new password and signed out everywhere from the
/// technicians page: each ends the account's sign-ins at once, its open event socket and its
/// administration pages included; a disabled account's right password is told it is disabled,
/// a wrong one learns nothing. A disabled account leaves nobody behind: the customer it was
/// helping alone is told the session ended, and the vendor it invited is out (G1, X5). An
/// administrator is refused an account outside their groups,
/// with the engine's reason on the page (G1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_is_disabled_reset_and_signed_out_everywhere_and_its_sockets_close() {
    use serde_json::json;
    use tandem_core::domain::{Command, SessionId};
    let h = Harness::start(Db::Sqlite).await;
    let state = h.appliance().state().await;
    let id_of = |name: &str| {
        state
            .technicians
            .values()
            .find(|t| t.name.starts_with(name))
            .unwrap()
            .id
            .0
    };
    let (alice, dave) = (id_of("Alice"), id_of("Dave"));
    let policy = *state.policies.keys().next().unwrap();
    drop(state);
    let login = |password: &'static str| {
        let h = &h;
        async move {
            h.post(
                "/api/v1/login",
                None,
                json!({"email": "alice@demo.tandem", "password": password}),
            )
            .await
        }
    };

    // Tom may not touch Dave, who is in Field Services: greyed with the reason, and refused.
    let mut tom = Browser::new(&h);
    tom.sign_in("tom@demo.tandem").await;
    let page = tom.page("/admin/technicians").await;
    let section = &page[page.find(&format!("id=\"technician-{dave}\"")).unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(
        section.contains("<button type=\"submit\" disabled>Disable the account</button>")
            && section.contains("Administrators manage only accounts whose groups are all below the group they are assigned to (G1)"),
        "{section}"
    );
    let form = [("csrf", field(&page, "csrf")), ("enabled", "false".into())];
    let r = tom
        .post(
            &format!("/admin/technicians/{dave}/enabled"),
            &fields(&form),
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);

    // Alice is signed in to a console (its event socket open) and to the pages.
    let token = h.login("alice@demo.tandem").await;
    let mut feed = h.ws(&token, None).await;
    assert_eq!(feed.next().await["type"], "snapshot");
    let mut alice_pages = Browser::new(&h);
    alice_pages.sign_in("alice@demo.tandem").await;
    assert_eq!(alice_pages.get("/admin").await.status().as_u16(), 200);
    // She is helping Kim, who came to her alone, with a vendor she invited watching.
    let (kim, session) = h.customer_joins(&token, "Kim").await;
    let session = SessionId(session);
    h.ok(&token, &Command::AcceptFromQueue { session }).await;
    let vendor = h.external_joins(&token, session, policy, "Vic").await;
    let mut vendor_feed = h.ws(&vendor, None).await;
    assert_eq!(vendor_feed.next().await["type"], "snapshot");
    let mut kim_feed = h.ws(&kim, None).await;
    assert_eq!(kim_feed.next().await["type"], "snapshot");

    // The master administrator disables her account.
    let mut master = Browser::new(&h);
    master.sign_in("admin@demo.tandem").await;
    let page = master.page("/admin/technicians").await;
    let section = &page[page.find(&format!("id=\"technician-{alice}\"")).unwrap()..];
    assert!(
        section[..section.find("</section>").unwrap()].contains(
            "Disabling the account now ends 1 session nobody else can take, \
             logs out 1 external user."
        ),
        "the page says what the engine will do"
    );
    let csrf = field(&page, "csrf");
    let form = [("csrf", csrf.clone()), ("enabled", "false".into())];
    let r = master
        .post(
            &format!("/admin/technicians/{alice}/enabled"),
            &fields(&form),
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        feed.closed_with().await,
        Some(4001),
        "signed out or removed"
    );
    assert_eq!(h.get("/api/v1/snapshot", Some(&token)).await.0, 401);
    assert_eq!(
        alice_pages.get("/admin").await.status().as_u16(),
        303,
        "back to /login"
    );
    // Nobody waits for her and nobody keeps what she gave: Kim's session, which never waited in
    // a team's queue, has ended (Kim is told, then her socket closes), and the vendor is out.
    let told = kim_feed
        .until(|m| m.to_string().contains("SessionEnded"))
        .await;
    assert!(!told.is_empty());
    assert!(kim_feed.closed_with().await.is_some());
    assert!(vendor_feed.closed_with().await.is_some());
    for credential in [&kim, &vendor] {
        assert_eq!(h.get("/api/v1/snapshot", Some(credential)).await.0, 401);
    }
    assert!(!h.appliance().state().await.sessions.contains_key(&session));
    let (status, body) = login(PASSWORD).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (401, Some("This account is disabled; ask an administrator"))
    );
    let (status, body) = login("not her password").await;
    assert_eq!(
        (status, body["message"].as_str()),
        (401, Some("Wrong e-mail address or password"))
    );
    let page = master.page("/admin/technicians").await;
    let section = &page[page.find(&format!("id=\"technician-{alice}\"")).unwrap()..];
    assert!(section[..section.find("</section>").unwrap()].contains("Enable the account"));

    // Enabled again, she signs in; a new password ends that sign-in and replaces the old one.
    let form = [("csrf", csrf.clone()), ("enabled", "true".into())];
    master
        .post(
            &format!("/admin/technicians/{alice}/enabled"),
            &fields(&form),
        )
        .await;
    let (status, body) = login(PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    let path = format!("/admin/technicians/{alice}/password");
    let weak = [("csrf", csrf.clone()), ("password", "alice12345".into())];
    assert_eq!(
        master.post(&path, &fields(&weak)).await.status().as_u16(),
        400
    );
    assert_eq!(
        h.get("/api/v1/snapshot", Some(&token)).await.0,
        200,
        "a refused reset changes nothing"
    );
    let strong = [
        ("csrf", csrf.clone()),
        ("password", "copper lantern meadow 2031".into()),
    ];
    assert_eq!(
        master.post(&path, &fields(&strong)).await.status().as_u16(),
        303
    );
    assert_eq!(h.get("/api/v1/snapshot", Some(&token)).await.0, 401);
    assert_eq!(login(PASSWORD).await.0, 401, "the old password");
    let (status, body) = login("copper lantern meadow 2031").await;
    assert_eq!(status, 200);
    let token = body["token"].as_str().unwrap().to_owned();

    // Signed out everywhere.
    let form = [("csrf", csrf)];
    let r = master
        .post(
            &format!("/admin/technicians/{alice}/sign-out"),
            &fields(&form),
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(h.get("/api/v1/snapshot", Some(&token)).await.0, 401);
    h.finish().await;
}

/// A session's report (G1): listed among the sessions, it names who took part, when and for
/// how long, and its chat, on the page and in a CSV file whose fields are never formulas. A
/// master administrator reads every session's; an administrator of some groups those of their
/// groups' technicians, and is refused the others with the engine's reason.
async fn a_session_report_names_who_took_part_and_what_was_said_and_exports_as_csv(db: Db) {
    use tandem_core::domain::{Command, SessionId};
    let h = Harness::start(db).await;
    let alice = h.login("alice@demo.tandem").await;
    let (customer, session) = h.customer_joins(&alice, "Kim").await;
    let s = SessionId(session);
    h.ok(&alice, &Command::AcceptFromQueue { session: s }).await;
    h.ok(
        &customer,
        &Command::SendChat {
            session: s,
            text: "=1+1 my printer is broken".into(),
        },
    )
    .await;
    h.ok(
        &alice,
        &Command::SendChat {
            session: s,
            text: "Let me look".into(),
        },
    )
    .await;
    h.ok(&alice, &Command::EndSession { session: s }).await;

    let mut master = Browser::new(&h);
    master.sign_in("admin@demo.tandem").await;
    let list = master.page("/admin/sessions").await;
    assert!(
        list.contains(&format!(
            "<a href=\"/admin/sessions/{session}\">{session}</a></td><td>Kim</td>"
        )),
        "{list}"
    );
    let report = master.page(&format!("/admin/sessions/{session}")).await;
    for shown in [
        "<td>Kim</td><td>Customer</td>",
        "<td>Alice Archer</td><td>Technician</td>",
        "<td>Let me look</td>",
        "<td>=1+1 my printer is broken</td>",
        "; ended ",
    ] {
        assert!(report.contains(shown), "{shown} in {report}");
    }
    let r = master
        .get(&format!("/admin/sessions/{session}/report.csv"))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "when,who,as,what,text");
    assert!(
        lines[1].contains("\"Kim\",\"Customer\",\"came in\""),
        "{csv}"
    );
    assert!(
        csv.contains("\"Kim\",\"\",\"said\",\"'=1+1 my printer is broken\""),
        "{csv}"
    );
    assert!(
        csv.contains("\"Alice Archer\",\"\",\"said\",\"Let me look\""),
        "{csv}"
    );
    assert!(lines.last().unwrap().contains("\"left\""), "{csv}");
    assert_eq!(
        master.get("/admin/sessions/999999").await.status().as_u16(),
        404
    );

    // Dave, in Field Services, helps Lee. Tom administers Service Desk's groups: he reads
    // the report of Alice's session (Tier 1), and neither sees nor reads Dave's, which is told
    // apart from no session at all by nothing.
    let dave = h.login("dave@demo.tandem").await;
    let (_, other) = h.customer_joins(&dave, "Lee").await;
    h.ok(
        &dave,
        &Command::AcceptFromQueue {
            session: SessionId(other),
        },
    )
    .await;
    // Max waits in Alice's personal queue, taken by nobody yet: a session of hers all the same.
    h.customer_joins(&alice, "Max").await;
    let mut tom = Browser::new(&h);
    tom.sign_in("tom@demo.tandem").await;
    let list = tom.page("/admin/sessions").await;
    let listed = |name: &str| list.contains(&format!("<td>{name}</td>"));
    assert!(listed("Kim") && listed("Max") && !listed("Lee"), "{list}");
    let report = tom.page(&format!("/admin/sessions/{session}")).await;
    assert!(report.contains("<td>Let me look</td>"), "{report}");
    let outside = "Administrators read the reports of sessions of the technicians and groups below theirs only (G1)";
    for path in [
        format!("/admin/sessions/{other}"),
        format!("/admin/sessions/{other}/report.csv"),
        "/admin/sessions/999999".to_owned(),
    ] {
        let r = tom.get(&path).await;
        assert_eq!(r.status().as_u16(), 403, "{path}");
        assert!(r.text().await.unwrap().contains(outside), "{path}");
    }
    h.finish().await;
}

on_both_databases!(a_session_report_names_who_took_part_and_what_was_said_and_exports_as_csv);

/// G1 (issue 26), the lock attack through /login: the master administrator switches the shell
/// off in Tier 1 and locks it; Tom makes a group of his own with the shell on and puts Tier 1's
/// Alice in it. The lock holds: she has no shell, and Tom's page says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_holds_for_a_technician_an_administrator_puts_in_another_group() {
    let h = Harness::start(Db::Sqlite).await;
    let mut master = Browser::new(&h);
    master.sign_in("admin@demo.tandem").await;
    let page = master.page("/admin").await;
    let csrf = field(&page, "csrf");
    let tier1 = team_id(&page, "Tier 1");
    let off = [
        ("permission", "CommandShell"),
        ("on", "false"),
        ("csrf", csrf.as_str()),
    ];
    let r = master
        .post(&format!("/admin/teams/{tier1}/permissions"), &off)
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let lock = [
        ("key", r#"{"Flag":"CommandShell"}"#),
        ("locked", "true"),
        ("csrf", csrf.as_str()),
    ];
    let r = master
        .post(&format!("/admin/teams/{tier1}/locks"), &lock)
        .await;
    assert_eq!(r.status().as_u16(), 303);

    let mut tom = Browser::new(&h);
    tom.sign_in("tom@demo.tandem").await;
    let page = tom.page("/admin").await;
    let tom_csrf = field(&page, "csrf");
    let desk = team_id(&page, "Service Desk");
    let form = [
        ("parent", desk.as_str()),
        ("name", "Night shift"),
        ("description", "Shell on"),
        ("csrf", tom_csrf.as_str()),
    ];
    assert_eq!(tom.post("/admin/teams", &form).await.status().as_u16(), 303);
    let night = team_id(&tom.page("/admin").await, "Night shift");
    let alice = {
        let state = h.appliance().state().await;
        state
            .technicians
            .values()
            .find(|t| t.email == "alice@demo.tandem")
            .map(|t| t.id)
            .unwrap()
    };
    let join = [
        ("team", night.as_str()),
        ("member", "true"),
        ("csrf", tom_csrf.as_str()),
    ];
    let r = tom
        .post(&format!("/admin/technicians/{}/groups", alice.0), &join)
        .await;
    assert_eq!(r.status().as_u16(), 303);
    {
        use tandem_core::domain::Permission;
        let state = h.appliance().state().await;
        let night_group = state
            .teams
            .values()
            .find(|t| t.name == "Night shift")
            .unwrap();
        assert!(
            night_group.permissions.has(Permission::CommandShell)
                && night_group.members.contains(&alice)
        );
        assert!(
            !state.permissions_of(alice).has(Permission::CommandShell),
            "the lock in Tier 1 holds in Night shift too"
        );
    }
    let page = tom.page("/admin").await;
    let section = &page[page.find("team-name\">Night shift<").unwrap()..];
    let row = &section[section.find("Command shell").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("Not for Alice Archer: a master administrator locked it off in another of their groups, and a lock holds in every group (G1)"),
        "{row}"
    );
}

/// The customer's page's policy: its own script, connections back to the appliance only.
fn tandem_appliance_customer_csp() -> &'static str {
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}
