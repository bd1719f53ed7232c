//! The desktop window: a thin Tauri shell over the engine. Commands live in one file per
//! area under `commands/` (listed once in `commands/list.rs`); no rule of AuthDesk lives
//! here, only what a window needs: its state, the clipboard, settings, errors as the page
//! shows them.

mod auto_refresh;
mod clipboard;
mod commands;
mod error;
mod settings;
mod state;
mod store_watch;

use std::process::ExitCode;

use authdesk_core::Engine;

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

/// A stop from outside (SIGTERM at logout or from `kill`, SIGHUP, Ctrl-C in the terminal
/// that started the window) clears a secret copied less than its clearing delay ago, as
/// closing the window does, then ends the app the normal way. A second stop, or a
/// clearing that hangs (the display already gone), ends it at once.
fn clear_clipboard_when_stopped(app: tauri::AppHandle) {
    #[cfg(unix)]
    tauri::async_runtime::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut hangup), Ok(mut interrupt)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
            signal(SignalKind::interrupt()),
        ) else {
            tracing::warn!("could not watch for stop signals");
            return;
        };
        let mut stopped = async || {
            tokio::select! {
                _ = term.recv() => {}
                _ = hangup.recv() => {}
                _ = interrupt.recv() => {}
            }
        };
        stopped().await;
        let handle = app.clone();
        let clearing = tauri::async_runtime::spawn_blocking(move || {
            tauri::Manager::state::<state::AppState>(&handle)
                .clipboard
                .clear_if_still_ours("as the window was told to stop");
        });
        tokio::select! {
            _ = clearing => app.exit(0),
            () = tokio::time::sleep(std::time::Duration::from_secs(3)) => std::process::exit(1),
            () = stopped() => std::process::exit(1),
        }
    });
    #[cfg(not(unix))]
    let _ = app;
}

pub fn run() -> ExitCode {
    let started = std::time::Instant::now();
    if let Some(sentence) = crate::process::display_missing() {
        eprintln!("authdesk: {sentence}");
        return ExitCode::from(crate::process::exit::USAGE);
    }
    let engine = match Engine::open_default() {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("authdesk: {e}");
            return ExitCode::from(crate::process::exit::USAGE);
        }
    };
    let settings = settings::Settings::load(engine.profiles().dir());
    let result = tauri::Builder::default()
        .manage(state::AppState::new(engine, settings, started))
        .setup(move |app| {
            tracing::debug!(
                "window set up {} ms after start",
                started.elapsed().as_millis()
            );
            lighten_web_view(app);
            clear_clipboard_when_stopped(app.handle().clone());
            auto_refresh::start(app.handle().clone());
            store_watch::start(app.handle().clone());
            Ok(())
        })
        .on_page_load(move |_, payload| {
            tracing::debug!(
                "page {:?} {} ms after start",
                payload.event(),
                started.elapsed().as_millis()
            );
        })
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!());
    match result {
        Ok(app) => {
            app.run(|app, event| {
                // A secret copied less than its clearing delay ago leaves with the window.
                if let tauri::RunEvent::Exit = event {
                    tauri::Manager::state::<state::AppState>(app)
                        .clipboard
                        .clear_if_still_ours("as the window closed");
                }
            });
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("authdesk: the window could not start: {e}.");
            ExitCode::FAILURE
        }
    }
}
