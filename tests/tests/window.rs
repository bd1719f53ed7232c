//! The AuthDesk window in a real WebKit web view under Xvfb, driven through WebDriver,
//! against both server layouts, the scripted browser and the real keyring: the profile
//! form and picker, tokens masked, revealed, copied, refreshed and revoked, consent denied,
//! cancel, clipboard clearing, application set-up, personal tokens and the password grant.
//! One window at a time ([`ONE_WINDOW_AT_A_TIME`]): they share the X clipboard.

use std::time::Duration;

use authdesk_e2e::window::{Window, ONE_WINDOW_AT_A_TIME};
use authdesk_e2e::{unique, Browser, Desk, Flavor, TestServer};

const WAIT: Duration = Duration::from_secs(60);
/// How long a copy may take to reach the clipboard, or a clearing to empty it.
const CLIPBOARD_WAIT: Duration = Duration::from_secs(15);

fn masked(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c == '•')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_profile_get_reveal_copy_refresh_and_revoke() {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| TestServer::start(Flavor::Awx)).unwrap();
    let desk = Desk::new(Browser::Approve);
    // Profiles made by the CLI beforehand: enough for the picker to offer its filter.
    let others = [
        unique("staging"),
        unique("prod"),
        unique("dev"),
        unique("qa"),
        unique("lab"),
    ];
    for other in &others {
        let added = desk.add_profile(other, &server, &server.seeded_app(), &[]);
        assert_eq!(added.status, Some(0), "{}", added.stderr);
    }
    let window = Window::open(&desk).await.unwrap();
    let name = unique("gui");
    let secret = server.seed.client_secret.clone();
    // The page says when its first frame is drawn (what `cargo xtask bench` times).
    window
        .wait_for_app_log("window ready for input", 1, WAIT)
        .await
        .unwrap();

    // Add a profile in the form; the preset fills the endpoints.
    window.click("new-profile").await.unwrap();
    window.fill("profile-name", &name).await.unwrap();
    window
        .fill("profile-base-url", &server.seed.base_url)
        .await
        .unwrap();
    leave(&window, "profile-base-url").await;
    let token_endpoint = format!("{}/api/o/token/", server.seed.base_url);
    window
        .wait_value("endpoint-token", WAIT, |v| v == token_endpoint)
        .await
        .expect("the preset did not fill the endpoints");
    // The server said what it is, and the kind followed.
    window
        .wait_text("detected", WAIT, |t| t.contains("Found AWX 24.6.1 at"))
        .await
        .unwrap();
    assert_eq!(window.value("profile-preset").await.unwrap(), "awx");
    window
        .fill("profile-client-id", &server.seed.client_id)
        .await
        .unwrap();
    window.fill("profile-client-secret", &secret).await.unwrap();
    window.press("save-profile", "Saved profile").await.unwrap();
    assert!(
        !window
            .everything_in_the_dom()
            .await
            .unwrap()
            .contains(&secret),
        "the client secret is in the DOM"
    );
    let selected = window
        .element("profile-select")
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(selected.as_deref(), Some(name.as_str()));
    // No sign-in yet: Server setup is open, with the AWX menu's path to the applications.
    assert_eq!(
        window
            .script(
                "return [document.getElementById('setup').open, \
                         document.getElementById('setup-menu').textContent];"
            )
            .await
            .unwrap(),
        serde_json::json!([true, "Administration → Applications → Add"])
    );

    // Each entry names its server too.
    let listed = window.text("profile-select").await.unwrap();
    assert!(listed.contains(&format!("{name} — 127.0.0.1:")), "{listed}");
    // The picker's filter narrows the list by name; the chosen profile, not matching, is
    // said on the first line, and Enter picks the match.
    window.fill("profile-filter", &others[1]).await.unwrap();
    window
        .wait_text("profile-count", WAIT, |t| t == "1 of 6 profiles")
        .await
        .unwrap();
    let listed = window.text("profile-select").await.unwrap();
    assert!(
        listed.contains(&others[1])
            && listed.contains(&format!(
                "“{name}” does not match · Enter picks {}",
                others[1]
            ))
            && !listed.contains(&others[0]),
        "{listed}"
    );
    window
        .fill("profile-filter", "no such profile")
        .await
        .unwrap();
    window
        .wait_text("profile-count", WAIT, |t| t == "0 of 6 profiles")
        .await
        .unwrap();
    window.fill("profile-filter", &others[1]).await.unwrap();
    window
        .type_keys("profile-filter", "\u{E007}")
        .await
        .unwrap();
    window
        .wait_value("profile-select", WAIT, |v| v == others[1])
        .await
        .unwrap();
    assert_eq!(window.value("profile-filter").await.unwrap(), "");
    window.select("profile-select", &name).await.unwrap();
    window
        .wait_value("profile-select", WAIT, |v| v == name)
        .await
        .unwrap();
    assert_eq!(
        window.text("redirect-uri").await.unwrap(),
        "http://127.0.0.1/callback"
    );

    // Get a token through the scripted browser.
    window.get_token_as("demo").await.unwrap();
    // Check: the same lines as `authdesk doctor`.
    window.click("check-profile").await.unwrap();
    let report = window
        .wait_text("check-report", WAIT, |t| t.contains("tokens:"))
        .await
        .unwrap();
    assert!(
        report.contains("[ ok ] secret store: Secret Service")
            && report.contains("OAuth client: the token endpoint accepts")
            && !report.contains("[FAIL]"),
        "{report}"
    );
    shoot(&window, "check.png").await;
    window.click("check-close").await.unwrap();
    assert_eq!(window.text("whoami").await.unwrap(), "demo");
    assert!(
        masked(&window.text("access-token").await.unwrap()),
        "tokens start masked"
    );
    assert!(window.text("expires").await.unwrap().contains("years left"));

    // Reveal shows the token itself; the server accepts it.
    let access = reveal_access_token(&window).await;
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&access)),
        200
    );

    // Copy puts exactly the token on the clipboard, and says so on the button and beside it.
    window.click("copy-access-token").await.unwrap();
    window
        .wait_text("copy-access-token", WAIT, |t| t == "Copied")
        .await
        .unwrap();
    let note = window.text("copy-note").await.unwrap();
    assert!(note.contains("clears in 60 s"), "{note}");
    assert_eq!(window.clipboard().unwrap(), access);
    window.click("copy-refresh-token").await.unwrap();
    let refresh_token = window
        .wait_clipboard(WAIT, |c| c != access)
        .await
        .expect("the refresh token was not copied");
    assert_eq!(
        refresh_token.len(),
        access.len(),
        "a whole token: {refresh_token:?}"
    );

    // Refresh: new pair shown masked again, old access token refused.
    window.click("refresh").await.unwrap();
    window
        .wait_text("status", WAIT, |t| t.starts_with("Refreshed"))
        .await
        .unwrap();
    // The copied refresh token died with the refresh: it is off the clipboard, and the
    // note beside the tokens says so and asks for the new one.
    window
        .wait_clipboard(CLIPBOARD_WAIT, str::is_empty)
        .await
        .expect("the replaced refresh token stayed on the clipboard");
    let note = window.text("copy-note").await.unwrap();
    assert!(
        note.starts_with("Clipboard cleared") && note.ends_with("copy the new one"),
        "{note:?}"
    );
    assert!(masked(&window.text("access-token").await.unwrap()));
    let fresh = reveal_access_token(&window).await;
    assert_ne!(fresh, access);
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&access)),
        401
    );
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&fresh)),
        200
    );
    let history = window.text("history").await.unwrap();
    assert!(
        history.contains("refreshed") && history.contains("active"),
        "{history}"
    );
    // The session list filters as one types; hidden entries are out of the text.
    window.fill("history-filter", "refreshed").await.unwrap();
    window
        .wait_text("history-count", WAIT, |t| t == "1 of 2 entries")
        .await
        .unwrap();
    let filtered = window.text("history").await.unwrap();
    assert!(
        filtered.contains("refreshed") && !filtered.contains("active"),
        "{filtered}"
    );
    window.clear("history-filter").await.unwrap();
    window
        .wait_text("history-count", WAIT, str::is_empty)
        .await
        .unwrap();
    // The picker marks the profile's token; the others have none.
    let host = server.seed.base_url.trim_start_matches("http://");
    let listed = window.text("profile-select").await.unwrap();
    assert!(
        listed.contains(&format!("{name} — {host} · token valid"))
            && !listed.contains(&format!("{} — {host} · token", others[0])),
        "{listed}"
    );
    // This session lists the chosen profile's tokens; All profiles lists every one.
    window.select("profile-select", &others[0]).await.unwrap();
    window
        .wait_text("history", WAIT, |t| {
            t.starts_with("No token of this profile yet")
        })
        .await
        .unwrap();
    window.click("history-all").await.unwrap();
    window
        .wait_text("history", WAIT, |t| {
            t.contains(&name) && t.contains("refreshed")
        })
        .await
        .unwrap();
    window.click("history-all").await.unwrap();
    window.select("profile-select", &name).await.unwrap();
    window
        .wait_text("token-state", WAIT, |t| t == "Valid")
        .await
        .unwrap();

    // Revoke after confirming (a titled dialog): verified by the server's 401.
    window.click("revoke").await.unwrap();
    assert_eq!(
        window.text("confirm-title").await.unwrap(),
        "Revoke the tokens?"
    );
    window.click("confirm").await.unwrap();
    window
        .wait_text("status", WAIT, |t| {
            t.contains("Revoked, verified: the server now answers 401")
        })
        .await
        .unwrap();
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&fresh)),
        401
    );
    // Revoked: Get token is the one suggested action, and it has the focus.
    assert_eq!(window.primary_buttons().await.unwrap(), ["get-token"]);
    assert_eq!(
        window
            .script("return document.activeElement.dataset.testid;")
            .await
            .unwrap(),
        "get-token"
    );
    assert!(window.text("history").await.unwrap().contains("revoked"));
    assert!(!window
        .everything_in_the_dom()
        .await
        .unwrap()
        .contains(&secret));

    // Delete the profile after confirming.
    window.click("delete-profile").await.unwrap();
    window.press("confirm", "Deleted profile").await.unwrap();
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_denied_and_cancel_while_waiting() {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| TestServer::start(Flavor::Awx)).unwrap();
    let app = server.seeded_app();
    let name = unique("guideny");

    let denying = Desk::new(Browser::Deny);
    assert_eq!(
        denying.add_profile(&name, &server, &app, &[]).status,
        Some(0)
    );
    let window = Window::open(&denying).await.unwrap();
    // With exactly one profile, it is selected on start.
    window
        .wait_text("redirect-uri", WAIT, |t| t == "http://127.0.0.1/callback")
        .await
        .unwrap();
    window.click("get-token").await.unwrap();
    let status = window
        .wait_text("status", WAIT, |t| t.contains("refused"))
        .await
        .unwrap();
    assert!(status.contains("access was denied"), "{status}");
    // The next step is a button: the same sign-in again.
    assert_eq!(window.text("next-step").await.unwrap(), "Try again");
    window.close().await;

    let ignoring = Desk::new(Browser::Ignore);
    assert_eq!(
        ignoring.add_profile(&name, &server, &app, &[]).status,
        Some(0)
    );
    let window = Window::open(&ignoring).await.unwrap();
    window.click("get-token").await.unwrap();
    // This once failed now and then with nothing happening: the profile's summary arrived
    // above Get token after its position was taken and the click landed where the button
    // had been. The summary is drawn at once now, and clicks wait for a still element.
    let url = match window
        .wait_value("authorize-url", WAIT, |v| !v.is_empty())
        .await
    {
        Ok(url) => url,
        Err(e) => panic!(
            "no authorize URL shown ({e}); status: {}; the app's log ends:\n{}",
            window.text("status").await.unwrap_or_default(),
            window.app_log_tail(40)
        ),
    };
    assert!(
        url.starts_with(&format!("{}/api/o/authorize/?", server.seed.base_url)),
        "{url}"
    );
    window
        .wait_text("countdown", WAIT, |t| t.ends_with("left"))
        .await
        .unwrap();
    window.press("cancel", "cancelled").await.unwrap();
    // The user's own Cancel is news, not a failure.
    let tone = window
        .element("notice")
        .await
        .unwrap()
        .attr("data-tone")
        .await
        .unwrap();
    assert_eq!(tone.as_deref(), Some("neutral"));
    assert!(window.is_enabled("get-token").await.unwrap());
    window.close().await;
    assert_eq!(ignoring.run(&["profile", "remove", &name]).status, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_token_is_cleared_only_while_the_clipboard_still_holds_it() {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| TestServer::start(Flavor::Awx)).unwrap();
    let app = server.seeded_app();
    let desk = Desk::new(Browser::Approve);
    let name = unique("guiclip");
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    let window = Window::open(&desk).await.unwrap();

    set_clipboard_clearing(&window, 2).await;
    window.get_token_as("demo").await.unwrap();

    // Left alone, the copy is cleared after the delay.
    window.click("copy-as").await.unwrap();
    window.click("copy-as-header").await.unwrap();
    let header = window
        .wait_clipboard(CLIPBOARD_WAIT, |c| !c.is_empty())
        .await
        .unwrap();
    assert!(header.starts_with("Authorization: Bearer "), "{header:?}");
    let copied_at = std::time::Instant::now();
    window
        .wait_clipboard(CLIPBOARD_WAIT, str::is_empty)
        .await
        .expect("the copy was not cleared");
    assert!(
        copied_at.elapsed() >= Duration::from_millis(1500),
        "cleared too early"
    );
    // Still running (X drops a dead owner's clipboard, which would also read empty).
    assert_eq!(window.text("token-state").await.unwrap(), "Valid");

    // Something else copied since is left alone.
    window.click("copy-access-token").await.unwrap();
    let token = window
        .wait_clipboard(CLIPBOARD_WAIT, |c| !c.is_empty())
        .await
        .unwrap();
    assert!(!token.starts_with("Authorization"), "{token:?}");
    // Marked for clipboard managers to keep out of their history.
    let targets = window.clipboard_targets().unwrap();
    assert!(targets.contains("x-kde-passwordManagerHint"), "{targets}");
    window.set_clipboard("the user's own text").unwrap();
    assert_eq!(window.clipboard().unwrap(), "the user's own text");
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(window.clipboard().unwrap(), "the user's own text");
    assert!(window.is_enabled("get-token").await.unwrap());

    // Stopped while a copy waits to be cleared (a logout, `kill`), the window takes the
    // copy with it. (Closing it from its title bar ends in the same clearing, on Tauri's
    // exit event; WebDriver has no way to press that button.)
    set_clipboard_clearing(&window, 600).await;
    window.click("copy-access-token").await.unwrap();
    window
        .wait_clipboard(CLIPBOARD_WAIT, |c| c == token)
        .await
        .unwrap();
    window.terminate_app().unwrap();
    let cleared = window
        .wait_for_app_log(
            "cleared the copied secret from the clipboard as the window was told to stop",
            1,
            WAIT,
        )
        .await;
    assert!(
        cleared.is_ok(),
        "closing the window clears a secret it copied:\n{}",
        window.app_log_tail(40)
    );
    window.close().await;
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

/// The id of the listed personal token with `description`, from its entry's data.
async fn pat_id(window: &Window, description: &str) -> String {
    let id = window
        .script(&format!(
            "const entry = [...document.querySelectorAll('[data-testid=pat-entry]')] \
               .find(li => li.textContent.includes({description:?})); \
             return entry ? entry.dataset.tokenId : null;"
        ))
        .await
        .unwrap();
    id.as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no entry for {description:?}"))
}

/// Sets Settings' clipboard clearing; it applies as the field changes.
async fn set_clipboard_clearing(window: &Window, seconds: u64) {
    window.click("open-settings").await.unwrap();
    window
        .fill("clipboard-clear", &seconds.to_string())
        .await
        .unwrap();
    window.type_keys("clipboard-clear", "\t").await.unwrap();
    window
        .wait_text("settings-note", WAIT, |t| {
            t.contains(&format!("cleared after {seconds} s"))
        })
        .await
        .unwrap();
    window.click("settings-close").await.unwrap();
}

/// Turns Settings' auto-refresh on or off; it applies at once, saying `said`.
async fn toggle_auto_refresh(window: &Window, said: &str) {
    window.click("open-settings").await.unwrap();
    window.click("auto-refresh").await.unwrap();
    window
        .wait_text("settings-note", WAIT, |t| t.contains(said))
        .await
        .unwrap();
    window.click("settings-close").await.unwrap();
}

/// With `AUTHDESK_SCREENSHOT_DIR` set, keeps a picture of the window for review.
async fn shoot(window: &Window, file: &str) {
    if let Some(dir) = std::env::var_os("AUTHDESK_SCREENSHOT_DIR") {
        // Let the last IPC answer paint.
        tokio::time::sleep(Duration::from_millis(500)).await;
        window
            .screenshot(&std::path::Path::new(&dir).join(file))
            .await
            .unwrap();
    }
}

/// Presses Reveal and returns the access token the view then shows.
async fn reveal_access_token(window: &Window) -> String {
    window.click("reveal-access-token").await.unwrap();
    window
        .wait_text("access-token", WAIT, |t| !t.is_empty() && !masked(t))
        .await
        .unwrap()
}

/// On the gateway's own OAuth2 code: a user with no application sets one up from the
/// profile form, signs in with it, revokes (verified through the hashed form); then the
/// personal access tokens tab creates, reveals, copies, lists and deletes a token; then a
/// password-grant profile gets tokens from a username and password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_application_set_up_personal_tokens_and_password_grant() {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| TestServer::start(Flavor::Gateway)).unwrap();
    let desk = Desk::new(Browser::Approve);
    let password_profile = unique("gw-password");
    let added = desk.add_profile(&password_profile, &server, &server.password_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    let window = Window::open(&desk).await.unwrap();
    let name = unique("gw-setup");

    // Application set-up from the profile form.
    window.click("new-profile").await.unwrap();
    window.fill("profile-name", &name).await.unwrap();
    window.select("profile-preset", "gateway").await.unwrap();
    window
        .fill("profile-base-url", &server.seed.base_url)
        .await
        .unwrap();
    window.click("setup-app").await.unwrap();
    let (creator, creator_password) = server.application_creator();
    window.fill("app-username", creator).await.unwrap();
    window.fill("app-password", creator_password).await.unwrap();
    window.click("app-load-orgs").await.unwrap();
    window
        .press("app-create", "Created the application")
        .await
        .unwrap();
    let dom = window.everything_in_the_dom().await.unwrap();
    assert!(
        !dom.contains(creator_password),
        "the password stays in no field"
    );
    // Server setup has nothing to ask: it stays closed and says AuthDesk registered the
    // redirect URI.
    let setup = window
        .script(
            "const d = document.getElementById('setup'); \
             return { open: d.open, lead: document.getElementById('redirect-lead').textContent, \
                      uri: document.getElementById('redirect-uri').textContent, \
                      steps: document.getElementById('setup-steps').hidden };",
        )
        .await
        .unwrap();
    assert_eq!(setup["open"], false, "{setup}");
    assert_eq!(setup["uri"], "http://127.0.0.1/callback", "{setup}");
    assert_eq!(setup["steps"], true, "{setup}");
    assert!(
        setup["lead"]
            .as_str()
            .is_some_and(|t| t.starts_with("Registered by AuthDesk")),
        "{setup}"
    );
    window.get_token_as("demo").await.unwrap();
    let access = reveal_access_token(&window).await;
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&access)),
        200
    );
    window.click("revoke").await.unwrap();
    window.press("confirm", "hashed token form").await.unwrap();
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&access)),
        401
    );

    // Personal access tokens.
    window.click("tab-pats").await.unwrap();
    window.fill("pat-username", "demo").await.unwrap();
    window
        .fill("pat-password", &server.seed.password)
        .await
        .unwrap();
    let description = unique("window pat");
    window.fill("pat-description", &description).await.unwrap();
    window.click("pat-create").await.unwrap();
    window
        .wait_text("pat-list", WAIT, |t| t.contains(&description))
        .await
        .unwrap();
    assert!(
        masked(&window.text("pat-token").await.unwrap()),
        "a new token starts masked"
    );
    // Shown once: Copy is focused, ready for Enter.
    assert_eq!(
        window
            .script("return document.activeElement.id;")
            .await
            .unwrap(),
        "copy-pat"
    );
    window.click("reveal-pat").await.unwrap();
    let pat = window
        .wait_text("pat-token", WAIT, |t| !t.is_empty() && !masked(t))
        .await
        .unwrap();
    assert_eq!(tokio::task::block_in_place(|| server.me_status(&pat)), 200);
    window.click("copy-pat").await.unwrap();
    assert_eq!(
        window
            .wait_clipboard(CLIPBOARD_WAIT, |c| c == pat)
            .await
            .unwrap(),
        pat
    );
    shoot(&window, "personal-tokens.png").await;
    let listed = window.text("pat-list").await.unwrap();
    assert!(listed.contains(&description), "{listed}");
    assert!(!listed.contains(&pat), "lists never show tokens");
    let id = pat_id(&window, &description).await;
    window.click(&format!("pat-delete-{id}")).await.unwrap();
    window.click("confirm").await.unwrap();
    window
        .wait_text("status", WAIT, |t| {
            t.contains(&format!("Deleted token {id}"))
        })
        .await
        .unwrap();
    assert_eq!(tokio::task::block_in_place(|| server.me_status(&pat)), 401);

    // The password grant.
    window.click("tab-tokens").await.unwrap();
    window
        .select("profile-select", &password_profile)
        .await
        .unwrap();
    window.fill("login-username", "demo").await.unwrap();
    window
        .fill("login-password", &server.seed.password)
        .await
        .unwrap();
    window.get_token_as("demo").await.unwrap();
    let by_password = reveal_access_token(&window).await;
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&by_password)),
        200
    );
    let dom = window.everything_in_the_dom().await.unwrap();
    assert!(!dom.contains(&server.seed.password));
    window.close().await;
}

