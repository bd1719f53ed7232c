//! The `authdesk` executable on a user's desk: the browser sign-in journey on both server
//! layouts, output formats, profile commands, PKCE, and every way the sign-in can go wrong
//! (consent denied, wrong secret, junk requests, timeout, busy port, a redirect off the
//! machine, a revoke of dead tokens), with no secret in any file or log.

use authdesk_e2e::{free_port, unique, Browser, Desk, Flavor, TestServer};

/// Sign-in through the browser, who-am-I, refresh with rotation, and a revoke that is
/// verified, with no secret or token left in any file; the gateway stores tokens hashed,
/// so there only the hashed form revokes.
///
/// Against AWX the journey checks more: the printed token's fields and AWX's 1000-year
/// lifetime, the callback the browser was sent, who-am-I, the old access token refused
/// after the refresh, the files before the revoke, `profile show`, and who-am-I after the
/// revoke. (AWX once had this journey twice, as a test of its own and as this one's AWX
/// run; these are the checks of both. The AWX-only ones have not been run against the
/// gateway.)
fn browser_flow_refresh_and_revoke(flavor: Flavor) {
    let awx = flavor == Flavor::Awx;
    let server = TestServer::start(flavor).unwrap();
    let app = server.seeded_app();
    if awx {
        // The seeded application is registered port-less: http://127.0.0.1/callback.
        assert_eq!(app.redirect_uri, "http://127.0.0.1/callback");
    }
    let desk = Desk::new(Browser::Approve);
    let name = unique("flow");
    let added = desk.add_profile(&name, &server, &app, &[]);
    assert_eq!(added.status, Some(0), "{added:?}");

    let got = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(got.status, Some(0), "{got:?}");
    let first = got.json();
    let access = first["access_token"].as_str().unwrap().to_owned();
    let refresh = first["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(first["user"], "demo", "{got:?}");
    // The browser's command line carries a launch page only this user can read, which
    // sends it on to a one-time start link: neither the link nor the state is on it.
    let opened = desk.browser_event("opened");
    let given = opened["url"].as_str().unwrap_or_default();
    let link = opened["link"].as_str().unwrap_or_default();
    assert!(
        given.ends_with(".html") && !given.contains("/start/") && !given.contains("state"),
        "{opened}"
    );
    assert!(
        link.contains("/start/") && !link.contains("state"),
        "{opened}"
    );
    // The page is gone once the browser has followed it.
    let page = url::Url::parse(given).unwrap().to_file_path().unwrap();
    assert!(!page.exists(), "{opened}");
    assert_eq!(desk.browser_event("started")["status"], 302);
    if awx {
        assert_eq!(first["token_type"], "Bearer");
        assert_eq!(first["scope"], "read write");
        // AWX's 1000-year lifetime, computed without overflow.
        let expires = first["expires_at"].as_str().unwrap();
        let year: i32 = expires[..4].parse().unwrap();
        assert!((3020..3030).contains(&year), "{expires}");
        // The browser was sent a port the listener really had.
        let callback = desk.browser_event("callback");
        let callback_url = url::Url::parse(callback["url"].as_str().unwrap()).unwrap();
        assert!(callback_url.port().is_some(), "{callback}");
        assert_eq!(callback["status"], 200);
        assert!(
            got.stderr.contains("/api/o/authorize/?"),
            "the authorize URL is shown: {got:?}"
        );
        assert!(!got.stderr.contains(&access), "tokens go to stdout only");
    }
    assert_eq!(server.me_status(&access), 200);

    if awx {
        let who = desk.run(&["whoami", &name]);
        assert_eq!(
            (who.status, who.stdout.trim()),
            (Some(0), "demo"),
            "{who:?}"
        );
    }

    let refreshed = desk.run(&["refresh", &name, "--format", "json"]);
    assert_eq!(refreshed.status, Some(0), "{refreshed:?}");
    let second = refreshed.json();
    let new_access = second["access_token"].as_str().unwrap().to_owned();
    let new_refresh = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, refresh, "refresh tokens rotate");
    assert_eq!(server.me_status(&new_access), 200);
    assert_eq!(server.direct_refresh_status(&app, &refresh), 400);
    if awx {
        // Rotation: the old pair is dead, the new one works.
        assert_ne!(new_access, access, "access tokens rotate");
        assert_eq!(server.me_status(&access), 401);
        // Nothing secret in any file the program wrote (config, home, XDG folders).
        for needle in [
            &app.client_secret,
            &access,
            &refresh,
            &new_access,
            &new_refresh,
        ] {
            let found = desk.files_containing(needle);
            assert!(found.is_empty(), "a secret was written to {found:?}");
        }
        let shown = desk.run(&["profile", "show", &name]);
        assert_eq!(shown.status, Some(0), "{shown:?}");
        assert!(
            shown
                .stdout
                .contains("client secret: stored in the OS keyring"),
            "{shown:?}"
        );
        for needle in [&app.client_secret, &new_access, &new_refresh] {
            assert!(
                !shown.stdout.contains(needle.as_str()) && !shown.stderr.contains(needle.as_str()),
                "profile show prints no secret: {shown:?}"
            );
        }
    }

    let revoked = desk.run(&["revoke", &name]);
    assert_eq!(revoked.status, Some(0), "{revoked:?}");
    let expected = match flavor {
        Flavor::Awx => "Revoked, verified",
        Flavor::Gateway => "Revoked with the hashed token form",
    };
    assert!(revoked.stderr.contains(expected), "{revoked:?}");
    assert_eq!(server.me_status(&new_access), 401);
    assert_eq!(server.direct_refresh_status(&app, &new_refresh), 400);
    for needle in [&app.client_secret, &access, &new_access, &new_refresh] {
        let found = desk.files_containing(needle);
        assert!(found.is_empty(), "a secret was written to {found:?}");
    }
    if awx {
        // The revoked tokens are gone from the keyring.
        let after = desk.run(&["whoami", &name]);
        assert_eq!(after.status, Some(2), "{after:?}");
        assert!(after.stderr.contains("has no tokens"), "{after:?}");
        let removed = desk.run(&["profile", "remove", &name]);
        assert_eq!(removed.status, Some(0), "{removed:?}");
    }
}

