//! Asking the server before anything depends on it: `profile add` without `--preset`
//! finds out what kind of server a base URL is, and `authdesk token` says what is wrong
//! with the server (unreachable, not the API the profile names) before a browser opens.

use authdesk_e2e::{unique, Browser, Desk, Flavor, TestServer};

fn add_without_preset(desk: &Desk, name: &str, base_url: &str) -> authdesk_e2e::Run {
    desk.run_with_input(
        &[
            "profile",
            "add",
            name,
            "--base-url",
            base_url,
            "--client-id",
            "some-client",
            "--redirect-uri",
            "http://127.0.0.1/callback",
            "--client-secret-stdin",
        ],
        "some-secret\n",
    )
}

#[test]
fn profile_add_asks_the_server_what_it_is() {
    let awx = TestServer::start(Flavor::Awx).unwrap();
    let gateway = TestServer::start(Flavor::Gateway).unwrap();
    let desk = Desk::new(Browser::Ignore);
    for (server, found, preset) in [
        (&gateway, "Found AAP platform gateway 2.5 at", "gateway"),
        (&awx, "Found AWX 24.6.1 at", "awx"),
    ] {
        let name = unique("detect");
        let added = add_without_preset(&desk, &name, &server.seed.base_url);
        assert_eq!(added.status, Some(0), "{added:?}");
        assert!(
            added.stderr.contains(found)
                && added.stderr.contains(&format!("using --preset {preset}")),
            "{added:?}"
        );
        let shown = desk.run(&["profile", "show", &name]);
        assert!(shown.stdout.contains(preset), "{shown:?}");
    }
    // Nobody there: saved all the same, with the default and one warning.
    let offline = unique("offline");
    let added = add_without_preset(&desk, &offline, "http://127.0.0.1:9");
    assert_eq!(added.status, Some(0), "{added:?}");
    let warnings: Vec<&str> = added
        .stderr
        .lines()
        .filter(|l| l.starts_with("Warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{added:?}");
    assert!(
        warnings[0].contains("Could not reach") && warnings[0].contains("--preset awx"),
        "{added:?}"
    );
    // A server that answers, but neither as the gateway's ping nor as AWX's: refused,
    // rather than a profile saved for a guessed layout.
    let web = authdesk_e2e::hostile::HostileServer::start().unwrap();
    let not_found = || {
        authdesk_e2e::hostile::Answer::http("404 Not Found", "text/html", b"<html>Not Found</html>")
    };
    web.script(vec![not_found(), not_found()]);
    let unknown = unique("unknown");
    let added = add_without_preset(&desk, &unknown, &web.base_url);
    assert_eq!(added.status, Some(2), "{added:?}");
    assert!(
        added.stderr.contains("Could not tell what kind of server")
            && added.stderr.contains("--preset gateway"),
        "{added:?}"
    );
    let listed = desk.run(&["profile", "show", &unknown]);
    assert_ne!(listed.status, Some(0), "no profile was saved: {listed:?}");
    // --no-check asks nothing.
    let quiet = unique("nocheck");
    let args = [
        "profile",
        "add",
        &quiet,
        "--base-url",
        "http://127.0.0.1:9",
        "--client-id",
        "c",
        "--redirect-uri",
        "http://127.0.0.1/callback",
        "--client-secret-stdin",
        "--no-check",
    ];
    let added = desk.run_with_input(&args, "s\n");
    assert_eq!(added.status, Some(0), "{added:?}");
    assert!(!added.stderr.contains("Warning"), "{added:?}");
}

/// A profile that names the wrong kind of server, or a server that is not there: one
/// sentence and the exit status before any browser opens; `profile add` warns about
/// the same thing but saves.
#[test]
fn trouble_is_said_before_a_browser_opens() {
    let gateway = TestServer::start(Flavor::Gateway).unwrap();
    let desk = Desk::new(Browser::Approve);
    let wrong_kind = unique("wrongkind");
    let added = desk.run_with_input(
        &[
            "profile",
            "add",
            &wrong_kind,
            "--preset",
            "awx",
            "--base-url",
            &gateway.seed.base_url,
            "--client-id",
            &gateway.seed.client_id,
            "--redirect-uri",
            "http://127.0.0.1/callback",
            "--client-secret-stdin",
        ],
        &format!("{}\n", gateway.seed.client_secret),
    );
    assert_eq!(added.status, Some(0), "{added:?}");
    assert!(
        added
            .stderr
            .contains("Warning: There is no AWX or AAP API at"),
        "{added:?}"
    );
    let refused = desk.run(&["token", &wrong_kind, "--timeout", "30"]);
    assert_eq!(refused.status, Some(2), "{refused:?}");
    assert!(
        refused.stderr.contains("/api/v2/me/") && refused.stderr.contains("HTTP 404"),
        "{refused:?}"
    );
    assert_eq!(refused.stderr.trim().lines().count(), 1, "{refused:?}");

    let gone = unique("gone");
    let added = desk.add_profile(&gone, &gateway, &gateway.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    drop(gateway);
    let unreachable = desk.run(&["token", &gone, "--timeout", "30"]);
    assert_eq!(unreachable.status, Some(6), "{unreachable:?}");
    assert!(
        unreachable.stderr.contains("Could not reach 127.0.0.1"),
        "{unreachable:?}"
    );
    assert!(desk.browser_events().is_empty(), "no browser opened");
}

/// `authdesk doctor`: one line per check and never a token or secret; exit 0 when all
/// pass, 9 when one fails (a wrong client secret shows as invalid_client).
#[test]
fn doctor_says_what_works_and_what_does_not() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let desk = Desk::new(Browser::Approve);
    let good = unique("doc-good");
    assert_eq!(
        desk.add_profile(&good, &server, &server.seeded_app(), &[])
            .status,
        Some(0)
    );
    let got = desk.run(&["token", &good, "--timeout", "60"]);
    assert_eq!(got.status, Some(0), "{got:?}");
    let tokens = got.json();
    let checked = desk.run(&["doctor", &good]);
    assert_eq!(checked.status, Some(0), "{checked:?}");
    for expected in [
        "[ ok ] secret store: Secret Service (service",
        &format!("[ ok ] {good}: server: AWX 24.6.1 at"),
        &format!("[ ok ] {good}: OAuth client: the token endpoint accepts"),
        &format!("[ ok ] {good}: tokens: the access token is valid until"),
    ] {
        assert!(checked.stdout.contains(expected), "{expected}: {checked:?}");
    }
    for secret in [
        tokens["access_token"].as_str().unwrap(),
        tokens["refresh_token"].as_str().unwrap(),
        server.seed.client_secret.as_str(),
    ] {
        assert!(!checked.stdout.contains(secret) && !checked.stderr.contains(secret));
    }

    let mut wrong_app = server.seeded_app();
    wrong_app.client_secret = "not-the-secret".into();
    let bad = unique("doc-bad");
    assert_eq!(
        desk.add_profile(&bad, &server, &wrong_app, &[]).status,
        Some(0)
    );
    let checked = desk.run(&["doctor", &bad]);
    assert_eq!(checked.status, Some(9), "{checked:?}");
    assert!(
        checked
            .stdout
            .contains(&format!("[FAIL] {bad}: OAuth client:"))
            && checked.stdout.contains("invalid_client"),
        "{checked:?}"
    );
}
