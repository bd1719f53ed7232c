//! `authdesk-window`: the desktop window, started by `authdesk` with no subcommand. A
//! separate executable so that the CLI never loads WebKitGTK.

// No console window behind the app on Windows.
#![cfg_attr(
    all(not(debug_assertions), target_os = "windows"),
    windows_subsystem = "windows"
)]

mod gui;

fn main() -> std::process::ExitCode {
    gui::init_logging();
    gui::run()
}
