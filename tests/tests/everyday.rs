//! Tokens for everyday work: `authdesk token` reusing the stored token (no request, no
//! browser), refreshing an expired one once even when two processes ask at once,
//! `--verify` catching a token revoked behind AuthDesk's back, and `authdesk exec`
//! handing the token to real consumers (awxkit's `awx`, a gateway client) in their
//! variables, never on a command line.

use std::process::Command;
use std::time::Duration;

use authdesk_e2e::{repo_root, unique, Browser, Desk, Flavor, TestServer};

fn opened_count(desk: &Desk) -> usize {
    desk.browser_events()
        .iter()
        .filter(|e| e["event"] == "opened")
        .count()
}

/// The stored path: the same token again, with no request to the server, no browser,
/// and "source": "stored".
#[test]
fn a_valid_stored_token_is_reused_without_the_server_or_a_browser() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let desk = Desk::new(Browser::Approve);
    let name = unique("reuse");
    let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");

    let first = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(first.status, Some(0), "{first:?}");
    assert_eq!(first.json()["source"], "signed-in");
    desk.browser_event("done");
    let requests_before = server.requests().len();
    let written = tokens_item_modified(&desk, &name);
    // The keyring's times are in seconds: a write from now on would show.
    std::thread::sleep(Duration::from_millis(1100));

    let again = desk.run(&["token", &name, "--format", "json"]);
    assert_eq!(again.status, Some(0), "{again:?}");
    assert_eq!(again.json()["source"], "stored");
    assert_eq!(again.json()["access_token"], first.json()["access_token"]);
    assert!(
        again
            .stderr
            .contains("Using the stored access token of demo"),
        "{again:?}"
    );
    let plain = desk.run(&["token", &name, "--format", "plain"]);
    assert_eq!(
        plain.stdout.trim(),
        first.json()["access_token"].as_str().unwrap()
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        server.requests().len(),
        requests_before,
        "no request: {:?}",
        server.requests()
    );
    assert_eq!(opened_count(&desk), 1, "no second browser");
    assert_eq!(
        tokens_item_modified(&desk, &name),
        written,
        "no keyring write"
    );

    // --fresh always signs in.
    let fresh = desk.run(&["token", &name, "--fresh", "--timeout", "60"]);
    assert_eq!(fresh.status, Some(0), "{fresh:?}");
    assert_eq!(fresh.json()["source"], "signed-in");
    assert_ne!(fresh.json()["access_token"], first.json()["access_token"]);
    assert_eq!(opened_count(&desk), 2);
}

/// When the keyring item holding the profile's tokens was last written, as libsecret's
/// `secret-tool` reads it from the Secret Service.
fn tokens_item_modified(desk: &Desk, name: &str) -> String {
    let service = authdesk_e2e::fixtures::keyring_service_for(&desk.config_dir());
    let account = format!("{name}/tokens");
    let found = Command::new("secret-tool")
        .args(["search", "--all", "service", &service, "username", &account])
        .output()
        .expect("secret-tool runs (Debian: libsecret-tools)");
    let text = String::from_utf8_lossy(&found.stdout).into_owned()
        + &String::from_utf8_lossy(&found.stderr);
    text.lines()
        .find_map(|line| line.strip_prefix("modified = "))
        .unwrap_or_else(|| panic!("no tokens item for {account}"))
        .to_owned()
}

