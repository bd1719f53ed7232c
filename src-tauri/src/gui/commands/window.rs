use tauri::State;

use crate::gui::state::AppState;

/// Called by the page once its first frame with the profile list is painted: the moment
/// the window is ready for input. Logged at `info`, which `cargo xtask bench` waits for.
#[tauri::command]
pub fn window_ready(state: State<'_, AppState>) {
    tracing::info!(
        "window ready for input {} ms after start",
        state.started.elapsed().as_millis()
    );
}
