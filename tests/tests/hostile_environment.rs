//! AuthDesk among hostile neighbours and environments: a profile file edited behind its
//! back (the client secret and tokens never follow it to another host), a proxy in the
//! environment (loopback never goes through it), another local user reading command
//! lines (the start link and state are on none), crashes (no core file), and bad input a
//! script or a page may give (a CA "file" that is a device or a FIFO, a login in a URL).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use authdesk_e2e::{unique, Browser, Desk, Flavor, TestServer};

/// A listener on loopback that answers every request 502 and keeps what it was sent:
/// a host a profile was re-pointed at, or a proxy.
struct Recorder {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn start() -> Self {
        let socket = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in socket.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
                let mut received = Vec::new();
                let mut chunk = [0u8; 8192];
                while let Ok(read) = stream.read(&mut chunk) {
                    if read == 0 {
                        break;
                    }
                    received.extend_from_slice(&chunk[..read]);
                    if received.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                record
                    .lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&received).into_owned());
                let _ = stream.write_all(
                    b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        Recorder { port, seen }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn edit_profiles(desk: &Desk, from: &str, to: &str) {
    let path = desk.config_dir().join("profiles.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{text}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

/// Tried as a user whose profiles.toml was edited by hand, synced or copied: the stored
/// client secret is never sent to the host the file now names, and nothing stored is
/// lost: pointed back, the profile works as before.
#[test]
fn a_profile_file_pointed_elsewhere_never_gets_the_secret_or_the_tokens() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let app = server.seeded_app();
    let desk = Desk::new(Browser::Approve);
    let name = unique("moved");
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    let got = desk.run(&["token", &name, "--format", "plain"]);
    assert_eq!(got.status, Some(0), "{got:?}");
    let access = got.stdout.trim().to_owned();

    let elsewhere = Recorder::start();
    edit_profiles(&desk, &server.seed.base_url, &elsewhere.url());
    let doctor = desk.run(&["doctor", &name]);
    assert_eq!(doctor.status, Some(9), "{doctor:?}");
    assert!(
        doctor.stdout.contains("was entered for")
            && doctor.stdout.contains(&server.seed.base_url)
            && doctor.stdout.contains(&elsewhere.url()),
        "{doctor:?}"
    );
    for args in [
        vec!["whoami", name.as_str()],
        vec!["refresh", name.as_str()],
        vec!["revoke", name.as_str()],
        vec!["token", name.as_str(), "--verify", "--no-browser"],
        vec!["exec", name.as_str(), "--", "env"],
    ] {
        let run = desk.run(&args);
        assert_ne!(run.status, Some(0), "{args:?}: {run:?}");
        assert!(!run.stdout.contains(&access), "{args:?}: {run:?}");
    }
    for request in elsewhere.requests() {
        let lower = request.to_lowercase();
        assert!(!lower.contains("authorization:"), "{request}");
        assert!(
            !request.contains(&app.client_secret) && !request.contains(&access),
            "{request}"
        );
    }

    // Nothing was forgotten: pointed back, the stored token is handed out as before.
    edit_profiles(&desk, &elsewhere.url(), &server.seed.base_url);
    let again = desk.run(&["token", &name, "--format", "plain"]);
    assert_eq!(again.status, Some(0), "{again:?}");
    assert_eq!(again.stdout.trim(), access);
    assert!(again.stderr.contains("stored"), "{again:?}");
}

/// A custom profile whose base URL (what `exec` hands out as CONTROLLER_HOST) changes
/// while its endpoints stay: the old server's token is not handed to a command told to
/// talk to the new host.
#[test]
fn tokens_are_not_handed_to_a_command_for_another_host() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let app = server.seeded_app();
    let desk = Desk::new(Browser::Approve);
    let name = unique("custom");
    let (authorize, token, revoke, whoami) = (
        server.url("/api/o/authorize/"),
        server.url("/api/o/token/"),
        server.url("/api/o/revoke_token/"),
        server.url("/api/v2/me/"),
    );
    let added = desk.run_with_input(
        &[
            "profile",
            "add",
            &name,
            "--preset",
            "custom",
            "--base-url",
            &server.seed.base_url,
            "--authorize-url",
            &authorize,
            "--token-url",
            &token,
            "--revoke-url",
            &revoke,
            "--whoami-url",
            &whoami,
            "--client-id",
            &app.client_id,
            "--redirect-uri",
            &app.redirect_uri,
            "--client-secret-stdin",
            "--no-check",
        ],
        &format!("{}\n", app.client_secret),
    );
    assert_eq!(added.status, Some(0), "{added:?}");
    let got = desk.run(&["token", &name, "--format", "plain"]);
    assert_eq!(got.status, Some(0), "{got:?}");
    let access = got.stdout.trim().to_owned();

    let path = desk.config_dir().join("profiles.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let moved = text.replacen(
        &format!("base_url = \"{}", server.seed.base_url),
        "base_url = \"https://elsewhere.example.com",
        1,
    );
    assert_ne!(moved, text);
    std::fs::write(&path, moved).unwrap();
    // The stored tokens are the old origin's: a new sign-in is needed, and none is
    // made here (no browser, a short wait), so nothing is handed over at all.
    let exec = desk.run(&["exec", &name, "--no-browser", "--timeout", "1", "--", "env"]);
    assert_eq!(exec.status, Some(4), "{exec:?}");
    assert!(
        !exec.stdout.contains(&access) && !exec.stdout.contains("CONTROLLER_HOST"),
        "{exec:?}"
    );
    let env = desk.run(&[
        "token",
        &name,
        "--no-browser",
        "--timeout",
        "1",
        "--format",
        "env",
    ]);
    assert_eq!(env.status, Some(4), "{env:?}");
    assert!(!env.stdout.contains(&access), "{env:?}");
}

/// With proxies in the environment (as on many corporate machines), a profile on this
/// computer (a dev AWX, an SSH tunnel) is reached directly: the proxy never sees the
/// client's credentials. Other hosts still go through it.
#[test]
fn loopback_servers_are_reached_without_the_environments_proxy() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let app = server.seeded_app();
    let proxy = Recorder::start();
    let mut desk = Desk::new(Browser::Approve);
    for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy"] {
        desk.env.push((name.into(), proxy.url()));
    }
    let name = unique("proxied");
    let local = server.seed.base_url.replace("127.0.0.1", "localhost");
    let added = desk.run_with_input(
        &[
            "profile",
            "add",
            &name,
            "--preset",
            "awx",
            "--base-url",
            &local,
            "--client-id",
            &app.client_id,
            "--redirect-uri",
            &app.redirect_uri,
            "--client-secret-stdin",
        ],
        &format!("{}\n", app.client_secret),
    );
    assert_eq!(added.status, Some(0), "{added:?}");
    let got = desk.run(&["token", &name]);
    assert_eq!(got.status, Some(0), "{got:?}");
    let revoked = desk.run(&["revoke", &name]);
    assert_eq!(revoked.status, Some(0), "{revoked:?}");
    assert!(
        proxy.requests().is_empty(),
        "the proxy saw: {:?}",
        proxy.requests()
    );

