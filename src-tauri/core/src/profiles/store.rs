//! The profile file, `profiles.toml`: read afresh on every call, changed under a lock
//! across processes, replaced atomically, private to its owner.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Profile;
use crate::error::{Error, Result};
use crate::files::{open_lock_file, write_atomically, FileLock};

const FILE_NAME: &str = "profiles.toml";
const LOCK_FILE_NAME: &str = "profiles.toml.lock";
/// Rewritten on every store or removal of a profile's tokens, by any AuthDesk process:
/// the secret stores send no news, so an open window compares this to learn of them.
const CHANGE_STAMP: &str = "locks/changed";

#[derive(Default, Serialize, Deserialize)]
struct ProfileFile {
    #[serde(default, rename = "profile")]
    profiles: Vec<Profile>,
}

/// The profile file. Each call reads it afresh, so a CLI run and an open window agree.
#[derive(Debug, Clone)]
pub struct ProfileStore {
    dir: PathBuf,
}

impl ProfileStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ProfileStore { dir: dir.into() }
    }

    /// `AUTHDESK_CONFIG_DIR`, else the platform's config directory for AuthDesk.
    pub fn open_default() -> Result<Self> {
        if let Some(dir) = std::env::var_os("AUTHDESK_CONFIG_DIR").filter(|d| !d.is_empty()) {
            return Ok(Self::new(dir));
        }
        directories::ProjectDirs::from("dev", "AuthDesk", "authdesk")
            .map(|dirs| Self::new(dirs.config_dir()))
            .ok_or_else(|| {
                Error::Config("Could not find a home directory for the profile file; set AUTHDESK_CONFIG_DIR.".into())
            })
    }

    /// The folder of the profile file, where other AuthDesk settings live too.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// The usable profiles. One the file holds but that fails the checks a typed one
    /// passes (a hand edit: a `file://` endpoint, a bad pin) is left out with a warning
    /// naming it and why; the others still load, and saves keep it in the file.
    pub fn list(&self) -> Result<Vec<Profile>> {
        let (profiles, problems) = usable(self.read()?.profiles);
        for problem in problems {
            tracing::warn!("{problem}");
        }
        Ok(profiles)
    }

    pub fn get(&self, name: &str) -> Result<Profile> {
        let profile = self
            .read()?
            .profiles
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| Error::ProfileNotFound(name.to_owned()))?;
        match profile.validate() {
            Ok(()) => Ok(profile),
            Err(reason) => Err(Error::Config(unusable(&profile, &reason))),
        }
    }

    /// Whether the file holds a profile of this name, usable or not (a broken one can
    /// still be removed).
    pub fn contains(&self, name: &str) -> Result<bool> {
        Ok(self.read()?.profiles.iter().any(|p| p.name == name))
    }

    /// Adds the profile, or replaces the one with the same name.
    pub fn save(&self, profile: Profile) -> Result<()> {
        self.save_checked(profile, |_| Ok(()))
    }

    /// Like [`ProfileStore::save`], once `check` accepts the usable profiles as they are
    /// under the lock: rules about the other profiles hold even with a window and a CLI
    /// saving at once.
    pub fn save_checked(
        &self,
        profile: Profile,
        check: impl FnOnce(&[Profile]) -> Result<()>,
    ) -> Result<()> {
        profile.validate()?;
        self.change(|file| {
            check(&usable(file.profiles.clone()).0)?;
            match file.profiles.iter_mut().find(|p| p.name == profile.name) {
                Some(existing) => *existing = profile,
                None => file.profiles.push(profile),
            }
            Ok(())
        })
    }

    /// Removes a profile; the caller removes its keyring entries.
    pub fn remove(&self, name: &str) -> Result<()> {
        self.change(|file| {
            let before = file.profiles.len();
            file.profiles.retain(|p| p.name != name);
            if file.profiles.len() == before {
                return Err(Error::ProfileNotFound(name.to_owned()));
            }
            Ok(())
        })
    }

    /// Read, change, write, holding the lock file: a window and a CLI saving at once
    /// each see the other's change instead of writing over it.
    fn change(&self, edit: impl FnOnce(&mut ProfileFile) -> Result<()>) -> Result<()> {
        let _lock = self.lock()?;
        let mut file = self.read()?;
        edit(&mut file)?;
        self.write(&file)
    }

    /// The file a profile's token refresh locks, across processes: `locks/<digest>.lock`
    /// beside the profile file (a digest, since a name may hold any character).
    pub fn token_lock_file(&self, name: &str) -> Result<fs::File> {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(name.as_bytes());
        let tag: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let path = self.dir.join("locks").join(format!("tokens-{tag}.lock"));
        open_lock_file(&path).map_err(|source| Error::ConfigFile {
            action: "open",
            path,
            source,
        })
    }

    /// Records that some profile's stored tokens changed (a new pair, a revoke, a removal),
    /// for windows open in other processes: this process's ID and the time, replaced
    /// atomically. Best effort: a folder that cannot be written only costs the news.
    pub fn note_tokens_changed(&self) {
        let stamp = format!(
            "{} {}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        );
        if let Err(e) = write_atomically(&self.dir.join(CHANGE_STAMP), stamp.as_bytes()) {
            tracing::debug!("could not record the token change for other windows: {e}");
        }
    }

    /// What changes whenever another process changes the profiles or any stored tokens:
    /// the profile file's size and modification time, and the token change stamp. Two
    /// `stat`s and a read of a few bytes, cheap enough to ask every second.
    pub fn change_stamp(&self) -> String {
        let file = fs::metadata(self.path()).ok().map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            (m.len(), modified)
        });
        let tokens = fs::read_to_string(self.dir.join(CHANGE_STAMP)).unwrap_or_default();
        format!("{file:?}/{}", tokens.trim())
    }

    /// An exclusive lock on `profiles.toml.lock` beside the file, released on drop.
    fn lock(&self) -> Result<FileLock> {
        let path = self.dir.join(LOCK_FILE_NAME);
        FileLock::exclusive(&path).map_err(|source| Error::ConfigFile {
            action: "lock",
            path,
            source,
        })
    }

    fn read(&self) -> Result<ProfileFile> {
        let path = self.path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ProfileFile::default()),
            Err(source) => {
                return Err(Error::ConfigFile {
                    action: "read",
                    path,
                    source,
                })
            }
        };
        toml::from_str(&text).map_err(|e| Error::ConfigParse {
            path,
            message: e.message().to_owned(),
        })
    }

    /// Written beside and renamed over ([`write_atomically`]): a crash never leaves
    /// half a profile file.
    fn write(&self, file: &ProfileFile) -> Result<()> {
        let path = self.path();
        let text = toml::to_string_pretty(file).map_err(|e| Error::ConfigParse {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let contents = format!("# AuthDesk profiles. Secrets and tokens are kept in the OS keyring, never here.\n\n{text}");
        write_atomically(&path, contents.as_bytes()).map_err(|source| Error::ConfigFile {
            action: "write",
            path,
            source,
        })
    }
}

/// The profiles that pass the checks a typed one passes, and a sentence for each other
/// one, naming it and why.
fn usable(profiles: Vec<Profile>) -> (Vec<Profile>, Vec<String>) {
    let mut problems = Vec::new();
    let profiles = profiles
        .into_iter()
        .filter(|profile| match profile.validate() {
            Ok(()) => true,
            Err(reason) => {
                problems.push(unusable(profile, &reason));
                false
            }
        })
        .collect();
    (profiles, problems)
}

/// The sentence for a profile in the file that fails its checks.
fn unusable(profile: &Profile, reason: &Error) -> String {
    format!(
        "Profile \"{}\" in profiles.toml is not usable, so it is left out: {reason}",
        crate::text::one_line(&profile.name, 64)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::Preset;
    use crate::profiles::Scope;

    fn sample(name: &str) -> Profile {
        let mut profile =
            crate::profiles::ProfileDraft::new(name, Preset::Awx, "https://awx.example.com", "abc")
                .build()
                .unwrap();
        profile.scope = Scope::ReadWrite;
        profile
    }

    /// A file written before the gateway preset, grants and timeouts existed still loads,
    /// as an authorization-code profile.
    #[test]
    fn profiles_from_older_versions_load() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("profiles.toml"),
            r#"
[[profile]]
name = "old"
preset = "awx"
base_url = "https://awx.example.com/"
client_id = "abc"
redirect_uri = "http://127.0.0.1/callback"
scope = "read write"
pkce = false
client_auth = "basic"
"#,
        )
        .unwrap();
        let store = ProfileStore::new(dir.path());
        let old = store.get("old").unwrap();
        assert_eq!(old.grant, crate::profiles::Grant::AuthorizationCode);
        assert_eq!(
            old.redirect_uri.as_ref().map(|u| u.as_str()),
            Some("http://127.0.0.1/callback")
        );
        assert_eq!(old.request_timeout_secs, None);
        assert!(old.validate().is_ok());
    }

    #[test]
    fn save_list_replace_remove() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path().join("nested"));
        assert!(store.list().unwrap().is_empty());
        store.save(sample("a")).unwrap();
        store.save(sample("b")).unwrap();
        let mut changed = sample("a");
        changed.scope = Scope::Read;
        store.save(changed.clone()).unwrap();
        assert_eq!(store.list().unwrap().len(), 2);
        assert_eq!(store.get("a").unwrap(), changed);
        store.remove("a").unwrap();
        assert!(matches!(store.get("a"), Err(Error::ProfileNotFound(_))));
        assert!(matches!(store.remove("a"), Err(Error::ProfileNotFound(_))));
        let text = std::fs::read_to_string(store.path()).unwrap();
        assert!(text.contains("scope = \"read write\""), "{text}");
    }

    /// A hand-edited profile with an endpoint AuthDesk would never open is named and left
    /// out; the others load, and a save keeps it in the file for the user to fix.
    #[test]
    fn a_bad_profile_on_disk_is_named_and_the_others_load() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        store.save(sample("good")).unwrap();
        let text = std::fs::read_to_string(store.path()).unwrap();
        std::fs::write(
            store.path(),
            format!(
                "{text}\n[[profile]]\nname = \"bad\"\npreset = \"custom\"\nbase_url = \"https://awx.example.com\"\nclient_id = \"abc\"\nredirect_uri = \"http://127.0.0.1/callback\"\n[profile.endpoints]\nauthorize = \"file:///etc/passwd\"\ntoken = \"https://awx.example.com/t\"\nrevoke = \"https://awx.example.com/r\"\nwhoami = \"https://awx.example.com/m\"\n"
            ),
        )
        .unwrap();
        let names: Vec<String> = store.list().unwrap().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["good"]);
        let error = store.get("bad").unwrap_err().to_string();
        assert!(
            error.contains("\"bad\"") && error.contains("authorize URL"),
            "{error}"
        );
        store.save(sample("other")).unwrap();
        assert!(std::fs::read_to_string(store.path())
            .unwrap()
            .contains("file:///etc/passwd"));
    }

    /// Two writers at once (a window and a CLI) each keep what the other saved.
    #[test]
    fn concurrent_saves_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let store = ProfileStore::new(dir.path());
                std::thread::spawn(move || {
                    for i in 0..25 {
                        store.save(sample(&format!("w{w}-{i}"))).unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        assert_eq!(ProfileStore::new(dir.path()).list().unwrap().len(), 100);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_and_a_mode_the_user_set_is_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        store.save(sample("a")).unwrap();
        let mode = || {
            std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode(), 0o600);
        std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o640)).unwrap();
        store.save(sample("b")).unwrap();
        assert_eq!(mode(), 0o640);
    }

    #[test]
    fn broken_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        std::fs::write(store.path(), "[[profile]]\nname = 3\n").unwrap();
        let err = store.list().unwrap_err();
        assert!(err.to_string().contains("profiles.toml"), "{err}");
    }
}
