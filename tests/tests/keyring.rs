//! The OS keyring failing under AuthDesk: no keyring at all, entries deleted behind its
//! back, and a locked keyring (in a D-Bus session of its own, so other tests keep theirs
//! unlocked). Each is one sentence, and nothing is written anywhere else instead.

use std::process::Command;

use authdesk_core::{Error, ErrorKind, Secret, StoredSecret, TokenSet};
use authdesk_e2e::fixtures::SecretStore;
use authdesk_e2e::{
    engine_in, profile, require_test_environment, unique, Browser, Desk, Flavor, TestServer,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_deleted_behind_its_back_are_named() {
    require_test_environment();
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_in(dir.path());
    // Another program with the same keyring: the user's keyring manager, say.
    let other = SecretStore::new().unwrap();
    let name = unique("behind");
    profile(&name)
        .save_in(&engine, Secret::new("client-secret"))
        .await
        .unwrap();
    let tokens = TokenSet {
        refresh_token: Some(Secret::new("RefreshToken")),
        scope: Some("read".into()),
        ..TokenSet::bearer("AccessToken")
    };
    other.set_tokens(&name, &tokens).unwrap();
    assert!(engine.current_tokens(&name).await.unwrap().is_some());

    // Tokens under this profile's name that were issued for other endpoints (here a
    // who-am-I elsewhere) are never used, nor sent anywhere.
    let mut elsewhere =
        authdesk_core::TokenOrigin::of(&engine.profiles().get(&name).unwrap()).unwrap();
    elsewhere.endpoints.whoami = "https://elsewhere.example.com/api/v2/me/".parse().unwrap();
    let foreign = TokenSet {
        origin: Some(elsewhere),
        ..tokens.clone()
    };
    other.set_tokens(&name, &foreign).unwrap();
    let error = engine.current_tokens(&name).await.unwrap_err();
    assert!(matches!(error, Error::TokensFromElsewhere(_)), "{error:?}");
    let error = engine.refresh(&name).await.unwrap_err();
    assert!(matches!(error, Error::TokensFromElsewhere(_)), "{error:?}");
    other.set_tokens(&name, &tokens).unwrap();

    other.delete_tokens(&name).unwrap();
    let error = engine.refresh(&name).await.unwrap_err();
    assert!(matches!(error, Error::NoTokens(_)), "{error:?}");
    assert!(error.to_string().contains("has no tokens yet"), "{error}");

    other.delete_profile(&name).unwrap();
    let error = engine.begin_sign_in(&name).await.unwrap_err();
    assert!(matches!(error, Error::MissingClientSecret(_)), "{error:?}");
    assert_eq!(error.kind(), ErrorKind::Config);
    assert!(
        error.to_string().contains("No client secret is stored"),
        "{error}"
    );

    // Nothing was written in their place: only the profile file and empty lock files
    // (the profile file's, and the refreshes' in `locks/`).
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, ["locks", "profiles.toml", "profiles.toml.lock"]);
    for lock in std::fs::read_dir(dir.path().join("locks")).unwrap() {
        assert_eq!(lock.unwrap().metadata().unwrap().len(), 0);
    }
    assert_eq!(
        std::fs::metadata(dir.path().join("profiles.toml.lock"))
            .unwrap()
            .len(),
        0
    );
    engine.remove_profile(&name).await.unwrap();
}

/// A keyring locked after the profile was saved: the unlock prompt cannot be shown
/// (no display), so reading the secret fails with one sentence and exit status 7.
#[test]
fn a_locked_keyring_is_one_sentence_and_exit_7() {
    require_test_environment();
    let desk = Desk::new(Browser::Ignore);
    let name = unique("locked");
    let bin = authdesk_e2e::authdesk_bin();
    // Its own bus and keyring, unlocked to save the profile, then locked.
    let script = format!(
        r#"printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
printf 'the-client-secret\n' | '{bin}' profile add {name} --base-url http://127.0.0.1:9 --client-id c --redirect-uri http://127.0.0.1/cb --client-secret-stdin || exit 90
dbus-send --session --dest=org.freedesktop.secrets --type=method_call --print-reply /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null || exit 91
exec '{bin}' token {name} --no-browser --timeout 5"#,
        bin = bin.display()
    );
    let command = desk.command(&[]);
    let keyring_data = tempfile::tempdir().unwrap();
    let output = Command::new("timeout")
        .arg("60")
        .arg("dbus-run-session")
        .args(["--", "bash", "-c", &script])
        .envs(
            command
                .get_envs()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
        )
        .env("XDG_DATA_HOME", keyring_data.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let ours: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("authdesk:"))
        .collect();
    assert_eq!(output.status.code(), Some(7), "{stderr}");
    assert_eq!(ours.len(), 1, "one sentence: {stderr}");
    assert!(ours[0].contains("it is locked"), "{stderr}");
    assert!(desk.files_containing("the-client-secret").is_empty());
}