/// Tokens with a short lifetime, got by the CLI: the window shows the expired access
/// token as expired with Refresh; with Auto-refresh on, it refreshes them at once and
/// again before each expiry, lists each refresh, and the server takes only the newest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_shows_as_expired_and_auto_refresh_keeps_it_fresh() {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| {
        TestServer::start_with(Flavor::Awx, &[("FAKEAWX_ACCESS_TOKEN_EXPIRE_SECONDS", "8")])
    })
    .unwrap();
    let desk = Desk::new(Browser::Approve);
    let name = unique("guiauto");
    assert_eq!(
        desk.add_profile(&name, &server, &server.seeded_app(), &[])
            .status,
        Some(0)
    );
    let got = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(got.status, Some(0), "{got:?}");
    let first_access = got.json()["access_token"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_secs(9)).await;

    let window = Window::open(&desk).await.unwrap();
    window
        .wait_text("expired-note", WAIT, |t| {
            t.contains("The access token has expired.")
        })
        .await
        .unwrap();
    assert_eq!(window.text("expired-action").await.unwrap(), "Refresh");
    // Expired: one Refresh, the suggested action.
    assert_eq!(window.primary_buttons().await.unwrap(), ["expired-action"]);
    assert!(!window.is_shown("refresh").await.unwrap());
    assert!(window.text("expires").await.unwrap().contains("expired"));
    shoot(&window, "expired.png").await;
    let fingerprint = |kind: String| kind.rsplit('#').next().unwrap_or_default().to_owned();
    let expired_print = fingerprint(window.text("token-kind").await.unwrap());

    toggle_auto_refresh(&window, "Tokens are refreshed before they expire").await;
    window
        .wait_text("status", WAIT, |t| {
            t.contains("Refreshed the tokens of") && t.contains("before they expired")
        })
        .await
        .unwrap();
    let refreshed_print = fingerprint(window.text("token-kind").await.unwrap());
    assert_ne!(refreshed_print, expired_print);
    assert!(!window.is_shown("expired-note").await.unwrap());
    // And again, before the new pair's expiry, without being asked.
    window
        .wait_text("token-kind", WAIT, |t| !t.ends_with(&refreshed_print))
        .await
        .unwrap();
    let history = window.text("history").await.unwrap();
    assert!(
        history.matches("refreshed").count() >= 1 && history.contains(&refreshed_print),
        "{history}"
    );
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&first_access)),
        401
    );
    let stored = desk
        .engine()
        .current_tokens(&name)
        .await
        .unwrap()
        .expect("tokens stored");
    let newest = stored.access_token.expose().to_owned();
    let status = tokio::task::block_in_place(|| server.me_status(&newest));
    assert_eq!(status, 200);

    // Off again: nothing refreshes behind the user's back any more.
    toggle_auto_refresh(&window, "only when you ask").await;
    window.close().await;
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

