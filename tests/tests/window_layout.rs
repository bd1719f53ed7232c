//! The window as it looks: each state's layout checked by geometry (every label beside its
//! own field, no horizontal scrollbar, the primary actions inside the viewport at 980×720
//! and 800×600, a visible focus ring), the first run, errors with a next step, the choice
//! before a working token is replaced, and the screenshot gallery `cargo xtask screenshot`
//! retakes into `docs/`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use authdesk_e2e::window::{Window, ONE_WINDOW_AT_A_TIME};
use authdesk_e2e::{unique, Browser, Desk, Flavor, TestServer};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(60);

/// The sizes every state must fit: the default window, and a small laptop's.
const SIZES: [(u32, u32); 2] = [(980, 720), (800, 600)];

/// Whether the page scrolls sideways (it never should).
async fn horizontal_overflow(window: &Window) -> Value {
    window
        .script(
            "const d = document.documentElement; \
             const forms = [...document.querySelectorAll('dialog[open] .form-body')]; \
             return { page: d.scrollWidth - d.clientWidth, \
                      dialogs: forms.map(f => f.scrollWidth - f.clientWidth) };",
        )
        .await
        .unwrap()
}

fn assert_no_horizontal_overflow(overflow: &Value, state: &str) {
    let page = overflow["page"].as_i64().unwrap_or(i64::MAX);
    assert!(page <= 0, "{state}: the page scrolls sideways by {page} px");
    for dialog in overflow["dialogs"].as_array().into_iter().flatten() {
        assert!(
            dialog.as_i64().unwrap_or(i64::MAX) <= 0,
            "{state}: a dialog's form scrolls sideways: {overflow}"
        );
    }
}

