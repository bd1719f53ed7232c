//! The window's settings, in `settings.toml` beside the profiles.

use std::path::{Path, PathBuf};

use authdesk_core::write_atomically;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Seconds after a copy at which the clipboard is cleared, if it still holds the copy; 0 never.
    pub clipboard_clear_secs: u64,
    /// Refresh each profile's tokens shortly before they expire while the window is open.
    pub auto_refresh: bool,
    /// The profile shown last, shown again at the next start.
    pub last_profile: Option<String>,
    /// Keys the window does not show (`secret_store`, `unlock_minutes`, read by the core),
    /// kept as they are when the window saves.
    #[serde(flatten)]
    others: toml::Table,
    #[serde(skip)]
    path: PathBuf,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            clipboard_clear_secs: 60,
            auto_refresh: false,
            last_profile: None,
            others: toml::Table::new(),
            path: PathBuf::new(),
        }
    }
}

impl Settings {
    pub fn load(dir: &Path) -> Self {
        let path = dir.join("settings.toml");
        let mut settings = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| toml::from_str::<Settings>(&text).ok())
            .unwrap_or_default();
        settings.path = path;
        settings
    }

    /// Saved as the core saves the profiles ([`write_atomically`]): the folder private
    /// when new, a crash never leaving half a file.
    pub fn save(&self) -> std::io::Result<()> {
        let text = toml::to_string_pretty(self).map_err(std::io::Error::other)?;
        write_atomically(&self.path, text.as_bytes())
    }

    /// Records the profile shown last. Only that field changes in the file: another
    /// window may have saved other settings since this one read them.
    pub fn remember_profile(&mut self, name: &str) -> std::io::Result<()> {
        self.last_profile = Some(name.to_owned());
        let Some(dir) = self.path.parent() else {
            return Ok(());
        };
        let mut on_disk = Settings::load(dir);
        on_disk.last_profile = Some(name.to_owned());
        on_disk.save()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_keeps_the_settings_the_core_reads() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("settings.toml"),
            "secret_store = \"file\"\nunlock_minutes = 30\nauto_refresh = true\n",
        )
        .unwrap();
        let mut settings = Settings::load(dir.path());
        assert!(settings.auto_refresh);
        settings.remember_profile("awx").unwrap();
        let text = std::fs::read_to_string(dir.path().join("settings.toml")).unwrap();
        let table: toml::Table = text.parse().unwrap();
        assert_eq!(table["secret_store"].as_str(), Some("file"));
        assert_eq!(table["unlock_minutes"].as_integer(), Some(30));
        assert_eq!(table["last_profile"].as_str(), Some("awx"));
    }
}
