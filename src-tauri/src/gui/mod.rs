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
        .setup(move |_| {
            tracing::debug!(
                "window set up {} ms after start",
                started.elapsed().as_millis()
            );
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