/// A short access-token lifetime: the next call refreshes (old token 401, new 200); two
/// processes asking at once refresh once and print the same token.
#[test]
fn an_expired_token_is_refreshed_once_by_concurrent_callers() {
    // Half the lifetime counts as the margin for short tokens: reusable for 5 s.
    let server = TestServer::start_with(
        Flavor::Awx,
        &[("FAKEAWX_ACCESS_TOKEN_EXPIRE_SECONDS", "10")],
    )
    .unwrap();
    let desk = Desk::new(Browser::Approve);
    let name = unique("expiry");
    let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    let first = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(first.status, Some(0), "{first:?}");
    let old_access = first.json()["access_token"].as_str().unwrap().to_owned();

    std::thread::sleep(Duration::from_millis(5_500));
    let refreshes_before = refresh_requests(&server);
    let callers: Vec<_> = (0..2)
        .map(|_| {
            desk.command(&["token", &name, "--format", "json"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = callers
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let printed: Vec<serde_json::Value> = outputs
        .iter()
        .map(|o| {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            serde_json::from_slice(&o.stdout).unwrap()
        })
        .collect();
    assert_eq!(printed[0]["access_token"], printed[1]["access_token"]);
    let mut sources: Vec<&str> = printed
        .iter()
        .map(|p| p["source"].as_str().unwrap())
        .collect();
    sources.sort_unstable();
    assert_eq!(sources, ["refreshed", "stored"]);
    assert_eq!(refresh_requests(&server) - refreshes_before, 1);
    let new_access = printed[0]["access_token"].as_str().unwrap();
    assert_ne!(new_access, old_access);
    assert_eq!(server.me_status(&old_access), 401);
    assert_eq!(server.me_status(new_access), 200);
    assert_eq!(opened_count(&desk), 1, "no browser for a refresh");
}

fn refresh_requests(server: &TestServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.starts_with("\"POST /api/o/token/"))
        .count()
}

/// Tokens revoked elsewhere: plain `token` still trusts the stored expiry, `--verify`
/// asks who-am-I, finds the token refused and the refresh token dead, and signs in.
/// With `--no-browser` instead, one sentence and exit 5, and the keyring unchanged.
#[test]
fn verify_signs_in_again_after_a_revoke_behind_its_back() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let app = server.seeded_app();
    let desk = Desk::new(Browser::Approve);
    let name = unique("verify");
    let added = desk.add_profile(&name, &server, &app, &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    let first = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(first.status, Some(0), "{first:?}");
    let old = first.json();
    let old_access = old["access_token"].as_str().unwrap();
    let old_refresh = old["refresh_token"].as_str().unwrap();
    assert_eq!(
        server.revoke_directly(&app, old_refresh, "refresh_token"),
        200
    );
    assert_eq!(server.me_status(old_access), 401);

    let trusting = desk.run(&["token", &name]);
    assert_eq!(trusting.json()["source"], "stored", "{trusting:?}");

    let refused = desk.run(&["token", &name, "--verify", "--no-browser"]);
    assert_eq!(refused.status, Some(5), "{refused:?}");
    let sentences: Vec<&str> = refused
        .stderr
        .lines()
        .filter(|l| l.starts_with("authdesk:"))
        .collect();
    assert_eq!(sentences.len(), 1, "{refused:?}");
    assert!(
        sentences[0].contains("needs a new sign-in") && sentences[0].contains("--fresh"),
        "{refused:?}"
    );
    assert!(refused.stdout.is_empty());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let stored = runtime
        .block_on(desk.engine().current_tokens(&name))
        .unwrap()
        .unwrap();
    assert_eq!(stored.access_token.expose(), old_access, "nothing changed");

    let verified = desk.run(&["token", &name, "--verify", "--timeout", "60"]);
    assert_eq!(verified.status, Some(0), "{verified:?}");
    assert_eq!(verified.json()["source"], "signed-in");
    assert!(
        verified.stderr.contains("refused the stored refresh token"),
        "{verified:?}"
    );
    let new_access = verified.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(server.me_status(&new_access), 200);
    assert_eq!(opened_count(&desk), 2);

    let checked = desk.run(&["token", &name, "--verify"]);
    assert_eq!(checked.json()["source"], "stored", "{checked:?}");
    assert_eq!(checked.json()["access_token"], new_access.as_str());
}

/// awxkit 24.6.1's `awx`, the real consumer, reads the token and host `exec` sets.
#[test]
fn exec_runs_the_awx_cli_with_the_token() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let desk = Desk::new(Browser::Approve);
    let name = unique("awxcli");
    let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    let awx = repo_root().join(".venv/bin/awx");
    let awx = awx.to_str().unwrap();
    let me = desk.run(&[
        "exec",
        &name,
        "--timeout",
        "60",
        "--",
        awx,
        "me",
        "-f",
        "json",
    ]);
    assert_eq!(me.status, Some(0), "{me:?}");
    let answer: serde_json::Value = serde_json::from_str(&me.stdout).unwrap_or_else(|e| {
        panic!("awx printed no JSON ({e}): {me:?}");
    });
    assert_eq!(answer["results"][0]["username"], "demo", "{me:?}");
    // Its exit status is the command's.
    let failing = desk.run(&["exec", &name, "--", "sh", "-c", "exit 42"]);
    assert_eq!(failing.status, Some(42), "{failing:?}");
    assert!(failing.stderr.contains("Using the stored access token"));

    // Ctrl-C (SIGINT to the process the user started) reaches the command itself.
    let mut running = desk
        .command(&[
            "exec",
            &name,
            "--",
            "sh",
            "-c",
            "trap 'exit 42' INT; echo ready; while :; do sleep 0.1; done",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(running.stdout.as_mut().unwrap()),
        &mut ready,
    )
    .unwrap();
    assert_eq!(ready.trim(), "ready");
    let interrupted = Command::new("kill")
        .args(["-INT", &running.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    assert_eq!(running.wait().unwrap().code(), Some(42));
}

/// On the gateway a child reads AAP_HOSTNAME and AAP_TOKEN (and the controller pair),
/// gets 200 from who-am-I, and finds the token on no process's command line.
#[test]
fn exec_hands_the_gateway_variables_to_a_child_and_no_command_line() {
    let server = TestServer::start(Flavor::Gateway).unwrap();
    let desk = Desk::new(Browser::Approve);
    let name = unique("gwexec");
    let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    let child = r#"
import json, os, urllib.request
host, token = os.environ["AAP_HOSTNAME"], os.environ["AAP_TOKEN"]
assert os.environ["CONTROLLER_OAUTH_TOKEN"] == token and os.environ["CONTROLLER_HOST"] == host
request = urllib.request.Request(host + "/api/gateway/v1/me/", headers={"Authorization": "Bearer " + token})
with urllib.request.urlopen(request) as answer:
    status, user = answer.status, json.load(answer)["results"][0]["username"]
leaks = []
for pid in os.listdir("/proc"):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if token.encode() in f.read():
                leaks.append(pid)
    except (OSError, ValueError):
        pass
print(json.dumps({"status": status, "user": user, "leaks": leaks}))
"#;
    let run = desk.run(&[
        "exec",
        &name,
        "--timeout",
        "60",
        "--",
        "python3",
        "-c",
        child,
    ]);
    assert_eq!(run.status, Some(0), "{run:?}");
    let seen: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(seen["status"], 200, "{run:?}");
    assert_eq!(seen["user"], "demo");
    assert_eq!(seen["leaks"], serde_json::json!([]), "{run:?}");

    // `--format env` and `--format shell` give the same set.
    let env = desk.run(&["token", &name, "--format", "env"]);
    let keys: Vec<&str> = env
        .stdout
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k))
        .collect();
    assert_eq!(
        keys,
        [
            "AAP_HOSTNAME",
            "AAP_TOKEN",
            "CONTROLLER_HOST",
            "CONTROLLER_OAUTH_TOKEN"
        ]
    );
    let shell = desk.run(&["token", &name, "--format", "shell"]);
    let echoed = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{}\nprintf '%s %s' \"$AAP_HOSTNAME\" \"$AAP_TOKEN\"",
            shell.stdout
        ))
        .output()
        .unwrap();
    let token = desk.run(&["token", &name, "--format", "plain"]);
    assert_eq!(
        String::from_utf8_lossy(&echoed.stdout),
        format!("{} {}", server.seed.base_url, token.stdout.trim())
    );
}

/// Bad input to `exec`: an unknown profile, no command, a command that is not there.
#[test]
fn exec_bad_input_is_one_sentence_each() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let desk = Desk::new(Browser::Approve);
    let unknown = desk.run(&["exec", "no-such-profile", "--", "true"]);
    assert_eq!(unknown.status, Some(2), "{unknown:?}");
    assert!(unknown.stderr.contains("There is no profile named"));

    let name = unique("execbad");
    let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    let missing = desk.run(&[
        "exec",
        &name,
        "--timeout",
        "60",
        "--",
        "no-such-command-here",
    ]);
    assert_eq!(missing.status, Some(127), "{missing:?}");
    let sentences: Vec<&str> = missing
        .stderr
        .lines()
        .filter(|l| l.starts_with("authdesk:"))
        .collect();
    assert_eq!(sentences.len(), 1, "{missing:?}");
    assert!(sentences[0].contains("no-such-command-here"));

    let no_command = desk.run(&["exec", &name]);
    assert_eq!(no_command.status, Some(2), "{no_command:?}");
}