/// The personal access tokens tab with the profile's own token (username and password left
/// empty: the single sign-on user's way) and with a login at the server's login page, on a
/// server whose API takes HTTP Basic or refuses it (AAP 2.7). With Basic on the gateway it
/// is part of the journey above, with deleting from the list.
async fn personal_tokens_tab(flavor: Flavor, basic: bool) {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| {
        if basic {
            TestServer::start(flavor)
        } else {
            TestServer::start_with(flavor, &[flavor.no_basic()])
        }
    })
    .unwrap();
    let desk = Desk::new(Browser::Approve);
    let name = unique("guipat");
    let added = desk.add_profile(
        &name,
        &server,
        &server.seeded_app(),
        &["--scope", "read write"],
    );
    assert_eq!(added.status, Some(0), "{added:?}");
    let got = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(got.status, Some(0), "{got:?}");
    let window = Window::open(&desk).await.unwrap();
    window.click("tab-pats").await.unwrap();

    let created = |description: String| {
        let window = &window;
        async move {
            window.fill("pat-description", &description).await.unwrap();
            window.click("pat-create").await.unwrap();
            window
                .wait_text("pat-list", WAIT, |t| t.contains(&description))
                .await
                .unwrap();
            window.click("reveal-pat").await.unwrap();
            let token = window
                .wait_text("pat-token", WAIT, |t| !t.is_empty() && !masked(t))
                .await
                .unwrap();
            // Masked again for the next one.
            window.click("reveal-pat").await.unwrap();
            token
        }
    };
    // Username and password left empty: the profile's own token.
    let with_token = created(unique("by token")).await;
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&with_token)),
        200
    );
    // A login at the server's login page.
    window.fill("pat-username", "demo").await.unwrap();
    window
        .fill("pat-password", &server.seed.password)
        .await
        .unwrap();
    let by_login = unique("by login");
    let with_login = created(by_login.clone()).await;
    assert_ne!(with_login, with_token);
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&with_login)),
        200
    );
    // Both listed (deleting from the list is part of the journey above).
    let listed = window.text("pat-list").await.unwrap();
    assert!(
        listed.contains(&by_login) && listed.contains("by token"),
        "{listed}"
    );
    assert!(!listed.contains(&with_login) && !listed.contains(&with_token));
    window.close().await;
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awx_personal_tokens_tab() {
    personal_tokens_tab(Flavor::Awx, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awx_personal_tokens_tab_without_basic() {
    personal_tokens_tab(Flavor::Awx, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_personal_tokens_tab_without_basic() {
    personal_tokens_tab(Flavor::Gateway, false).await;
}

/// Where no Secret Service answers: the window asks for the encrypted file's passphrase
/// once, as it opens (a wrong one is said under the field), and a command of the same
/// session then finds the file unlocked and the tokens the window stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_encrypted_file_is_unlocked_once_in_a_dialog() {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| TestServer::start(Flavor::Awx)).unwrap();
    let mut desk = Desk::new(Browser::Approve);
    // The window still gets its session bus (WebKit uses it); the store is the file.
    desk.env
        .push(("AUTHDESK_SECRET_STORE".into(), "file".into()));
    let name = unique("unlock");
    let app = server.seeded_app();
    let passphrase = "window passphrase";
    std::fs::write(desk.dir.path().join("pass"), format!("{passphrase}\n")).unwrap();
    let added = desk.shell(
        &format!(
            "authdesk --passphrase-fd 3 profile add {name} --preset awx --base-url {} --client-id {} --redirect-uri {} --client-secret-stdin 3<\"$HOME/../pass\" && authdesk lock",
            server.seed.base_url, app.client_id, app.redirect_uri
        ),
        &format!("{}\n", app.client_secret),
    );
    assert_eq!(added.status, Some(0), "{added:?}");

    let window = Window::open(&desk).await.unwrap();
    window
        .wait_text("unlock-text", WAIT, |t| t.contains("secrets.age"))
        .await
        .expect("the window asks for the passphrase as it opens");
    window
        .fill("unlock-passphrase", "not it at all")
        .await
        .unwrap();
    window.click("unlock-submit").await.unwrap();
    window
        .wait_text("unlock-error", WAIT, |t| {
            t.contains("That passphrase does not open")
        })
        .await
        .unwrap();
    window.fill("unlock-passphrase", passphrase).await.unwrap();
    window.click("unlock-submit").await.unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    while window.is_shown("unlock-passphrase").await.unwrap() {
        assert!(
            std::time::Instant::now() < deadline,
            "the dialog stays open"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    window.get_token_until_valid().await.unwrap();
    assert!(
        !window
            .everything_in_the_dom()
            .await
            .unwrap()
            .contains(passphrase),
        "the passphrase leaves the page"
    );

    // The same login session: the CLI needs no passphrase, and finds the window's tokens.
    let stored = desk.run(&["token", &name, "--format", "json"]);
    assert_eq!(stored.status, Some(0), "{stored:?}");
    assert_eq!(stored.json()["source"], "stored");
    assert!(desk.files_containing(&app.client_secret).is_empty());
    window.close().await;
    let _ = desk.run(&["lock"]);
}

/// Delete with a live token: *Revoke and delete* (the default) revokes it, verified by
/// the server's 401, and the window lands on what is left, focused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_with_a_live_token_revokes_it_first() {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| TestServer::start(Flavor::Awx)).unwrap();
    let desk = Desk::new(Browser::Approve);
    let name = unique("delete");
    let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    let window = Window::open(&desk).await.unwrap();
    window.get_token_until_valid().await.unwrap();
    let stored = desk.run(&["token", &name, "--format", "plain"]);
    assert_eq!(stored.status, Some(0), "{stored:?}");
    let access = stored.stdout.trim().to_owned();
    window.click("delete-profile").await.unwrap();
    window
        .wait_text("confirm-text", WAIT, |t| {
            t.contains("still valid on the server")
        })
        .await
        .unwrap();
    assert_eq!(window.text("confirm").await.unwrap(), "Revoke and delete");
    assert_eq!(
        window.text("confirm-other").await.unwrap(),
        "Delete and keep it valid"
    );
    window.press("confirm", "Deleted profile").await.unwrap();
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&access)),
        401
    );
    let focused = window
        .script("return document.activeElement && document.activeElement.dataset.testid")
        .await
        .unwrap();
    assert_eq!(focused, serde_json::json!("first-run-have-client"));
    window.close().await;
}

/// Calls a window command from the page as its buttons do, and returns its answer, or
/// `{"error": …}` with the sentence of a failure.
async fn invoke(window: &Window, command: &str, args: serde_json::Value) -> serde_json::Value {
    window
        .client
        .execute_async(
            "const [command, args, done] = arguments;
             window.__TAURI__.core.invoke(command, args)
               .then((answer) => done(answer ?? null), (e) => done({ error: String(e && e.message || e) }));",
            vec![serde_json::json!(command), args],
        )
        .await
        .unwrap()
}

/// The fingerprint the window shows for an access token (its "Token ID").
fn fingerprint_of(access_token: &str) -> String {
    authdesk_core::TokenSet::bearer(access_token).fingerprint()
}

/// Another program changes what the window shows: a profile `authdesk profile add` makes
/// appears; tokens `authdesk token` gets, and later renews once expired, show within 10 s;
/// a Refresh or Revoke sent for the pair the window showed before that renewal rotates
/// nothing (the cause of a 401 seen by hand: the window refreshed the CLI's fresh pair,
/// and AWX then refused the token the CLI had handed out); Refresh takes its copy off the
/// clipboard and says so; a profile the CLI removes leaves the window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_follows_the_cli_and_never_rotates_a_pair_it_did_not_show() {
    const FOLLOWS: Duration = Duration::from_secs(10);
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| {
        TestServer::start_with(Flavor::Awx, &[("FAKEAWX_ACCESS_TOKEN_EXPIRE_SECONDS", "8")])
    })
    .unwrap();
    let desk = Desk::new(Browser::Approve);
    let window = Window::open(&desk).await.unwrap();
    // A hidden element's text reads empty through WebDriver: this waits for it to show.
    window
        .wait_text("first-run", WAIT, |t| !t.is_empty())
        .await
        .unwrap();

    let name = unique("guilive");
    let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    window
        // (The strip's name is drawn, but WebKitWebDriver reads it as empty: ask the picker.)
        .wait_value("profile-select", FOLLOWS, |v| v == name)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "a profile the CLI added appears in the window: {e}\n{}",
                window.app_log_tail(60)
            )
        });
    let strip = window
        .script("return document.getElementById('strip-name').textContent")
        .await
        .unwrap();
    assert_eq!(strip, serde_json::json!(name), "its strip is drawn");

    let got = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(got.status, Some(0), "{got:?}");
    let first = got.json()["access_token"].as_str().unwrap().to_owned();
    window
        .wait_text("token-kind", FOLLOWS, |t| {
            t.ends_with(&fingerprint_of(&first))
        })
        .await
        .expect("tokens the CLI got show in the window");
    assert_eq!(window.text("token-state").await.unwrap(), "Valid");
    window
        .wait_text("token-state", WAIT, |t| t == "Expired")
        .await
        .unwrap();

    // The CLI renews the expired pair; the window follows.
    let renewed = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(renewed.status, Some(0), "{renewed:?}");
    let cli_token = renewed.json()["access_token"].as_str().unwrap().to_owned();
    assert_ne!(cli_token, first);
    window
        .wait_text("token-kind", FOLLOWS, |t| {
            t.ends_with(&fingerprint_of(&cli_token))
        })
        .await
        .expect("a pair the CLI renewed shows in the window");
    assert_eq!(window.text("token-state").await.unwrap(), "Valid");

    // Refresh and Revoke as a window that still showed the expired pair sends them.
    let stale = serde_json::json!({ "name": name, "shown": fingerprint_of(&first) });
    let refreshed = invoke(&window, "refresh_tokens", stale.clone()).await;
    assert_eq!(refreshed["by_another_program"], true, "{refreshed}");
    assert_eq!(refreshed["view"]["fingerprint"], fingerprint_of(&cli_token));
    let revoked = invoke(&window, "revoke_tokens", stale).await;
    assert!(
        revoked["error"]
            .as_str()
            .is_some_and(|e| e.contains("renewed by another program")),
        "{revoked}"
    );
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&cli_token)),
        200,
        "the CLI's token still works"
    );

    // Refresh of the pair shown: the window's pair supersedes the CLI's, and the copy of
    // the old one leaves the clipboard.
    window.click("copy-access-token").await.unwrap();
    window
        .wait_clipboard(CLIPBOARD_WAIT, |c| c == cli_token)
        .await
        .unwrap();
    window
        .press("refresh", "Refreshed: a new pair")
        .await
        .unwrap();
    window
        .wait_clipboard(CLIPBOARD_WAIT, |c| c != cli_token)
        .await
        .expect("the replaced token left the clipboard");
    assert!(window
        .text("copy-note")
        .await
        .unwrap()
        .contains("copy the new one"));
    let stored = desk.run(&["token", &name, "--format", "plain", "--no-browser"]);
    assert_eq!(stored.status, Some(0), "{stored:?}");
    let newest = stored.stdout.trim().to_owned();
    assert!(window
        .text("token-kind")
        .await
        .unwrap()
        .ends_with(&fingerprint_of(&newest)));
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&newest)),
        200
    );

    // Removed by the CLI: the window is empty again.
    let removed = desk.run(&["profile", "remove", &name]);
    assert_eq!(removed.status, Some(0), "{removed:?}");
    window
        .wait_text("status", FOLLOWS, |t| {
            t.contains("removed by another program")
        })
        .await
        .unwrap();
    window
        .wait_text("first-run", FOLLOWS, |t| !t.is_empty())
        .await
        .unwrap();
    window.close().await;
}

