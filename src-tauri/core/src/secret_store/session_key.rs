//! The unlocked key of an encrypted secret file, kept for one login session in the Linux
//! kernel's key retention service (keyutils), never in a file: later commands of the
//! same session (scripts, `exec`, jobs it starts) open the file without a passphrase.
//!
//! The key lives in the session keyring (the one `pam_keyinit` makes at login, or the
//! user's session keyring where the login made none), readable by the processes that
//! possess it, with a timeout the kernel enforces and that each use starts again, like
//! sudo's. Elsewhere (macOS, Windows, a container whose seccomp profile refuses the key
//! system calls) nothing is kept and every process asks.

use chrono::{DateTime, Local};

use crate::secret::Secret;

/// One file's slot in the session keyring.
#[derive(Debug, Clone)]
pub(super) struct SessionKey {
    /// `authdesk:secrets:<digest of the file's path>`: one slot per file.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    description: String,
}

/// What was kept: the key, and until when.
pub(super) struct Remembered {
    pub(super) identity: Secret,
    pub(super) until: DateTime<Local>,
}

impl SessionKey {
    pub(super) fn for_file(path: &std::path::Path) -> Self {
        use sha2::{Digest, Sha256};
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let digest = Sha256::digest(path.as_os_str().as_encoded_bytes());
        let tag: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        SessionKey {
            description: format!("authdesk:secrets:{tag}"),
        }
    }
}

#[cfg(target_os = "linux")]
mod kernel {
    use chrono::{Local, TimeZone};
    use linux_keyutils::{
        Key, KeyError, KeyPermissionsBuilder, KeyRing, KeyRingIdentifier, Permission,
    };
    use zeroize::Zeroize;

    use super::{Remembered, SessionKey};
    use crate::secret::Secret;

    /// Why nothing can be kept, in words for a person.
    pub(in crate::secret_store) type Unavailable = String;

    fn session_keyring() -> Result<KeyRing, Unavailable> {
        // Without `create`, a process with no session keyring gets the user's session
        // keyring, which outlives it; creating one would end with this process.
        KeyRing::from_special_id(KeyRingIdentifier::Session, false)
            .map_err(|e| format!("the kernel keyring cannot be used here: {}", words(e)))
    }

    fn words(error: KeyError) -> String {
        match error {
            KeyError::KeyRevoked => "this session's keyring was revoked".into(),
            KeyError::KeyExpired => "this session's keyring expired".into(),
            KeyError::OperationNotSupported | KeyError::Unknown(38) => {
                "the kernel has no key retention service".into()
            }
            KeyError::AccessDenied | KeyError::PermissionDenied => {
                "the key system calls are refused (a container's seccomp profile may do so)".into()
            }
            KeyError::QuotaExceeded => "the user's key quota is used up".into(),
            other => format!("{other:?}"),
        }
    }

    impl SessionKey {
        /// Whether keys can be kept, and why not.
        pub(in crate::secret_store) fn availability(&self) -> Result<(), Unavailable> {
            session_keyring().and_then(|ring| ring.metadata().map(|_| ()).map_err(words))
        }

        /// Whether the session keyring is the user's own one, which every login and job
        /// of the user shares: the login made no keyring of its own (no `pam_keyinit`,
        /// as for many SSH, cron and CI logins).
        pub(in crate::secret_store) fn shared_by_all_logins(&self) -> bool {
            let session = KeyRing::from_special_id(KeyRingIdentifier::Session, false);
            let user_session = KeyRing::from_special_id(KeyRingIdentifier::UserSession, false);
            matches!((session, user_session), (Ok(a), Ok(b)) if a == b)
        }

        fn find(&self) -> Result<Option<Key>, Unavailable> {
            let ring = session_keyring()?;
            match ring.search(&self.description) {
                Ok(key) => Ok(Some(key)),
                Err(KeyError::KeyDoesNotExist)
                | Err(KeyError::KeyExpired)
                | Err(KeyError::KeyRevoked) => Ok(None),
                Err(e) => Err(words(e)),
            }
        }

        /// The key, if this session unlocked the file and the timeout has not passed;
        /// the timeout starts again (`minutes` from now).
        pub(in crate::secret_store) fn recall(
            &self,
            minutes: u64,
        ) -> Result<Option<Remembered>, Unavailable> {
            let Some(key) = self.find()? else {
                return Ok(None);
            };
            let mut payload = match key.read_to_vec() {
                Ok(payload) => payload,
                Err(KeyError::KeyExpired) | Err(KeyError::KeyRevoked) => return Ok(None),
                Err(e) => return Err(words(e)),
            };
            let identity = String::from_utf8(std::mem::take(&mut payload))
                .map(Secret::new)
                .map_err(|e| {
                    e.into_bytes().zeroize();
                    "a key AuthDesk did not write holds its slot".to_owned()
                })?;
            let until = rearm(&key, minutes)?;
            Ok(Some(Remembered { identity, until }))
        }

        /// Keeps the key for `minutes`, readable by this session's processes only.
        pub(in crate::secret_store) fn remember(
            &self,
            identity: &Secret,
            minutes: u64,
        ) -> Result<chrono::DateTime<Local>, Unavailable> {
            let ring = session_keyring()?;
            let key = ring
                .add_key(&self.description, identity.expose().as_bytes())
                .map_err(words)?;
            let only_possessors = KeyPermissionsBuilder::builder()
                .posessor(
                    Permission::VIEW
                        | Permission::READ
                        | Permission::WRITE
                        | Permission::SEARCH
                        | Permission::SETATTR,
                )
                .user(Permission::VIEW)
                .build();
            if let Err(e) = key.set_perms(only_possessors) {
                let _ = key.invalidate();
                return Err(words(e));
            }
            rearm(&key, minutes)
        }

        /// Forgets the key; whether there was one.
        pub(in crate::secret_store) fn forget(&self) -> Result<bool, Unavailable> {
            match self.find()? {
                Some(key) => {
                    // Invalidate destroys the key at once; revoke is the older fallback.
                    key.invalidate().or_else(|_| key.revoke()).map_err(words)?;
                    Ok(true)
                }
                None => Ok(false),
            }
        }
    }

    /// The kernel's timeout, in seconds from now; also when it ends, for the user.
    fn rearm(key: &Key, minutes: u64) -> Result<chrono::DateTime<Local>, Unavailable> {
        let seconds = minutes.saturating_mul(60);
        key.set_timeout(usize::try_from(seconds).unwrap_or(usize::MAX))
            .map_err(words)?;
        let now = Local::now().timestamp();
        Local
            .timestamp_opt(
                now.saturating_add(i64::try_from(seconds).unwrap_or(i64::MAX)),
                0,
            )
            .single()
            .ok_or_else(|| "the timeout is out of range".to_owned())
    }
}

#[cfg(not(target_os = "linux"))]
impl SessionKey {
    const UNAVAILABLE: &'static str =
        "only Linux has a kernel keyring to keep the unlocked key for a session";

    pub(super) fn availability(&self) -> Result<(), String> {
        Err(Self::UNAVAILABLE.into())
    }

    pub(super) fn recall(&self, _minutes: u64) -> Result<Option<Remembered>, String> {
        Err(Self::UNAVAILABLE.into())
    }

    pub(super) fn remember(
        &self,
        _identity: &Secret,
        _minutes: u64,
    ) -> Result<DateTime<Local>, String> {
        Err(Self::UNAVAILABLE.into())
    }

    pub(super) fn forget(&self) -> Result<bool, String> {
        Ok(false)
    }

    pub(super) fn shared_by_all_logins(&self) -> bool {
        false
    }
}