    // The environment's proxy is still used for the rest of the world.
    let remote = unique("remote");
    let added = desk.run_with_input(
        &[
            "profile",
            "add",
            &remote,
            "--preset",
            "awx",
            "--base-url",
            "http://awx.example.invalid",
            "--client-id",
            "id",
            "--redirect-uri",
            "http://127.0.0.1/callback",
            "--client-secret-stdin",
            "--no-check",
        ],
        "secret\n",
    );
    assert_eq!(added.status, Some(0), "{added:?}");
    desk.run(&["doctor", &remote]);
    assert!(
        proxy
            .requests()
            .iter()
            .any(|r| r.starts_with("GET http://awx.example.invalid/")),
        "{:?}",
        proxy.requests()
    );
}

/// While a sign-in waits for the browser, no process's command line holds the start link
/// or the state (a local user reads them all in /proc), and the waiting process keeps
/// its memory out of core files; a command `exec` runs gets the user's limit back.
#[test]
fn a_waiting_sign_in_shows_no_link_on_any_command_line_and_dumps_no_core() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let app = server.seeded_app();
    let desk = Desk::new(Browser::Ignore);
    let name = unique("waiting");
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    let mut waiting = desk
        .shell_command(&format!(
            "ulimit -c unlimited; exec authdesk token {name} --fresh --timeout 60"
        ))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The authorize URL (with the state) is shown on stderr, for opening by hand.
    let mut lines = BufReader::new(waiting.stderr.take().unwrap()).lines();
    let authorize = loop {
        let line = lines
            .next()
            .expect("a line naming the authorize URL")
            .unwrap();
        if line.contains("state=") {
            break line.trim().to_owned();
        }
    };
    let state = url::Url::parse(&authorize)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == "state")
        .map(|(_, value)| value.into_owned())
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !desk.browser_events().iter().any(|e| e["event"] == "opened") {
        assert!(Instant::now() < deadline, "the browser was never opened");
        std::thread::sleep(Duration::from_millis(100));
    }
    let opened = desk.browser_event("opened");
    let given = opened["url"].as_str().unwrap_or_default();
    assert!(
        !given.contains("/start/") && !given.contains(&state),
        "{opened}"
    );
    // Every command line of this machine, read as another local user would.
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline);
        assert!(
            !cmdline.contains("/start/") && !cmdline.contains(&state),
            "{}: {cmdline}",
            entry.path().display()
        );
    }
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", waiting.id())).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    assert_eq!(
        core.split_whitespace().nth(4),
        Some("0"),
        "the soft core limit: {core}"
    );
    let _ = waiting.kill();
    let _ = waiting.wait();

    // A command exec starts is another program: it gets the limit the user set back.
    let desk = Desk::new(Browser::Approve);
    assert_eq!(desk.add_profile(&name, &server, &app, &[]).status, Some(0));
    let ran = desk.shell(
        &format!("ulimit -c unlimited; exec authdesk exec {name} -- sh -c 'ulimit -c'"),
        "",
    );
    assert_eq!(ran.status, Some(0), "{ran:?}");
    assert_eq!(ran.stdout.trim(), "unlimited", "{ran:?}");
}

