//! The browser sign-in: one per profile at a time (a new one replaces the one under way
//! and waits until its port is free), the listener bound before the browser opens, and
//! the wait for the redirect that ends in a code exchange.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::timeline::{describe_request, Timeline, MASK};
use super::Engine;
use crate::error::{Error, Result};
use crate::http::build_client;
use crate::listener::{classify_query, LoopbackListener, StartLinks, Verdict};
use crate::oauth::OAuthClient;
use crate::presets::join_path;
use crate::profiles::{ClientAuth, Profile, Scope};
use crate::secret::random_urlsafe;
use crate::tokens::TokenSet;

/// One sign-in per profile at a time: a new one cancels the one under way and waits
/// until it has let go of its listener (and port).
#[derive(Debug, Default)]
pub(super) struct SignInRegistry {
    by_profile: std::sync::Mutex<HashMap<String, ActiveSignIn>>,
}

#[derive(Debug, Clone)]
struct ActiveSignIn {
    superseded: CancellationToken,
    /// Held by the `SignIn` until it is dropped, with its listener.
    alive: Arc<tokio::sync::Mutex<()>>,
}

/// How long a new sign-in waits for the one it replaces to let go: longer than a code
/// exchange under way may take (the default request timeout, twice: exchange and who-am-I).
const GIVE_WAY: Duration = Duration::from_secs(65);

/// The authorize parameters AuthDesk sets itself: `--param` may not replace them (a
/// second `state` or `redirect_uri` would break the sign-in, or send it elsewhere).
const OWN_PARAMETERS: [&str; 5] = [
    "state",
    "redirect_uri",
    "client_id",
    "response_type",
    "scope",
];

/// How one sign-in differs from the profile's usual one (the CLI's `--switch-user`,
/// `--scope` and `--param`; the window's *Sign in as another user…* and *Options for this
/// sign-in*). The profile is not changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SignInOptions {
    /// End the browser's session with the server first, so that its login page asks who
    /// signs in: AWX's and the gateway's logout page, sent on to the authorize page (`next`);
    /// on a `custom` server OIDC's `prompt=login`. Other sites' sessions are not touched.
    pub switch_user: bool,
    /// This sign-in's scope instead of the profile's.
    pub scope: Option<Scope>,
    /// Further authorize parameters, in order.
    pub params: Vec<(String, String)>,
}

impl SignInOptions {
    /// One extra parameter as typed, `KEY=VALUE`: split at the first `=` (a value may
    /// hold more), the name trimmed. The CLI's `--param` and the window's lines alike.
    pub fn parse_param(text: &str) -> Result<(String, String)> {
        match text.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => {
                Ok((key.trim().to_owned(), value.to_owned()))
            }
            _ => Err(Error::Config(format!(
                "\"{text}\" is not KEY=VALUE: give each extra parameter as a name, =, and its value."
            ))),
        }
    }

    /// Refuses parameters AuthDesk sets itself, and empty names.
    pub fn check(&self) -> Result<()> {
        for (name, _) in &self.params {
            let refused = if name.trim().is_empty() {
                Some("a parameter needs a name: give KEY=VALUE".to_owned())
            } else if name == "scope" {
                Some("scope is set by AuthDesk: use --scope (in the window, Options for this sign-in) instead".to_owned())
            } else if OWN_PARAMETERS.contains(&name.as_str()) || name.starts_with("code_challenge")
            {
                Some(format!(
                    "{name} is set by AuthDesk for every sign-in and cannot be replaced"
                ))
            } else {
                None
            };
            if let Some(why) = refused {
                return Err(Error::Config(format!(
                    "The authorize parameter \"{name}\" was refused: {why}."
                )));
            }
        }
        Ok(())
    }
}

/// The server's logout page, sent on to the authorize page: Django's `LogoutView` (AWX
/// 24.6.1's `/api/logout/`, the gateway's `/api/gateway/v1/logout/`, both with
/// `redirect_field_name='next'`) ends the browser's session with that server and follows
/// `next` when it is a path on the same server, so the authorize page then asks for a login.
fn logout_then(profile: &Profile, logout: &str, authorize: &Url) -> Url {
    let mut url = join_path(&profile.base_url, logout);
    let next = match authorize.query() {
        Some(query) => format!("{}?{query}", authorize.path()),
        None => authorize.path().to_owned(),
    };
    url.query_pairs_mut().append_pair("next", &next);
    url
}

