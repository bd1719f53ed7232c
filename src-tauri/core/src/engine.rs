//! The flow engine: everything AuthDesk does, in terms a shell can call. The CLI and the
//! window both drive this; neither holds OAuth logic of its own.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::error::{Error, Result};
use crate::listener::{callback, LoopbackListener, Verdict};
use crate::oauth::{hashed_token_form, OAuthClient, WhoAmI};
use crate::platform::{Credentials, NewApplication, PlatformClient};
use crate::profiles::{Grant, Profile, ProfileDraft, ProfileStore};
use crate::secret::{random_urlsafe, Secret};
use crate::secrets::Keyring;
use crate::tokens::TokenSet;

/// How long a sign-in waits for the redirect by default: the server's code lifetime.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Debug, Clone)]
pub struct Engine {
    profiles: ProfileStore,
    keyring: Keyring,
    sign_ins: Arc<SignInRegistry>,
}

/// One sign-in per profile at a time: a new one cancels the one under way and waits
/// until it has let go of its listener (and port).
#[derive(Debug, Default)]
struct SignInRegistry {
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

/// The outcome of a revoke, checked against the server.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RevokeReport {
    /// Which token was sent to the revoke endpoint.
    pub revoked: &'static str,
    /// The form that worked: `plain`, or `hashed` (`$sha256$<hex>`, current gateways);
    /// `None` when neither was verified.
    pub form: Option<&'static str>,
    /// True only when who-am-I answered 401 to the old access token afterwards.
    pub verified: bool,
    /// One sentence for the user.
    pub message: String,
}

impl Engine {
    pub fn new(profiles: ProfileStore, keyring: Keyring) -> Self {
        Engine {
            profiles,
            keyring,
            sign_ins: Arc::default(),
        }
    }

    /// The platform's profile folder, or `AUTHDESK_CONFIG_DIR` with keyring entries of its own.
    pub fn open_default() -> Result<Self> {
        let profiles = ProfileStore::open_default()?;
        let keyring = if std::env::var_os("AUTHDESK_CONFIG_DIR").is_some_and(|d| !d.is_empty()) {
            Keyring::for_config_dir(profiles.dir())?
        } else {
            Keyring::new()?
        };
        Ok(Engine::new(profiles, keyring))
    }

    pub fn profiles(&self) -> &ProfileStore {
        &self.profiles
    }

    /// Saves a profile, and its client secret when one is given. The secret goes first,
    /// so a keyring failure never leaves a profile that cannot sign in.
    pub async fn save_profile(
        &self,
        profile: Profile,
        client_secret: Option<Secret>,
    ) -> Result<()> {
        profile.validate()?;
        if let Some(secret) = client_secret {
            let name = profile.name.clone();
            self.keyring_call(move |k| k.set_client_secret(&name, &secret))
                .await?;
        }
        // Tokens belong to one server and application: never send them to another.
        let moved = match self.profiles.get(&profile.name) {
            Ok(old) => {
                old.client_id != profile.client_id
                    || old.endpoints().ok() != profile.endpoints().ok()
            }
            Err(_) => false,
        };
        if moved {
            let name = profile.name.clone();
            tracing::info!(profile = %name, "server or application changed; forgetting the stored tokens");
            self.keyring_call(move |k| k.delete_tokens(&name)).await?;
        }
        self.profiles.save(profile)
    }

    /// Removes a profile and its keyring entries.
    pub async fn remove_profile(&self, name: &str) -> Result<()> {
        self.profiles.get(name)?;
        let owned = name.to_owned();
        self.keyring_call(move |k| k.delete_profile(&owned)).await?;
        self.profiles.remove(name)
    }

    pub async fn has_client_secret(&self, name: &str) -> Result<bool> {
        let owned = name.to_owned();
        Ok(self
            .keyring_call(move |k| k.client_secret(&owned))
            .await?
            .is_some())
    }

    /// The profile's current tokens, from the keyring.
    pub async fn current_tokens(&self, name: &str) -> Result<Option<TokenSet>> {
        self.profiles.get(name)?;
        let owned = name.to_owned();
        self.keyring_call(move |k| k.tokens(&owned)).await
    }

    /// The profile's current tokens, or the sentence that says it has none.
    pub async fn stored_tokens(&self, name: &str) -> Result<TokenSet> {
        self.current_tokens(name)
            .await?
            .ok_or_else(|| Error::NoTokens(name.to_owned()))
    }