#[test]
fn keyring_unavailable_exits_7_and_writes_no_profile() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let desk = Desk::new(Browser::Approve);
    let name = unique("nokeyring");
    let app = server.seeded_app();
    let mut command = desk.add_profile_command(&name, &server, &app, &[]);
    // Asked for by name: without the setting, no Secret Service picks the encrypted file.
    command.env("AUTHDESK_SECRET_STORE", "secret-service");
    command.env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}/no-bus", desk.dir.path().display()),
    );
    let output = authdesk_e2e::feed(&mut command, &app.client_secret);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(7), "{stderr}");
    assert!(
        stderr.contains("The system keyring is not available"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one sentence: {stderr}");
    assert!(
        !desk.config_dir().join("profiles.toml").exists(),
        "no profile without its secret"
    );
    assert!(
        desk.files_containing(&app.client_secret).is_empty(),
        "no fallback to a file"
    );
}

/// The process answering for the Secret Service on this session's bus.
fn secret_service_pid() -> u32 {
    let output = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            "string:org.freedesktop.secrets",
        ])
        .output()
        .expect("dbus-send runs");
    let reply = String::from_utf8_lossy(&output.stdout);
    reply
        .split_whitespace()
        .last()
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("no Secret Service on the bus: {reply}"))
}

/// Entries written by keyring 3's own Secret Service store (AuthDesk before it kept one
/// session per process) are the entries AuthDesk reads, replaces and deletes now, and the
/// other way round: one item each, never a second beside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_of_earlier_versions_are_the_same_entries() {
    require_test_environment();
    let dir = tempfile::tempdir().unwrap();
    let ours = authdesk_core::SecretStore::for_config_dir(dir.path()).unwrap();
    let name = unique("earlier");
    let user = format!("{name}/client-secret");
    let earlier = keyring::Entry::new_with_credential(Box::new(
        keyring::secret_service::SsCredential::new_with_target(
            None,
            ours.service().unwrap(),
            &user,
        )
        .unwrap(),
    ));
    let items = || {
        let output = Command::new("secret-tool")
            .args([
                "search",
                "--all",
                "service",
                ours.service().unwrap(),
                "username",
                &user,
            ])
            .output()
            .unwrap();
        // secret-tool prints each item's attributes on stderr-free stdout: one `[/…]` header each.
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|line| line.starts_with('['))
            .count()
    };

    earlier.set_password("written-before").unwrap();
    assert_eq!(
        ours.client_secret(&name).unwrap().unwrap().secret.expose(),
        "written-before"
    );
    assert!(ours.has_client_secret(&name).unwrap());
    ours.set_client_secret(&name, &StoredSecret::unbound(Secret::new("written-now")))
        .unwrap();
    assert_eq!(items(), 1, "a second item beside the earlier one");
    assert_eq!(earlier.get_password().unwrap(), "written-now");
    ours.delete_client_secret(&name).unwrap();
    assert!(matches!(
        earlier.get_password(),
        Err(keyring::Error::NoEntry)
    ));
    assert!(!ours.has_client_secret(&name).unwrap());
    // And a first write of ours is found by the earlier store.
    ours.set_client_secret(&name, &StoredSecret::unbound(Secret::new("ours-first")))
        .unwrap();
    assert_eq!(earlier.get_password().unwrap(), "ours-first");
    earlier.delete_credential().unwrap();
    assert_eq!(items(), 0);
}

/// A hundred processes, ten keyring calls each, all at once: every call is answered and
/// the Secret Service is the same process before and after (it once aborted under
/// connect-per-call load).
#[test]
fn many_processes_at_once() {
    require_test_environment();
    let daemon = secret_service_pid();
    let dir = tempfile::tempdir().unwrap();
    let prefix = unique("load");
    let children: Vec<_> = (0..100)
        .map(|n| {
            Command::new(env!("CARGO_BIN_EXE_keyring_load"))
                .arg(dir.path())
                .arg(format!("{prefix}-{n}"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("keyring_load starts")
        })
        .collect();
    let failed: Vec<String> = children
        .into_iter()
        .map(|child| child.wait_with_output().expect("keyring_load ends"))
        .filter(|output| !output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stderr).into_owned())
        .collect();
    assert!(
        failed.is_empty(),
        "{} of 100 processes failed: {failed:?}",
        failed.len()
    );
    assert_eq!(secret_service_pid(), daemon, "the Secret Service restarted");
    assert!(std::path::Path::new(&format!("/proc/{daemon}")).exists());
}
