//! The sandbox a test runs AuthDesk in: a [`Desk`] is one user's machine (home, config and
//! XDG folders of its own, the scripted browser of `tests/browser` first on PATH, the
//! D-Bus session's keyring), on which the real `authdesk` executable runs and leaves a
//! [`Run`]; plus the small helpers every test shares (unique names, free ports, the repo).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::servers::{App, Flavor, TestServer};

/// The repository's top folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// These tests need the keyring and venvs that `cargo xtask test` sets up.
pub fn require_test_environment() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
            && Flavor::Awx.python().exists()
            && Flavor::Gateway.python().exists(),
        "run the end-to-end tests through `cargo xtask test`: they need its D-Bus session, GNOME Keyring and Python venvs"
    );
}

/// A name no other test (or earlier run) uses, for profiles in the shared keyring.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{prefix}-{}-{n}-{}",
        std::process::id(),
        nanos % 1_000_000_000
    )
}

/// How the scripted browser behaves.
#[derive(Debug, Clone, Copy)]
pub enum Browser {
    Approve,
    Deny,
    JunkThenApprove,
    Ignore,
}

impl Browser {
    fn mode(self) -> &'static str {
        match self {
            Browser::Approve => "approve",
            Browser::Deny => "deny",
            Browser::JunkThenApprove => "junk-then-approve",
            Browser::Ignore => "ignore",
        }
    }
}

/// One user's machine: a home, config and XDG folders of its own, the scripted browser
/// first on PATH, and the session's keyring.
pub struct Desk {
    pub dir: tempfile::TempDir,
    pub browser: Browser,
    /// More environment for every run (the browser's delay, a GTK theme).
    pub env: Vec<(String, String)>,
}

/// What one run of `authdesk` left: its exit status and its output.
pub struct Run {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

impl Desk {
    pub fn new(browser: Browser) -> Self {
        require_test_environment();
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in [
            "home",
            "config",
            "xdg-config",
            "xdg-data",
            "xdg-cache",
            "xdg-state",
        ] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("temp subdir");
        }
        Desk {
            dir,
            browser,
            env: Vec::new(),
        }
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// An engine on this desk's profiles and keyring entries, as `authdesk` opens them.
    pub fn engine(&self) -> authdesk_core::Engine {
        let dir = self.config_dir();
        authdesk_core::Engine::new(
            authdesk_core::ProfileStore::new(&dir),
            authdesk_core::SecretStore::for_config_dir(&dir).expect("the session's keyring opens"),
        )
    }

    /// The desk's own folder (its home, config and logs are under it), for files a test writes.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn browser_log(&self) -> PathBuf {
        self.dir.path().join("browser.log")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = self.sandboxed(Command::new(authdesk_bin()), &[]);
        command.args(args);
        command
    }

    /// `sh -e -c SCRIPT` on this desk, as a person types it into a terminal: `authdesk`
    /// (the one under test) and the AWX CLI of the test venv on `PATH`, besides the
    /// scripted browser.
    pub fn shell(&self, script: &str, input: &str) -> Run {
        collect(feed(&mut self.shell_command(script), input))
    }

    /// The command of [`Desk::shell`], to start and watch while it runs.
    pub fn shell_command(&self, script: &str) -> Command {
        let bin_dir = authdesk_bin()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let awx_cli = repo_root().join(".venv/bin");
        let mut command = self.sandboxed(Command::new("sh"), &[bin_dir, awx_cli]);
        command.args(["-e", "-c", script]);
        command
    }

    /// `command` (a wrapper that starts `authdesk`, say) in this desk's sandbox.
    pub fn sandbox(&self, command: Command) -> Command {
        self.sandboxed(command, &[])
    }

    /// `command` in this desk's sandbox: its home, config and XDG folders, the scripted
    /// browser (then `extra_path`) first on `PATH`, no display, nothing on stdin.
    fn sandboxed(&self, mut command: Command, extra_path: &[PathBuf]) -> Command {
        let mut path = vec![repo_root().join("tests/browser")];
        path.extend(extra_path.iter().cloned());
        let path = std::env::join_paths(path.into_iter().chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .expect("PATH entries hold no separator");
        let d = self.dir.path();
        command
            .env("PATH", path)
            .env("HOME", d.join("home"))
            .env("AUTHDESK_CONFIG_DIR", self.config_dir())
            .env("XDG_CONFIG_HOME", d.join("xdg-config"))
            .env("XDG_DATA_HOME", d.join("xdg-data"))
            .env("XDG_CACHE_HOME", d.join("xdg-cache"))
            .env("XDG_STATE_HOME", d.join("xdg-state"))
            .env("AUTHDESK_BROWSER_MODE", self.browser.mode())
            .env("AUTHDESK_BROWSER_LOG", self.browser_log())
            // One browser per desk, as a person has: its session cookies last from one
            // sign-in to the next, so a second sign-in skips the login page.
            .env(
                "AUTHDESK_BROWSER_COOKIES",
                self.dir.path().join("browser-cookies.txt"),
            )
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null());
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        collect(self.command(args).output().expect("authdesk runs"))
    }