    /// Prepares a sign-in: binds the listener (before any browser opens, so no redirect
    /// is missed), picks a fresh state and builds the authorize URL.
    pub async fn begin_sign_in(&self, name: &str) -> Result<SignIn> {
        let (profile, client) = self.client_for(name).await?;
        let turn = self.take_turn(name).await?;
        let registered = profile.require_redirect_uri()?.clone();
        let listener = LoopbackListener::bind(&registered).await?;
        let redirect_uri = listener
            .as_ref()
            .map_or(registered, |l| l.redirect_uri().clone());
        let state = random_urlsafe(43)
            .map_err(|e| Error::Config(format!("The system random generator failed: {e}.")))?;
        let (challenge, verifier) = if profile.pkce {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            (Some(challenge), Some(verifier))
        } else {
            (None, None)
        };
        let authorize_url = client.authorize_url(&redirect_uri, &state, challenge);
        tracing::info!(
            profile = name,
            redirect_uri = redirect_uri.as_str(),
            pkce = profile.pkce,
            "sign-in prepared"
        );
        Ok(SignIn {
            engine: self.clone(),
            profile: profile.name,
            client,
            state,
            pkce_verifier: verifier,
            authorize_url,
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

    /// Trades the refresh token for a new pair, which is stored at once (the old one is dead).
    pub async fn refresh(&self, name: &str) -> Result<TokenSet> {
        let (_, client) = self.client_for(name).await?;
        let old = self.stored_tokens(name).await?;
        let refresh_token = old.refresh_token_of(name)?.clone();
        let mut fresh = client.refresh(&refresh_token).await?;
        if fresh.refresh_token.is_none() {
            // A server that does not rotate keeps the old refresh token valid.
            fresh.refresh_token = Some(refresh_token);
        }
        fresh.user = old.user;
        self.store_and_identify(name, &client, fresh).await
    }

    /// Revokes the refresh token (which takes its access token with it) and checks that
    /// the old access token now gets 401. Current gateways store tokens hashed and answer
    /// 200 to a plain revoke without revoking: then the hashed form is sent as well.
    pub async fn revoke(&self, name: &str) -> Result<RevokeReport> {
        let (_, client) = self.client_for(name).await?;
        let tokens = self.stored_tokens(name).await?;
        let (revoked, token, hint) = match &tokens.refresh_token {
            Some(refresh) => ("refresh token", refresh, "refresh_token"),
            None => ("access token", &tokens.access_token, "access_token"),
        };
        // A 401 afterwards proves the revoke only if the token worked before it.
        let worked_before = matches!(
            client.whoami(&tokens.access_token).await,
            Ok(WhoAmI::User(_))
        );
        client.revoke(token, hint).await?;
        let mut form = "plain";
        let mut after = if worked_before {
            client.whoami(&tokens.access_token).await
        } else {
            Err(Error::Config(
                "the access token was already refused before the revoke, so a 401 proves nothing."
                    .into(),
            ))
        };
        if matches!(after, Ok(WhoAmI::User(_))) {
            tracing::info!(
                profile = name,
                "the plain revoke left the token working; sending the hashed form"
            );
            form = "hashed";
            after = match client.revoke(&hashed_token_form(token), hint).await {
                Ok(()) => client.whoami(&tokens.access_token).await,
                Err(e) => Err(e),
            };
        }
        let report = match after {
            Ok(WhoAmI::Unauthorized) => RevokeReport {
                revoked,
                form: Some(form),
                verified: true,
                message: if form == "plain" {
                    "Revoked, verified: the server now answers 401 to the old access token.".into()
                } else {
                    "Revoked with the hashed token form ($sha256$…, as current gateways store tokens), verified: the server now answers 401 to the old access token.".into()
                },
            },
            Ok(WhoAmI::User(user)) => RevokeReport {
                revoked,
                form: None,
                verified: false,
                message: format!(
                    "The server accepted the revoke requests (plain and hashed), but the old access token still works (who-am-I answers as {user}), so the revoke is not verified."
                ),
            },
            Err(e) if form == "hashed" => RevokeReport {
                revoked,
                form: None,
                verified: false,
                message: format!("The server accepted the revoke request but the token still worked, and the retry in the hashed form failed: {e}"),
            },
            Err(e) => RevokeReport {
                revoked,
                form: None,
                verified: false,
                message: format!("The server accepted the revoke request, but it could not be verified: {e}"),
            },
        };
        tracing::info!(
            profile = name,
            revoked,
            form = report.form,
            verified = report.verified,
            "revoke finished"
        );
        if report.verified {
            let owned = name.to_owned();
            self.keyring_call(move |k| k.delete_tokens(&owned)).await?;
        }
        Ok(report)
    }

    /// The password grant of a password profile: the password is used for this one
    /// request and dropped; the tokens are stored like a sign-in's.
    pub async fn password_sign_in(&self, name: &str, credentials: Credentials) -> Result<TokenSet> {
        let (profile, client) = self.client_for(name).await?;
        if profile.grant != Grant::Password {
            return Err(Error::Config(format!(
                "Profile \"{name}\" uses the authorization-code grant: sign in through the browser instead of with a password."
            )));
        }
        let tokens = client
            .password_grant(&credentials.username, &credentials.password)
            .await?;
        drop(credentials);
        tracing::info!(profile = name, "password grant answered");
        self.store_and_identify(name, &client, tokens).await
    }

    /// The REST API of a profile's server, as the given user.
    pub fn platform_for(&self, name: &str, credentials: Credentials) -> Result<PlatformClient> {
        let profile = self.profiles.get(name)?;
        PlatformClient::new(
            profile.preset,
            &profile.base_url,
            &crate::platform::Trust::of(&profile)?,
            profile.request_timeout(),
            credentials,
        )
    }

    /// Creates an OAuth application for the user and the profile that uses it. The
    /// server shows the client secret once: it goes straight into the keyring, and if
    /// that fails the application is deleted again, so nothing is left half made.
    pub async fn set_up_application(
        &self,
        setup: ApplicationSetup,
        credentials: Credentials,
    ) -> Result<Profile> {
        let mut draft = setup.profile;
        if self.profiles.get(&draft.name).is_ok() {
            return Err(Error::Config(format!(
                "A profile named \"{}\" exists already; choose another name or remove that profile first.",
                draft.name.trim()
            )));
        }
        // The client ID is not known yet: check everything else before touching the server.
        draft.client_id = "pending".into();
        let checked = draft.clone().build()?;
        let api = PlatformClient::new(
            checked.preset,
            &checked.base_url,
            &crate::platform::Trust::of(&checked)?,
            checked.request_timeout(),
            credentials,
        )?;
        // Fail before creating anything if the keyring cannot take the secret.
        let probe = checked.name.clone();
        self.keyring_call(move |k| k.client_secret(&probe)).await?;
        let organization = api.find_organization(&setup.organization).await?;
        let created = api
            .create_application(&NewApplication {
                name: setup.application_name,
                organization: organization.id,
                grant: checked.grant,
                redirect_uri: checked.redirect_uri.clone(),
            })
            .await?;
        tracing::info!(
            profile = checked.name,
            application = created.id,
            organization = organization.id,
            "application created"
        );
        draft.client_id = created.client_id.clone();
        let profile = match draft.build() {
            Ok(profile) => profile,
            Err(e) => {
                let _ = api.delete_application(created.id).await;
                return Err(e);
            }
        };
        if let Err(e) = self
            .save_profile(profile.clone(), Some(created.client_secret))
            .await
        {
            // The secret may be in the keyring already: it belongs to nothing now.
            let name = profile.name.clone();
            let _ = self.keyring_call(move |k| k.delete_profile(&name)).await;
            let undone = api.delete_application(created.id).await;
            return Err(match undone {
                Ok(()) => Error::Config(format!(
                    "The application was created, but its client secret could not be kept ({e}), so AuthDesk deleted the application again; fix that and retry."
                )),
                Err(undo) => Error::Config(format!(
                    "The application (id {}) was created, but its client secret could not be kept ({e}), and deleting it failed too ({undo}); delete it on the server and retry.",
                    created.id
                )),
            });
        }
        Ok(profile)
    }

    /// Who the profile's current access token belongs to.
    pub async fn whoami(&self, name: &str) -> Result<WhoAmI> {
        let (_, client) = self.client_for(name).await?;
        let tokens = self.stored_tokens(name).await?;
        client.whoami(&tokens.access_token).await
    }

    async fn client_for(&self, name: &str) -> Result<(Profile, OAuthClient)> {
        let profile = self.profiles.get(name)?;
        let owned = name.to_owned();
        let secret = self
            .keyring_call(move |k| k.client_secret(&owned))
            .await?
            .ok_or_else(|| Error::MissingClientSecret(name.to_owned()))?;
        let client = OAuthClient::new(&profile, secret)?;
        Ok((profile, client))
    }

    /// Stores new tokens before anything else can fail (while asking who-am-I for the
    /// user), then stores them again with the user's name.
    /// A keyring failure here is a warning, not an error: the server has issued (and on
    /// refresh, rotated) the tokens already, and dropping them would lose both pairs.
    async fn store_and_identify(
        &self,
        name: &str,
        client: &OAuthClient,
        mut tokens: TokenSet,
    ) -> Result<TokenSet> {
        // Both start at once: the keyring write (tens of ms over D-Bus) overlaps the
        // who-am-I request instead of delaying it; the second write waits for both.
        let (stored, who) = tokio::join!(
            self.store_tokens(name, &tokens),
            client.whoami(&tokens.access_token)
        );
        if let Err(e) = stored {
            tracing::warn!(
                profile = name,
                "the new tokens could not be kept in the keyring: {e}"
            );
        }
        match who {
            Ok(WhoAmI::User(user)) => {
                tokens.user = Some(user);
                if let Err(e) = self.store_tokens(name, &tokens).await {
                    tracing::warn!(
                        profile = name,
                        "the user name could not be kept in the keyring: {e}"
                    );
                }
            }
            Ok(WhoAmI::Unauthorized) => {
                tracing::warn!(profile = name, "who-am-I refused the new access token")
            }
            Err(e) => tracing::warn!(profile = name, "who-am-I failed: {e}"),
        }
        Ok(tokens)
    }

    async fn store_tokens(&self, name: &str, tokens: &TokenSet) -> Result<()> {
        let (owned, tokens) = (name.to_owned(), tokens.clone());
        self.keyring_call(move |k| k.set_tokens(&owned, &tokens))
            .await
    }

    /// Keyring calls block on D-Bus (or the platform's API): keep them off the async threads.
    async fn keyring_call<T: Send + 'static>(
        &self,
        call: impl FnOnce(&Keyring) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let keyring = self.keyring.clone();
        tokio::task::spawn_blocking(move || call(&keyring))
            .await
            .map_err(|e| Error::KeyringUnavailable {
                detail: format!("the keyring call did not finish: {e}"),
            })?
    }
}

/// What `set_up_application` creates: the profile (its client ID comes from the
/// server), the application's name, and the organization (id or name; empty picks the
/// user's only one).
#[derive(Debug, Clone)]
pub struct ApplicationSetup {
    pub profile: ProfileDraft,
    pub application_name: String,
    pub organization: String,
}

impl ApplicationSetup {
    /// The redirect URI AuthDesk listens on when none is given: port-less loopback,
    /// which AWX (22.3+) and the gateway accept with any port.
    pub const DEFAULT_REDIRECT_URI: &'static str = "http://127.0.0.1/callback";
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
    /// The URL to open in the browser; show it too, for opening by hand.
    pub fn authorize_url(&self) -> &Url {
        &self.authorize_url
    }

    /// The exact redirect URI this attempt uses (with the port, for a port-less registration).
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// False when the redirect URI is not on loopback: the user pastes the redirect URL.
    pub fn catches_redirect(&self) -> bool {
        self.listener.is_some()
    }

    /// Opens the system browser without waiting for it.
    pub fn open_browser(&self) -> std::io::Result<()> {
        open::that_detached(self.authorize_url.as_str())
    }

    /// Waits for the redirect on the listener, then exchanges the code.
    pub async fn wait(mut self, timeout: Duration, cancel: CancellationToken) -> Result<TokenSet> {
        let listener = self.listener.take().ok_or_else(|| {
            Error::Config(format!(
                "The redirect URI {} is not on this computer's loopback, so AuthDesk cannot catch it; paste the URL the browser lands on instead.",
                self.redirect_uri
            ))
        })?;
        // Either cancel stops the listener through its own shutdown, which closes its
        // sockets before returning: a newer sign-in can bind the same port right after.
        let stop = CancellationToken::new();
        let state = self.state.clone();
        let wait = listener.wait_for_code(&state, timeout, stop.clone());
        tokio::pin!(wait);
        let code = tokio::select! {
            code = &mut wait => code,
            () = cancel.cancelled() => {
                stop.cancel();
                let _ = wait.await;
                Err(Error::Cancelled)
            }
            () = self.superseded.cancelled() => {
                stop.cancel();
                let _ = wait.await;
                Err(Error::Superseded(self.profile.clone()))
            }
        }?;
        // A cancel that raced the callback still wins: nothing is exchanged after it.
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        if self.superseded.is_cancelled() {
            return Err(Error::Superseded(self.profile.clone()));
        }
        self.exchange(&code).await
    }

    /// Finishes with the redirect URL the user copied from the browser's address bar.
    pub async fn finish_with_redirect_url(self, pasted: &str) -> Result<TokenSet> {
        let url = Url::parse(pasted.trim()).map_err(|e| {
            Error::Config(format!(
                "The pasted text is not a URL ({e}); copy the whole address from the browser."
            ))
        })?;
        match callback::classify_query(url.query().unwrap_or_default(), &self.state) {
            Verdict::Code(code) => self.exchange(&code).await,
            Verdict::Refused { error, description } => {
                Err(Error::AuthorizationRefused { error, description })
            }
            Verdict::Ignore { reason, .. } => Err(Error::Config(format!(
                "The pasted URL is not this sign-in's redirect: {reason}."
            ))),
        }
    }

    /// Exchanges a code from this attempt.
    pub async fn exchange(mut self, code: &str) -> Result<TokenSet> {
        let tokens = self
            .client
            .exchange_code(code, &self.redirect_uri, self.pkce_verifier.take())
            .await?;
        tracing::info!(profile = self.profile, "code exchanged");
        self.engine
            .store_and_identify(&self.profile, &self.client, tokens)
            .await
    }
}