#[test]
fn full_flow_whoami_refresh_rotation_and_verified_revoke() {
    browser_flow_refresh_and_revoke(Flavor::Awx);
}

#[test]
fn gateway_browser_flow_refresh_and_hashed_revoke() {
    browser_flow_refresh_and_revoke(Flavor::Gateway);
}

#[test]
fn output_formats_print_exactly_the_token() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let app = server.seeded_app();
    let desk = Desk::new(Browser::Approve);
    let name = unique("formats");
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    let plain = desk.run(&["token", &name, "--format", "plain", "--timeout", "60"]);
    assert_eq!(plain.status, Some(0), "{plain:?}");
    let access = plain.stdout.trim().to_owned();
    assert_eq!(server.me_status(&access), 200);
    for (format, prefix) in [
        ("env", "CONTROLLER_OAUTH_TOKEN="),
        ("header", "Authorization: Bearer "),
    ] {
        let run = desk.run(&["refresh", &name, "--format", format]);
        assert_eq!(run.status, Some(0), "{run:?}");
        // The env format is one line per variable; the token's is last.
        let token = run
            .stdout
            .trim()
            .lines()
            .last()
            .and_then(|line| line.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("{run:?}"));
        assert_eq!(server.me_status(token), 200);
    }
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

#[test]
fn consent_denied_exits_3_with_the_reason() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let desk = Desk::new(Browser::Deny);
    let name = unique("deny");
    assert_eq!(
        desk.add_profile(&name, &server, &server.seeded_app(), &[])
            .status,
        Some(0)
    );
    let run = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(run.status, Some(3), "{run:?}");
    assert!(run.stderr.contains("access was denied"), "{run:?}");
    assert!(run.stdout.is_empty());
    let callback = desk.browser_event("callback");
    assert!(
        callback["body"]
            .as_str()
            .unwrap_or_default()
            .contains("refused"),
        "{callback}"
    );
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

#[test]
fn wrong_client_secret_exits_5_and_stores_nothing() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let mut app = server.seeded_app();
    app.client_secret = "not-the-secret".into();
    let desk = Desk::new(Browser::Approve);
    let name = unique("badsecret");
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    let run = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(run.status, Some(5), "{run:?}");
    assert!(
        run.stderr.contains("HTTP 401") && run.stderr.contains("invalid_client"),
        "{run:?}"
    );
    let shown = desk.run(&["profile", "show", &name]);
    assert!(shown.stdout.contains("tokens:        none"), "{shown:?}");
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

