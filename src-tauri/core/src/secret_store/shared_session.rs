//! A Secret Service store for the `keyring` crate that keeps one D-Bus connection and one
//! encrypted session for the whole process. keyring 3's own store opens both anew for every
//! call (twice for a write, plus a second search on a miss): 15–40 ms each, most of it the
//! session's key exchange, and hundreds of processes doing so at once were the likeliest
//! reason gnome-keyring-daemon once aborted under the benchmark.
//!
//! Items are found and written with exactly the attributes keyring 3 gives them (`service`,
//! `username`, `target` = `default`, `application` = `rust-keyring`), so entries written by
//! earlier AuthDesk versions are the same entries.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use dbus_secret_service::{EncryptionType, Error as SsError, Item, SecretService};
use keyring::credential::{Credential, CredentialApi, CredentialBuilder, CredentialBuilderApi};
use keyring::{Error, Result};

/// The collection keyring 3 writes to (the Secret Service's default alias).
const TARGET: &str = "default";

/// The process's connection and session, made on first use. A call that fails on D-Bus
/// drops it, so a restarted daemon is reached again on the next try.
static SESSION: Mutex<Option<SecretService>> = Mutex::new(None);

/// Builds [`SharedSessionCredential`]s; set once as the default store at start.
#[derive(Debug, Default)]
pub struct SharedSessionBuilder;

pub fn credential_builder() -> Box<CredentialBuilder> {
    Box::new(SharedSessionBuilder)
}

impl CredentialBuilderApi for SharedSessionBuilder {
    fn build(&self, target: Option<&str>, service: &str, user: &str) -> Result<Box<Credential>> {
        Ok(Box::new(SharedSessionCredential {
            target: target.unwrap_or(TARGET).to_owned(),
            service: service.to_owned(),
            user: user.to_owned(),
        }))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// One item, named by its attributes; nothing is asked of the Secret Service until used.
#[derive(Debug, Clone)]
pub struct SharedSessionCredential {
    target: String,
    service: String,
    user: String,
}

impl SharedSessionCredential {
    fn search_attributes(&self) -> HashMap<&str, &str> {
        HashMap::from([
            ("target", self.target.as_str()),
            ("service", self.service.as_str()),
            ("username", self.user.as_str()),
        ])
    }

    /// The one item with these attributes, unlocked, or `NoEntry`/`Ambiguous`.
    fn find<'s>(&self, service: &'s SecretService) -> std::result::Result<Item<'s>, Failure> {
        let found = service.search_items(self.search_attributes())?;
        let mut items: Vec<(Item<'s>, bool)> = found
            .unlocked
            .into_iter()
            .map(|item| (item, false))
            .chain(found.locked.into_iter().map(|item| (item, true)))
            .collect();
        match items.len() {
            0 => Err(Failure::Keyring(Error::NoEntry)),
            1 => {
                let (item, locked) = items.remove(0);
                if locked {
                    item.unlock()?;
                }
                Ok(item)
            }
            n => Err(Failure::Keyring(Error::Ambiguous(
                (0..n)
                    .map(|_| Box::new(self.clone()) as Box<Credential>)
                    .collect(),
            ))),
        }
    }
}

impl CredentialApi for SharedSessionCredential {
    fn set_secret(&self, secret: &[u8]) -> Result<()> {
        with_session(|service| match self.find(service) {
            Ok(item) => Ok(item.set_secret(secret, "text/plain")?),
            Err(Failure::Keyring(Error::NoEntry)) => {
                let collection = service.get_default_collection()?;
                // As keyring's own store does: a locked keyring asks to be unlocked here.
                collection.ensure_unlocked()?;
                let mut attributes = self.search_attributes();
                attributes.insert("application", "rust-keyring");
                let label = format!("{}@{}:{}", self.user, self.service, self.target);
                collection.create_item(&label, attributes, secret, true, "text/plain")?;
                Ok(())
            }
            Err(other) => Err(other),
        })
    }

    fn get_secret(&self) -> Result<Vec<u8>> {
        with_session(|service| Ok(self.find(service)?.get_secret()?))
    }

    /// Whether the item exists, found by its attributes alone: the secret is not read.
    fn get_attributes(&self) -> Result<HashMap<String, String>> {
        with_session(|service| {
            let mut attributes = self.find(service)?.get_attributes()?;
            for controlled in ["target", "service", "username"] {
                attributes.remove(controlled);
            }
            Ok(attributes)
        })
    }

    fn delete_credential(&self) -> Result<()> {
        with_session(|service| Ok(self.find(service)?.delete()?))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Why a call failed: the Secret Service's own error, or the answer already in keyring's
/// terms (no entry, several).
enum Failure {
    Service(SsError),
    Keyring(Error),
}

impl From<SsError> for Failure {
    fn from(error: SsError) -> Self {
        Failure::Service(error)
    }
}

/// Runs `call` on the process's session, connecting first if there is none. A D-Bus
/// failure (the daemon restarted, the session expired) drops the session and the call
/// is tried once more on a new one; every call here is safe to repeat.
fn with_session<T>(call: impl Fn(&SecretService) -> std::result::Result<T, Failure>) -> Result<T> {
    let mut session = lock_session();
    for attempt in 0..2 {
        if session.is_none() {
            *session = Some(SecretService::connect(EncryptionType::Dh).map_err(keyring_error)?);
        }
        let Some(service) = session.as_ref() else {
            break;
        };
        match call(service) {
            Ok(value) => return Ok(value),
            Err(Failure::Keyring(error)) => return Err(error),
            Err(Failure::Service(SsError::Dbus(error))) if attempt == 0 => {
                tracing::debug!("Secret Service call failed ({error}); connecting again");
                *session = None;
            }
            Err(Failure::Service(error)) => {
                if matches!(error, SsError::Dbus(_)) {
                    *session = None;
                }
                return Err(keyring_error(error));
            }
        }
    }
    Err(keyring_error(SsError::Unavailable))
}

/// A call that panicked while holding the lock left nothing half-done in the session
/// worth refusing later calls over.
fn lock_session() -> MutexGuard<'static, Option<SecretService>> {
    SESSION
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The Secret Service's errors in keyring's terms, as keyring 3's own store maps them.
fn keyring_error(error: SsError) -> Error {
    match error {
        SsError::Locked | SsError::NoResult | SsError::Prompt => {
            Error::NoStorageAccess(Box::new(error))
        }
        _ => Error::PlatformFailure(Box::new(error)),
    }
}

/// Whether a Secret Service answers on the session bus: a connection and its session,
/// kept for the calls that follow. The error's words say why none answered.
pub fn probe() -> std::result::Result<(), String> {
    let mut session = lock_session();
    if session.is_none() {
        *session = Some(SecretService::connect(EncryptionType::Dh).map_err(|e| e.to_string())?);
    }
    Ok(())
}
