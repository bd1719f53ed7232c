//! The core's HTTP exchanges with servers that fail, through the engine, against a server
//! that misbehaves on purpose: refused connections, answers cut short, slow answers, HTML
//! 500 pages, huge bodies, malformed or incomplete JSON, redirects, an application made
//! without its secret. Each ends in one clear sentence of the right class, and the
//! profile, its secret and its earlier tokens stay as they were.

use std::time::Duration;

use authdesk_core::{ApplicationSetup, ErrorKind, Secret};
use authdesk_e2e::fixtures::{Credentials, Preset, ProfileDraft};
use authdesk_e2e::hostile::{Answer, HostileServer};
use authdesk_e2e::{engine_in, profile, require_test_environment, unique, ProfileBuilder};

/// A `custom` profile whose four endpoints are on the server at `base`.
fn hostile_profile(name: &str, base: &str) -> ProfileBuilder {
    profile(name)
        .base_url(base)
        .client_id("hostile-client")
        .endpoints_under(
            base,
            "/o/authorize/",
            "/o/token/",
            "/o/revoke_token/",
            "/me/",
        )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failure_is_one_sentence_and_loses_nothing() {
    require_test_environment();
    let server = HostileServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_in(dir.path());
    let name = unique("hostile");
    hostile_profile(&name, &server.base_url)
        .request_timeout_secs(2)
        .save_in(&engine, Secret::new("the-client-secret"))
        .await
        .unwrap();

    // Earlier tokens, from an exchange that worked (the check before the browser, 201,
    // then who-am-I).
    server.script(vec![
        Answer::http(
            "401 Unauthorized",
            "application/json",
            br#"{"detail":"no"}"#,
        ),
        Answer::tokens("EarlierAccess", "EarlierRefresh"),
        Answer::http("200 OK", "application/json", br#"{"username":"demo"}"#),
    ]);
    let sign_in = engine.begin_sign_in(&name).await.unwrap();
    let tokens = sign_in.exchange("a-code").await.unwrap();
    assert_eq!(tokens.user.as_deref(), Some("demo"));
    let profile_file = std::fs::read_to_string(dir.path().join("profiles.toml")).unwrap();

    let huge = vec![b'x'; 2 * 1024 * 1024];
    let cases: Vec<(&str, Answer, ErrorKind, &str)> = vec![
        (
            "cut short",
            Answer::CutShort(
                b"HTTP/1.1 201 Created\r\nContent-Length: 500\r\n\r\n{\"access_tok".to_vec(),
            ),
            ErrorKind::Network,
            "Could not reach 127.0.0.1 for the token refresh",
        ),
        (
            "slow",
            Answer::Late(
                Duration::from_secs(5),
                b"HTTP/1.1 201 Created\r\n\r\n".to_vec(),
            ),
            ErrorKind::Network,
            "did not answer within the request timeout",
        ),
        (
            "HTML 500",
            Answer::http(
                "500 Internal Server Error",
                "text/html",
                b"<!doctype html><h1>Server Error (500)</h1>",
            ),
            ErrorKind::ServerRejected,
            "(HTTP 500): the server sent an HTML error page",
        ),
        (
            "huge body",
            Answer::http("201 Created", "application/json", &huge),
            ErrorKind::ServerRejected,
            "more than 1048576 bytes",
        ),
        (
            "malformed JSON",
            Answer::http(
                "201 Created",
                "application/json",
                br#"{"access_token": "abc", "#,
            ),
            ErrorKind::ServerRejected,
            "malformed or lacks a field",
        ),
        (
            "missing fields",
            Answer::http(
                "201 Created",
                "application/json",
                br#"{"token_type": "Bearer"}"#,
            ),
            ErrorKind::ServerRejected,
            "malformed or lacks a field",
        ),
        (
            "redirect",
            Answer::Bytes(
                format!(
                    "HTTP/1.1 302 Found\r\nLocation: {}/steal\r\nContent-Length: 0\r\n\r\n",
                    server.base_url
                )
                .into_bytes(),
            ),
            ErrorKind::ServerRejected,
            "does not follow with credentials",
        ),
        (
            "plain-text 403",
            Answer::http(
                "403 Forbidden",
                "text/html",
                b"The refresh token has expired.",
            ),
            ErrorKind::ServerRejected,
            "(HTTP 403): The refresh token has expired.",
        ),
        (
            "hostile token characters",
            Answer::tokens("$(touch /tmp/pwned)", "x"),
            ErrorKind::ServerRejected,
            "characters no OAuth token has",
        ),
    ];
    for (what, answer, kind, words) in cases {
        server.script(vec![answer]);
        let error = engine.refresh(&name).await.unwrap_err();
        let sentence = error.to_string();
        assert_eq!(error.kind(), kind, "{what}: {sentence}");
        assert!(sentence.contains(words), "{what}: {sentence}");
        assert!(!sentence.contains('\n'), "{what}: one sentence: {sentence}");
        for secret in ["EarlierRefresh", "the-client-secret"] {
            assert!(!sentence.contains(secret), "{what} leaks: {sentence}");
        }
        // Nothing lost: the earlier tokens, the secret and the profile are as they were.
        let still = engine.current_tokens(&name).await.unwrap().unwrap();
        assert_eq!(still.access_token.expose(), "EarlierAccess", "{what}");
        assert!(engine.has_client_secret(&name).await.unwrap(), "{what}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("profiles.toml")).unwrap(),
            profile_file,
            "{what}"
        );
    }
    // The redirect was not followed: nothing went to its target.
    assert!(server.requests().iter().all(|r| !r.contains("/steal")));

    // A server that is gone: connection refused.
    let gone = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", socket.local_addr().unwrap())
    };
    let moved = unique("gone");
    hostile_profile(&moved, &gone)
        .save_in(&engine, Secret::new("s"))
        .await
        .unwrap();
    // Said before a browser opens.
    let error = engine.begin_sign_in(&moved).await.err().unwrap();
    assert_eq!(error.kind(), ErrorKind::Network, "{error}");
    assert!(
        error.to_string().contains("the connection failed"),
        "{error}"
    );
    assert!(engine.current_tokens(&moved).await.unwrap().is_none());

    engine.remove_profile(&name).await.unwrap();
    engine.remove_profile(&moved).await.unwrap();
}

/// Application set-up whose answer lacks the client secret: the new application is
/// deleted again and no profile or keyring entry is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn application_set_up_undoes_an_application_without_its_secret() {
    require_test_environment();
    let server = HostileServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_in(dir.path());
    let name = unique("half-made");
    server.script(vec![
        // No login page: HTTP Basic, as before AAP 2.7.
        Answer::http("404 Not Found", "text/html", b"<h1>Not Found</h1>"),
        Answer::http(
            "200 OK",
            "application/json",
            br#"{"count":1,"next":null,"previous":null,"results":[{"id":3,"name":"Default"}]}"#,
        ),
        Answer::http(
            "201 Created",
            "application/json",
            br#"{"id":7,"client_id":"new-client","client_secret":"$encrypted$"}"#,
        ),
        Answer::http("204 No Content", "application/json", b""),
    ]);
    let setup = ApplicationSetup {
        // The client ID comes from the server.
        profile: ProfileDraft::new(&name, Preset::Gateway, &server.base_url, ""),
        application_name: "AuthDesk test".into(),
        organization: "Default".into(),
    };
    let login = Credentials::new("admin", Secret::new("admin-password")).unwrap();
    let error = engine.set_up_application(setup, login).await.unwrap_err();
    let sentence = error.to_string();
    assert!(
        sentence.contains(
            "lacks `client_secret`, so AuthDesk deleted the new application (id 7) again"
        ),
        "{sentence}"
    );
    assert!(!sentence.contains("admin-password"));
    let requests = server.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("DELETE /api/gateway/v1/applications/7/ ")),
        "{requests:#?}"
    );
    assert!(engine.profiles().get(&name).is_err(), "no profile is left");
    assert!(!engine.has_client_secret(&name).await.unwrap());
}
