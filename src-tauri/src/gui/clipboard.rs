//! Copying secrets with hygiene: the clipboard is cleared after a delay, but only if it
//! still holds what AuthDesk put there (the user may have copied something else since).

use std::time::Duration;

use sha2::{Digest, Sha256};
use tauri::AppHandle;
use tauri_plugin_clipboard_manager::ClipboardExt;

use super::error::CommandError;

pub fn copy(app: &AppHandle, text: &str, clear_after_secs: u64) -> Result<(), CommandError> {
    app.clipboard()
        .write_text(text.to_owned())
        .map_err(|e| CommandError::config(format!("Could not write to the clipboard: {e}.")))?;
    if clear_after_secs > 0 {
        // Only a digest waits in memory, not the secret.
        let copied = Sha256::digest(text.as_bytes());
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(Duration::from_secs(clear_after_secs)).await;
            let still_ours = app
                .clipboard()
                .read_text()
                .is_ok_and(|now| Sha256::digest(now.as_bytes()) == copied);
            if still_ours {
                if let Err(e) = app.clipboard().clear() {
                    tracing::warn!("could not clear the clipboard: {e}");
                }
            }
        });
    }
    Ok(())
}
