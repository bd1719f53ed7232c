//! The core's flow engine driven in-process, as the window drives it, against the
//! AWX-like server and the real keyring: a code used twice, cancel, concurrent sign-ins,
//! a second sign-in replacing the first, and a profile re-pointed while its sign-in waits.

use std::process::Command;
use std::time::Duration;

use authdesk_core::{Error, Secret, StoredSecret};
use authdesk_e2e::fixtures::{ClientAuth, OAuthClient};
use authdesk_e2e::{engine_in, profile, repo_root, unique, Flavor, ProfileBuilder, TestServer};
use tokio_util::sync::CancellationToken;

/// A profile for the server's seeded application that sends its client credentials in
/// the form body.
fn awx_profile(name: &str, server: &TestServer, redirect_uri: &str) -> ProfileBuilder {
    profile(name)
        .on(server)
        .redirect_uri(redirect_uri)
        .client_auth(ClientAuth::Post)
}

/// The person at the browser: the scripted browser opened on the URL, as xdg-open would be.
fn browse(url: &url::Url, log: &std::path::Path) {
    let status = Command::new(repo_root().join("tests/browser/xdg-open"))
        .arg(url.as_str())
        .env("AUTHDESK_BROWSER_LOG", log)
        .env("AUTHDESK_BROWSER_MODE", "approve")
        .status()
        .unwrap();
    assert!(status.success());
}

