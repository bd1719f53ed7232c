//! Where each profile's client secret and current tokens are kept: the OS keyring
//! (`platform`: the Secret Service, the Keychain, the Credential Manager) or, where no
//! Secret Service answers, an encrypted file beside the profiles (`encrypted_file`,
//! unlocked for a session through the kernel keyring, `session_key`). Nothing secret is
//! ever written anywhere else, and there is no plaintext fallback.
//!
//! The store is chosen once per process: `AUTHDESK_SECRET_STORE` (`secret-service` or
//! `file`), else `secret_store` in `settings.toml`, else the Secret Service when one
//! answers on the session bus and the file when none does (Linux); macOS and Windows
//! use their keyring unless told otherwise.

mod encrypted_file;
mod platform;
mod session_key;
#[cfg(target_os = "linux")]
mod shared_session;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

pub use encrypted_file::{FileState, Unlocked, MIN_PASSPHRASE_CHARS};

use encrypted_file::EncryptedFile;
use platform::PlatformStore;

use crate::error::{Error, Result};
use crate::profiles::StoredSecret;
use crate::secret::Secret;
use crate::tokens::TokenSet;

const SERVICE: &str = "authdesk";
/// How long an unlocked file stays unlocked after its last use, as sudo's default.
pub const DEFAULT_UNLOCK_MINUTES: u64 = 15;

/// The secret store of one profile folder. Calls block (on D-Bus, the platform's API, or
/// the file and its lock); async callers run them on a blocking thread.
#[derive(Debug, Clone)]
pub struct SecretStore {
    /// The store and why it was chosen (for `doctor`: "AUTHDESK_SECRET_STORE=file"), or
    /// why none can be used; made at the first call that needs it, so that commands which
    /// touch no secret (`profile list`) never ask the session bus.
    chosen: Arc<OnceLock<std::result::Result<(Backend, String), String>>>,
    /// How to choose, when nothing was named: the profile folder, whether its keyring
    /// entries have a service name of their own, and the file's unlock timeout.
    automatic: Option<(PathBuf, bool, u64)>,
}

#[derive(Debug, Clone)]
enum Backend {
    Platform(PlatformStore),
    File(Arc<EncryptedFile>),
}

/// Which store, as a setting names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// The OS keyring (named for Linux's; the Keychain or Credential Manager elsewhere).
    SecretService,
    File,
}

impl StoreKind {
    fn parse(text: &str, from: &str) -> Result<Self> {
        match text.trim() {
            "secret-service" | "keyring" => Ok(StoreKind::SecretService),
            "file" => Ok(StoreKind::File),
            other => Err(Error::Config(format!(
                "{from} is \"{other}\"; it can be \"secret-service\" (the OS keyring) or \"file\" (the encrypted file beside the profiles)."
            ))),
        }
    }
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

impl SecretStore {
    /// The store for a profile folder, chosen as the module says. `own_entries`: the
    /// folder is not the default one (`AUTHDESK_CONFIG_DIR`), so its keyring entries get a
    /// service name of their own.
    pub fn open(dir: &Path, own_entries: bool) -> Result<Self> {
        // Settings are read now, so a bad one is said before anything else happens.
        let minutes = unlock_minutes(dir)?;
        let Some((kind, chosen_by)) = chosen_kind(dir)? else {
            return Ok(SecretStore {
                chosen: Arc::default(),
                automatic: Some((dir.to_path_buf(), own_entries, minutes)),
            });
        };
        Ok(Self::ready(build(
            kind,
            chosen_by,
            dir,
            own_entries,
            minutes,
        )))
    }

    /// The OS keyring's entries of the default profile folder.
    pub fn new() -> Result<Self> {
        Self::keyring(SERVICE.to_owned())
    }

    /// The OS keyring's entries of profiles kept in another folder (`AUTHDESK_CONFIG_DIR`):
    /// a profile named like one elsewhere must not share, overwrite or delete its secret.
    pub fn for_config_dir(dir: &Path) -> Result<Self> {
        Self::keyring(service_for_dir(dir))
    }

    fn keyring(service: String) -> Result<Self> {
        let backend = Backend::Platform(PlatformStore::new(service)?);
        Ok(Self::ready(Ok((backend, "asked for".into()))))
    }

    fn ready(chosen: std::result::Result<(Backend, String), String>) -> Self {
        SecretStore {
            chosen: Arc::new(OnceLock::from(chosen)),
            automatic: None,
        }
    }

    /// The store, chosen on first use; an error names why no store can be used.
    fn chosen(&self) -> Result<(&Backend, &str)> {
        let chosen = self.chosen.get_or_init(|| {
            let Some((dir, own_entries, minutes)) = &self.automatic else {
                return Err("no secret store was chosen".into());
            };
            let (kind, chosen_by) = automatic();
            build(kind, chosen_by, dir, *own_entries, *minutes)
        });
        match chosen {
            Ok((backend, chosen_by)) => Ok((backend, chosen_by)),
            Err(detail) => Err(Error::KeyringUnavailable {
                detail: detail.clone(),
            }),
        }
    }