/// The test ids among `ids` whose element is not wholly inside the viewport (or not shown).
async fn outside_viewport(window: &Window, ids: &[&str]) -> Vec<String> {
    let script = format!(
        "return {ids:?}.filter(id => {{ \
           const e = document.querySelector(`[data-testid=\"${{id}}\"]`); \
           if (!e || e.offsetParent === null) return true; \
           const r = e.getBoundingClientRect(); \
           return r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth \
             || r.width === 0 || r.height === 0; }});"
    );
    let answer = window.script(&script).await.unwrap();
    answer
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// Every shown `label[for]` in the open dialog whose box does not sit on its own field's
/// row, to the field's left: the bug where each label stood beside the next field.
async fn misplaced_labels(window: &Window) -> Vec<String> {
    let answer = window
        .script(
            "const dialog = document.querySelector('dialog[open]'); \
             return [...dialog.querySelectorAll('label[for]')].filter(l => l.offsetParent !== null \
               && !l.classList.contains('check')).map(l => { \
               const f = document.getElementById(l.htmlFor); \
               if (!f || f.offsetParent === null) return `${l.textContent}: field not shown`; \
               const a = l.getBoundingClientRect(), b = f.getBoundingClientRect(); \
               const sameRow = a.top < b.bottom && b.top < a.bottom; \
               const leftOf = a.right <= b.left + 1; \
               return sameRow && leftOf ? null : \
                 `${l.textContent.trim()} at (${a.left|0},${a.top|0}) vs its field at (${b.left|0},${b.top|0})`; \
             }).filter(Boolean);",
        )
        .await
        .unwrap();
    answer
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// Contrast ratio (WCAG) of the focus ring against the card and the page, and the ring
/// drawn on the element the Tab key moved to.
async fn focus_ring(window: &Window) -> Value {
    window
        .script(
            "const css = getComputedStyle(document.documentElement); \
             const lum = (hex) => { \
               const c = hex.trim().replace('#', ''); \
               const ch = [0, 2, 4].map(i => parseInt(c.slice(i, i + 2), 16) / 255) \
                 .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4); \
               return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]; }; \
             const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); \
               return (x + 0.05) / (y + 0.05); }; \
             const focus = css.getPropertyValue('--focus'); \
             const active = getComputedStyle(document.activeElement); \
             return { card: ratio(focus, css.getPropertyValue('--card')), \
                      page: ratio(focus, css.getPropertyValue('--bg')), \
                      style: active.outlineStyle, width: parseFloat(active.outlineWidth), \
                      id: document.activeElement.id };",
        )
        .await
        .unwrap()
}

/// The token card's width as a share of the panel it sits in, and the access token row's
/// height masked and shown (a shown token must not make the row grow).
async fn token_card_room(window: &Window) -> Value {
    window
        .script(
            "const card = document.getElementById('token-card').getBoundingClientRect(); \
             const panel = document.getElementById('profile-panel').getBoundingClientRect(); \
             const row = document.getElementById('access-token').closest('.token-row'); \
             const masked = row.getBoundingClientRect().height; \
             document.getElementById('reveal-access-token').click(); \
             const shown = row.getBoundingClientRect().height; \
             document.getElementById('reveal-access-token').click(); \
             return { share: card.width / panel.width, masked, shown };",
        )
        .await
        .unwrap()
}

/// A desk with one profile whose tokens the CLI got, so the window opens on a token.
fn desk_with_tokens(server: &TestServer, browser: Browser) -> (Desk, String) {
    let desk = Desk::new(browser);
    let name = unique("look");
    let added = desk.add_profile(&name, server, &server.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{}", added.stderr);
    let got = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(got.status, Some(0), "{}", got.stderr);
    (desk, name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_fits_both_sizes_with_labels_beside_their_fields() {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| TestServer::start(Flavor::Awx)).unwrap();
    let (desk, name) = desk_with_tokens(&server, Browser::Approve);
    let window = Window::open(&desk).await.unwrap();
    window
        .wait_text("token-state", WAIT, |t| t == "Valid")
        .await
        .unwrap();
    for (width, height) in SIZES {
        let size = format!("{width}×{height}");
        window.resize(width, height).await.unwrap();
        // The token view: Get token, the tokens and Refresh/Revoke without scrolling.
        let hidden = outside_viewport(
            &window,
            &[
                "get-token",
                "access-token",
                "copy-access-token",
                "refresh-token",
                "refresh",
                "revoke",
                "edit-profile",
            ],
        )
        .await;
        assert!(
            hidden.is_empty(),
            "{size}: outside the viewport: {hidden:?}"
        );
        assert_no_horizontal_overflow(&horizontal_overflow(&window).await, &size);
        // One suggested action: Copy while the token is valid.
        assert_eq!(
            window.primary_buttons().await.unwrap(),
            ["copy-access-token"],
            "{size}: the valid token's primary actions"
        );
        // The token card has the panel's whole width, and showing the token keeps its
        // row one line high.
        let room = token_card_room(&window).await;
        assert!(
            room["share"].as_f64().unwrap_or(0.0) > 0.97,
            "{size}: the token card is not full width: {room}"
        );
        assert_eq!(
            room["masked"], room["shown"],
            "{size}: showing the access token made its row jump: {room}"
        );

        // The Edit form: every label beside its own field, Save in view, nothing sideways,
        // with Advanced open too.
        window.click("edit-profile").await.unwrap();
        window
            .wait_value("profile-name", WAIT, |v| v == name)
            .await
            .unwrap();
        for advanced in [false, true] {
            if advanced {
                window.toggle_details("profile-advanced").await.unwrap();
            }
            let state = format!("{size}, Edit form, advanced {advanced}");
            let wrong = misplaced_labels(&window).await;
            assert!(
                wrong.is_empty(),
                "{state}: labels beside the wrong field: {wrong:?}"
            );
            assert_no_horizontal_overflow(&horizontal_overflow(&window).await, &state);
            let hidden = outside_viewport(&window, &["save-profile", "profile-cancel"]).await;
            assert!(
                hidden.is_empty(),
                "{state}: outside the viewport: {hidden:?}"
            );
        }
        // Nothing changed: Cancel closes without asking.
        window.click("profile-cancel").await.unwrap();
        window
            .wait_text("status", WAIT, str::is_empty)
            .await
            .unwrap();
        assert!(!window.is_shown("profile-form").await.unwrap());

        // The New profile form, empty: every problem at once, each under its field.
        window.click("new-profile").await.unwrap();
        window.click("save-profile").await.unwrap();
        for field in [
            "profile-name",
            "profile-base-url",
            "profile-client-id",
            "profile-client-secret",
        ] {
            let said = window
                .wait_text(&format!("{field}-error"), WAIT, |t| !t.is_empty())
                .await
                .unwrap();
            let beside = window
                .script(&format!(
                    "const f = document.getElementById('{field}').getBoundingClientRect(); \
                     const e = document.getElementById('{field}-error').getBoundingClientRect(); \
                     return e.top >= f.bottom - 1 && e.top - f.bottom < 40 && Math.abs(e.left - f.left) < 2;"
                ))
                .await
                .unwrap();
            assert_eq!(
                beside,
                Value::Bool(true),
                "{size}: {field}'s error {said:?} is not under it"
            );
        }
        let wrong = misplaced_labels(&window).await;
        assert!(wrong.is_empty(), "{size}, New form: {wrong:?}");
        // Typed something, then Escape: it asks before throwing it away.
        window.fill("profile-name", "half-typed").await.unwrap();
        window
            .element("profile-name")
            .await
            .unwrap()
            .send_keys("\u{E00C}")
            .await
            .unwrap();
        let asked = window
            .wait_text("confirm-text", WAIT, |t| t.contains("Discard"))
            .await
            .unwrap();
        assert!(asked.contains("Discard"), "{asked}");
        window.click("confirm-cancel").await.unwrap();
        assert_eq!(window.value("profile-name").await.unwrap(), "half-typed");
        window.click("profile-cancel").await.unwrap();
        window.click("confirm").await.unwrap();
        window
            .wait_text("status", WAIT, str::is_empty)
            .await
            .unwrap();
    }

    // A ring of at least 3:1 in this theme, drawn where the Tab key lands.
    window
        .element("profile-select")
        .await
        .unwrap()
        .send_keys("\u{E004}")
        .await
        .unwrap();
    let ring = focus_ring(&window).await;
    assert!(
        ring["card"].as_f64().unwrap_or(0.0) >= 3.0 && ring["page"].as_f64().unwrap_or(0.0) >= 3.0,
        "focus ring contrast under 3:1: {ring}"
    );
    assert!(
        ring["style"] == "solid" && ring["width"].as_f64().unwrap_or(0.0) >= 2.0,
        "no focus ring on the element Tab reached: {ring}"
    );

    // Ctrl+Shift+C copies the access token, as the card says.
    window
        .element("reveal-refresh-token")
        .await
        .unwrap()
        .send_keys("\u{E009}\u{E008}c\u{E000}")
        .await
        .unwrap();
    let stored = desk
        .engine()
        .current_tokens(&name)
        .await
        .unwrap()
        .expect("tokens stored");
    let access = stored.access_token.expose().to_owned();
    window
        .wait_clipboard(WAIT, |c| c == access)
        .await
        .expect("Ctrl+Shift+C did not copy the access token");
    window.close().await;
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_wrong_secret_next_step_and_no_silent_replacement() {
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| TestServer::start(Flavor::Awx)).unwrap();
    let mut desk = Desk::new(Browser::Approve);
    // The scripted browser waits before approving: time to look at the waiting state.
    desk.env.push(("AUTHDESK_BROWSER_DELAY".into(), "8".into()));
    let window = Window::open(&desk).await.unwrap();
    // First run: what is needed, and two ways in.
    let welcome = window
        .wait_text("first-run", WAIT, |t| !t.is_empty())
        .await
        .unwrap();
    assert!(
        welcome.contains("server's address") && welcome.contains("OAuth application"),
        "{welcome}"
    );
    for (width, height) in SIZES {
        window.resize(width, height).await.unwrap();
        let hidden =
            outside_viewport(&window, &["first-run-create-app", "first-run-have-client"]).await;
        assert!(hidden.is_empty(), "{width}×{height}: {hidden:?}");
        assert_no_horizontal_overflow(&horizontal_overflow(&window).await, "first run");
    }
    window.resize(980, 720).await.unwrap();

    // "Create the application for me…" leads with set-up; the client fields come from it.
    window.click("first-run-create-app").await.unwrap();
    assert!(window.is_shown("setup-app").await.unwrap());
    assert!(
        !window.is_shown("profile-client-id").await.unwrap()
            && !window.is_shown("save-profile").await.unwrap()
    );
    window.click("profile-cancel").await.unwrap();

    // "I have a client ID and secret", with a wrong secret.
    let name = unique("wrongsecret");
    window.click("first-run-have-client").await.unwrap();
    window.fill("profile-name", &name).await.unwrap();
    window
        .fill("profile-base-url", &server.seed.base_url)
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
    // Save asks the token endpoint first (the made-up-code exchange): the refusal is said
    // under the secret, nothing is saved, and Save anyway is offered in view.
    let refused = window.save_with_refused_secret().await.unwrap();
    assert!(
        refused.starts_with("Not saved") && refused.contains("client"),
        "{refused}"
    );
    assert!(window.is_shown("profile-form").await.unwrap());
    let focused = window
        .script("return document.activeElement.id;")
        .await
        .unwrap();
    assert_eq!(focused, "profile-client-secret");
    let listed = desk.run(&["profile", "list"]);
    assert!(!listed.stdout.contains(&name), "saved: {}", listed.stdout);
    for (width, height) in SIZES {
        window.resize(width, height).await.unwrap();
        let hidden =
            outside_viewport(&window, &["save-anyway", "profile-client-secret-error"]).await;
        assert!(
            hidden.is_empty(),
            "{width}×{height}, refused secret: {hidden:?}"
        );
    }
    window.resize(980, 720).await.unwrap();
    // Save anyway keeps it as typed (a server that is wrong about the client, say).
    window.press("save-anyway", "Saved profile").await.unwrap();
    assert_eq!(window.text("token-state").await.unwrap(), "No token");
    window.click("get-token").await.unwrap();
    // Waiting: one message (no second one in the notice), its actions in view at both sizes.
    window
        .wait_text("countdown", WAIT, |t| t.ends_with("left"))
        .await
        .unwrap();
    assert_eq!(window.text("token-state").await.unwrap(), "Signing in…");
    assert!(!window.is_shown("notice").await.unwrap());
    let waiting = window.text("waiting-text").await.unwrap();
    assert!(waiting.contains("http://127.0.0.1/callback"), "{waiting}");
    for (width, height) in SIZES {
        window.resize(width, height).await.unwrap();
        let hidden = outside_viewport(
            &window,
            &[
                "cancel",
                "reopen-browser",
                "copy-authorize-url",
                "countdown",
                "authorize-url",
            ],
        )
        .await;
        assert!(hidden.is_empty(), "{width}×{height}, waiting: {hidden:?}");
        assert_no_horizontal_overflow(&horizontal_overflow(&window).await, "waiting");
    }
    // The browser can be opened again, at a fresh one-time link on the listener (the
    // authorize URL's state stays off every command line).
    window.click("reopen-browser").await.unwrap();
    window
        .wait_text("waiting-text", WAIT, |t| t.contains("again"))
        .await
        .unwrap();
    // Each opening is a launch page of its own, sending the browser on to a fresh
    // one-time start link; neither the link nor the state is on the browser's command line.
    let opened = |desk: &Desk| -> Vec<(String, String)> {
        desk.browser_events()
            .iter()
            .filter(|e| e["event"] == "opened")
            .map(|e| {
                let text = |key: &str| e[key].as_str().unwrap_or_default().to_owned();
                (text("url"), text("link"))
            })
            .collect()
    };
    // The scripted browser logs once its delay has passed.
    let deadline = std::time::Instant::now() + WAIT;
    while opened(&desk).len() < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let opened = opened(&desk);
    assert_eq!(opened.len(), 2, "{opened:?}");
    let (page, link) = &opened[1];
    assert!(
        link.starts_with("http://127.0.0.1:")
            && link.contains("/start/")
            && *link != opened[0].1
            && !link.contains("state="),
        "{opened:?}"
    );
    assert!(
        page.ends_with(".html") && !page.contains("/start/") && *page != opened[0].0,
        "{opened:?}"
    );
    // The exchange is refused as invalid_client: the sentence names the profile, the next
    // step is a button, and the details name the request.
    let said = window
        .wait_text("status", WAIT, |t| t.contains("client"))
        .await
        .unwrap();
    for (width, height) in SIZES {
        window.resize(width, height).await.unwrap();
        let hidden = outside_viewport(&window, &["status", "next-step", "get-token"]).await;
        assert!(hidden.is_empty(), "{width}×{height}, error: {hidden:?}");
        assert_no_horizontal_overflow(&horizontal_overflow(&window).await, "error");
    }
    window.resize(980, 720).await.unwrap();
    assert!(said.starts_with(&name), "{said}");
    assert_eq!(
        window.text("next-step").await.unwrap(),
        "Update client secret…"
    );
    window.toggle_details("error-details").await.unwrap();
    let details = window.text("error-body").await.unwrap();
    assert!(
        details.contains(&format!(
            "Request: POST {}/api/o/token/",
            server.seed.base_url
        )) && details.contains("Status: HTTP 401")
            && details.contains("Time: "),
        "{details}"
    );
    assert!(!details.contains("not-the-secret"), "{details}");
    window.click("copy-details").await.unwrap();
    let copied = window
        .wait_clipboard(Duration::from_secs(15), |c| c.contains("Request: POST"))
        .await
        .unwrap();
    assert_eq!(copied, details);

    // The next step opens Edit with the secret focused.
    window.click("next-step").await.unwrap();
    window
        .wait_value("profile-name", WAIT, |v| v == name)
        .await
        .unwrap();
    let focused = window
        .script("return document.activeElement.id;")
        .await
        .unwrap();
    assert_eq!(focused, "profile-client-secret");
    window
        .fill("profile-client-secret", &server.seed.client_secret)
        .await
        .unwrap();
    window.save_form().await.unwrap();
    window.get_token_until_valid().await.unwrap();
    let first = window.text("token-kind").await.unwrap();

    // A token that works is never replaced silently: Cancel changes nothing…
    assert_eq!(window.text("get-token").await.unwrap(), "Get new token");
    window.click("get-token").await.unwrap();
    let asked = window
        .wait_text("confirm-text", WAIT, |t| t.contains("still works"))
        .await
        .unwrap();
    assert!(asked.contains(&first), "{asked}");
    window.click("confirm-cancel").await.unwrap();
    assert_eq!(window.text("token-kind").await.unwrap(), first);
    // …"Revoke it and continue" revokes the old one (the server refuses it after) first.
    window.click("get-token").await.unwrap();
    window
        .wait_text("confirm-text", WAIT, |t| t.contains("still works"))
        .await
        .unwrap();
    window.click("confirm").await.unwrap();
    window
        .wait_text("token-kind", WAIT, |t| !t.is_empty() && t != first)
        .await
        .unwrap();
    let history = window.text("history").await.unwrap();
    assert!(
        history.contains(&format!("revoked {name} · {first}")),
        "{history}"
    );
    // A notice belongs to its tab: another tab starts clean.
    assert!(window.is_shown("notice").await.unwrap());
    window.click("tab-pats").await.unwrap();
    assert!(!window.is_shown("notice").await.unwrap());
    window.close().await;
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

/// Takes the README's gallery into `AUTHDESK_GALLERY_DIR` (`cargo xtask screenshot`).
/// For a review of every state, `AUTHDESK_GALLERY_REVIEW=1` also takes each at 800×600
/// (`…-800.png`), and `AUTHDESK_GALLERY_DARK=1` runs it in the dark theme (`…-dark…`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "takes screenshots: run by cargo xtask screenshot"]
async fn gallery() {
    let Some(dir) = std::env::var_os("AUTHDESK_GALLERY_DIR").map(PathBuf::from) else {
        panic!("set AUTHDESK_GALLERY_DIR to the folder for the pictures");
    };
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = tokio::task::block_in_place(|| TestServer::start(Flavor::Gateway)).unwrap();
    let mut desk = Desk::new(Browser::Approve);
    // Time to photograph the wait before the scripted browser approves.
    desk.env.push(("AUTHDESK_BROWSER_DELAY".into(), "5".into()));
    let dark = std::env::var_os("AUTHDESK_GALLERY_DARK").is_some();
    if dark {
        desk.env.push(("GTK_THEME".into(), "Adwaita:dark".into()));
    }
    let gallery = Gallery {
        dir,
        theme: if dark { "-dark" } else { "" },
        both_sizes: std::env::var_os("AUTHDESK_GALLERY_REVIEW").is_some(),
    };
    let dir = &gallery.dir;
    let window = Window::open(&desk).await.unwrap();
    window.resize(980, 720).await.unwrap();
    gallery.shoot(&window, "first-run").await;

    let name = "aap-prod";
    window.click("first-run-have-client").await.unwrap();
    window.fill("profile-name", name).await.unwrap();
    window
        .fill("profile-base-url", &server.seed.base_url)
        .await
        .unwrap();
    window.type_keys("profile-base-url", "\t").await.unwrap();
    window
        .wait_text("detected", WAIT, |t| t.starts_with("Found"))
        .await
        .unwrap();
    window
        .fill("profile-client-id", &server.seed.client_id)
        .await
        .unwrap();
    gallery.shoot(&window, "profile-form").await;
    window
        .fill("profile-client-secret", "a-wrong-secret")
        .await
        .unwrap();
    window.click("save-profile").await.unwrap();
    window
        .wait_text("profile-client-secret-error", WAIT, |t| {
            t.starts_with("Not saved")
        })
        .await
        .unwrap();
    gallery.shoot(&window, "wrong-secret-at-save").await;
    window.press("save-anyway", "Saved profile").await.unwrap();
    window.click("get-token").await.unwrap();
    window
        .wait_text("countdown", WAIT, |t| t.ends_with("left"))
        .await
        .unwrap();
    gallery.shoot(&window, "waiting").await;
    window
        .wait_text("next-step", WAIT, |t| t == "Update client secret…")
        .await
        .unwrap();
    gallery.shoot(&window, "error-next-step").await;
    window.click("next-step").await.unwrap();
    window
        .fill("profile-client-secret", &server.seed.client_secret)
        .await
        .unwrap();
    window.save_form().await.unwrap();
    window.get_token_until_valid().await.unwrap();
    gallery.shoot(&window, "token-view").await;
    // The sign-in's timeline, opened (the tester's view of every step).
    window.toggle_details("timeline").await.unwrap();
    window
        .wait_text("timeline-text", WAIT, |t| t.contains("who-am-I"))
        .await
        .unwrap();
    gallery.shoot(&window, "timeline").await;
    window.toggle_details("timeline").await.unwrap();
    // The ▾ beside Get token, and its Options for this sign-in.
    window.click("sign-in-more").await.unwrap();
    gallery.shoot(&window, "sign-in-menu").await;
    window.click("sign-in-options").await.unwrap();
    window
        .wait_value("options-scope", WAIT, str::is_empty)
        .await
        .unwrap();
    gallery.shoot(&window, "sign-in-options").await;
    window.click("options-cancel").await.unwrap();
    if !gallery.both_sizes {
        window.resize(800, 600).await.unwrap();
        shoot(
            &window,
            dir,
            &format!("token-view-800{}.png", gallery.theme),
        )
        .await;
        window.resize(980, 720).await.unwrap();
    }

    window.click("revoke").await.unwrap();
    window.click("confirm").await.unwrap();
    window
        .wait_text("token-state", WAIT, |t| t == "Revoked")
        .await
        .unwrap();
    gallery.shoot(&window, "revoked").await;

    window.click("get-token").await.unwrap();
    window
        .wait_text("token-state", WAIT, |t| t == "Valid")
        .await
        .unwrap();
    window.click("tab-pats").await.unwrap();
    // The profile's scope is read: Create says why it cannot use the profile's token.
    window
        .wait_text("pat-way", WAIT, |t| t.contains("only with “write”"))
        .await
        .unwrap();
    gallery.shoot(&window, "personal-token-scope").await;
    window.fill("pat-username", "demo").await.unwrap();
    window
        .fill("pat-password", &server.seed.password)
        .await
        .unwrap();
    window.fill("pat-description", "CI pipeline").await.unwrap();
    window.click("pat-create").await.unwrap();
    window
        .wait_text("status", WAIT, |t| {
            t.contains("Created personal access token")
        })
        .await
        .unwrap();
    gallery.shoot(&window, "personal-token").await;
    window.close().await;

    // The token view once more in the dark theme.
    desk.env.push(("GTK_THEME".into(), "Adwaita:dark".into()));
    let window = Window::open(&desk).await.unwrap();
    window.resize(980, 720).await.unwrap();
    window
        .wait_text("token-state", WAIT, |t| t == "Valid")
        .await
        .unwrap();
    shoot(&window, dir, "token-view-dark.png").await;
    window.close().await;
    assert_eq!(desk.run(&["profile", "remove", name]).status, Some(0));
}

/// Where the gallery goes, in which theme, and whether each state is taken at both sizes.
struct Gallery {
    dir: PathBuf,
    theme: &'static str,
    both_sizes: bool,
}

impl Gallery {
    /// `NAME[-dark].png` at 980×720, and for a review `NAME-800[-dark].png` at 800×600 too.
    async fn shoot(&self, window: &Window, name: &str) {
        shoot(window, &self.dir, &format!("{name}{}.png", self.theme)).await;
        if self.both_sizes {
            window.resize(800, 600).await.unwrap();
            shoot(window, &self.dir, &format!("{name}-800{}.png", self.theme)).await;
            window.resize(980, 720).await.unwrap();
        }
    }
}

async fn shoot(window: &Window, dir: &Path, file: &str) {
    // Let the last answer paint, and the spinner show.
    tokio::time::sleep(Duration::from_millis(600)).await;
    window.screenshot(&dir.join(file)).await.unwrap();
}