#[test]
fn junk_and_wrong_state_requests_do_not_disturb_the_wait() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    // A fixed-port registration this time.
    let app = server
        .create_app(&format!("http://127.0.0.1:{}/cb/authdesk", free_port()))
        .unwrap();
    let desk = Desk::new(Browser::JunkThenApprove);
    let name = unique("junk");
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    let run = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(run.status, Some(0), "{run:?}");
    assert_eq!(run.json()["user"], "demo");
    let events = desk.browser_events();
    let junk: Vec<_> = events.iter().filter(|e| e["event"] == "junk").collect();
    assert!(junk.len() >= 5, "{events:?}");
    for event in &junk {
        let status = event["status"].as_u64();
        assert!(
            status.is_none() || status.is_some_and(|s| (400..500).contains(&s)),
            "junk was not refused: {event}"
        );
    }
    let wrong_state = junk
        .iter()
        .find(|e| {
            e["what"]
                .as_str()
                .is_some_and(|w| w.contains("wrong-state"))
        })
        .expect("a wrong-state request");
    assert_eq!(wrong_state["status"], 400);
    let post = junk
        .iter()
        .find(|e| e["what"] == "post-callback")
        .expect("a POST with the right state");
    assert_eq!(post["status"], 405);
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

#[test]
fn timeout_exits_4_and_frees_the_port() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let port = free_port();
    let app = server
        .create_app(&format!("http://127.0.0.1:{port}/callback"))
        .unwrap();
    let desk = Desk::new(Browser::Ignore);
    let name = unique("timeout");
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    let run = desk.run(&["token", &name, "--timeout", "2"]);
    assert_eq!(run.status, Some(4), "{run:?}");
    assert!(
        run.stderr.contains("No redirect arrived within 2 seconds"),
        "{run:?}"
    );
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

#[test]
fn busy_port_exits_2_naming_the_port() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let app = server
        .create_app(&format!("http://127.0.0.1:{port}/callback"))
        .unwrap();
    let desk = Desk::new(Browser::Approve);
    let name = unique("busy");
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    let run = desk.run(&["token", &name, "--timeout", "30"]);
    assert_eq!(run.status, Some(2), "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("Port {port} on 127.0.0.1 is already in use")),
        "{run:?}"
    );
    assert!(
        desk.browser_events().is_empty(),
        "no browser opens when the listener cannot start"
    );
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

#[test]
fn pkce_when_the_server_requires_it() {
    let server = TestServer::start_with(Flavor::Awx, &[("FAKEAWX_PKCE_REQUIRED", "1")]).unwrap();
    let app = server.seeded_app();
    let desk = Desk::new(Browser::Approve);
    let without = unique("nopkce");
    assert_eq!(
        desk.add_profile(&without, &server, &app, &[]).status,
        Some(0)
    );
    let refused = desk.run(&["token", &without, "--timeout", "60"]);
    assert_eq!(refused.status, Some(3), "{refused:?}");
    assert!(
        refused.stderr.contains("Code challenge required")
            && refused.stderr.contains(&format!(
                "`authdesk profile edit {without} --pkce && authdesk token {without}`"
            )),
        "{refused:?}"
    );
    // The fix the sentence names: one field changed, the secret kept (PKCE does not move
    // the profile), and the sign-in then works.
    let edited = desk.run(&["profile", "edit", &without, "--pkce"]);
    assert_eq!(edited.status, Some(0), "{edited:?}");
    let fixed = desk.run(&["token", &without, "--timeout", "60"]);
    assert_eq!(fixed.status, Some(0), "{fixed:?}");
    // Nothing to change, or a re-pointing without the secret: one sentence each.
    let nothing = desk.run(&["profile", "edit", &without]);
    assert_eq!(nothing.status, Some(2), "{nothing:?}");
    let moved = desk.run(&[
        "profile",
        "edit",
        &without,
        "--base-url",
        "https://elsewhere.example.com",
    ]);
    assert_eq!(moved.status, Some(2), "{moved:?}");
    assert!(moved.stderr.contains("client secret"), "{moved:?}");
    let shown = desk.run(&["profile", "show", &without]);
    assert!(!shown.stdout.contains("elsewhere"), "unchanged: {shown:?}");
    let with = unique("pkce");
    assert_eq!(
        desk.add_profile(&with, &server, &app, &["--pkce"]).status,
        Some(0)
    );
    let run = desk.run(&["token", &with, "--timeout", "60"]);
    assert_eq!(run.status, Some(0), "{run:?}");
    assert_eq!(run.json()["user"], "demo");
    for name in [without, with] {
        assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
    }
}

