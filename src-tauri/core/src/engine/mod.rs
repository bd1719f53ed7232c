//! The flow engine: everything AuthDesk does, in terms a shell can call. The CLI and the
//! window both drive [`Engine`]; neither holds a rule of its own. Split by capability:
//!
//! - `profiles`: saving (create or replace, when a client secret is required or kept)
//!   and removing profiles with their keyring entries;
//! - `sign_in`: the browser sign-in, one per profile at a time, waiting on the listener;
//! - `lifecycle`: the tokens afterwards: refresh, who-am-I, storing new pairs;
//! - `reuse`: a valid token with the least work (stored, refreshed, or a sign-in needed);
//! - `revoke`: revoking and verifying that the server now refuses the token;
//! - `doctor`: every check at once, as lines for a bug report;
//! - `server_check`: what kind of server a URL is, and trouble seen before a browser opens;
//! - `server_setup`: the password grant, OAuth applications and the REST API.

mod doctor;
mod lifecycle;
mod profiles;
mod reuse;
mod revoke;
mod server_check;
mod server_setup;
mod sign_in;
mod timeline;

use std::sync::Arc;
use std::time::Duration;

pub use doctor::{Finding, Outcome};
pub use profiles::{ProfileSave, RemoveReport, SaveMode};
pub use reuse::{Reuse, SignInReason, TokenSource};
pub use revoke::RevokeReport;
pub use server_check::DetectedServer;
pub use server_setup::{ApplicationSetup, ServerDraft};
pub use sign_in::{open_in_browser, open_start_link, SignIn, SignInOptions};
pub use timeline::{Step, StepWatcher, Timeline};

use crate::error::{Error, Result};
use crate::oauth::OAuthClient;
use crate::profiles::{Profile, ProfileStore, StoredSecret};
use crate::secret_store::SecretStore;

/// How long a sign-in waits for the redirect by default: the server's code lifetime.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Debug, Clone)]
pub struct Engine {
    profiles: ProfileStore,
    secrets: SecretStore,
    sign_ins: Arc<sign_in::SignInRegistry>,
}

impl Engine {
    pub fn new(profiles: ProfileStore, secrets: SecretStore) -> Self {
        Engine {
            profiles,
            secrets,
            sign_ins: Arc::default(),
        }
    }

    /// The platform's profile folder, or `AUTHDESK_CONFIG_DIR` with keyring entries of its
    /// own; the secret store chosen as `secret_store` says.
    pub fn open_default() -> Result<Self> {
        let profiles = ProfileStore::open_default()?;
        let own_entries = std::env::var_os("AUTHDESK_CONFIG_DIR").is_some_and(|d| !d.is_empty());
        let secrets = SecretStore::open(profiles.dir(), own_entries)?;
        Ok(Engine::new(profiles, secrets))
    }

    pub fn profiles(&self) -> &ProfileStore {
        &self.profiles
    }

    /// Where the client secrets and tokens are kept; the shells unlock the encrypted file
    /// through it before a command that needs a secret.
    pub fn secret_store(&self) -> &SecretStore {
        &self.secrets
    }

    /// The profile and its OAuth client, with the client secret from the keyring.
    async fn client_for(&self, name: &str) -> Result<(Profile, OAuthClient)> {
        let profile = self.profiles.get(name)?;
        let secret = self.client_secret(&profile).await?;
        let client = OAuthClient::new(&profile, &secret)?;
        Ok((profile, client))
    }

    /// The profile's client secret from the keyring; missing is an error. A secret an
    /// earlier version stored without its origin is bound to the profile as it is now,
    /// on this first use (the OAuth client checks every other one).
    async fn client_secret(&self, profile: &Profile) -> Result<StoredSecret> {
        let owned = profile.name.clone();
        let stored = self
            .keyring_call(move |k| k.client_secret(&owned))
            .await?
            .ok_or_else(|| Error::MissingClientSecret(profile.name.clone()))?;
        if stored.origin.is_some() {
            return Ok(stored);
        }
        let bound = StoredSecret::entered_for(stored.secret, profile)?;
        let (owned, entry) = (profile.name.clone(), bound.clone());
        if let Err(e) = self
            .keyring_call(move |k| k.set_client_secret(&owned, &entry))
            .await
        {
            tracing::warn!(profile = %profile.name, "could not record the client secret's origin: {e}");
        }
        Ok(bound)
    }

    /// Secret store calls block on D-Bus, the platform's API or the file's lock: keep them
    /// off the async threads.
    async fn keyring_call<T: Send + 'static>(
        &self,
        call: impl FnOnce(&SecretStore) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let secrets = self.secrets.clone();
        tokio::task::spawn_blocking(move || call(&secrets))
            .await
            .map_err(|e| Error::KeyringUnavailable {
                detail: format!("the keyring call did not finish: {e}"),
            })?
    }
}