impl Engine {
    /// Prepares a sign-in: checks the server while the keyring is read (trouble AuthDesk
    /// can see is said before a browser opens), binds the listener (before any browser
    /// opens, so no redirect is missed), picks a fresh state and builds the authorize URL.
    pub async fn begin_sign_in(&self, name: &str) -> Result<SignIn> {
        self.begin_sign_in_with(name, &SignInOptions::default())
            .await
    }

    /// [`Engine::begin_sign_in`] with this attempt's own options.
    pub async fn begin_sign_in_with(&self, name: &str, options: &SignInOptions) -> Result<SignIn> {
        options.check()?;
        let profile = self.profiles.get(name)?;
        // A profile whose URLs are wrong is said before anything is asked of the server.
        profile.endpoints()?;
        // One HTTP client for the check and the exchange: the TLS roots are loaded once,
        // and the exchange can reuse the check's connection. It is built (and the server
        // asked) while the keyring is read, which starts first.
        let checked = async {
            let http = build_client(&profile.trust()?, profile.request_timeout())?;
            self.check_server_with(&profile, &http).await?;
            Ok::<_, Error>(http)
        };
        let (secret, checked) = tokio::join!(self.client_secret(&profile), checked);
        // The secret first: a keyring problem is the one to fix first.
        let secret = secret?;
        let client = OAuthClient::with_http(&profile, &secret, checked?)?;
        let turn = self.take_turn(name).await?;
        let registered = profile.require_redirect_uri()?.clone();
        let mut listener = LoopbackListener::bind(&registered).await?;
        let redirect_uri = listener
            .as_ref()
            .map_or(registered, |l| l.redirect_uri().clone());
        let state = random_urlsafe(43).map_err(|e| Error::Internal {
            what: "draw the sign-in's random state",
            detail: e.to_string(),
        })?;
        let (challenge, verifier) = if profile.pkce {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            (Some(challenge), Some(verifier))
        } else {
            (None, None)
        };
        let logout = options
            .switch_user
            .then(|| profile.preset.api().map(|api| api.logout))
            .flatten();
        let mut params = options.params.clone();
        if options.switch_user && logout.is_none() && !params.iter().any(|(k, _)| k == "prompt") {
            params.push(("prompt".into(), "login".into()));
        }
        let authorize_url = client.authorize_url(
            &redirect_uri,
            &state,
            challenge,
            options.scope.map(Scope::as_str),
            &params,
        );
        let entry_url = match logout {
            Some(logout) => logout_then(&profile, logout, &authorize_url),
            None => authorize_url.clone(),
        };
        let timeline = Timeline::default();
        if logout.is_some() {
            timeline.record(
                "logout",
                format!(
                    "{}, so that the server's login page asks who signs in",
                    describe_request("GET", &entry_url)
                ),
            );
        }
        timeline.record("authorize", describe_request("GET", &authorize_url));
        let endpoints = profile.endpoints()?;
        // The browser gets a one-time link on the listener, not the URL with the state.
        let browser_url = match listener.as_mut() {
            Some(listener) => listener.start_link(&entry_url)?,
            None => entry_url.clone(),
        };
        tracing::info!(
            profile = name,
            redirect_uri = redirect_uri.as_str(),
            pkce = profile.pkce,
            switch_user = options.switch_user,
            "sign-in prepared"
        );
        Ok(SignIn {
            engine: self.clone(),
            profile: profile.name,
            client,
            state,
            pkce_verifier: verifier,
            authorize_url,
            entry_url,
            browser_url,
            timeline,
            token_endpoint: endpoints.token,
            whoami_endpoint: endpoints.whoami,
            client_auth: profile.client_auth,
            redirect_uri,
            listener,
            superseded: turn.superseded,
            _turn: turn.guard,
        })
    }