#[test]
fn profile_commands_validate_and_clean_up_the_keyring() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let desk = Desk::new(Browser::Approve);
    let app = server.seeded_app();
    let bad_scope = desk.add_profile(&unique("scope"), &server, &app, &["--scope", "admin"]);
    assert_eq!(bad_scope.status, Some(2), "{bad_scope:?}");
    assert!(
        bad_scope
            .stderr
            .contains("use read, write or \"read write\""),
        "{bad_scope:?}"
    );
    let bad_name = desk.add_profile("no/slash", &server, &app, &[]);
    assert_eq!(bad_name.status, Some(2), "{bad_name:?}");

    let name = unique("lifecycle");
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    let listed = desk.run(&["profile", "list"]);
    assert!(listed.stdout.contains(&name), "{listed:?}");
    let text = std::fs::read_to_string(desk.config_dir().join("profiles.toml")).unwrap();
    assert!(
        text.contains(&app.client_id) && !text.contains(&app.client_secret),
        "{text}"
    );
    assert_eq!(
        desk.run(&["token", &name, "--timeout", "60"]).status,
        Some(0)
    );
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
    // Its secret and tokens left the keyring with it: a new profile of that name starts empty.
    let other = authdesk_e2e::App {
        client_secret: "other-secret".into(),
        ..app.clone()
    };
    let again = desk.add_profile(&name, &server, &other, &[]);
    assert_eq!(again.status, Some(0), "{again:?}");
    let shown = desk.run(&["profile", "show", &name]);
    assert!(shown.stdout.contains("tokens:        none"), "{shown:?}");
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
    let missing = desk.run(&["token", &name]);
    assert_eq!(missing.status, Some(2), "{missing:?}");
    assert!(
        missing.stderr.contains("There is no profile named"),
        "{missing:?}"
    );
}

#[test]
fn a_redirect_off_this_machine_is_pasted_by_hand() {
    use std::io::{BufRead, BufReader, Write};
    let server = TestServer::start(Flavor::Awx).unwrap();
    let app = server
        .create_app("https://tools.example.invalid/oauth/callback")
        .unwrap();
    let desk = Desk::new(Browser::Approve);
    let name = unique("paste");
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    let mut child = desk
        .command(&["token", &name, "--format", "plain", "--timeout", "60"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("paste the full URL") {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "stderr ended early: {seen}"
        );
        seen.push_str(&line);
    }
    assert!(seen.contains("cannot catch it"), "{seen}");
    // The browser approved and landed on the off-machine page; the person copies its address.
    let callback = desk.browser_event("callback");
    assert_eq!(callback["delivered"], false);
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{}", callback["url"].as_str().unwrap()).unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{seen}");
    let token = String::from_utf8(output.stdout).unwrap();
    assert_eq!(server.me_status(token.trim()), 200);
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

#[test]
fn a_revoke_is_not_called_verified_when_the_token_was_dead_already() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let app = server.seeded_app();
    let desk = Desk::new(Browser::Approve);
    let name = unique("deadrevoke");
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    let got = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(got.status, Some(0), "{got:?}");
    // Another client rotates the pair behind AuthDesk's back: the stored tokens are dead.
    let refresh = got.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(server.direct_refresh_status(&app, &refresh), 200);
    let revoked = desk.run(&["revoke", &name]);
    assert_eq!(revoked.status, Some(8), "{revoked:?}");
    assert!(
        revoked.stderr.contains("already refused before the revoke"),
        "{revoked:?}"
    );
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

#[test]
fn pointing_a_profile_at_another_server_forgets_its_tokens() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let app = server.seeded_app();
    let desk = Desk::new(Browser::Approve);
    let name = unique("moved");
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    assert_eq!(
        desk.run(&["token", &name, "--timeout", "60"]).status,
        Some(0)
    );
    // Same name, same application, same server: the tokens stay.
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    let shown = desk.run(&["profile", "show", &name]);
    assert!(shown.stdout.contains("tokens:        stored"), "{shown:?}");
    // Another client ID: they belong to another application now, and are dropped.
    let other = authdesk_e2e::App {
        client_id: "another-client".into(),
        ..app.clone()
    };
    assert_eq!(
        desk.add_profile(&name, &server, &other, &[]).status,
        Some(0)
    );
    let shown = desk.run(&["profile", "show", &name]);
    assert!(shown.stdout.contains("tokens:        none"), "{shown:?}");
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

#[test]
fn no_secret_or_token_in_the_most_verbose_logs() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let app = server.seeded_app();
    let desk = Desk::new(Browser::Approve);
    let name = unique("tracing");
    let mut add = desk.add_profile_command(&name, &server, &app, &["-vv"]);
    add.env("AUTHDESK_LOG", "trace");
    let added = authdesk_e2e::feed(&mut add, &app.client_secret);
    assert_eq!(added.status.code(), Some(0));
    let mut logs = String::from_utf8_lossy(&added.stderr).into_owned();
    let mut tokens = Vec::new();
    for args in [
        vec!["token", name.as_str(), "--timeout", "60"],
        vec!["whoami", name.as_str()],
        vec!["refresh", name.as_str()],
        vec!["revoke", name.as_str()],
    ] {
        let mut command = desk.command(&args);
        command.env("AUTHDESK_LOG", "trace");
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(&stdout) {
            for key in ["access_token", "refresh_token"] {
                tokens.extend(json[key].as_str().map(str::to_owned));
            }
        }
        logs.push_str(&String::from_utf8_lossy(&output.stderr));
    }
    assert_eq!(tokens.len(), 4, "two pairs were printed");
    assert!(logs.lines().count() > 20, "trace logging was on: {logs}");
    for secret in tokens.iter().chain([&app.client_secret]) {
        assert!(!logs.contains(secret.as_str()), "a secret is in the logs");
        let files = desk.files_containing(secret);
        assert!(files.is_empty(), "a secret is in {files:?}");
    }
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
}