/// A profile the CLI added with the seeded application (`extra`: more `profile add`
/// flags), and the window opened on it.
async fn window_on_added_profile(
    server: &TestServer,
    desk: &Desk,
    prefix: &str,
    extra: &[&str],
) -> (String, Window) {
    let name = unique(prefix);
    let added = desk.add_profile(&name, server, &server.seeded_app(), extra);
    assert_eq!(added.status, Some(0), "{added:?}");
    let window = Window::open(desk).await.unwrap();
    window
        .wait_value("profile-select", WAIT, |v| v == name)
        .await
        .unwrap();
    (name, window)
}

/// Leaves a field with Tab, as a person moves on from it.
async fn leave(window: &Window, test_id: &str) {
    window
        .element(test_id)
        .await
        .unwrap()
        .send_keys("\t")
        .await
        .unwrap();
}

/// The form keeps up with the person typing, on the gateway-shaped server: a wrong secret
/// is caught at Save (the made-up-code exchange) before anything is saved, and a corrected
/// one saves; each field is checked again as it is left; the secret's hint and requirement
/// follow the re-point rule (another client ID needs the secret again, the same one keeps
/// the stored secret).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_checks_the_secret_at_save_and_each_field_as_it_is_left() {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| TestServer::start(Flavor::Gateway)).unwrap();
    let desk = Desk::new(Browser::Approve);
    let (_kept, window) = window_on_added_profile(&server, &desk, "guikept", &[]).await;

    // A new profile with a wrong secret: refused under the field, nothing saved.
    let name = unique("guisave");
    window.click("new-profile").await.unwrap();
    window.fill("profile-name", &name).await.unwrap();
    // A wrong address says so as the field is left; fixed, the error goes at once.
    window
        .fill("profile-base-url", "ftp:/nowhere")
        .await
        .unwrap();
    leave(&window, "profile-base-url").await;
    window
        .wait_text("profile-base-url-error", WAIT, |t| {
            t.starts_with("Start the address with https://")
        })
        .await
        .unwrap();
    window
        .fill("profile-base-url", &server.seed.base_url)
        .await
        .unwrap();
    leave(&window, "profile-base-url").await;
    window
        .wait_text("profile-base-url-error", WAIT, str::is_empty)
        .await
        .unwrap();
    assert!(!window.is_shown("profile-base-url-error").await.unwrap());
    window
        .wait_text("detected", WAIT, |t| t.starts_with("Found"))
        .await
        .unwrap();
    window
        .fill("profile-client-id", &server.seed.client_id)
        .await
        .unwrap();
    window
        .fill("profile-client-secret", "not-the-secret")
        .await
        .unwrap();
    let refused = window.save_with_refused_secret().await.unwrap();
    assert!(
        refused.starts_with("Not saved") && refused.contains("client"),
        "{refused}"
    );
    assert!(window.is_shown("save-anyway").await.unwrap());
    let listed = desk.run(&["profile", "list"]);
    assert!(!listed.stdout.contains(&name), "saved: {}", listed.stdout);
    // The right secret: Save anyway goes (it was for the refused one), and Save saves.
    window
        .fill("profile-client-secret", &server.seed.client_secret)
        .await
        .unwrap();
    assert!(!window.is_shown("save-anyway").await.unwrap());
    leave(&window, "profile-client-secret").await;
    window
        .wait_text("profile-client-secret-error", WAIT, str::is_empty)
        .await
        .unwrap();
    window.save_form().await.unwrap();
    assert!(!window
        .everything_in_the_dom()
        .await
        .unwrap()
        .contains(&server.seed.client_secret));

    // Edit: the stored secret may stay while the profile names the same application…
    window.click("edit-profile").await.unwrap();
    window
        .wait_value("profile-name", WAIT, |v| v == name)
        .await
        .unwrap();
    window
        .wait_text("secret-state", WAIT, |t| {
            t.contains("leave this empty to keep it")
        })
        .await
        .unwrap();
    // …another client ID needs it again, said in the hint as it is typed and at Save…
    window
        .fill("profile-client-id", "another-application")
        .await
        .unwrap();
    window
        .wait_text("secret-state", WAIT, |t| {
            t.starts_with("You changed the server or the client ID")
        })
        .await
        .unwrap();
    window.click("save-profile").await.unwrap();
    window
        .wait_text("profile-client-secret-error", WAIT, |t| {
            t.starts_with("Enter the client secret again")
        })
        .await
        .unwrap();
    // …and the same client ID again keeps it, the error gone.
    window
        .fill("profile-client-id", &server.seed.client_id)
        .await
        .unwrap();
    window
        .wait_text("secret-state", WAIT, |t| {
            t.contains("leave this empty to keep it")
        })
        .await
        .unwrap();
    window
        .wait_text("profile-client-secret-error", WAIT, str::is_empty)
        .await
        .unwrap();
    window.save_form().await.unwrap();
    let doctor = desk.run(&["doctor", &name]);
    assert!(
        doctor.stdout.contains("accepts the client ID and secret"),
        "{doctor:?}"
    );
    window.close().await;
}