    fn backend(&self) -> Result<&Backend> {
        self.chosen().map(|(backend, _)| backend)
    }

    pub fn kind(&self) -> StoreKind {
        match self.backend() {
            Ok(Backend::File(_)) => StoreKind::File,
            _ => StoreKind::SecretService,
        }
    }

    /// The store in words, and its state: "Secret Service (service authdesk)", "encrypted
    /// file …/secrets.age, unlocked until 14:32".
    pub fn describe(&self) -> String {
        let (backend, chosen_by) = match self.chosen() {
            Ok(chosen) => chosen,
            Err(e) => return e.to_string(),
        };
        match backend {
            Backend::Platform(store) => format!(
                "{} (service \"{}\"; {})",
                platform_name(),
                store.service(),
                chosen_by
            ),
            Backend::File(file) => {
                let state = match file.state() {
                    Ok(FileState::New) => {
                        "not made yet: the first command sets its passphrase".to_owned()
                    }
                    Ok(FileState::Locked) => "locked".to_owned(),
                    Ok(FileState::Unlocked { until: Some(until) }) => {
                        format!("unlocked until {}", until.format("%H:%M"))
                    }
                    Ok(FileState::Unlocked { until: None }) => {
                        "unlocked in this process only".to_owned()
                    }
                    Err(e) => e.to_string(),
                };
                format!(
                    "encrypted file {}, {state} ({})",
                    file.path().display(),
                    chosen_by
                )
            }
        }
    }

    /// The store in a few words, for "its client secret is in …": "the OS keyring", "the
    /// encrypted file …/secrets.age".
    pub fn where_kept(&self) -> String {
        match self.backend() {
            Ok(Backend::File(file)) => format!("the encrypted file {}", file.path().display()),
            _ => "the OS keyring".into(),
        }
    }

    /// For the encrypted file: whether it needs a passphrase before use (`New` asks for a
    /// new one). `None` for the OS keyring, which unlocks itself.
    pub fn file_state(&self) -> Result<Option<FileState>> {
        match self.backend()? {
            Backend::Platform(_) => Ok(None),
            Backend::File(file) => file.state().map(Some),
        }
    }

    /// Why a session cannot keep the file unlocked (each process then asks), if it cannot.
    pub fn session_unavailable(&self) -> Option<String> {
        match self.backend() {
            Ok(Backend::File(file)) => file.session_unavailable(),
            _ => None,
        }
    }

    /// Who shares the encrypted file's unlock ("this login session"), when that is the store.
    pub fn session_scope(&self) -> Option<&'static str> {
        match self.backend() {
            Ok(Backend::File(file)) => Some(file.session_scope()),
            _ => None,
        }
    }

    /// The encrypted file's path, when that is the store.
    pub fn file_path(&self) -> Option<&Path> {
        match self.backend() {
            Ok(Backend::File(file)) => Some(file.path()),
            _ => None,
        }
    }

    /// Opens the encrypted file (or makes it, with this passphrase) and keeps it unlocked
    /// for the session. The OS keyring needs none of this: `Ok(None)`.
    pub fn unlock(&self, passphrase: &Secret) -> Result<Option<Unlocked>> {
        match self.backend()? {
            Backend::Platform(_) => Ok(None),
            Backend::File(file) => file.unlock(passphrase).map(Some),
        }
    }

    /// Forgets the encrypted file's unlocked key; whether the session held one.
    pub fn lock(&self) -> Result<bool> {
        match self.backend()? {
            Backend::Platform(_) => Ok(false),
            Backend::File(file) => file.lock_now(),
        }
    }

    /// The Secret Service `service` attribute (keychain service name) of the OS keyring's
    /// entries; each entry's `username` is `<profile>/client-secret` or `<profile>/tokens`.
    pub fn service(&self) -> Option<&str> {
        match self.backend() {
            Ok(Backend::Platform(store)) => Some(store.service()),
            _ => None,
        }
    }

    /// The client secret and the origin it was entered for (none for entries of
    /// versions that did not keep it).
    pub fn client_secret(&self, profile: &str) -> Result<Option<StoredSecret>> {
        self.get(Item::ClientSecret, profile)?
            .map(|entry| StoredSecret::from_entry(entry, profile))
            .transpose()
    }

    /// Whether a client secret is stored. The Secret Service answers by the item's
    /// attributes without reading the secret.
    pub fn has_client_secret(&self, profile: &str) -> Result<bool> {
        let key = Item::ClientSecret.key(profile);
        match self.backend()? {
            Backend::Platform(store) => store.contains(&key),
            Backend::File(file) => Ok(file.get(&key)?.is_some()),
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
                tracing::warn!(profile, "ignoring an unreadable token entry: {e}");
                Ok(None)
            }
        }
    }

    pub fn set_tokens(&self, profile: &str, tokens: &TokenSet) -> Result<()> {
        let json = Secret::new(serde_json::to_string(tokens).map_err(|e| Error::Internal {
            what: "encode the tokens",
            detail: e.to_string(),
        })?);
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

    fn get(&self, item: Item, profile: &str) -> Result<Option<Secret>> {
        let key = item.key(profile);
        match self.backend()? {
            Backend::Platform(store) => store.get(&key),
            Backend::File(file) => file.get(&key),
        }
    }

    fn set(&self, item: Item, profile: &str, value: &str) -> Result<()> {
        let key = item.key(profile);
        match self.backend()? {
            Backend::Platform(store) => store.set(&key, value),
            Backend::File(file) => file.set(&key, value),
        }
    }

    fn delete(&self, item: Item, profile: &str) -> Result<()> {
        let key = item.key(profile);
        match self.backend()? {
            Backend::Platform(store) => store.delete(&key),
            Backend::File(file) => file.delete(&key),
        }
    }
}

