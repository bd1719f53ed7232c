//! The AuthDesk flow engine: profiles, secrets in the OS keyring (or an encrypted file),
//! the loopback listener and the OAuth2 client for AWX and the AAP gateway. It knows nothing of Tauri or GTK:
//! the window, the CLI and the tests all drive [`Engine`].
//!
//! # Layers
//!
//! Each module uses only modules on lines above its own (never one beside it or below);
//! the test `layers_only_look_down` (in `layers.rs`) reads this list and the sources and
//! fails on any other `crate::` path:
//!
//! ```text
//! error, secret, text          what every layer speaks: errors, redacted secrets, server text
//! files                        atomic writes, private folders, locks across processes
//! presets, http, listener      server kinds' paths; HTTP and TLS trust; the loopback listener
//! profiles                     the profile file and what a typed profile must be
//! tokens                       tokens, their expiry and origin
//! environment, secret_store, oauth  texts for other tools; secrets' store; the OAuth2 client
//! server_api                   the REST API beyond OAuth2 (applications, personal tokens)
//! engine                       what a shell can ask for, split by capability
//! ```
//!
//! Every module is private: what shells use is re-exported below, with one path each.

mod engine;
mod environment;
mod error;
mod files;
mod http;
mod listener;
mod oauth;
mod presets;
mod profiles;
mod secret;
mod secret_store;
mod server_api;
mod text;
mod tokens;

#[cfg(test)]
mod layers;

pub use engine::{
    open_in_browser, open_start_link, ApplicationSetup, DetectedServer, Engine, Finding, Outcome,
    ProfileSave, RemoveReport, Reuse, RevokeReport, SaveMode, ServerDraft, SignIn, SignInOptions,
    SignInReason, Step, StepWatcher, Timeline, TokenSource, DEFAULT_TIMEOUT,
};
pub use environment::{environment_for, TokenText, Variable, OTHER_TOOL_VARIABLES};
pub use error::{Error, ErrorKind, Hint, Result, ServerReply};
pub use files::{private_folder, write_atomically, FileLock};
pub use http::{Fingerprint, Trust};
pub use listener::StartLinks;
pub use oauth::{OAuthClient, WhoAmI};
pub use presets::{Endpoints, Preset};
pub use profiles::{
    parse_url, ClientAuth, EndpointDraft, Grant, Profile, ProfileDefaults, ProfileDraft,
    ProfileStore, Scope, SecretOrigin, StoredSecret, APPLICATION_NAME_PREFIX, DEFAULT_REDIRECT_URI,
};
pub use secret::Secret;
pub use secret_store::{
    FileState, SecretStore, StoreKind, Unlocked, DEFAULT_UNLOCK_MINUTES, MIN_PASSPHRASE_CHARS,
};
pub use server_api::{ApiLogin, Credentials, NewToken, Organization, ServerApi, TokenInfo};
pub use text::one_line;
pub use tokens::{TokenOrigin, TokenSet, TrustOrigin, EXPIRY_MARGIN};

/// What the fuzz targets (`fuzz/`) drive: the parsers of what a server or a browser sends.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::listener::{classify_request, Verdict};
    pub use crate::oauth::interpret_token_answer;
    pub use crate::server_api::interpret_api_answer;
}
