//! The end-to-end harness: real authorization servers (an AWX-like one on Django +
//! django-oauth-toolkit 1.7.1, and the gateway's own django-ansible-base OAuth2 code),
//! a scripted browser standing in for the person, the real `authdesk` binary, and the
//! Secret Service of the D-Bus session that `cargo xtask test` starts.

pub mod hostile;
pub mod window;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Which server layout a test server has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// AWX 24.6.1-like: tests/servers/awx, `/api/o/…`, `/api/v2/…`.
    Awx,
    /// The AAP gateway's OAuth2 code (django-ansible-base): tests/servers/gateway,
    /// `/o/…`, `/api/gateway/v1/…`.
    Gateway,
}

impl Flavor {
    /// The `--preset` AuthDesk uses for it.
    pub fn preset(self) -> &'static str {
        match self {
            Flavor::Awx => "awx",
            Flavor::Gateway => "gateway",
        }
    }

    fn python(self) -> PathBuf {
        let venv = match self {
            Flavor::Awx => ".venv",
            Flavor::Gateway => ".venv-gateway",
        };
        repo_root().join(venv).join("bin/python")
    }

    fn serve_py(self) -> PathBuf {
        repo_root().join(match self {
            Flavor::Awx => "tests/servers/awx/serve.py",
            Flavor::Gateway => "tests/servers/gateway/serve.py",
        })
    }

    pub fn token_path(self) -> &'static str {
        match self {
            Flavor::Awx => "/api/o/token/",
            Flavor::Gateway => "/o/token/",
        }
    }

    pub fn me_path(self) -> &'static str {
        match self {
            Flavor::Awx => "/api/v2/me/",
            Flavor::Gateway => "/api/gateway/v1/me/",
        }
    }

    pub fn applications_path(self) -> &'static str {
        match self {
            Flavor::Awx => "/api/v2/applications/",
            Flavor::Gateway => "/api/gateway/v1/applications/",
        }
    }
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

/// What serve.py seeded.
#[derive(Debug, Clone, Deserialize)]
pub struct Seed {
    pub base_url: String,
    pub username: String,
    pub password: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
    /// The seeded password-grant application.
    pub password_client_id: String,
    pub password_client_secret: String,
    /// The organization the demo user belongs to.
    pub organization_id: u64,
    /// A superuser: without DAB's RBAC, only superusers create applications on the gateway.
    #[serde(default = "default_admin_username")]
    pub admin_username: String,
    #[serde(default = "default_admin_password")]
    pub admin_password: String,
}

fn default_admin_username() -> String {
    "admin".into()
}

fn default_admin_password() -> String {
    "admin-password".into()
}

/// An application created on the server for one test.
#[derive(Debug, Clone)]
pub struct App {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
}

/// A test authorization server, on a free port, stopped on drop.
pub struct TestServer {
    child: Child,
    pub flavor: Flavor,
    pub seed: Seed,
    _state: tempfile::TempDir,
}

impl TestServer {
    pub fn start(flavor: Flavor) -> Result<Self> {
        Self::start_with(flavor, &[])
    }