/// The Personal tokens tab says before the click how it will create the token, and a
/// sign-in token whose scope cannot create one (the default `read`) disables Create with
/// the reason and a way on: Change scope… opens the profile's scope; with `read write`
/// and a new sign-in, Create works with the profile's token (no login typed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_tokens_say_their_way_and_a_read_token_cannot_create_one() {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| TestServer::start(Flavor::Awx)).unwrap();
    let desk = Desk::new(Browser::Approve);
    let name = unique("guiway");
    let added = desk.add_profile(&name, &server, &server.seeded_app(), &["--scope", "read"]);
    assert_eq!(added.status, Some(0), "{added:?}");
    let got = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(got.status, Some(0), "{got:?}");
    let window = Window::open(&desk).await.unwrap();
    window
        .wait_text("token-state", WAIT, |t| t == "Valid")
        .await
        .unwrap();
    window.click("tab-pats").await.unwrap();
    let way = window
        .wait_text("pat-way", WAIT, |t| !t.is_empty())
        .await
        .unwrap();
    assert!(
        way.contains("scope “read”") && way.contains("“write”"),
        "{way}"
    );
    assert!(!window.is_enabled("pat-create").await.unwrap());
    assert!(window.is_shown("pat-change-scope").await.unwrap());
    // A login typed here is another way, and Create says so.
    window.fill("pat-username", "demo").await.unwrap();
    window
        .wait_text("pat-way", WAIT, |t| t.contains("logs in as demo"))
        .await
        .unwrap();
    assert!(window.is_enabled("pat-create").await.unwrap());
    window.clear("pat-username").await.unwrap();
    window
        .wait_text("pat-way", WAIT, |t| t.contains("scope “read”"))
        .await
        .unwrap();
    assert!(!window.is_enabled("pat-create").await.unwrap());

    // Change scope… leads to the profile's scope; saved as read write, a new sign-in.
    window.click("pat-change-scope").await.unwrap();
    window
        .wait_value("profile-name", WAIT, |v| v == name)
        .await
        .unwrap();
    assert_eq!(
        window
            .script("return document.activeElement.id;")
            .await
            .unwrap(),
        "profile-scope"
    );
    window.select("profile-scope", "read write").await.unwrap();
    window.save_form().await.unwrap();
    window.click("tab-tokens").await.unwrap();
    window.click("get-token").await.unwrap();
    window
        .wait_text("confirm-text", WAIT, |t| t.contains("still works"))
        .await
        .unwrap();
    window.click("confirm").await.unwrap();
    window
        .wait_text("token-scope", WAIT, |t| t.starts_with("read write"))
        .await
        .unwrap();
    window.click("tab-pats").await.unwrap();
    window
        .wait_text("pat-way", WAIT, |t| {
            t.starts_with("Create uses this profile's sign-in token (demo, scope “read write”)")
        })
        .await
        .unwrap();
    assert!(window.is_enabled("pat-create").await.unwrap());
    let description = unique("by scope");
    window.fill("pat-description", &description).await.unwrap();
    window.click("pat-create").await.unwrap();
    window
        .wait_text("pat-list", WAIT, |t| t.contains(&description))
        .await
        .unwrap();
    assert!(window.is_enabled("pat-create").await.unwrap());
    window.close().await;
}