    /// Registers a new sign-in of the profile, cancels the one under way (if any) and
    /// waits until that one has closed its listener. The swap happens under one lock, so
    /// two starts that race still queue behind each other.
    async fn take_turn(&self, name: &str) -> Result<Turn> {
        let superseded = CancellationToken::new();
        let alive = Arc::new(tokio::sync::Mutex::new(()));
        let guard = Arc::clone(&alive)
            .try_lock_owned()
            .map_err(|_| Error::SignInBusy(name.to_owned()))?;
        let previous = self.sign_ins.by_profile.lock().ok().and_then(|mut active| {
            active.insert(
                name.to_owned(),
                ActiveSignIn {
                    superseded: superseded.clone(),
                    alive,
                },
            )
        });
        if let Some(previous) = previous {
            previous.superseded.cancel();
            let gave_way = tokio::time::timeout(GIVE_WAY, Arc::clone(&previous.alive).lock_owned())
                .await
                .is_ok();
            if !gave_way {
                // The older one keeps the profile: put it back, so a later start waits for it too.
                if let Ok(mut active) = self.sign_ins.by_profile.lock() {
                    active.insert(name.to_owned(), previous);
                }
                return Err(Error::SignInBusy(name.to_owned()));
            }
        }
        Ok(Turn { superseded, guard })
    }
}

struct Turn {
    superseded: CancellationToken,
    guard: tokio::sync::OwnedMutexGuard<()>,
}

/// One sign-in attempt, from authorize URL to tokens.
pub struct SignIn {
    engine: Engine,
    profile: String,
    client: OAuthClient,
    state: String,
    pkce_verifier: Option<PkceCodeVerifier>,
    authorize_url: Url,
    /// Where a person starts: `authorize_url`, or for a switch of user the server's
    /// logout page that leads there.
    entry_url: Url,
    /// What the browser is opened at: a one-time start link on the listener that
    /// redirects to `entry_url`, so the state stays off every command line.
    browser_url: Url,
    timeline: Timeline,
    token_endpoint: Url,
    whoami_endpoint: Url,
    client_auth: ClientAuth,
    redirect_uri: Url,
    listener: Option<LoopbackListener>,
    /// Cancelled when a newer sign-in of the same profile starts.
    superseded: CancellationToken,
    /// Released on drop (after the listener's port is closed), letting a newer one start.
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("profile", &self.profile)
            .field("redirect_uri", &self.redirect_uri.as_str())
            .finish_non_exhaustive()
    }
}

impl SignIn {
    /// The server's authorize URL (with the state): shown for opening by hand; the
    /// browser itself is opened at a one-time start link (see [`SignIn::open_browser`]).
    pub fn authorize_url(&self) -> &Url {
        &self.authorize_url
    }

    /// The address a person opens by hand: the authorize URL, or for a switch of user
    /// the server's logout page, which sends the browser on to it.
    pub fn entry_url(&self) -> &Url {
        &self.entry_url
    }

    /// This sign-in's steps so far and to come (a clone shares them).
    pub fn timeline(&self) -> Timeline {
        self.timeline.clone()
    }

    /// The exact redirect URI this attempt uses (with the port, for a port-less registration).
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// False when the redirect URI is not on loopback: the user pastes the redirect URL.
    pub fn catches_redirect(&self) -> bool {
        self.listener.is_some()
    }

    /// The listener's one-time start links, for opening the browser again while the
    /// sign-in waits (`None` when the redirect is not caught on loopback).
    pub fn start_links(&self) -> Option<std::sync::Arc<crate::listener::StartLinks>> {
        self.listener.as_ref().and_then(|l| l.start_links())
    }

    /// Opens the system browser without waiting for it: at a launch page that only this
    /// user can read, which sends it on to the one-time start link (see
    /// [`StartLinks::launch_target`](crate::listener::StartLinks::launch_target)).
    pub fn open_browser(&self) -> std::io::Result<()> {
        let (opened, how) = match self.start_links() {
            Some(links) => (
                open_start_link(&links, &self.browser_url),
                "at a launch page only this user can read, which leads to a one-time link on the listener",
            ),
            None => (open_in_browser(&self.browser_url), "at the address itself"),
        };
        match &opened {
            Ok(()) => self
                .timeline
                .record("browser", format!("the system browser opened {how}")),
            Err(e) => self
                .timeline
                .record("browser", format!("could not be opened: {e}")),
        }
        opened
    }

