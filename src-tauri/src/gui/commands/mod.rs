//! The commands the web view may call, one file per area. Each is granted by name in
//! `capabilities/main.json`.

pub mod platform;
pub mod profiles;
pub mod settings;
pub mod tokens;
pub mod window;