/// `authdesk … | head` closing the pipe early ends AuthDesk quietly (SIGPIPE, as other
/// Unix tools), never with a panic and a backtrace on stderr.
#[test]
fn a_closed_pipe_ends_quietly() {
    let desk = Desk::new(Browser::Ignore);
    std::fs::write(
        desk.config_dir().join("profiles.toml"),
        "[[profile]]\nname = \"piped\"\npreset = \"awx\"\nbase_url = \"https://awx.example.com/\"\nclient_id = \"c\"\nredirect_uri = \"http://127.0.0.1/callback\"\nscope = \"read\"\n",
    )
    .unwrap();
    // The reader is gone before the program starts, so its first line meets a closed
    // pipe however fast it runs (as `authdesk profile list | head -0` can).
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut command = desk.command(&["profile", "list"]);
    command.stdout(writer).stderr(std::process::Stdio::piped());
    let output = command.spawn().unwrap().wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(output.status.signal(), Some(13), "{:?}", output.status);
}

/// A sign-in from an SSH session: the person opens the printed URL on another computer,
/// whose browser lands on an address that does not load there. Pasted on the terminal,
/// that address finishes the sign-in; one with another state is refused and the wait goes
/// on. The lines name the `ssh -L` alternative with the real port.
#[test]
fn a_browser_on_another_computer_finishes_by_a_pasted_address() {
    use std::io::{BufRead, BufReader, Write};
    let server = TestServer::start(Flavor::Awx).unwrap();
    let mut desk = Desk::new(Browser::Ignore);
    desk.env.push((
        "SSH_CONNECTION".into(),
        "192.0.2.10 50000 192.0.2.20 22".into(),
    ));
    let name = unique("remote");
    let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    // --no-browser: the person opens the URL elsewhere, and stdin (a pipe here) is read.
    let mut child = desk
        .command(&[
            "token",
            &name,
            "--no-browser",
            "--timeout",
            "60",
            "--format",
            "plain",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut said = Vec::new();
    let mut read_until = |wanted: &str, said: &mut Vec<String>| loop {
        let line = stderr.next().expect("authdesk says more").unwrap();
        said.push(line.clone());
        if line.contains(wanted) {
            return line;
        }
    };
    let url = read_until("state=", &mut said).trim().to_owned();
    let hint = read_until("ssh -L", &mut said);
    // The browser on the other computer: it signs in and consents, and lands nowhere.
    let opened =
        std::process::Command::new(authdesk_e2e::repo_root().join("tests/browser/xdg-open"))
            .arg(&url)
            .env("AUTHDESK_BROWSER_MODE", "elsewhere")
            .env("AUTHDESK_BROWSER_LOG", desk.browser_log())
            .status()
            .unwrap();
    assert!(opened.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let landed = loop {
        let events = desk.browser_events();
        if let Some(landed) = events.iter().find(|e| e["event"] == "landed") {
            break landed["url"].as_str().unwrap().to_owned();
        }
        assert!(std::time::Instant::now() < deadline, "{events:?}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let port = url::Url::parse(&landed).unwrap().port().unwrap();
    assert!(
        hint.contains(&format!("ssh -L {port}:127.0.0.1:{port} 192.0.2.20")),
        "{hint}"
    );
    // Another sign-in's address: refused, and the wait goes on.
    let mut other = url::Url::parse(&landed).unwrap();
    let pairs: Vec<(String, String)> = other
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                "someone-elses".into()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    other.query_pairs_mut().clear().extend_pairs(pairs);
    writeln!(stdin, "{other}").unwrap();
    read_until("not this sign-in's", &mut said);
    writeln!(stdin, "{landed}").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{said:?}");
    let token = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert_eq!(server.me_status(&token), 200);
}

/// Input piped into a command that signs in (`echo data | authdesk exec …` in an SSH
/// session) is the command's, never read as a pasted address.
#[test]
fn piped_input_is_not_taken_for_a_pasted_address() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let mut desk = Desk::new(Browser::Approve);
    desk.env.push((
        "SSH_CONNECTION".into(),
        "192.0.2.10 50000 192.0.2.20 22".into(),
    ));
    let name = unique("piped");
    let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    let ran = desk.run_with_input(&["exec", &name, "--", "cat"], "the command's own input\n");
    assert_eq!(ran.status, Some(0), "{ran:?}");
    assert_eq!(ran.stdout, "the command's own input\n", "{ran:?}");
    assert!(!ran.stderr.contains("not this sign-in's"), "{ran:?}");
}

/// `profile remove` revokes a live token first and verifies it; `--keep-tokens` leaves it
/// valid and says so.
#[test]
fn profile_remove_revokes_live_tokens_unless_told_to_keep_them() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let desk = Desk::new(Browser::Approve);
    let app = server.seeded_app();
    for keep in [false, true] {
        let name = unique("remove");
        assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
        let got = desk.run(&["token", &name, "--timeout", "60"]);
        assert_eq!(got.status, Some(0), "{got:?}");
        let access = got.json()["access_token"].as_str().unwrap().to_owned();
        let mut args = vec!["profile", "remove", name.as_str()];
        if keep {
            args.push("--keep-tokens");
        }
        let removed = desk.run(&args);
        assert_eq!(removed.status, Some(0), "{removed:?}");
        assert!(removed.stderr.contains("Removed profile"), "{removed:?}");
        if keep {
            assert!(removed.stderr.contains("stay valid"), "{removed:?}");
            assert_eq!(server.me_status(&access), 200);
        } else {
            assert!(removed.stderr.contains("verified"), "{removed:?}");
            assert_eq!(server.me_status(&access), 401, "revoked before the removal");
        }
        let listed = desk.run(&["profile", "list"]);
        assert!(!listed.stdout.contains(&name), "{listed:?}");
    }
}

/// A wrong client secret is caught at `profile add` (the made-up-code exchange `doctor`
/// uses), before anyone logs in for nothing; the profile is saved all the same, and
/// `--no-check` asks nothing.
#[test]
fn profile_add_warns_of_a_wrong_client_secret() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let desk = Desk::new(Browser::Approve);
    let mut app = server.seeded_app();
    app.client_secret = "not-the-secret".into();
    let added = desk.add_profile(&unique("wrong"), &server, &app, &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    assert!(
        added.stderr.contains("Warning:") && added.stderr.contains("client ID or secret"),
        "{added:?}"
    );
    let unchecked = desk.add_profile(&unique("unchecked"), &server, &app, &["--no-check"]);
    assert_eq!(unchecked.status, Some(0), "{unchecked:?}");
    assert!(!unchecked.stderr.contains("Warning:"), "{unchecked:?}");
    let right = desk.add_profile(&unique("right"), &server, &server.seeded_app(), &[]);
    assert!(!right.stderr.contains("Warning:"), "{right:?}");
}

/// `token --switch-user` signs in as someone else in the same browser: the browser keeps
/// its session with the server (a `--fresh` sign-in skips the login page and is the same
/// user again), and the switch goes through the server's logout page, which sends the
/// browser on to the authorize page, where the login form then asks who signs in.
fn switch_user(flavor: Flavor) {
    let server = TestServer::start(flavor).unwrap();
    let mut desk = Desk::new(Browser::Approve);
    let name = unique("switch");
    let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");

    let first = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(first.status, Some(0), "{first:?}");
    assert!(first.stderr.contains("Signed in as demo."), "{first:?}");
    let demo_token = first.json()["access_token"].as_str().unwrap().to_owned();
    // The same browser, a fresh sign-in: no login page, the same user.
    let again = desk.run(&["token", &name, "--fresh", "--timeout", "60"]);
    assert_eq!(again.status, Some(0), "{again:?}");
    assert!(again.stderr.contains("Signed in as demo."), "{again:?}");
    assert_eq!(
        desk.browser_logins(),
        ["demo"],
        "the browser kept its session"
    );

    // The switch: the server's logout page first, then its login page.
    desk.browse_as(&server.seed.admin_username, &server.seed.admin_password);
    let switched = desk.run(&["token", &name, "--switch-user", "--timeout", "60"]);
    assert_eq!(switched.status, Some(0), "{switched:?}");
    let admin = &server.seed.admin_username;
    assert!(
        switched.stderr.contains(&format!("Signed in as {admin}.")),
        "{switched:?}"
    );
    let logout = if flavor == Flavor::Awx {
        "/api/logout/?next="
    } else {
        "/api/gateway/v1/logout/?next="
    };
    assert!(
        switched.stderr.contains(logout),
        "the logout page is shown: {switched:?}"
    );
    assert_eq!(desk.browser_logins(), ["demo", admin.as_str()]);
    let who = desk.run(&["whoami", &name]);
    assert_eq!(
        (who.status, who.stdout.trim()),
        (Some(0), admin.as_str()),
        "{who:?}"
    );
    // As with --fresh, the CLI replaces the stored pair and leaves the old one to expire.
    assert_eq!(server.me_status(&demo_token), 200);

    // AuthDesk's own parameters cannot be replaced; others reach the authorize request.
    let refused = desk.run(&["token", &name, "--param", "state=mine", "--timeout", "60"]);
    assert_eq!(refused.status, Some(2), "{refused:?}");
    assert!(
        refused.stderr.contains("\"state\" was refused"),
        "{refused:?}"
    );
    let scoped = desk.run(&[
        "token",
        &name,
        "--scope",
        "read",
        "--param",
        "prompt=consent",
        "--timeout",
        "60",
    ]);
    assert_eq!(scoped.status, Some(0), "{scoped:?}");
    assert!(
        scoped.stderr.contains("prompt=consent") && scoped.stderr.contains("scope=read&"),
        "{scoped:?}"
    );
    assert_eq!(scoped.json()["scope"], "read", "{scoped:?}");
    let shown = desk.run(&["profile", "show", &name]);
    assert!(
        shown.stdout.contains("read write"),
        "the profile keeps its scope: {shown:?}"
    );
}

#[test]
fn switch_user_on_awx_goes_through_its_logout_page() {
    switch_user(Flavor::Awx);
}

#[test]
fn switch_user_on_the_gateway_goes_through_its_logout_page() {
    switch_user(Flavor::Gateway);
}

/// The steps of the last sign-in in a trace file, as (step, detail).
fn traced(path: &std::path::Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| {
            let step: serde_json::Value =
                serde_json::from_str(line).expect("one JSON object a line");
            (
                step["step"].as_str().unwrap_or_default().to_owned(),
                step["detail"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Nothing secret in a timeline: not the client secret, the code, the whole state or a token.
fn assert_redacted(text: &str, desk: &Desk, secrets: &[&str]) {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        assert!(
            !text.contains(secret),
            "{secret:?} in the timeline:\n{text}"
        );
    }
    for value in desk.browser_url_secrets() {
        assert!(
            !text.contains(&value),
            "{value:?} (a code, state or challenge) is in the timeline:\n{text}"
        );
    }
}

/// `-v` prints a sign-in's steps on stderr as they happen and `--trace FILE` writes them as
/// JSON lines: in order for a good sign-in (on both servers: the gateway's token answer is
/// 201), a denied one, a wrong secret and a PKCE refusal, and never a secret, code, state
/// or token.
#[test]
fn the_sign_in_timeline_on_stderr_and_in_a_trace_file() {
    for flavor in [Flavor::Awx, Flavor::Gateway] {
        let server = TestServer::start(flavor).unwrap();
        let desk = Desk::new(Browser::Approve);
        let name = unique("timeline");
        let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
        assert_eq!(added.status, Some(0), "{added:?}");
        let trace = desk.dir().join("good.jsonl");
        let trace_arg = trace.to_string_lossy().into_owned();
        let got = desk.run(&[
            "-v",
            "token",
            &name,
            "--trace",
            &trace_arg,
            "--timeout",
            "60",
        ]);
        assert_eq!(got.status, Some(0), "{got:?}");
        let steps = traced(&trace);
        let names: Vec<_> = steps.iter().map(|(step, _)| step.as_str()).collect();
        assert_eq!(
            names,
            [
                "authorize",
                "browser",
                "callback",
                "token request",
                "token answer",
                "who-am-I"
            ],
            "{steps:?}"
        );
        let detail = |step: &str| &steps.iter().find(|(s, _)| s == step).unwrap().1;
        assert!(
            detail("authorize").contains("response_type=code"),
            "{steps:?}"
        );
        assert!(detail("callback").contains("state matched"), "{steps:?}");
        assert!(
            detail("token request").contains("client authentication HTTP Basic")
                && detail("token request").contains("grant_type=authorization_code"),
            "{steps:?}"
        );
        let answered = if flavor == Flavor::Awx {
            "HTTP 200 in "
        } else {
            "HTTP 201 in "
        };
        assert!(detail("token answer").starts_with(answered), "{steps:?}");
        assert!(detail("who-am-I").ends_with("user demo"), "{steps:?}");
        assert_eq!(
            got.stderr.matches("authdesk: step: ").count(),
            6,
            "-v prints each step: {got:?}"
        );
        let json = got.json();
        // (The authorize URL itself is on stderr too, for opening by hand: not a step.)
        let printed: Vec<_> = got
            .stderr
            .lines()
            .filter(|line| line.starts_with("authdesk: step: "))
            .collect();
        let text = std::fs::read_to_string(&trace).unwrap() + &printed.join("\n");
        assert_redacted(
            &text,
            &desk,
            &[
                &server.seed.client_secret,
                json["access_token"].as_str().unwrap_or_default(),
                json["refresh_token"].as_str().unwrap_or_default(),
            ],
        );
    }

    // Denied at the consent page, a wrong secret, a server that requires PKCE.
    let server = TestServer::start_with(Flavor::Awx, &[("FAKEAWX_PKCE_REQUIRED", "1")]).unwrap();
    let plain = TestServer::start(Flavor::Awx).unwrap();
    let cases: [(&str, &TestServer, Browser, &str, &str); 3] = [
        ("denied", &plain, Browser::Deny, "callback", "access_denied"),
        (
            "wrongsecret",
            &plain,
            Browser::Approve,
            "token answer",
            "HTTP 401 in ",
        ),
        (
            "pkce",
            &server,
            Browser::Approve,
            "callback",
            "Code challenge required",
        ),
    ];
    for (case, server, browser, last, says) in cases {
        let desk = Desk::new(browser);
        let name = unique(case);
        let mut app = server.seeded_app();
        if case == "wrongsecret" {
            app.client_secret = "not-the-secret".into();
        }
        let added = desk.add_profile(&name, server, &app, &["--no-check"]);
        assert_eq!(added.status, Some(0), "{added:?}");
        let trace = desk.dir().join(format!("{case}.jsonl"));
        let trace_arg = trace.to_string_lossy().into_owned();
        let failed = desk.run(&["token", &name, "--trace", &trace_arg, "--timeout", "60"]);
        assert_ne!(failed.status, Some(0), "{case}: {failed:?}");
        let steps = traced(&trace);
        let (step, detail) = steps.last().expect("steps traced");
        assert_eq!(step, last, "{case}: {steps:?}");
        assert!(detail.contains(says), "{case}: {steps:?}");
        assert_eq!(steps[0].0, "authorize", "{case}: {steps:?}");
        assert_redacted(
            &std::fs::read_to_string(&trace).unwrap(),
            &desk,
            &[&server.seed.client_secret, "not-the-secret"],
        );
    }
}

/// `doctor` says whether a sign-in will show the consent page (the application's
/// `skip_authorization`, read through the applications API with the profile's token), so
/// a tester knows why none appears; before a sign-in it says when it can tell.
#[test]
fn doctor_says_whether_the_consent_page_shows() {
    for flavor in [Flavor::Awx, Flavor::Gateway] {
        for skip in [false, true] {
            let var = if flavor == Flavor::Awx {
                "FAKEAWX_SKIP_AUTHORIZATION"
            } else {
                "FAKEGW_SKIP_AUTHORIZATION"
            };
            let server = if skip {
                TestServer::start_with(flavor, &[(var, "1")]).unwrap()
            } else {
                TestServer::start(flavor).unwrap()
            };
            let mut desk = Desk::new(Browser::Approve);
            let name = unique("consent");
            let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
            assert_eq!(added.status, Some(0), "{added:?}");
            let before = desk.run(&["doctor", &name]);
            assert!(
                before.stdout.contains("consent: whether the server shows its consent page is told while the profile holds a valid token"),
                "{flavor:?}: {before:?}"
            );
            let got = desk.run(&["token", &name, "--timeout", "60"]);
            assert_eq!(got.status, Some(0), "{got:?}");
            if flavor == Flavor::Gateway {
                // Without DAB's RBAC a plain user may not list applications: said as it is,
                // and an admin's token can tell.
                let plain = desk.run(&["doctor", &name]);
                assert!(
                    plain.stdout.contains("consent: could not tell whether the server shows its consent page: The server refused the application lookup (HTTP 403)"),
                    "{plain:?}"
                );
                desk.browse_as(&server.seed.admin_username, &server.seed.admin_password);
                let admin = desk.run(&["token", &name, "--switch-user", "--timeout", "60"]);
                assert_eq!(admin.status, Some(0), "{admin:?}");
            }
            let after = desk.run(&["doctor", &name]);
            let said = if skip {
                "consent: the application skips the consent page (skip_authorization is on)"
            } else {
                "consent: the server shows its consent page at each sign-in"
            };
            assert!(
                after.stdout.contains(said),
                "{flavor:?}, skip {skip}: {after:?}"
            );
        }
    }
}
