//! The encrypted secret file, `secrets.age` beside the profiles: the store where no
//! Secret Service answers (SSH boxes, containers, WSL, CI). Nothing in it is plaintext.
//!
//! The file is text, two age (age-encryption.org/v1) blocks in ASCII armour after a
//! comment line:
//!
//! 1. **the key**: an age X25519 identity (`AGE-SECRET-KEY-1…`), encrypted with the
//!    user's passphrase (age's scrypt recipient, work factor tuned to about a second);
//! 2. **the entries**: `{"format":1,"entries":{"<profile>/client-secret": …}}`, encrypted
//!    to that identity's public key.
//!
//! So the passphrase's slow derivation runs once per unlock, not per write, and the
//! unlocked key (the identity) is what a session keeps (`session_key`). Either block is
//! read by the `age` tool (`age -d`, the second with `-i` and the first's plaintext).
//! Every change reads the file, decrypts it, changes one entry and writes it whole,
//! atomically, under a lock across processes: a file that cannot be read is never
//! written over, and two processes writing at once both keep their entry.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use age::secrecy::{ExposeSecret, SecretString};
use chrono::{DateTime, Local};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::session_key::SessionKey;
use crate::error::{Error, Result};
use crate::files::{write_atomically, FileLock};
use crate::secret::Secret;

pub const FILE_NAME: &str = "secrets.age";
const LOCK_FILE_NAME: &str = "secrets.age.lock";
/// Far above what any number of profiles needs; a bigger file is not ours.
const MAX_FILE_BYTES: u64 = 4 << 20;
const FORMAT: u32 = 1;
const COMMENT: &str = "# AuthDesk's client secrets and tokens, encrypted (age-encryption.org/v1): the first block is the key, encrypted with your passphrase; the second holds the entries, encrypted to that key. Do not edit.";
const BEGIN: &str = "-----BEGIN AGE ENCRYPTED FILE-----";
const END: &str = "-----END AGE ENCRYPTED FILE-----";
/// A new passphrase must be at least this long: it is all that guards a copied file.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

#[derive(Serialize, Deserialize)]
struct Contents {
    format: u32,
    entries: BTreeMap<String, Secret>,
}

/// The encrypted file of one profile folder.
#[derive(Debug)]
pub struct EncryptedFile {
    path: PathBuf,
    lock_path: PathBuf,
    session: SessionKey,
    /// How long an unlock lasts in the session keyring; 0 keeps nothing there.
    minutes: u64,
    /// The key, held by this process where the session cannot keep it (no kernel
    /// keyring, or `minutes` 0): a window asks once, a CLI command once.
    in_memory: Mutex<Option<Secret>>,
}

/// Whether the file can be used now, for `doctor` and a passphrase prompt.
#[derive(Debug, Clone)]
pub enum FileState {
    /// No file yet: the first unlock sets the passphrase.
    New,
    Locked,
    /// Unlocked; until when, if the session keeps the key.
    Unlocked {
        until: Option<DateTime<Local>>,
    },
}

/// What an unlock did.
#[derive(Debug, Clone)]
pub struct Unlocked {
    /// The file was made, with this passphrase.
    pub created: bool,
    /// Until when the session keeps the key, or why it cannot (then each process asks).
    pub kept: std::result::Result<DateTime<Local>, String>,
}