/// Sign in as another user… (the strip's ▾ menu) in a browser that holds a session with
/// the server as demo: the server's logout page ends it, the login page asks, and the card
/// and who-am-I show the other user; the working token is asked about first (revoked here,
/// the default), as every sign-in that would replace it.
async fn window_switch_user(flavor: Flavor) {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| TestServer::start(flavor)).unwrap();
    let mut desk = Desk::new(Browser::Approve);
    let name = unique("guiswitch");
    let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    // demo signs in with the CLI: the desk's browser keeps demo's session with the server.
    let first = authdesk_e2e::collect(
        desk.command(&["token", &name, "--timeout", "60"])
            .env("AUTHDESK_BROWSER_USER", "demo")
            .output()
            .unwrap(),
    );
    assert_eq!(first.status, Some(0), "{first:?}");
    let demo_token = first.json()["access_token"].as_str().unwrap().to_owned();
    // Whoever the login page asks from now on is the admin.
    let admin = server.seed.admin_username.clone();
    desk.browse_as(&admin, &server.seed.admin_password);
    let window = Window::open(&desk).await.unwrap();
    window
        .wait_text("whoami", WAIT, |t| t == "demo")
        .await
        .unwrap();

    window.click("sign-in-more").await.unwrap();
    window.click("switch-user").await.unwrap();
    let asked = window
        .wait_text("confirm-text", WAIT, |t| t.contains("still works"))
        .await
        .unwrap();
    assert!(asked.contains(&fingerprint_of(&demo_token)), "{asked}");
    window.click("confirm").await.unwrap();
    window
        .wait_text("status", WAIT, |t| {
            t.contains(&format!("Signed in as {admin}"))
        })
        .await
        .unwrap();
    assert_eq!(window.text("whoami").await.unwrap(), admin);
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&demo_token)),
        401,
        "the replaced token was revoked first"
    );
    assert_eq!(desk.browser_logins(), ["demo".to_owned(), admin.clone()]);
    let who = desk.run(&["whoami", &name]);
    assert_eq!(who.stdout.trim(), admin, "{who:?}");

    // Options for this sign-in: another scope for one attempt, the profile unchanged.
    window.click("sign-in-more").await.unwrap();
    window.click("sign-in-options").await.unwrap();
    window.select("options-scope", "read").await.unwrap();
    window
        .fill("options-params", "prompt=consent")
        .await
        .unwrap();
    window.click("options-start").await.unwrap();
    window
        .wait_text("confirm-text", WAIT, |t| t.contains("still works"))
        .await
        .unwrap();
    window.click("confirm-other").await.unwrap();
    window
        .wait_text("token-scope", WAIT, |t| t.starts_with("read ·"))
        .await
        .unwrap();
    let shown = desk.run(&["profile", "show", &name]);
    assert!(shown.stdout.contains("read write"), "{shown:?}");
    window.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_as_another_user_on_awx() {
    window_switch_user(Flavor::Awx).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_as_another_user_on_the_gateway() {
    window_switch_user(Flavor::Gateway).await;
}

/// A server that requires PKCE refuses a profile without it after the consent: the window
/// says so in one sentence and offers *Turn on PKCE and sign in again*, which saves the
/// profile with PKCE (its secret kept) and completes a sign-in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_requires_pkce_offers_to_turn_it_on() {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| {
        TestServer::start_with(Flavor::Awx, &[("FAKEAWX_PKCE_REQUIRED", "1")])
    })
    .unwrap();
    let desk = Desk::new(Browser::Approve);
    let (name, window) = window_on_added_profile(&server, &desk, "guipkce", &[]).await;
    window.click("get-token").await.unwrap();
    let said = window
        .wait_text("status", WAIT, |t| t.contains("requires PKCE"))
        .await
        .unwrap();
    assert!(said.contains("Code challenge required"), "{said}");
    window
        .wait_text("next-step", WAIT, |t| t == "Turn on PKCE and sign in again")
        .await
        .unwrap();
    window.click("next-step").await.unwrap();
    window
        .wait_text("token-state", WAIT, |t| t == "Valid")
        .await
        .unwrap();
    let profile = desk.engine().profiles().get(&name).unwrap();
    assert!(profile.pkce, "saved with PKCE");
    window.close().await;
}