    /// With extra environment, e.g. `FAKEAWX_PKCE_REQUIRED=1`.
    pub fn start_with(flavor: Flavor, env: &[(&str, &str)]) -> Result<Self> {
        require_test_environment();
        let state = tempfile::tempdir()?;
        let mut child = Command::new(flavor.python())
            .envs(env.iter().copied())
            .arg(flavor.serve_py())
            .args(["--port", "0", "--state-dir"])
            .arg(state.path())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(state.path().join("server.log"))?)
            .spawn()
            .with_context(|| format!("starting the {flavor:?} test server"))?;
        let stdout = child.stdout.take().context("server stdout")?;
        let (ready, ready_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("READY ") {
                    let _ = ready.send(());
                }
            }
        });
        if ready_rx.recv_timeout(Duration::from_secs(120)).is_err() {
            let _ = child.kill();
            let log = std::fs::read_to_string(state.path().join("server.log")).unwrap_or_default();
            bail!("the {flavor:?} test server did not start:\n{log}");
        }
        let seed = serde_json::from_str(&std::fs::read_to_string(state.path().join("seed.json"))?)?;
        Ok(TestServer {
            child,
            flavor,
            seed,
            _state: state,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.seed.base_url)
    }

    /// The application serve.py seeded, registered with the port-less
    /// `http://127.0.0.1/callback`.
    pub fn seeded_app(&self) -> App {
        App {
            client_id: self.seed.client_id.clone(),
            client_secret: self.seed.client_secret.clone(),
            redirect_uri: self.seed.redirect_uri.clone(),
        }
    }

    /// Who may create applications: on AWX an organization member (the test server lets
    /// members do what AWX lets organization admins do), on the gateway test server only a
    /// superuser (DAB without its RBAC app).
    pub fn application_creator(&self) -> (&str, &str) {
        match self.flavor {
            Flavor::Awx => (&self.seed.username, &self.seed.password),
            Flavor::Gateway => (&self.seed.admin_username, &self.seed.admin_password),
        }
    }

    /// The seeded password-grant application.
    pub fn password_app(&self) -> App {
        App {
            client_id: self.seed.password_client_id.clone(),
            client_secret: self.seed.password_client_secret.clone(),
            redirect_uri: String::new(),
        }
    }

    /// Creates a confidential authorization-code application through the server's API.
    pub fn create_app(&self, redirect_uri: &str) -> Result<App> {
        let response = blocking_client()
            .post(self.url(self.flavor.applications_path()))
            .basic_auth(&self.seed.admin_username, Some(&self.seed.admin_password))
            .json(&json!({
                "name": format!("test app {}", unique("app")),
                "organization": self.seed.organization_id,
                "client_type": "confidential",
                "redirect_uris": redirect_uri,
                "authorization_grant_type": "authorization-code",
                "skip_authorization": false,
            }))
            .send()?;
        let status = response.status();
        let body: Value = response.json()?;
        if status.as_u16() != 201 {
            bail!("creating an application failed ({status}): {body}");
        }
        Ok(App {
            client_id: body["client_id"].as_str().context("client_id")?.to_owned(),
            client_secret: body["client_secret"]
                .as_str()
                .context("client_secret")?
                .to_owned(),
            redirect_uri: redirect_uri.to_owned(),
        })
    }

    /// The status who-am-I gives a token, asked directly, not through AuthDesk.
    pub fn me_status(&self, access_token: &str) -> u16 {
        blocking_client()
            .get(self.url(self.flavor.me_path()))
            .bearer_auth(access_token)
            .send()
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }

    /// A refresh attempted directly at the token endpoint; returns the status.
    pub fn direct_refresh_status(&self, app: &App, refresh_token: &str) -> u16 {
        blocking_client()
            .post(self.url(self.flavor.token_path()))
            .basic_auth(&app.client_id, Some(&app.client_secret))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ])
            .send()
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // SIGTERM lets Django close the database; kill is the fallback.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn blocking_client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a plain HTTP client builds")
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
}

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
        Desk { dir, browser }
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    pub fn browser_log(&self) -> PathBuf {
        self.dir.path().join("browser.log")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(authdesk_bin());
        let path = format!(
            "{}:{}",
            repo_root().join("tests/browser").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let d = self.dir.path();
        command
            .args(args)
            .env("PATH", path)
            .env("HOME", d.join("home"))
            .env("AUTHDESK_CONFIG_DIR", self.config_dir())
            .env("XDG_CONFIG_HOME", d.join("xdg-config"))
            .env("XDG_DATA_HOME", d.join("xdg-data"))
            .env("XDG_CACHE_HOME", d.join("xdg-cache"))
            .env("XDG_STATE_HOME", d.join("xdg-state"))
            .env("AUTHDESK_BROWSER_MODE", self.browser.mode())
            .env("AUTHDESK_BROWSER_LOG", self.browser_log())
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null());
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

fn collect(output: Output) -> Run {
    Run {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

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