impl EncryptedFile {
    pub fn new(dir: &Path, minutes: u64) -> Self {
        let path = dir.join(FILE_NAME);
        EncryptedFile {
            session: SessionKey::for_file(&path),
            lock_path: dir.join(LOCK_FILE_NAME),
            path,
            minutes,
            in_memory: Mutex::new(None),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why the session cannot keep the unlocked key, if it cannot.
    pub fn session_unavailable(&self) -> Option<String> {
        if self.minutes == 0 {
            return Some("the unlock timeout is 0 minutes".into());
        }
        self.session.availability().err()
    }

    /// Who shares what an unlock keeps, in words: "this login session", or every session
    /// of the user where the login has no session keyring of its own.
    pub fn session_scope(&self) -> &'static str {
        if self.session.shared_by_all_logins() {
            "every session of your user on this machine (this login has no session keyring of its own)"
        } else {
            "this login session"
        }
    }

    pub fn state(&self) -> Result<FileState> {
        let text = self.read()?;
        if let Some(identity) = self.identity()? {
            // The key kept must open the file there now: the file may have been moved
            // away (a new one is made) or replaced by another session's since.
            let Some(text) = &text else {
                self.lock_now()?;
                return Ok(FileState::New);
            };
            return match self.open_entries(text, &identity, true) {
                Ok(_) => Ok(FileState::Unlocked {
                    until: self.session_until(),
                }),
                Err(Error::SecretFileLocked { .. }) => Ok(FileState::Locked),
                Err(e) => Err(e),
            };
        }
        Ok(if text.is_some() {
            FileState::Locked
        } else {
            FileState::New
        })
    }

    fn session_until(&self) -> Option<DateTime<Local>> {
        if self.minutes == 0 {
            return None;
        }
        self.session
            .recall(self.minutes)
            .ok()
            .flatten()
            .map(|kept| kept.until)
    }

    /// Opens the file with `passphrase`, or makes it when there is none (the passphrase
    /// then at least [`MIN_PASSPHRASE_CHARS`] long), and keeps the key for the session.
    pub fn unlock(&self, passphrase: &Secret) -> Result<Unlocked> {
        let _lock = self.lock()?;
        let (identity, created) = match self.read()? {
            Some(text) => (self.open_key(&text, passphrase)?, false),
            None => (self.create(passphrase)?, true),
        };
        let kept = if self.minutes == 0 {
            Err("the unlock timeout is 0 minutes".into())
        } else {
            self.session.remember(&identity, self.minutes)
        };
        if let Err(why) = &kept {
            tracing::debug!("the unlocked key is kept by this process only: {why}");
            *self.memory() = Some(identity);
        }
        Ok(Unlocked { created, kept })
    }

    /// Forgets the unlocked key, in the session and in this process; whether the session
    /// held one.
    pub fn lock_now(&self) -> Result<bool> {
        let held_here = self.memory().take().is_some();
        match self.session.forget() {
            Ok(held) => Ok(held || held_here),
            // Nothing can be in a session keyring that cannot be used.
            Err(_) if self.session.availability().is_err() => Ok(held_here),
            Err(detail) => Err(Error::Config(format!(
                "The unlocked key could not be taken out of the kernel keyring ({detail}); `keyctl purge user authdesk:secrets:` removes it."
            ))),
        }
    }

    pub fn get(&self, key: &str) -> Result<Option<Secret>> {
        let Some(text) = self.read()? else {
            return Ok(None);
        };
        let identity = self.identity()?.ok_or_else(|| self.locked())?;
        let mut contents = self.open_entries(&text, &identity, true)?;
        Ok(contents.entries.remove(key))
    }

    pub fn set(&self, key: &str, value: &str) -> Result<()> {
        self.change(|entries| {
            entries.insert(key.to_owned(), Secret::new(value));
        })
    }

    pub fn delete(&self, key: &str) -> Result<()> {
        if self.read()?.is_none() {
            return Ok(());
        }
        self.change(|entries| {
            entries.remove(key);
        })
    }

    /// Read, decrypt, change, encrypt, replace: under the lock, and only from a file that
    /// was read whole.
    fn change(&self, edit: impl FnOnce(&mut BTreeMap<String, Secret>)) -> Result<()> {
        let _lock = self.lock()?;
        let identity = self.identity()?.ok_or_else(|| self.locked())?;
        let text = self.read()?.ok_or_else(|| self.locked())?;
        let (key_block, _) = blocks(&text).map_err(|detail| self.damaged(detail))?;
        let mut contents = self.open_entries(&text, &identity, true)?;
        edit(&mut contents.entries);
        let entries_block = seal_entries(&contents, &identity)?;
        self.write(key_block, &entries_block)
    }

    /// The key this process may use: the session's, else its own (kept only where the
    /// session could not keep it, so `authdesk lock` and the timeout reach every process
    /// of the session).
    fn identity(&self) -> Result<Option<Secret>> {
        if self.minutes > 0 {
            match self.session.recall(self.minutes) {
                Ok(Some(kept)) => return Ok(Some(kept.identity)),
                Ok(None) => {}
                Err(why) => tracing::debug!("the session keeps no key: {why}"),
            }
        }
        Ok(self.memory().clone())
    }

    fn memory(&self) -> MutexGuard<'_, Option<Secret>> {
        self.in_memory
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn create(&self, passphrase: &Secret) -> Result<Secret> {
        if passphrase.expose().chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(Error::Config(format!(
                "Choose a passphrase of at least {MIN_PASSPHRASE_CHARS} characters for the encrypted secret file: it is all that guards a copy of the file."
            )));
        }
        let identity = age::x25519::Identity::generate();
        let identity_text = Secret::new(identity.to_string().expose_secret().to_owned());
        let recipient =
            age::scrypt::Recipient::new(SecretString::from(passphrase.expose().to_owned()));
        let key_block = age::encrypt_and_armor(&recipient, identity_text.expose().as_bytes())
            .map_err(|e| internal("encrypt the file's key", e.to_string()))?;
        let empty = Contents {
            format: FORMAT,
            entries: BTreeMap::new(),
        };
        let entries_block = seal_entries(&empty, &identity_text)?;
        self.write(&key_block, &entries_block)?;
        Ok(identity_text)
    }

