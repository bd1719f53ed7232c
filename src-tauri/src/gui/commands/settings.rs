//! Settings commands: the window's own preferences (clipboard clearing, auto-refresh,
//! the profile shown last).

use tauri::State;

use crate::gui::error::CommandError;
use crate::gui::settings::Settings;
use crate::gui::state::AppState;

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Result<Settings, CommandError> {
    state
        .settings
        .lock()
        .map(|s| s.clone())
        .map_err(|_| CommandError::config("The settings are unavailable."))
}

#[tauri::command]
pub fn save_settings(
    state: State<'_, AppState>,
    clipboard_clear_secs: u64,
    auto_refresh: bool,
) -> Result<Settings, CommandError> {
    if clipboard_clear_secs > 24 * 3600 {
        return Err(CommandError::config(
            "Clear the clipboard within a day (at most 86400 seconds), or 0 for never.",
        ));
    }
    let mut settings = state
        .settings
        .lock()
        .map_err(|_| CommandError::config("The settings are unavailable."))?;
    settings.clipboard_clear_secs = clipboard_clear_secs;
    settings.auto_refresh = auto_refresh;
    settings
        .save()
        .map_err(|e| CommandError::config(format!("Could not save the settings: {e}.")))?;
    let saved = settings.clone();
    drop(settings);
    state.auto_refresh.nudge();
    Ok(saved)
}

/// Remembers the profile on show, to open it again next time. A settings file that cannot
/// be written costs only that.
#[tauri::command]
pub fn remember_profile(state: State<'_, AppState>, name: String) {
    let Ok(mut settings) = state.settings.lock() else {
        return;
    };
    if settings.last_profile.as_deref() == Some(name.as_str()) {
        return;
    }
    // Only a profile there is: the page's word alone never grows the settings file.
    if !state.engine.profiles().contains(&name).unwrap_or(false) {
        return;
    }
    if let Err(e) = settings.remember_profile(&name) {
        tracing::warn!("could not remember the profile shown: {e}");
    }
}
