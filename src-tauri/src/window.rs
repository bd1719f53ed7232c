//! `authdesk-window`: the desktop window, started by `authdesk` with no subcommand. A
//! separate executable so that the CLI never loads WebKitGTK.

// No console window behind the app on Windows.
#![cfg_attr(
    all(not(debug_assertions), target_os = "windows"),
    windows_subsystem = "windows"
)]

mod display;
mod gui;

fn main() -> std::process::ExitCode {
    // The page is a few forms, drawn well without the GPU. WebKitGTK's GPU compositing
    // costs about 75 MiB in the web process and a fifth of a second at start, and GTK
    // loads OpenGL (Mesa, LLVM) at start only to pick visuals for it: another ~60 ms.
    // Measured with `cargo xtask bench window`. Set before any thread starts; a user's
    // own setting of either stands.
    #[cfg(target_os = "linux")]
    for (name, value) in [
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ("GDK_GL", "disable"),
    ] {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
    gui::init_logging();
    gui::run()
}