    /// The key from the first block, with the passphrase; the second block must open
    /// with it, or the file is damaged.
    fn open_key(&self, text: &str, passphrase: &Secret) -> Result<Secret> {
        let (key_block, _) = blocks(text).map_err(|detail| self.damaged(detail))?;
        let mut unlocker =
            age::scrypt::Identity::new(SecretString::from(passphrase.expose().to_owned()));
        // A file claiming far more work than ours would stalls every unlock: refuse it.
        unlocker.set_max_work_factor(22);
        let mut plain = match age::decrypt(&unlocker, key_block.as_bytes()) {
            Ok(plain) => plain,
            // age's words for an scrypt stanza whose key the passphrase did not make.
            Err(age::DecryptError::DecryptionFailed)
            | Err(age::DecryptError::KeyDecryptionFailed) => {
                return Err(Error::WrongPassphrase {
                    path: self.path.clone(),
                })
            }
            Err(age::DecryptError::NoMatchingKeys) => {
                return Err(self.damaged("its key is not encrypted with a passphrase".into()))
            }
            Err(e) => return Err(self.damaged(format!("its key: {e}"))),
        };
        let identity = String::from_utf8(std::mem::take(&mut plain))
            .map(Secret::new)
            .map_err(|e| {
                e.into_bytes().zeroize();
                self.damaged("its key is not text".into())
            })?;
        parse_identity(&identity).map_err(|detail| self.damaged(detail))?;
        self.open_entries(text, &identity, false)?;
        Ok(identity)
    }

    /// The entries, opened with `identity`: one `recalled` from the session (which may
    /// belong to a file since replaced), or one just read from this file's own key block
    /// (then a key that does not fit is damage).
    fn open_entries(&self, text: &str, identity: &Secret, recalled: bool) -> Result<Contents> {
        let (_, entries_block) = blocks(text).map_err(|detail| self.damaged(detail))?;
        let key = parse_identity(identity).map_err(|detail| self.damaged(detail))?;
        let mut plain = match age::decrypt(&key, entries_block.as_bytes()) {
            Ok(plain) => plain,
            Err(age::DecryptError::NoMatchingKeys) if !recalled => {
                return Err(self.damaged("its entries do not open with its own key".into()))
            }
            Err(age::DecryptError::NoMatchingKeys) => {
                // Another file took this one's place since the key was kept.
                tracing::warn!(
                    "{} is not the file this session unlocked; it must be unlocked again",
                    self.path.display()
                );
                let _ = self.lock_now();
                return Err(self.locked());
            }
            Err(e) => return Err(self.damaged(format!("its entries: {e}"))),
        };
        let parsed = serde_json::from_slice::<Contents>(&plain);
        plain.zeroize();
        let contents = parsed.map_err(|e| self.damaged(format!("its entries: {e}")))?;
        if contents.format != FORMAT {
            return Err(self.damaged(format!(
                "its entries are in format {}, from a newer AuthDesk",
                contents.format
            )));
        }
        Ok(contents)
    }

