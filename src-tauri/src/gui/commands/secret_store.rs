//! Secret store commands: where no Secret Service answers, the window asks for the
//! encrypted file's passphrase (a new one on first use) and unlocks it for the session.
//! The passphrase comes from the page once and is dropped after the unlock.

use authdesk_core::{FileState, Secret, MIN_PASSPHRASE_CHARS};
use serde::Serialize;
use tauri::State;

use crate::gui::error::CommandError;
use crate::gui::state::AppState;

/// The store as the unlock dialog needs it.
#[derive(Debug, Serialize)]
pub struct StoreView {
    /// `keyring` (nothing to unlock), `new`, `locked` or `unlocked`.
    pub state: &'static str,
    /// The encrypted file, for the dialog's text.
    pub path: Option<String>,
    /// "14:32" when the session keeps it unlocked.
    pub until: Option<String>,
    /// Why the session cannot keep it unlocked (the window then keeps the key itself).
    pub not_kept: Option<String>,
    pub min_chars: usize,
}

#[tauri::command]
pub async fn secret_store_state(state: State<'_, AppState>) -> Result<StoreView, CommandError> {
    let store = state.engine.secret_store().clone();
    tokio::task::spawn_blocking(move || view(&store))
        .await
        .map_err(|e| CommandError::config(format!("The secret store did not answer: {e}.")))?
}

/// Unlocks (or makes) the encrypted file with the passphrase typed in the dialog.
#[tauri::command]
pub async fn unlock_secret_store(
    state: State<'_, AppState>,
    passphrase: String,
) -> Result<StoreView, CommandError> {
    let passphrase = Secret::new(passphrase);
    let store = state.engine.secret_store().clone();
    tokio::task::spawn_blocking(move || {
        store.unlock(&passphrase)?;
        view(&store)
    })
    .await
    .map_err(|e| CommandError::config(format!("The secret store did not answer: {e}.")))?
}

fn view(store: &authdesk_core::SecretStore) -> Result<StoreView, CommandError> {
    let path = store.file_path().map(|p| p.display().to_string());
    let (state, until) = match store.file_state()? {
        None => ("keyring", None),
        Some(FileState::New) => ("new", None),
        Some(FileState::Locked) => ("locked", None),
        Some(FileState::Unlocked { until }) => {
            ("unlocked", until.map(|t| t.format("%H:%M").to_string()))
        }
    };
    Ok(StoreView {
        state,
        path,
        until,
        not_kept: store.session_unavailable(),
        min_chars: MIN_PASSPHRASE_CHARS,
    })
}
