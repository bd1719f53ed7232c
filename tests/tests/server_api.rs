//! What AuthDesk does with the servers' own APIs and the password grant, through the
//! `authdesk` executable, each journey written once and run against both server layouts
//! (the AWX-like server and the AAP gateway's django-ansible-base code): personal access
//! tokens, application set-up followed by a sign-in, and tokens from a username and
//! password.

use authdesk_e2e::{unique, Browser, Desk, Flavor, TestServer};

/// The server as the test asks for it: with HTTP Basic on its API, or refusing it as AAP
/// 2.7 does.
fn server(flavor: Flavor, basic: bool) -> TestServer {
    if basic {
        TestServer::start(flavor).unwrap()
    } else {
        TestServer::start_with(flavor, &[flavor.no_basic()]).unwrap()
    }
}

/// Personal access tokens with the user's own login (a session at the login page):
/// create (shown once, works as a bearer token), list (never the token), delete (stops
/// working), and the password is written nowhere. Then the same with the profile's own
/// token from a browser sign-in (no username: the SSO user's way), and a read-only token
/// told in one sentence that it needs scope write.
fn personal_tokens(flavor: Flavor, basic: bool) {
    let server = server(flavor, basic);
    let desk = Desk::new(Browser::Approve);
    let name = unique("pat");
    assert_eq!(
        desk.add_profile(&name, &server, &server.seeded_app(), &[])
            .status,
        Some(0)
    );
    let password = format!("{}\n", server.seed.password);
    let login = ["--username", "demo", "--password-stdin"];
    let description = unique("ci token");

    let mut create = vec!["pat", "create", &name, "--description", &description, "-vv"];
    create.extend(login);
    let created = desk.run_with_input(&create, &password);
    assert_eq!(created.status, Some(0), "{created:?}");
    let token = created.json();
    let secret = token["token"].as_str().unwrap().to_owned();
    let id = token["id"].as_u64().unwrap();
    assert_eq!(token["scope"], "write");
    assert_eq!(server.me_status(&secret), 200, "a PAT is a bearer token");
    assert!(!created.stderr.contains(&secret));
    assert!(
        !created.stderr.contains(&server.seed.password),
        "the password is never logged"
    );

    let mut list = vec!["pat", "list", &name, "--json"];
    list.extend(login);
    let listed = desk.run_with_input(&list, &password);
    assert_eq!(listed.status, Some(0), "{listed:?}");
    assert!(!listed.stdout.contains(&secret), "lists never show tokens");
    let ours = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"].as_u64() == Some(id))
        .cloned()
        .unwrap_or_else(|| panic!("token {id} is listed: {listed:?}"));
    assert_eq!(ours["description"], description.as_str());
    assert_eq!(ours["application"], serde_json::Value::Null);

    let id_text = id.to_string();
    let mut delete = vec!["pat", "delete", &name, &id_text];
    delete.extend(login);
    let deleted = desk.run_with_input(&delete, &password);
    assert_eq!(deleted.status, Some(0), "{deleted:?}");
    assert_eq!(server.me_status(&secret), 401);

    let wrong = desk.run_with_input(&list, "not-the-password\n");
    assert_eq!(wrong.status, Some(5), "{wrong:?}");
    assert!(
        wrong
            .stderr
            .contains("did not accept the username or password of \"demo\""),
        "{wrong:?}"
    );
    for needle in [server.seed.password.as_str(), secret.as_str()] {
        assert!(desk.files_containing(needle).is_empty());
    }

    // Without a username: the profile's own token, after a browser sign-in.
    let no_token = desk.run(&["pat", "list", &name]);
    assert_eq!(no_token.status, Some(2), "{no_token:?}");
    assert!(
        no_token
            .stderr
            .contains("has no token to use the server's API with"),
        "{no_token:?}"
    );
    let signed_in = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(signed_in.status, Some(0), "{signed_in:?}");
    assert!(signed_in.json()["scope"]
        .as_str()
        .unwrap()
        .contains("write"));
    let created = desk.run(&["pat", "create", &name, "--description", "sso"]);
    assert_eq!(created.status, Some(0), "{created:?}");
    let personal = created.json()["token"].as_str().unwrap().to_owned();
    let id = created.json()["id"].as_u64().unwrap().to_string();
    assert_eq!(server.me_status(&personal), 200);
    let listed = desk.run(&["pat", "list", &name, "--json"]);
    assert_eq!(listed.status, Some(0), "{listed:?}");
    assert!(
        listed.stdout.contains(&format!("\"id\": {id}")),
        "{listed:?}"
    );
    let deleted = desk.run(&["pat", "delete", &name, &id]);
    assert_eq!(deleted.status, Some(0), "{deleted:?}");
    assert_eq!(server.me_status(&personal), 401);

    // A read-only token lists, but is told before creating that it needs scope write.
    let reader = unique("patread");
    let added = desk.add_profile(&reader, &server, &server.seeded_app(), &["--scope", "read"]);
    assert_eq!(added.status, Some(0), "{added:?}");
    assert_eq!(
        desk.run(&["token", &reader, "--timeout", "60"]).status,
        Some(0)
    );
    assert_eq!(desk.run(&["pat", "list", &reader]).status, Some(0));
    let refused = desk.run(&["pat", "create", &reader]);
    assert_eq!(refused.status, Some(2), "{refused:?}");
    assert!(
        refused.stderr.contains("needs scope \"write\"")
            && refused.stderr.contains("--scope \"read write\""),
        "{refused:?}"
    );
}

#[test]
fn awx_personal_tokens() {
    personal_tokens(Flavor::Awx, true);
}