/// The token card's Timeline: the last sign-in step by step, with Copy, and nothing
/// secret in it (not the client secret, the code, the state or a token).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_card_shows_the_sign_ins_timeline() {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| TestServer::start(Flavor::Gateway)).unwrap();
    let desk = Desk::new(Browser::Approve);
    let (name, window) = window_on_added_profile(&server, &desk, "guitimeline", &[]).await;
    window.get_token_until_valid().await.unwrap();
    window.toggle_details("timeline").await.unwrap();
    let timeline = window
        .wait_text("timeline-text", WAIT, |t| t.contains("who-am-I"))
        .await
        .unwrap();
    let order: Vec<_> = [
        "authorize",
        "browser",
        "callback",
        "token request",
        "token answer",
        "who-am-I",
    ]
    .iter()
    .map(|step| timeline.find(&format!("  {step}  ")))
    .collect();
    assert!(
        order.iter().all(Option::is_some) && order.windows(2).all(|w| w[0] < w[1]),
        "{timeline}"
    );
    assert!(timeline.contains("HTTP 201 in "), "{timeline}");
    let stored = desk.engine().current_tokens(&name).await.unwrap().unwrap();
    let mut secrets = vec![
        server.seed.client_secret.clone(),
        stored.access_token.expose().to_owned(),
    ];
    secrets.extend(stored.refresh_token.as_ref().map(|t| t.expose().to_owned()));
    secrets.extend(desk.browser_url_secrets());
    for secret in &secrets {
        assert!(
            !timeline.contains(secret.as_str()),
            "{secret:?} in:\n{timeline}"
        );
    }
    window.click("copy-timeline").await.unwrap();
    let copied = window
        .wait_clipboard(CLIPBOARD_WAIT, |c| c.contains("who-am-I"))
        .await
        .unwrap();
    assert_eq!(copied, timeline);
    window.close().await;
}
