//! The test authorization servers: an AWX-like one (Django + django-oauth-toolkit 1.7.1,
//! `tests/servers/awx`) and the AAP gateway's own django-ansible-base OAuth2 code
//! (`tests/servers/gateway`), each started on a free port in a Python venv of its own,
//! with what it seeded and the direct requests tests check AuthDesk's work with.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::desk::{repo_root, require_test_environment, unique};

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

    pub(crate) fn python(self) -> PathBuf {
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

    /// The switch that makes the server's API refuse HTTP Basic, as AAP 2.7 does.
    pub fn no_basic(self) -> (&'static str, &'static str) {
        match self {
            Flavor::Awx => ("FAKEAWX_NO_BASIC", "1"),
            Flavor::Gateway => ("FAKEGW_NO_BASIC", "1"),
        }
    }

    pub fn revoke_path(self) -> &'static str {
        match self {
            Flavor::Awx => "/api/o/revoke_token/",
            Flavor::Gateway => "/o/revoke_token/",
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

    /// Revokes a token directly at the revoke endpoint, as another tool or an admin
    /// would behind AuthDesk's back (AWX: the plain token revokes).
    pub fn revoke_directly(&self, app: &App, token: &str, hint: &str) -> u16 {
        blocking_client()
            .post(self.url(self.flavor.revoke_path()))
            .basic_auth(&app.client_id, Some(&app.client_secret))
            .form(&[("token", token), ("token_type_hint", hint)])
            .send()
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }

    /// The requests the server has answered so far, as its log writes them:
    /// `"POST /api/o/token/ HTTP/1.1" 200 …`.
    pub fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(self._state.path().join("server.log"))
            .unwrap_or_default()
            .lines()
            .filter(|line| line.starts_with('"'))
            .map(str::to_owned)
            .collect()
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

/// A client for direct requests to a test server; it follows no redirect.
pub fn blocking_client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a plain HTTP client builds")
}
