//! Window commands about the window itself: the ready-for-input signal the benchmark reads.

use tauri::State;

use crate::gui::state::AppState;

/// Called by the page once its first frame with the profile list is painted: the moment
/// the window is ready for input. Logged at `info`, which `cargo xtask bench` waits for.
/// `script_ms` and `page_ms` are the page's own clock (from its navigation start) when
/// its script began and when it was ready, to tell page time from WebKit's start-up.
/// `timeline` is where the page's time went (the HTML answered, the DOM interactive),
/// logged at debug.
#[tauri::command]
pub fn window_ready(
    state: State<'_, AppState>,
    script_ms: f64,
    page_ms: f64,
    timeline: Option<String>,
) {
    tracing::info!(
        "window ready for input {} ms after start (page: script at {script_ms:.0} ms, ready at {page_ms:.0} ms)",
        state.started.elapsed().as_millis()
    );
    if let Some(timeline) = timeline {
        // The page's own words, kept to one short line.
        let timeline: String = timeline
            .chars()
            .filter(|c| !c.is_control())
            .take(2000)
            .collect();
        tracing::debug!("page timeline: {timeline}");
    }
}
