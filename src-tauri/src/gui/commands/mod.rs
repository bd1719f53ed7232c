//! The commands the web view may call, one file per area, each mirrored by a module of
//! the page (`ui/<area>.js`). `list.rs` names every command once.

#[macro_use]
mod list;

pub mod profiles;
pub mod secret_store;
pub mod server_setup;
pub mod settings;
pub mod tokens;
pub mod window;

/// The invoke handler for every command of `list.rs`.
macro_rules! handler {
    ($($area:ident :: $command:ident),* $(,)?) => {
        tauri::generate_handler![$($area::$command),*]
    };
}

pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
    with_window_commands!(handler)
}
