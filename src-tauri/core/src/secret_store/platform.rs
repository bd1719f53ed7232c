//! The OS keyring as a store: the Secret Service on Linux (our own `shared_session`,
//! one session per process, behind the `keyring` crate's API), the Keychain on macOS and
//! the Credential Manager on Windows (keyring's platform stores).

use std::sync::Once;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// Picks the platform store once, explicitly: keyring 3 would otherwise fall back to an
/// in-memory mock on a platform without a store, and secrets would vanish at exit.
fn install_platform_store() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(target_os = "linux")]
        keyring::set_default_credential_builder(super::shared_session::credential_builder());
        #[cfg(target_os = "macos")]
        keyring::set_default_credential_builder(keyring::macos::default_credential_builder());
        #[cfg(target_os = "windows")]
        keyring::set_default_credential_builder(keyring::windows::default_credential_builder());
    });
}

/// The entries under one service name. Calls block on the platform store (D-Bus on
/// Linux).
#[derive(Debug, Clone)]
pub(super) struct PlatformStore {
    service: String,
}

impl PlatformStore {
    pub(super) fn new(service: String) -> Result<Self> {
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
        Ok(PlatformStore { service })
    }

    pub(super) fn service(&self) -> &str {
        &self.service
    }

    /// Whether the entry exists, asked by the item's attributes: the secret itself is not
    /// read (on Linux; other platforms' stores read it to answer).
    pub(super) fn contains(&self, key: &str) -> Result<bool> {
        match self.entry(key)?.get_attributes() {
            Ok(_) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, key).map_err(unavailable)
    }

    pub(super) fn get(&self, key: &str) -> Result<Option<Secret>> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    pub(super) fn set(&self, key: &str, value: &str) -> Result<()> {
        self.entry(key)?.set_password(value).map_err(unavailable)
    }

    pub(super) fn delete(&self, key: &str) -> Result<()> {
        match self.entry(key)?.delete_credential() {
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