fn callback_code(log: &std::path::Path) -> String {
    let text = std::fs::read_to_string(log).unwrap();
    let event: serde_json::Value = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["event"] == "callback")
        .expect("the browser delivered a callback");
    let url = url::Url::parse(event["url"].as_str().unwrap()).unwrap();
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned());
    code.expect("a code in the callback")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_works_once_and_client_auth_in_the_body_works() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_in(dir.path());
    let name = unique("engine");
    let secret = Secret::new(server.seed.client_secret.clone());
    awx_profile(&name, &server, &server.seed.redirect_uri)
        .save_in(&engine, secret.clone())
        .await
        .unwrap();

    let sign_in = engine.begin_sign_in(&name).await.unwrap();
    assert!(sign_in.catches_redirect());
    let redirect_uri = sign_in.redirect_uri().clone();
    let log = dir.path().join("browser.log");
    browse(sign_in.authorize_url(), &log);
    let tokens = sign_in
        .wait(Duration::from_secs(60), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(tokens.user.as_deref(), Some("demo"));
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(tokens.access_token.expose())),
        200
    );
    let stored = engine.current_tokens(&name).await.unwrap().unwrap();
    assert_eq!(stored.access_token, tokens.access_token);

    // The same code a second time: the server refuses, and the stored tokens stay.
    let profile = engine.profiles().get(&name).unwrap();
    let secret = StoredSecret::entered_for(secret, &profile).unwrap();
    let client = OAuthClient::new(&profile, &secret).unwrap();
    let err = client
        .exchange_code(&callback_code(&log), &redirect_uri, None)
        .await
        .unwrap_err();
    match &err {
        Error::ServerRejected { reply, summary, .. } => {
            assert_eq!(reply.status, 400, "{err}");
            assert!(summary.starts_with("invalid_grant"), "{err}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let still = engine.current_tokens(&name).await.unwrap().unwrap();
    assert_eq!(still.access_token, tokens.access_token);

    let report = engine.revoke(&name).await.unwrap();
    assert!(report.verified, "{report:?}");
    engine.remove_profile(&name).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_ends_the_wait_and_frees_the_port() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_in(dir.path());
    let name = unique("cancel");
    let port = authdesk_e2e::free_port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    awx_profile(&name, &server, &redirect)
        .client_id("unused")
        .save_in(&engine, Secret::new("unused"))
        .await
        .unwrap();
    let sign_in = engine.begin_sign_in(&name).await.unwrap();
    assert_eq!(sign_in.redirect_uri().as_str(), redirect);
    let cancel = CancellationToken::new();
    let waiting = tokio::spawn(sign_in.wait(Duration::from_secs(600), cancel.clone()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    cancel.cancel();
    let err = waiting.await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free after cancel");
    engine.remove_profile(&name).await.unwrap();
}

/// Two profiles' sign-ins at once both complete; a second sign-in of the same profile
/// (on a fixed port) cancels the first, which lets go of the port for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sign_ins_and_a_second_one_replacing_the_first() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_in(dir.path());
    let secret = Secret::new(server.seed.client_secret.clone());
    let (first, second) = (unique("both-a"), unique("both-b"));
    for name in [&first, &second] {
        awx_profile(name, &server, &server.seed.redirect_uri)
            .save_in(&engine, secret.clone())
            .await
            .unwrap();
    }

    // Two profiles at once.
    let a = engine.begin_sign_in(&first).await.unwrap();
    let b = engine.begin_sign_in(&second).await.unwrap();
    let (log_a, log_b) = (dir.path().join("a.log"), dir.path().join("b.log"));
    browse(a.authorize_url(), &log_a);
    browse(b.authorize_url(), &log_b);
    let timeout = Duration::from_secs(60);
    let (got_a, got_b) = tokio::join!(
        a.wait(timeout, CancellationToken::new()),
        b.wait(timeout, CancellationToken::new())
    );
    let (got_a, got_b) = (got_a.unwrap(), got_b.unwrap());
    assert_ne!(got_a.access_token, got_b.access_token);
    for tokens in [&got_a, &got_b] {
        assert_eq!(
            tokio::task::block_in_place(|| server.me_status(tokens.access_token.expose())),
            200
        );
    }

    // The same profile twice, on a fixed port: the newer sign-in wins the port.
    let app_redirect = format!("http://127.0.0.1:{}/callback", authdesk_e2e::free_port());
    let app = tokio::task::block_in_place(|| server.create_app(&app_redirect)).unwrap();
    let fixed = unique("fixed");
    awx_profile(&fixed, &server, &app_redirect)
        .client_id(&app.client_id)
        .save_in(&engine, Secret::new(app.client_secret.clone()))
        .await
        .unwrap();
    let older = engine.begin_sign_in(&fixed).await.unwrap();
    let older_wait = tokio::spawn(older.wait(Duration::from_secs(600), CancellationToken::new()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let newer = engine.begin_sign_in(&fixed).await.unwrap();
    let err = older_wait.await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Superseded(_)), "{err:?}");
    assert!(err.to_string().contains("replaced"), "{err}");
    let log = dir.path().join("fixed.log");
    browse(newer.authorize_url(), &log);
    let tokens = newer.wait(timeout, CancellationToken::new()).await.unwrap();
    assert_eq!(tokens.user.as_deref(), Some("demo"));
    std::net::TcpListener::bind((
        "127.0.0.1",
        url::Url::parse(&app_redirect).unwrap().port().unwrap(),
    ))
    .expect("the port is free after the sign-in");
    for name in [&first, &second, &fixed] {
        engine.remove_profile(name).await.unwrap();
    }
}

/// A profile re-pointed while its sign-in waits (up to 600 s): the tokens the old server
/// issues for the callback are not stored under the profile, which now names another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_for_a_profile_repointed_meanwhile_is_not_stored() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_in(dir.path());
    let name = unique("repoint");
    let secret = Secret::new(server.seed.client_secret.clone());
    awx_profile(&name, &server, &server.seed.redirect_uri)
        .save_in(&engine, secret)
        .await
        .unwrap();
    let sign_in = engine.begin_sign_in(&name).await.unwrap();
    // Meanwhile the profile is pointed at another server, with that server's secret.
    awx_profile(&name, &server, &server.seed.redirect_uri)
        .base_url("http://127.0.0.1:9")
        .save_in(&engine, Secret::new("another-servers-secret"))
        .await
        .unwrap();
    let log = dir.path().join("browser.log");
    browse(sign_in.authorize_url(), &log);
    let err = sign_in
        .wait(Duration::from_secs(60), CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ProfileChangedDuringSignIn(_)),
        "{err:?}"
    );
    assert!(engine.current_tokens(&name).await.unwrap().is_none());
    engine.remove_profile(&name).await.unwrap();
}
