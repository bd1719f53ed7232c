//! `authdesk-window`: the desktop window, started by `authdesk` with no subcommand. A
//! separate executable so that the CLI never loads WebKitGTK.

// No console window behind the app on Windows.
#![cfg_attr(
    all(not(debug_assertions), target_os = "windows"),
    windows_subsystem = "windows"
)]

mod gui;
// Shared with the CLI, whose exit statuses the window mostly does not use.
#[allow(dead_code)]
mod process;

fn main() -> std::process::ExitCode {
    process::no_core_dumps();
    // GTK loads OpenGL (Mesa, LLVM) at start only to pick visuals for GL drawing, which
    // the window never does (see `gui::lighten_web_view`): ~60 ms at start, measured with
    // `cargo xtask bench start`. GTK reads this once, at start; a user's setting stands.
    #[cfg(target_os = "linux")]
    if std::env::var_os("GDK_GL").is_none() {
        std::env::set_var("GDK_GL", "disable");
    }
    process::init_logging("warn");
    gui::run()
}
