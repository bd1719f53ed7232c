//! The AuthDesk flow engine: profiles, secrets in the OS keyring, the loopback listener
//! and the OAuth2 client for AWX and the AAP gateway. It knows nothing of Tauri or GTK:
//! the window, the CLI and the tests all drive [`Engine`].

pub mod engine;
pub mod error;
pub mod listener;
pub mod oauth;
pub mod platform;
pub mod presets;
pub mod profiles;
pub mod secret;
pub mod secrets;
pub mod tokens;

pub use engine::{ApplicationSetup, Engine, RevokeReport, SignIn, DEFAULT_TIMEOUT};
pub use error::{Error, ErrorKind, Result};
pub use secret::Secret;
pub use tokens::TokenSet;