/// A CA "file" that is a device or a FIFO is refused at once, in the sentence any
/// unreadable path gets (nothing waits for a writer or reads until memory runs out).
#[test]
fn a_ca_file_that_is_a_device_or_a_fifo_is_refused_in_one_sentence() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let app = server.seeded_app();
    let desk = Desk::new(Browser::Approve);
    let fifo = desk.dir.path().join("ca.fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let missing = desk.dir.path().join("missing.pem");
    let mut sentences = Vec::new();
    for path in [std::path::PathBuf::from("/dev/zero"), fifo, missing] {
        let name = unique("ca");
        let path = path.display().to_string();
        let added = desk.add_profile(&name, &server, &app, &["--ca-file", &path]);
        assert_eq!(added.status, Some(0), "saved with a warning: {added:?}");
        let doctor = desk.run(&["token", &name, "--no-browser"]);
        assert_eq!(doctor.status, Some(2), "{doctor:?}");
        sentences.push(doctor.stderr.replace(&path, "PATH"));
    }
    assert!(sentences[0].contains("could not be used"), "{sentences:?}");
    assert!(
        sentences.iter().all(|s| *s == sentences[0]),
        "{sentences:?}"
    );
}

/// A login in a URL would land in profiles.toml, `profile list` and CONTROLLER_HOST.
#[test]
fn a_url_with_a_login_is_refused_and_never_stored() {
    let desk = Desk::new(Browser::Approve);
    let added = desk.run_with_input(
        &[
            "profile",
            "add",
            "creds",
            "--preset",
            "awx",
            "--base-url",
            "https://user:S3cretPw@awx.example.com",
            "--client-id",
            "id",
            "--redirect-uri",
            "http://127.0.0.1/callback",
            "--client-secret-stdin",
            "--no-check",
        ],
        "secret\n",
    );
    assert_eq!(added.status, Some(2), "{added:?}");
    assert!(added.stderr.contains("user name or password"), "{added:?}");
    assert!(!added.stderr.contains("S3cretPw"), "{added:?}");
    assert!(desk.files_containing("S3cretPw").is_empty());
}