    /// Waits for the redirect on the listener, then exchanges the code.
    pub async fn wait(self, timeout: Duration, cancel: CancellationToken) -> Result<TokenSet> {
        // Nothing can be pasted: the channel is closed from the start.
        let (_, nothing) = tokio::sync::mpsc::channel(1);
        self.wait_or_pasted(timeout, cancel, nothing, |_| {}).await
    }

    /// Waits for this attempt's code from whichever comes first: the redirect on the
    /// listener, or the address the browser landed on, pasted by the person (a browser on
    /// another computer, as from an SSH session, is redirected to its own loopback, where
    /// nothing listens). Both pass the same state check; a pasted address that is not this
    /// sign-in's is handed to `refused` with the reason, and the wait goes on.
    pub async fn wait_or_pasted(
        mut self,
        timeout: Duration,
        cancel: CancellationToken,
        mut pasted: tokio::sync::mpsc::Receiver<String>,
        refused: impl Fn(String),
    ) -> Result<TokenSet> {
        let listener = self
            .listener
            .take()
            .ok_or_else(|| Error::RedirectNotOnLoopback(self.redirect_uri.to_string()))?;
        let stop = CancellationToken::new();
        let state = self.state.clone();
        let wait = listener.wait_for_code(&state, timeout, stop.clone());
        tokio::pin!(wait);
        let mut pasting = true;
        let mut via = "the redirect to the listener";
        let code = loop {
            tokio::select! {
                code = &mut wait => break code,
                text = pasted.recv(), if pasting => {
                    let Some(text) = text else {
                        // Nothing more can be pasted (stdin closed): the listener alone.
                        pasting = false;
                        continue;
                    };
                    let verdict = match Url::parse(text.trim()) {
                        Ok(url) => classify_query(url.query().unwrap_or_default(), &self.state),
                        Err(_) => Verdict::Ignore { status: 400, reason: "that is not a web address; copy the whole address from the browser" },
                    };
                    match verdict {
                        Verdict::Code(code) => {
                            stop.cancel();
                            let _ = wait.await;
                            via = "the address pasted by the person";
                            break Ok(code);
                        }
                        Verdict::Refused { error, description } => {
                            stop.cancel();
                            let _ = wait.await;
                            via = "the address pasted by the person";
                            break Err(Error::AuthorizationRefused { error, description });
                        }
                        Verdict::Ignore { reason, .. } => refused(reason.to_owned()),
                        Verdict::StartLinkReused => {}
                    }
                }
                () = cancel.cancelled() => {
                    stop.cancel();
                    let _ = wait.await;
                    break Err(Error::Cancelled);
                }
                () = self.superseded.cancelled() => {
                    stop.cancel();
                    let _ = wait.await;
                    break Err(Error::Superseded(self.profile.clone()));
                }
            }
        };
        let callback = self.redirect_uri.path().to_owned();
        match &code {
            Ok(_) => self.timeline.record(
                "callback",
                format!("{via} ({callback}) · state matched · code={MASK}"),
            ),
            Err(refused @ Error::AuthorizationRefused { .. }) => self.timeline.record(
                "callback",
                format!("{via} ({callback}) · state matched · {refused}"),
            ),
            Err(e) => self.timeline.record("callback", format!("none: {e}")),
        }
        let code = code.map_err(|e| e.for_sign_in(&self.profile))?;
        // A cancel or a newer sign-in that raced the code still wins: nothing is exchanged.
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        if self.superseded.is_cancelled() {
            return Err(Error::Superseded(self.profile.clone()));
        }
        self.exchange(&code).await
    }

    /// The port the listener caught the redirect on, for an `ssh -L` line.
    pub fn listening_port(&self) -> Option<u16> {
        self.listener
            .as_ref()
            .and_then(|l| l.redirect_uri().port_or_known_default())
    }