#[test]
fn gateway_personal_tokens() {
    personal_tokens(Flavor::Gateway, true);
}

#[test]
fn awx_personal_tokens_without_basic() {
    personal_tokens(Flavor::Awx, false);
}

#[test]
fn gateway_personal_tokens_without_basic() {
    personal_tokens(Flavor::Gateway, false);
}

/// A user with no application yet: `app create` makes one whose redirect URI is the
/// port-less loopback AuthDesk listens on, keeps the secret in the keyring only, and the
/// new profile signs in at once.
fn application_set_up_then_sign_in(flavor: Flavor, basic: bool) {
    let server = server(flavor, basic);
    let desk = Desk::new(Browser::Approve);
    let name = unique("setup");
    let organization = server.seed.organization_id.to_string();
    let (user, password) = server.application_creator();
    let password = format!("{password}\n");
    let create = |name: &str, extra: &[&str]| {
        let mut args = vec![
            "app",
            "create",
            name,
            "--preset",
            flavor.preset(),
            "--base-url",
            &server.seed.base_url,
            "--username",
            user,
            "--password-stdin",
        ];
        args.extend_from_slice(extra);
        desk.run_with_input(&args, &password)
    };
    let created = create(
        &name,
        &["--organization", &organization, "--scope", "read write"],
    );
    assert_eq!(created.status, Some(0), "{created:?}");
    assert!(
        created
            .stderr
            .contains("client secret is in the OS keyring"),
        "{created:?}"
    );
    let shown = desk.run(&["profile", "show", &name]);
    assert!(
        shown
            .stdout
            .contains("redirect URI:  http://127.0.0.1/callback")
            && shown
                .stdout
                .contains("client secret: stored in the OS keyring"),
        "{shown:?}"
    );

    // The browser signs in as demo with the new application.
    let got = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(got.status, Some(0), "{got:?}");
    let access = got.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(server.me_status(&access), 200);
    assert_eq!(desk.run(&["revoke", &name]).status, Some(0));

    // The same name again is refused before anything is created on the server.
    let again = create(&name, &[]);
    assert_eq!(again.status, Some(2), "{again:?}");
    assert!(again.stderr.contains("exists already"), "{again:?}");
    // An organization the user cannot see is named as such, with the choices.
    let other = unique("setup");
    let wrong_org = create(&other, &["--organization", "No Such Org"]);
    assert_eq!(wrong_org.status, Some(2), "{wrong_org:?}");
    assert!(
        wrong_org.stderr.contains("no organization \"No Such Org\""),
        "{wrong_org:?}"
    );
    assert_ne!(desk.run(&["profile", "show", &other]).status, Some(0));
    assert!(desk.files_containing(password.trim()).is_empty());
}

#[test]
fn awx_application_set_up_then_sign_in() {
    application_set_up_then_sign_in(Flavor::Awx, true);
}

#[test]
fn gateway_application_set_up_then_sign_in() {
    application_set_up_then_sign_in(Flavor::Gateway, true);
}

#[test]
fn awx_application_set_up_without_basic() {
    application_set_up_then_sign_in(Flavor::Awx, false);
}

#[test]
fn gateway_application_set_up_without_basic() {
    application_set_up_then_sign_in(Flavor::Gateway, false);
}

/// The password grant: tokens from a username and password (used once, stored
/// nowhere), then the same refresh and revoke as any profile.
fn password_grant(flavor: Flavor) {
    let server = TestServer::start(flavor).unwrap();
    let app = server.password_app();
    let desk = Desk::new(Browser::Ignore);
    let name = unique("password");
    let added = desk.add_profile(&name, &server, &app, &[]);
    assert_eq!(added.status, Some(0), "{added:?}");

    let without_user = desk.run(&["token", &name]);
    assert_eq!(without_user.status, Some(2), "{without_user:?}");
    assert!(
        without_user.stderr.contains("--username"),
        "{without_user:?}"
    );

    let wrong = desk.run_with_input(
        &["token", &name, "--username", "demo", "--password-stdin"],
        "wrong-password\n",
    );
    assert_eq!(wrong.status, Some(5), "{wrong:?}");
    assert!(
        wrong
            .stderr
            .contains("invalid_grant (the username or password is wrong)"),
        "{wrong:?}"
    );

    let got = desk.run_with_input(
        &[
            "token",
            &name,
            "--username",
            "demo",
            "--password-stdin",
            "-vv",
        ],
        &format!("{}\n", server.seed.password),
    );
    assert_eq!(got.status, Some(0), "{got:?}");
    assert!(
        !got.stderr.contains(&server.seed.password),
        "the password is never logged"
    );
    let tokens = got.json();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    assert_eq!(tokens["user"], "demo");
    assert_eq!(server.me_status(&access), 200);
    assert!(
        desk.browser_events().is_empty(),
        "no browser for the password grant"
    );

    let refreshed = desk.run(&["refresh", &name]);
    assert_eq!(refreshed.status, Some(0), "{refreshed:?}");
    let new_access = refreshed.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(server.me_status(&new_access), 200);
    let revoked = desk.run(&["revoke", &name]);
    assert_eq!(revoked.status, Some(0), "{revoked:?}");
    assert_eq!(server.me_status(&new_access), 401);
    for needle in [
        server.seed.password.as_str(),
        access.as_str(),
        new_access.as_str(),
    ] {
        assert!(desk.files_containing(needle).is_empty());
    }
}

#[test]
fn awx_password_grant() {
    password_grant(Flavor::Awx);
}

#[test]
fn gateway_password_grant() {
    password_grant(Flavor::Gateway);
}
