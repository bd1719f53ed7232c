//! The AuthDesk flow engine: profiles, secrets in the OS keyring, the loopback listener
//! and the OAuth2 client for AWX and the AAP gateway. It knows nothing of Tauri or GTK:
//! the window, the CLI and the tests all drive [`Engine`].
//!
//! Where things live: `engine/` (what a shell can ask for, split by capability),
//! `profiles/` (the profile file and what a typed profile must be), `os_keyring`
//! (client secrets and tokens in the OS keyring), `listener/` (the loopback listener
//! that catches the redirect), `oauth/` (the OAuth2 client), `server_api/` (the REST API
//! beyond OAuth2), `http/` (HTTP and TLS trust for both clients), `presets` (where each
//! kind of server keeps its endpoints), `tokens` (tokens and the texts other tools take
//! them in), `environment` (the variables each Ansible tool reads a token from), `text` (the sanitiser for server text), `secret` (the redacted `Secret`).

pub mod engine;
pub mod environment;
pub mod error;
pub mod http;
pub mod listener;
pub mod oauth;
pub mod os_keyring;
pub mod presets;
pub mod profiles;
pub mod secret;
pub mod server_api;
pub mod text;
pub mod tokens;

pub use engine::{
    open_in_browser, ApplicationSetup, DetectedServer, Engine, Finding, Outcome, ProfileSave,
    Reuse, RevokeReport, SaveMode, ServerDraft, SignIn, SignInReason, TokenSource, DEFAULT_TIMEOUT,
};
pub use error::{Error, ErrorKind, Hint, Result, ServerReply};
pub use http::Trust;
pub use oauth::{OAuthClient, WhoAmI};
pub use os_keyring::Keyring;
pub use presets::{Endpoints, Preset};
pub use profiles::{
    parse_url, ClientAuth, EndpointDraft, Grant, Profile, ProfileDefaults, ProfileDraft,
    ProfileStore, Scope, DEFAULT_REDIRECT_URI,
};
pub use secret::Secret;
pub use server_api::{ApiLogin, Credentials, NewToken, Organization, ServerApi, TokenInfo};
pub use tokens::{TokenOrigin, TokenSet, TokenText, EXPIRY_MARGIN};