    /// Finishes with the redirect URL the user copied from the browser's address bar.
    pub async fn finish_with_redirect_url(self, pasted: &str) -> Result<TokenSet> {
        let url = Url::parse(pasted.trim()).map_err(|e| {
            Error::Config(format!(
                "The pasted text is not a URL ({e}); copy the whole address from the browser."
            ))
        })?;
        match classify_query(url.query().unwrap_or_default(), &self.state) {
            Verdict::Code(code) => self.exchange(&code).await,
            Verdict::Refused { error, description } => {
                Err(Error::AuthorizationRefused { error, description }.for_sign_in(&self.profile))
            }
            Verdict::Ignore { reason, .. } => Err(Error::Config(format!(
                "The pasted URL is not this sign-in's redirect: {reason}."
            ))),
            Verdict::StartLinkReused => Err(Error::StartLinkReused),
        }
    }

    /// Exchanges a code from this attempt.
    pub async fn exchange(mut self, code: &str) -> Result<TokenSet> {
        let verifier = self.pkce_verifier.take();
        self.timeline.record(
            "token request",
            format!(
                "POST {} · client authentication {} · grant_type=authorization_code · code={MASK} · redirect_uri={}{}",
                self.token_endpoint,
                match self.client_auth {
                    ClientAuth::Basic => "HTTP Basic (client ID and secret; the secret is never shown)",
                    ClientAuth::Post => "in the form body (client ID and secret; the secret is never shown)",
                },
                self.redirect_uri,
                if verifier.is_some() { " · code_verifier sent" } else { "" }
            ),
        );
        let started = std::time::Instant::now();
        let (answer, status) = self
            .client
            .exchange_code_answered(code, &self.redirect_uri, verifier)
            .await;
        let took = started.elapsed().as_millis();
        let status = status.map_or_else(|| "no answer".to_owned(), |s| format!("HTTP {s}"));
        let tokens = match answer {
            Ok(tokens) => {
                let lifetime = tokens
                    .expires_at
                    .map(|at| (at - tokens.issued_at).num_seconds().to_string())
                    .unwrap_or_else(|| "not stated".into());
                self.timeline.record(
                    "token answer",
                    format!(
                        "{status} in {took} ms · scope {} · expires_in {lifetime} s · access token {MASK}{}",
                        tokens.scope.as_deref().unwrap_or("not stated"),
                        if tokens.refresh_token.is_some() { format!(" · refresh token {MASK}") } else { String::new() }
                    ),
                );
                tokens
            }
            Err(e) => {
                self.timeline
                    .record("token answer", format!("{status} in {took} ms: {e}"));
                return Err(e);
            }
        };
        tracing::info!(profile = self.profile, "code exchanged");
        let stored = self
            .engine
            .store_signed_in(&self.profile, &self.client, tokens)
            .await?;
        self.timeline.record(
            "who-am-I",
            match &stored.user {
                Some(user) => format!("GET {} · user {user}", self.whoami_endpoint),
                None => format!(
                    "GET {} · the user could not be read (the tokens are kept; `authdesk doctor` says why)",
                    self.whoami_endpoint
                ),
            },
        );
        Ok(stored)
    }
}

/// Opens the browser at one of the sign-in's start links, through its launch page. On
/// WSL the browser is Windows' own, which cannot read a page in the Linux runtime folder:
/// it gets the link itself.
pub fn open_start_link(links: &StartLinks, link: &Url) -> std::io::Result<()> {
    if let Some(wsl) = Wsl::here() {
        return wsl.open(link);
    }
    let target = links
        .launch_target(link)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    open::that_detached(target)
}

/// Windows Subsystem for Linux: `xdg-open` there reaches no Windows browser, so the
/// Windows default browser is started directly (the callback comes back through WSL 2's
/// localhost forwarding).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Wsl {
    /// `wslview` (wslu), when installed.
    wslview: Option<std::path::PathBuf>,
}

