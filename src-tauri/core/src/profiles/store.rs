use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Profile;
use crate::error::{Error, Result};

const FILE_NAME: &str = "profiles.toml";

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

    pub fn list(&self) -> Result<Vec<Profile>> {
        Ok(self.read()?.profiles)
    }

    pub fn get(&self, name: &str) -> Result<Profile> {
        self.list()?
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| Error::ProfileNotFound(name.to_owned()))
    }

    /// Adds the profile, or replaces the one with the same name.
    pub fn save(&self, profile: Profile) -> Result<()> {
        profile.validate()?;
        let mut file = self.read()?;
        match file.profiles.iter_mut().find(|p| p.name == profile.name) {
            Some(existing) => *existing = profile,
            None => file.profiles.push(profile),
        }
        self.write(&file)
    }

    /// Removes a profile; the caller removes its keyring entries.
    pub fn remove(&self, name: &str) -> Result<()> {
        let mut file = self.read()?;
        let before = file.profiles.len();
        file.profiles.retain(|p| p.name != name);
        if file.profiles.len() == before {
            return Err(Error::ProfileNotFound(name.to_owned()));
        }
        self.write(&file)
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

    /// Writes a temporary file beside the real one and renames it over, so a crash
    /// never leaves half a profile file.
    fn write(&self, file: &ProfileFile) -> Result<()> {
        let path = self.path();
        let io_error = |action, source| Error::ConfigFile {
            action,
            path: path.clone(),
            source,
        };
        fs::create_dir_all(&self.dir).map_err(|e| io_error("create the folder of", e))?;
        let text = toml::to_string_pretty(file).map_err(|e| Error::ConfigParse {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let temp = temp_path(&path);
        let result = (|| {
            let mut out = fs::File::create(&temp)?;
            out.write_all(b"# AuthDesk profiles. Secrets and tokens are kept in the OS keyring, never here.\n\n")?;
            out.write_all(text.as_bytes())?;
            out.sync_all()?;
            fs::rename(&temp, &path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result.map_err(|e| io_error("write", e))
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    // Unique per write: two saves at once (a window and a CLI) never share a temp file.
    let unique = crate::secret::random_urlsafe(8).unwrap_or_default();
    name.push(format!(".tmp-{}-{unique}", std::process::id()));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::Preset;
    use crate::profiles::{ClientAuth, Scope};

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

    #[test]
    fn broken_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        std::fs::write(store.path(), "[[profile]]\nname = 3\n").unwrap();
        let err = store.list().unwrap_err();
        assert!(err.to_string().contains("profiles.toml"), "{err}");
    }
}