/// The store of a kind for a profile folder; an error says why it cannot be used (the
/// detail of `Error::KeyringUnavailable`).
fn build(
    kind: StoreKind,
    chosen_by: String,
    dir: &Path,
    own_entries: bool,
    minutes: u64,
) -> std::result::Result<(Backend, String), String> {
    let backend = match kind {
        StoreKind::SecretService => {
            let service = if own_entries {
                service_for_dir(dir)
            } else {
                SERVICE.to_owned()
            };
            Backend::Platform(PlatformStore::new(service).map_err(|e| match e {
                Error::KeyringUnavailable { detail } => detail,
                other => other.to_string(),
            })?)
        }
        StoreKind::File => Backend::File(Arc::new(EncryptedFile::new(dir, minutes))),
    };
    Ok((backend, chosen_by))
}

/// `authdesk:<digest of the folder>`: a folder's own service name in the OS keyring.
fn service_for_dir(dir: &Path) -> String {
    use sha2::{Digest, Sha256};
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
    let tag: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("{SERVICE}:{tag}")
}

fn platform_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(target_os = "windows") {
        "Windows Credential Manager"
    } else {
        "Secret Service"
    }
}

/// A key of `settings.toml` in the profile folder (shared with the window's settings).
fn setting(dir: &Path, key: &str) -> Option<toml::Value> {
    let text = std::fs::read_to_string(dir.join("settings.toml")).ok()?;
    let table = text.parse::<toml::Table>().ok()?;
    table.get(key).cloned()
}

/// The store the user named, and where they named it.
fn chosen_kind(dir: &Path) -> Result<Option<(StoreKind, String)>> {
    if let Some(value) = std::env::var_os("AUTHDESK_SECRET_STORE").filter(|v| !v.is_empty()) {
        let from = "AUTHDESK_SECRET_STORE";
        let kind = StoreKind::parse(&value.to_string_lossy(), from)?;
        return Ok(Some((kind, format!("{from}={}", value.to_string_lossy()))));
    }
    match setting(dir, "secret_store") {
        None => Ok(None),
        Some(toml::Value::String(text)) => {
            let from = "secret_store in settings.toml";
            Ok(Some((
                StoreKind::parse(&text, from)?,
                format!("{from}: \"{text}\""),
            )))
        }
        Some(other) => Err(Error::Config(format!(
            "secret_store in settings.toml is {other}; it can be \"secret-service\" or \"file\"."
        ))),
    }
}

/// The Secret Service when one answers, else the file (Linux); the platform's keyring
/// elsewhere.
fn automatic() -> (StoreKind, String) {
    #[cfg(target_os = "linux")]
    match shared_session::probe() {
        Ok(()) => (
            StoreKind::SecretService,
            "it answers on the session bus".into(),
        ),
        Err(why) => {
            tracing::debug!("no Secret Service: {why}");
            (
                StoreKind::File,
                "no Secret Service answers on the session bus".into(),
            )
        }
    }
    #[cfg(not(target_os = "linux"))]
    (StoreKind::SecretService, "the platform's keyring".into())
}

/// `AUTHDESK_UNLOCK_MINUTES`, else `unlock_minutes` in `settings.toml`, else 15; 0 keeps
/// nothing in the session (every process asks).
fn unlock_minutes(dir: &Path) -> Result<u64> {
    let refuse = |from: &str, value: &str| {
        Error::Config(format!(
            "{from} is \"{value}\"; it must be a whole number of minutes, 0 to 10080 (0: ask every time)."
        ))
    };
    let minutes = if let Some(value) =
        std::env::var_os("AUTHDESK_UNLOCK_MINUTES").filter(|v| !v.is_empty())
    {
        let value = value.to_string_lossy().into_owned();
        value
            .trim()
            .parse::<u64>()
            .map_err(|_| refuse("AUTHDESK_UNLOCK_MINUTES", &value))?
    } else {
        match setting(dir, "unlock_minutes") {
            None => DEFAULT_UNLOCK_MINUTES,
            Some(toml::Value::Integer(n)) => u64::try_from(n)
                .map_err(|_| refuse("unlock_minutes in settings.toml", &n.to_string()))?,
            Some(other) => {
                return Err(refuse(
                    "unlock_minutes in settings.toml",
                    &other.to_string(),
                ))
            }
        }
    };
    if minutes > 10_080 {
        return Err(refuse("the unlock timeout", &minutes.to_string()));
    }
    Ok(minutes)
}
