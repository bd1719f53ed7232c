//! The desktop window: a thin Tauri shell over the engine. Commands live in one file per
//! area under `commands/`; no OAuth logic lives here.

mod clipboard;
mod commands;
mod error;
mod settings;
mod state;

use std::process::ExitCode;

use authdesk_core::Engine;

/// The CLI's status for a usage or configuration error.
const USAGE: u8 = 2;

/// Logs to stderr as the CLI does: `AUTHDESK_LOG` sets the filter (warnings by default).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("AUTHDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

/// The page is a few forms: on Linux it is drawn without GPU compositing and without
/// WebKit's caches. Compositing costs ~75 MiB in the web process and ~200 ms at start
/// (`cargo xtask bench`); set through the web view's settings, not the environment, so
/// the browser AuthDesk opens keeps its own. Runs before the page starts loading.
fn lighten_web_view(app: &tauri::App) {
    #[cfg(target_os = "linux")]
    if let Some(window) = tauri::Manager::get_webview_window(app, "main") {
        let applied = window.with_webview(|webview| {
            use webkit2gtk::{SettingsExt, WebContextExt, WebViewExt};
            let view = webview.inner();
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_hardware_acceleration_policy(
                    webkit2gtk::HardwareAccelerationPolicy::Never,
                );
            }
            if let Some(context) = view.context() {
                context.set_cache_model(webkit2gtk::CacheModel::DocumentViewer);
            }
        });
        if let Err(e) = applied {
            tracing::warn!("could not adjust the web view's settings: {e}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

pub fn run() -> ExitCode {
    let started = std::time::Instant::now();
    if let Some(sentence) = crate::display::missing() {
        eprintln!("authdesk: {sentence}");
        return ExitCode::from(USAGE);
    }
    let engine = match Engine::open_default() {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("authdesk: {e}");
            return ExitCode::from(USAGE);
        }
    };
    let settings = settings::Settings::load(engine.profiles().dir());
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(state::AppState::new(engine, settings, started))
        .setup(move |app| {
            tracing::debug!(
                "window set up {} ms after start",
                started.elapsed().as_millis()
            );
            lighten_web_view(app);
            Ok(())
        })
        .on_page_load(move |_, payload| {
            tracing::debug!(
                "page {:?} {} ms after start",
                payload.event(),
                started.elapsed().as_millis()
            );
        })
        .invoke_handler(tauri::generate_handler![
            commands::profiles::list_profiles,
            commands::profiles::client_secret_stored,
            commands::profiles::preset_endpoints,
            commands::profiles::save_profile,
            commands::profiles::delete_profile,
            commands::tokens::begin_sign_in,
            commands::tokens::wait_sign_in,
            commands::tokens::cancel_sign_in,
            commands::tokens::current_tokens,
            commands::tokens::reveal_token,
            commands::tokens::copy_token,
            commands::tokens::refresh_tokens,
            commands::tokens::revoke_tokens,
            commands::tokens::session_history,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::platform::password_sign_in,
            commands::platform::list_organizations,
            commands::platform::set_up_application,
            commands::platform::create_personal_token,
            commands::platform::list_personal_tokens,
            commands::platform::delete_personal_token,
            commands::platform::reveal_personal_token,
            commands::window::window_ready,
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("authdesk: the window could not start: {e}.");
            ExitCode::FAILURE
        }
    }
}
