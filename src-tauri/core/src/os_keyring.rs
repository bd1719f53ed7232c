//! The OS keyring: each profile's client secret and current tokens. Nothing secret is
//! ever written anywhere else, and there is deliberately no fallback store. On Linux the
//! store is our own `shared_session` (one Secret Service session per process) behind the
//! `keyring` crate's API; macOS and Windows use keyring's platform stores.

#[cfg(target_os = "linux")]
mod shared_session;

use std::sync::Once;

use crate::error::{Error, Result};
use crate::profiles::StoredSecret;
use crate::secret::Secret;
use crate::tokens::TokenSet;

const SERVICE: &str = "authdesk";

/// Picks the platform store once, explicitly: keyring 3 would otherwise fall back to an
/// in-memory mock on a platform without a store, and secrets would vanish at exit.
fn install_platform_store() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(target_os = "linux")]
        keyring::set_default_credential_builder(shared_session::credential_builder());
        #[cfg(target_os = "macos")]
        keyring::set_default_credential_builder(keyring::macos::default_credential_builder());
        #[cfg(target_os = "windows")]
        keyring::set_default_credential_builder(keyring::windows::default_credential_builder());
    });
}

/// The keyring entries of AuthDesk. Calls block on the platform store (D-Bus on Linux);
/// async callers run them on a blocking thread.
#[derive(Debug, Clone)]
pub struct Keyring {
    service: String,
}

#[derive(Clone, Copy)]
enum Item {
    ClientSecret,
    Tokens,
}

impl Item {
    fn key(self, profile: &str) -> String {
        match self {
            Item::ClientSecret => format!("{profile}/client-secret"),
            Item::Tokens => format!("{profile}/tokens"),
        }
    }
}

impl Keyring {
    /// The entries of the default profile folder.
    pub fn new() -> Result<Self> {
        Self::with_service(SERVICE.to_owned())
    }

    /// The entries of profiles kept in another folder (`AUTHDESK_CONFIG_DIR`): a profile
    /// named like one elsewhere must not share, overwrite or delete its secret.
    pub fn for_config_dir(dir: &std::path::Path) -> Result<Self> {
        use sha2::{Digest, Sha256};
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
        let tag: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        Self::with_service(format!("{SERVICE}:{tag}"))
    }

    /// The Secret Service `service` attribute (keychain service name) of these entries;
    /// each entry's `username` is `<profile>/client-secret` or `<profile>/tokens`.
    pub fn service(&self) -> &str {
        &self.service
    }

    fn with_service(service: String) -> Result<Self> {
        if !cfg!(any(
            target_os = "linux",
            target_os = "macos",
            target_os = "windows"
        )) {
            return Err(Error::KeyringUnavailable {
                detail: "AuthDesk knows no keyring on this operating system".into(),
            });
        }
        install_platform_store();
        Ok(Keyring { service })
    }

    /// The client secret and the origin it was entered for (none for entries of
    /// versions that did not keep it).
    pub fn client_secret(&self, profile: &str) -> Result<Option<StoredSecret>> {
        self.get(Item::ClientSecret, profile)?
            .map(|entry| StoredSecret::from_entry(entry, profile))
            .transpose()
    }

    /// Whether a client secret is stored, asked by the item's attributes: the secret itself
    /// is not read (on Linux; other platforms' stores read it to answer).
    pub fn has_client_secret(&self, profile: &str) -> Result<bool> {
        match self.entry(Item::ClientSecret, profile)?.get_attributes() {
            Ok(_) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }

    pub fn set_client_secret(&self, profile: &str, stored: &StoredSecret) -> Result<()> {
        if stored.secret.is_empty() {
            return Err(Error::Config("The client secret is empty; paste the one the server showed when the application was created.".into()));
        }
        self.set(Item::ClientSecret, profile, stored.to_entry()?.expose())
    }

    pub fn tokens(&self, profile: &str) -> Result<Option<TokenSet>> {
        let Some(json) = self.get(Item::Tokens, profile)? else {
            return Ok(None);
        };
        // A damaged entry is treated as absent rather than fatal: the user can get new tokens.
        match serde_json::from_str(json.expose()) {
            Ok(tokens) => Ok(Some(tokens)),
            Err(e) => {
                tracing::warn!(
                    profile,
                    "ignoring an unreadable token entry in the keyring: {e}"
                );
                Ok(None)
            }
        }
    }

    pub fn set_tokens(&self, profile: &str, tokens: &TokenSet) -> Result<()> {
        let json =
            Secret::new(
                serde_json::to_string(tokens).map_err(|e| Error::KeyringUnavailable {
                    detail: format!("could not encode the tokens: {e}"),
                })?,
            );
        self.set(Item::Tokens, profile, json.expose())
    }

    pub fn delete_client_secret(&self, profile: &str) -> Result<()> {
        self.delete(Item::ClientSecret, profile)
    }

    pub fn delete_tokens(&self, profile: &str) -> Result<()> {
        self.delete(Item::Tokens, profile)
    }

    /// Removes every entry of a profile; entries already gone are fine.
    pub fn delete_profile(&self, profile: &str) -> Result<()> {
        self.delete(Item::ClientSecret, profile)?;
        self.delete(Item::Tokens, profile)
    }

    fn entry(&self, item: Item, profile: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, &item.key(profile)).map_err(unavailable)
    }

    fn get(&self, item: Item, profile: &str) -> Result<Option<Secret>> {
        match self.entry(item, profile)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn set(&self, item: Item, profile: &str, value: &str) -> Result<()> {
        self.entry(item, profile)?
            .set_password(value)
            .map_err(unavailable)
    }

    fn delete(&self, item: Item, profile: &str) -> Result<()> {
        match self.entry(item, profile)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// Only the error's words are kept: `BadEncoding` carries the secret's bytes.
fn unavailable(error: keyring::Error) -> Error {
    let detail = match &error {
        keyring::Error::BadEncoding(_) => "an entry is not valid UTF-8".to_owned(),
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            let text = inner.to_string();
            if text.contains("org.freedesktop.secrets")
                || text.contains("DBus")
                || text.contains("D-Bus")
            {
                format!("no Secret Service answered on the session bus: {text}")
            } else if text.to_lowercase().contains("locked") || text.contains("prompt") {
                format!("it is locked, and its unlock prompt was dismissed or could not be shown: {text}")
            } else {
                text
            }
        }
        other => other.to_string(),
    };
    Error::KeyringUnavailable { detail }
}