    /// The file's text, or `None` when there is no file.
    fn read(&self) -> Result<Option<String>> {
        let file = match std::fs::File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(self.io("read", source)),
        };
        let mut text = String::new();
        file.take(MAX_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::InvalidData => self.damaged("it is not text".into()),
                _ => self.io("read", source),
            })?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(self.damaged(format!("it is over {} MiB", MAX_FILE_BYTES >> 20)));
        }
        Ok(Some(text))
    }

    fn write(&self, key_block: &str, entries_block: &str) -> Result<()> {
        let text = format!(
            "{COMMENT}\n{}\n{}\n",
            key_block.trim_end(),
            entries_block.trim_end()
        );
        write_atomically(&self.path, text.as_bytes()).map_err(|source| self.io("written", source))
    }

    fn lock(&self) -> Result<FileLock> {
        FileLock::exclusive(&self.lock_path).map_err(|source| self.io("locked", source))
    }

    fn locked(&self) -> Error {
        Error::SecretFileLocked {
            path: self.path.clone(),
        }
    }

    fn damaged(&self, detail: String) -> Error {
        Error::SecretFileDamaged {
            path: self.path.clone(),
            detail,
        }
    }

    fn io(&self, action: &'static str, source: std::io::Error) -> Error {
        Error::SecretFile {
            action,
            path: self.path.clone(),
            source,
        }
    }
}

fn parse_identity(identity: &Secret) -> std::result::Result<age::x25519::Identity, String> {
    identity
        .expose()
        .parse::<age::x25519::Identity>()
        .map_err(|e| format!("its key is not an age key: {e}"))
}

fn seal_entries(contents: &Contents, identity: &Secret) -> Result<String> {
    let key = parse_identity(identity).map_err(|e| internal("read the file's key", e))?;
    let mut plain = serde_json::to_vec(contents)
        .map_err(|e| internal("encode the secret entries", e.to_string()))?;
    let sealed = age::encrypt_and_armor(&key.to_public(), &plain);
    plain.zeroize();
    sealed.map_err(|e| internal("encrypt the secret entries", e.to_string()))
}

fn internal(what: &'static str, detail: String) -> Error {
    Error::Internal { what, detail }
}

/// The two armoured blocks, each from its BEGIN line to its END line; around them only
/// comment and empty lines. A missing END (a cut file) or a third block is damage.
fn blocks(text: &str) -> std::result::Result<(&str, &str), String> {
    let mut found = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    loop {
        let Some(begin) = rest.find(BEGIN) else {
            if rest
                .lines()
                .any(|l| !l.trim().is_empty() && !l.starts_with('#'))
            {
                return Err("it holds text outside its blocks".into());
            }
            break;
        };
        if rest[..begin]
            .lines()
            .any(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            return Err("it holds text outside its blocks".into());
        }
        let Some(end) = rest[begin..].find(END) else {
            return Err("a block has no end: the file was cut short".into());
        };
        let stop = begin + end + END.len();
        found.push(&text[offset + begin..offset + stop]);
        offset += stop;
        rest = &text[offset..];
    }
    match found[..] {
        [key, entries] => Ok((key, entries)),
        [] => Err("it holds no encrypted block".into()),
        [_] => Err("its second block is missing: the file was cut short".into()),
        _ => Err("it holds more than two blocks".into()),
    }
}

#[cfg(test)]
mod tests;