    /// Runs with `input` on stdin (a password for `--password-stdin`).
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Run {
        collect(feed(&mut self.command(args), input))
    }

    /// `authdesk profile add` for an application of the server, secret on stdin.
    pub fn add_profile(&self, name: &str, server: &TestServer, app: &App, extra: &[&str]) -> Run {
        let mut command = self.add_profile_command(name, server, app, extra);
        collect(feed(&mut command, &format!("{}\n", app.client_secret)))
    }

    /// The command of [`Desk::add_profile`], to run with a changed environment.
    pub fn add_profile_command(
        &self,
        name: &str,
        server: &TestServer,
        app: &App,
        extra: &[&str],
    ) -> Command {
        let mut args = vec![
            "profile",
            "add",
            name,
            "--preset",
            server.flavor.preset(),
            "--base-url",
            &server.seed.base_url,
            "--client-id",
            &app.client_id,
            "--client-secret-stdin",
        ];
        if app.redirect_uri.is_empty() {
            args.extend(["--grant", "password"]);
        } else {
            args.extend(["--redirect-uri", &app.redirect_uri]);
        }
        if !extra.contains(&"--scope") {
            args.extend(["--scope", "read write"]);
        }
        args.extend_from_slice(extra);
        self.command(&args)
    }

    /// The scripted browser's log, one JSON object a line.
    pub fn browser_events(&self) -> Vec<Value> {
        std::fs::read_to_string(self.browser_log())
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// The users the scripted browser logged in as, in order (a login form filled in:
    /// a sign-in that kept the browser's session with the server adds none).
    pub fn browser_logins(&self) -> Vec<String> {
        self.browser_events()
            .iter()
            .filter(|e| e["event"] == "login")
            .filter_map(|e| e["user"].as_str().map(str::to_owned))
            .collect()
    }

    /// From now on the scripted browser's login page answer is this user's.
    pub fn browse_as(&mut self, user: &str, password: &str) {
        self.env
            .push(("AUTHDESK_BROWSER_USER".into(), user.to_owned()));
        self.env
            .push(("AUTHDESK_BROWSER_PASSWORD".into(), password.to_owned()));
    }

    /// The codes, states and challenges of the URLs the scripted browser went to (its
    /// callbacks among them): what no timeline or log may show.
    pub fn browser_url_secrets(&self) -> Vec<String> {
        let mut found = Vec::new();
        for event in self.browser_events() {
            let Some(url) = event["url"].as_str().and_then(|u| url::Url::parse(u).ok()) else {
                continue;
            };
            for (name, value) in url.query_pairs() {
                if matches!(name.as_ref(), "code" | "state" | "code_challenge") {
                    found.push(value.into_owned());
                }
            }
        }
        found
    }

    /// Waits (briefly: the browser logs after the page arrives) for the first event of a kind.
    pub fn browser_event(&self, kind: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(event) = self
                .browser_events()
                .into_iter()
                .find(|e| e["event"] == kind)
            {
                return event;
            }
            assert!(
                Instant::now() < deadline,
                "the browser logged no {kind} event: {:?}",
                self.browser_events()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every file under this desk's folders that contains `needle`.
    pub fn files_containing(&self, needle: &str) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut stack = vec![self.dir.path().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                // The browser's log is the test's own record of the person's side.
                if path == self.browser_log() {
                    continue;
                }
                if path.is_dir() {
                    stack.push(path);
                } else if std::fs::read(&path)
                    .is_ok_and(|bytes| contains(&bytes, needle.as_bytes()))
                {
                    found.push(path);
                }
            }
        }
        found
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Runs a command with `input` on its stdin.
pub fn feed(command: &mut Command, input: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("authdesk runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("authdesk finishes")
}

pub fn collect(output: Output) -> Run {
    Run {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The `authdesk` executable the tests run: `AUTHDESK_BIN`, else the debug build.
pub fn authdesk_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("AUTHDESK_BIN") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    let bin = target.join("debug/authdesk");
    assert!(
        bin.exists(),
        "{} is missing: build it first (cargo xtask test does)",
        bin.display()
    );
    bin
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