impl Wsl {
    /// WSL when this Linux says so: `WSL_DISTRO_NAME` (set in every WSL session) or the
    /// interop handler WSL registers.
    fn here() -> Option<Wsl> {
        let distro = std::env::var_os("WSL_DISTRO_NAME");
        let interop = std::path::Path::new("/proc/sys/fs/binfmt_misc/WSLInterop").exists();
        (cfg!(target_os = "linux") && Wsl::detected(distro.as_deref(), interop)).then(|| Wsl {
            wslview: find_on_path("wslview"),
        })
    }

    fn detected(distro: Option<&std::ffi::OsStr>, interop: bool) -> bool {
        distro.is_some_and(|name| !name.is_empty()) || interop
    }

    /// The program and its arguments that open `url` in the Windows default browser:
    /// `wslview URL`, else `explorer.exe URL`, which takes the address as one argument
    /// (no `cmd.exe` line to quote, where `&` and `^` would be commands).
    fn command(&self, url: &Url) -> (std::ffi::OsString, Vec<String>) {
        match &self.wslview {
            Some(wslview) => (wslview.clone().into_os_string(), vec![url.to_string()]),
            None => ("explorer.exe".into(), vec![url.to_string()]),
        }
    }

    fn open(&self, url: &Url) -> std::io::Result<()> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(std::io::Error::other("not a web address"));
        }
        let (program, arguments) = self.command(url);
        std::process::Command::new(program)
            .args(arguments)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map(drop)
    }
}

fn find_on_path(program: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// Opens a web address in the system browser (for a second try at the authorize URL, say).
pub fn open_in_browser(url: &Url) -> std::io::Result<()> {
    // Only web addresses reach the opener, whatever a profile file says.
    if !matches!(url.scheme(), "http" | "https") {
        return Err(std::io::Error::other(format!(
            "{} is not a web address",
            url.scheme()
        )));
    }
    if let Some(wsl) = Wsl::here() {
        return wsl.open(url);
    }
    open::that_detached(url.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::ProfileStore;
    use crate::secret_store::SecretStore;

    fn engine() -> (Engine, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        // No keyring call is made: turn-taking is the engine's own.
        let keyring = SecretStore::for_config_dir(dir.path()).unwrap();
        (Engine::new(ProfileStore::new(dir.path()), keyring), dir)
    }

    #[test]
    fn on_wsl_the_windows_browser_gets_the_address_as_one_argument() {
        let url = Url::parse("http://127.0.0.1:43125/start/AbC-_9?x=1&y=^2").unwrap();
        let plain = Wsl { wslview: None };
        let (program, arguments) = plain.command(&url);
        assert_eq!(program, "explorer.exe");
        assert_eq!(arguments, [url.to_string()]);
        let with_wslu = Wsl {
            wslview: Some("/usr/bin/wslview".into()),
        };
        assert_eq!(with_wslu.command(&url).0, "/usr/bin/wslview");
        assert!(Wsl::detected(Some("Ubuntu".as_ref()), false));
        assert!(Wsl::detected(None, true));
        assert!(!Wsl::detected(Some("".as_ref()), false) && !Wsl::detected(None, false));
        // No file:// or other scheme is ever handed to Windows.
        assert!(plain
            .open(&Url::parse("file:///etc/passwd").unwrap())
            .is_err());
    }

    #[tokio::test]
    async fn a_new_sign_in_supersedes_the_one_under_way_once_it_lets_go() {
        let (engine, _dir) = engine();
        let first = engine.take_turn("prod").await.unwrap();
        let other_profile = engine.take_turn("staging").await.unwrap();
        let superseded = first.superseded.clone();
        let second = tokio::spawn({
            let engine = engine.clone();
            async move { engine.take_turn("prod").await }
        });
        tokio::time::timeout(Duration::from_secs(5), superseded.cancelled())
            .await
            .expect("the older sign-in is told to give way");
        assert!(
            !second.is_finished(),
            "the newer waits until the older lets go"
        );
        assert!(!other_profile.superseded.is_cancelled());
        drop(first);
        let second = tokio::time::timeout(Duration::from_secs(5), second)
            .await
            .expect("the newer starts once the older let go")
            .unwrap()
            .unwrap();
        assert!(!second.superseded.is_cancelled());
    }
}
