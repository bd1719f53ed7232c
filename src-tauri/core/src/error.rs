//! One error type for the engine. Every variant renders as one sentence a person
//! understands, saying what happened; `ErrorKind` lets each shell (CLI exit codes,
//! window) react to the class, and `Hint` lets each word the next step its own way (a
//! command or flag in the CLI, a button in the window).

use std::path::PathBuf;

/// The class of a failure, stable for shells: the CLI maps it to an exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Bad input or configuration: fix the command or the profile.
    Config,
    /// The user or the server refused the authorization (`error=` on the redirect).
    Refused,
    /// Waited too long, or the user cancelled.
    TimedOut,
    /// The server answered, and said no.
    ServerRejected,
    /// The server could not be reached, or TLS failed.
    Network,
    /// The OS keyring is unavailable, locked or refused.
    Keyring,
    /// Something under AuthDesk failed (the random generator, TLS set-up): not the
    /// user's input, and not the server.
    Internal,
}

/// What the server said when it refused a request, kept verbatim for a details view.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServerReply {
    pub status: u16,
    /// The body as sent (JSON or plain text), cut to a readable length.
    pub body: String,
    /// The request it answered, `METHOD URL` without the query, for a details view.
    pub request: Option<String>,
}

impl ServerReply {
    pub fn new(status: u16, body: String) -> Self {
        ServerReply {
            status,
            body,
            request: None,
        }
    }

    /// Names the request this reply answered. The query is left out: it may carry state.
    pub fn answering(mut self, method: &str, url: &url::Url) -> Self {
        self.request = Some(request_line(method, url));
        self
    }
}

fn request_line(method: &str, url: &url::Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    // Never a login in a details view, however the profile spelt the URL.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    format!("{method} {shown}")
}

/// What a token refresh is called in errors; [`Error::is_refresh_token_refused`] knows
/// a refused refresh by it.
pub const REFRESH_ACTION: &str = "token refresh";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Config(String),

    /// A failure under AuthDesk: `what` is what it could not do ("draw a random state").
    #[error("AuthDesk could not {what}: {detail}.")]
    Internal { what: &'static str, detail: String },

    #[error("There is no profile named \"{0}\".")]
    ProfileNotFound(String),

    #[error("A profile named \"{0}\" exists already.")]
    ProfileExists(String),

    #[error("Could not {action} {path}: {source}.")]
    ConfigFile {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("The profile file {path} is not valid: {message}.")]
    ConfigParse { path: PathBuf, message: String },

    #[error("The system keyring is not available ({detail}); start and unlock your desktop keyring (GNOME Keyring, KWallet, macOS Keychain or Windows Credential Manager) and try again.")]
    KeyringUnavailable { detail: String },

    #[error("The encrypted secret file {path} is locked.")]
    SecretFileLocked { path: PathBuf },

    #[error("That passphrase does not open the encrypted secret file {path}.")]
    WrongPassphrase { path: PathBuf },

    #[error("The encrypted secret file {path} is damaged ({detail}); AuthDesk leaves it as it is: restore it from a backup, or move it away to start again with a new passphrase and new secrets.")]
    SecretFileDamaged { path: PathBuf, detail: String },

    #[error("The encrypted secret file {path} could not be {action}: {source}.")]
    SecretFile {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("No client secret is stored for profile \"{0}\".")]
    MissingClientSecret(String),

    #[error("The client secret of profile \"{profile}\" was entered for {stored}, but the profile now names {now}, so the secret was not sent; enter the client secret again for the new server (the stored one is never sent anywhere else).")]
    SecretForOtherServer {
        profile: String,
        stored: String,
        now: String,
    },

    #[error("Profile \"{0}\" has no tokens yet.")]
    NoTokens(String),

    #[error("Profile \"{0}\" has no refresh token.")]
    NoRefreshToken(String),

    #[error("The tokens stored for profile \"{0}\" were issued by another server or application than the profile now names, so they are not used.")]
    TokensFromElsewhere(String),

    #[error("The tokens of profile \"{0}\" were renewed by another program since they were shown here, so nothing was revoked; look at the new ones first.")]
    TokensChangedMeanwhile(String),

    #[error("Profile \"{0}\" was changed while its sign-in was under way, so the tokens from the old server or application were not stored.")]
    ProfileChangedDuringSignIn(String),

    #[error("Profile \"{0}\" uses the password grant, which has no browser sign-in.")]
    PasswordGrantProfile(String),

    #[error(
        "The redirect URI {0} is not on this computer's loopback, so AuthDesk cannot catch it."
    )]
    RedirectNotOnLoopback(String),

    #[error("Port {port} on {host} is already in use by another program, so the redirect cannot be caught there; stop that program or register a redirect URI with another port.")]
    PortInUse { host: String, port: u16 },

    #[error("Could not listen on {address} for the redirect: {source}.")]
    Listen {
        address: String,
        #[source]
        source: std::io::Error,
    },

    #[error("The authorization was refused: {}.", describe_refusal(error, description.as_deref()))]
    AuthorizationRefused {
        error: String,
        description: Option<String>,
    },

    /// A sign-in's refusal for want of PKCE, named for its profile (see [`Error::for_sign_in`]).
    #[error("The server requires PKCE, so it refused profile \"{profile}\"'s sign-in without it (invalid_request: {description}).")]
    PkceRequired {
        profile: String,
        description: String,
    },

    #[error("No redirect arrived within {0} seconds; the sign-in was abandoned.")]
    TimedOut(u64),

    #[error("The sign-in was cancelled.")]
    Cancelled,

    #[error("The sign-in's one-time browser link was opened a second time, so another program may have learned the sign-in's state; AuthDesk stopped the sign-in to be safe.")]
    StartLinkReused,

    #[error("The profile name \"{name}\" differs from the existing \"{existing}\" only in letter case, which some keyrings do not tell apart.")]
    NameDiffersOnlyInCase { name: String, existing: String },

    #[error("A newer sign-in of profile \"{0}\" replaced this one.")]
    Superseded(String),

    #[error("A sign-in of profile \"{0}\" is still under way and did not give way; finish or cancel it first.")]
    SignInBusy(String),

    #[error("Profile \"{profile}\" needs a new sign-in ({reason}), but {no_browser}.")]
    SignInNeeded {
        profile: String,
        reason: String,
        /// Why no browser sign-in was started, as a clause.
        no_browser: String,
        /// The server refused the stored refresh token (rather than there being none).
        refused: bool,
    },

    #[error("Another AuthDesk process has been refreshing the tokens of profile \"{0}\" for too long, so this one gave up waiting.")]
    RefreshBusy(String),

    #[error("The server did not accept the username or password of \"{username}\".")]
    LoginFailed { username: String },

    #[error("The server refused to log in user \"{username}\" ({reply}); the account may be disabled, or allowed to sign in only through single sign-on.")]
    LoginRefused { username: String, reply: String },

    #[error("The server's API did not accept {how} for the {action}.")]
    ApiRefusedLogin {
        action: &'static str,
        how: String,
        /// The refused login was HTTP Basic.
        basic: bool,
    },

    #[error("The token of profile \"{profile}\" has scope \"{scope}\", and creating or deleting on the server needs scope \"write\".")]
    TokenLacksWrite { profile: String, scope: String },

    #[error("Profile \"{profile}\" has no token to use the server's API with ({reason}).")]
    NoApiToken { profile: String, reason: String },

    #[error("Could not tell what kind of server {0} is: neither the platform gateway's nor AWX's ping page answers there.")]
    UnknownServer(String),

    #[error("There is no AWX or AAP API at {url}: {why}.")]
    NotTheApi { url: String, why: String },

    #[error("The server refused the {action} (HTTP {}): {summary}", reply.status)]
    ServerRejected {
        action: &'static str,
        summary: String,
        reply: ServerReply,
    },

    #[error("The server's answer to the {action} could not be understood: {message}")]
    BadResponse {
        action: &'static str,
        message: String,
        reply: Option<ServerReply>,
    },

    #[error("Could not reach {host} for the {action}: {message}.")]
    Network {
        action: &'static str,
        host: String,
        message: String,
        /// Set when the server's certificate was not trusted.
        untrusted_certificate: bool,
    },
}

/// The next step a person can take about an error. Shells word it: the CLI names a
/// command or flag, the window a button or field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// Pick one of the profiles there are.
    ListProfiles,
    /// Enter the profile's client secret (again).
    EnterClientSecret(String),
    /// Get tokens for the profile first.
    GetTokens(String),
    /// Sign in with a username and password instead.
    UsePassword(String),
    /// Wait longer for the browser.
    WaitLonger,
    /// Trust the server's private CA (a CA file) or pin its certificate.
    TrustCertificate,
    /// Register a loopback redirect URI, or paste where the browser lands.
    UseLoopbackRedirect,
    /// Pick another profile name.
    OtherName,
    /// Start the sign-in again.
    StartAgain,
    /// Sign in anew where a browser can be used (or with the URL opened by hand). The
    /// profile's name, empty where the error does not know it.
    SignInAgain(String),
    /// Sign in with scope `write`, or log in with a username and password.
    SignInWithWrite(String),
    /// Log in with the profile's own token instead of a username and password.
    UseProfileToken,
    /// Check the base URL (scheme, host, path prefix) and the kind of server.
    CheckBaseUrl,
    /// Say which kind of server it is.
    ChoosePreset,
    /// The client ID or secret does not match the server's application (`invalid_client`):
    /// correct the client ID, or enter the secret again.
    FixClientCredentials,
    /// The server requires PKCE (an admin turned `PKCE_REQUIRED` on, or the application
    /// asks for it): turn PKCE on in the profile (its name, empty if unknown) and sign in
    /// again.
    TurnOnPkce(String),
    /// Unlock the encrypted secret file with its passphrase (again, for a wrong one).
    UnlockSecretFile,
    /// A passing failure (the network, a busy server, a refused consent): the same
    /// action again may work. Shells may leave it unsaid and offer it as a button.
    TryAgain,
}

fn describe_refusal(error: &str, description: Option<&str>) -> String {
    let meaning = match error {
        "access_denied" => "access was denied at the consent screen",
        "invalid_scope" => {
            "the server does not accept the requested scope (AWX knows `read` and `write`)"
        }
        "invalid_request" => "the server found the request invalid",
        "unauthorized_client" => "this application may not use the authorization-code grant",
        "unsupported_response_type" => {
            "the server does not support response_type=code for this application"
        }
        "server_error" | "temporarily_unavailable" => "the server had a problem",
        _ => "the server returned an error",
    };
    match description {
        Some(text) if !text.is_empty() => format!("{meaning} ({error}: {text})"),
        _ => format!("{meaning} ({error})"),
    }
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Config(_)
            | Error::ProfileNotFound(_)
            | Error::ProfileExists(_)
            | Error::NameDiffersOnlyInCase { .. }
            | Error::PasswordGrantProfile(_)
            | Error::RedirectNotOnLoopback(_)
            | Error::ConfigFile { .. }
            | Error::ConfigParse { .. }
            | Error::MissingClientSecret(_)
            | Error::SecretForOtherServer { .. }
            | Error::NoTokens(_)
            | Error::NoRefreshToken(_)
            | Error::TokensFromElsewhere(_)
            | Error::ProfileChangedDuringSignIn(_)
            | Error::TokensChangedMeanwhile(_)
            | Error::PortInUse { .. }
            | Error::Listen { .. } => ErrorKind::Config,
            Error::KeyringUnavailable { .. }
            | Error::SecretFileLocked { .. }
            | Error::WrongPassphrase { .. }
            | Error::SecretFileDamaged { .. }
            | Error::SecretFile { .. } => ErrorKind::Keyring,
            Error::AuthorizationRefused { .. }
            | Error::PkceRequired { .. }
            | Error::StartLinkReused => ErrorKind::Refused,
            Error::TimedOut(_)
            | Error::Cancelled
            | Error::Superseded(_)
            | Error::SignInBusy(_)
            | Error::RefreshBusy(_) => ErrorKind::TimedOut,
            Error::SignInNeeded { refused: true, .. } => ErrorKind::ServerRejected,
            Error::SignInNeeded { refused: false, .. } => ErrorKind::Config,
            Error::ServerRejected { .. }
            | Error::BadResponse { .. }
            | Error::LoginFailed { .. }
            | Error::LoginRefused { .. }
            | Error::ApiRefusedLogin { .. } => ErrorKind::ServerRejected,
            Error::TokenLacksWrite { .. }
            | Error::NoApiToken { .. }
            | Error::UnknownServer(_)
            | Error::NotTheApi { .. } => ErrorKind::Config,
            Error::Network { .. } => ErrorKind::Network,
            Error::Internal { .. } => ErrorKind::Internal,
        }
    }

    /// What the person can do next, when there is something to say. The one place that
    /// decides it: shells only word it (the CLI as a command, the window as a button).
    pub fn hint(&self) -> Option<Hint> {
        if self.refuses_client() {
            return Some(Hint::FixClientCredentials);
        }
        if self.is_refresh_token_refused() {
            return Some(Hint::SignInAgain(String::new()));
        }
        match self {
            Error::ProfileNotFound(_) => Some(Hint::ListProfiles),
            Error::SecretFileLocked { .. } => Some(Hint::UnlockSecretFile),
            Error::ProfileExists(_) | Error::NameDiffersOnlyInCase { .. } => Some(Hint::OtherName),
            Error::StartLinkReused | Error::RefreshBusy(_) => Some(Hint::StartAgain),
            Error::SignInNeeded { profile, .. } => Some(Hint::SignInAgain(profile.clone())),
            Error::TokenLacksWrite { profile, .. } => Some(Hint::SignInWithWrite(profile.clone())),
            Error::NoApiToken { profile, .. } => Some(Hint::GetTokens(profile.clone())),
            Error::ApiRefusedLogin { basic: true, .. } => Some(Hint::UseProfileToken),
            Error::NotTheApi { .. } => Some(Hint::CheckBaseUrl),
            Error::UnknownServer(_) => Some(Hint::ChoosePreset),
            Error::MissingClientSecret(name)
            | Error::SecretForOtherServer { profile: name, .. } => {
                Some(Hint::EnterClientSecret(name.clone()))
            }
            Error::NoTokens(name)
            | Error::NoRefreshToken(name)
            | Error::TokensFromElsewhere(name)
            | Error::ProfileChangedDuringSignIn(name) => Some(Hint::GetTokens(name.clone())),
            Error::PasswordGrantProfile(name) => Some(Hint::UsePassword(name.clone())),
            Error::RedirectNotOnLoopback(_) => Some(Hint::UseLoopbackRedirect),
            Error::TimedOut(_) => Some(Hint::WaitLonger),
            Error::Network {
                untrusted_certificate: true,
                ..
            } => Some(Hint::TrustCertificate),
            Error::AuthorizationRefused {
                error,
                description: Some(description),
            } if asks_for_pkce(error, description) => Some(Hint::TurnOnPkce(String::new())),
            Error::PkceRequired { profile, .. } => Some(Hint::TurnOnPkce(profile.clone())),
            Error::Network { .. } | Error::AuthorizationRefused { .. } | Error::SignInBusy(_) => {
                Some(Hint::TryAgain)
            }
            Error::ServerRejected { reply, .. } if reply.status >= 500 => Some(Hint::TryAgain),
            _ => None,
        }
    }

    /// Whether this is the server refusing a refresh token (invalid, expired, revoked,
    /// already used: a sign-in gets new tokens), rather than the client or the network
    /// failing (which a sign-in would not cure).
    pub fn is_refresh_token_refused(&self) -> bool {
        match self {
            Error::ServerRejected {
                action: REFRESH_ACTION,
                reply,
                ..
            } => {
                matches!(reply.status, 400 | 403)
                    && (reply.body.contains("invalid_grant")
                        || reply.body.contains("The refresh token has expired"))
            }
            _ => false,
        }
    }

    /// Whether the server refused the client itself (`invalid_client`): a wrong client ID
    /// or secret, which only the profile's credentials cure.
    pub fn refuses_client(&self) -> bool {
        matches!(self, Error::ServerRejected { reply, .. } if reply.body.contains("invalid_client"))
    }

    /// Names the request a server's refusal answered (kept for a details view).
    pub fn answering(mut self, method: &str, url: &url::Url) -> Self {
        match &mut self {
            Error::ServerRejected { reply, .. }
            | Error::BadResponse {
                reply: Some(reply), ..
            } if reply.request.is_none() => reply.request = Some(request_line(method, url)),
            _ => {}
        }
        self
    }

    /// The server's own words, for a details view.
    pub fn server_reply(&self) -> Option<&ServerReply> {
        match self {
            Error::ServerRejected { reply, .. } => Some(reply),
            Error::BadResponse { reply, .. } => reply.as_ref(),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Whether a refused authorization asks for PKCE: oauthlib's words (AWX's DOT 1.7.1 and the
/// gateway's DOT 2.3 alike), `invalid_request` with "Code challenge required.".
fn asks_for_pkce(error: &str, description: &str) -> bool {
    error == "invalid_request" && description.contains("Code challenge required")
}

impl Error {
    /// A sign-in's error, told for `profile`: a refusal for want of PKCE becomes
    /// [`Error::PkceRequired`], whose next step names the profile's exact fix.
    pub fn for_sign_in(self, profile: &str) -> Error {
        match self {
            Error::AuthorizationRefused {
                error,
                description: Some(description),
            } if asks_for_pkce(&error, &description) => Error::PkceRequired {
                profile: profile.to_owned(),
                description,
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_line_names_method_and_address_without_query_or_login() {
        let url =
            url::Url::parse("https://user:pw@aap.example.com/api/o/token/?state=s#f").unwrap();
        let reply = ServerReply::new(400, String::new()).answering("POST", &url);
        assert_eq!(
            reply.request.as_deref(),
            Some("POST https://aap.example.com/api/o/token/")
        );
        // Only a refusal with a reply is named; a name already given is kept.
        let error = Error::ServerRejected {
            action: "token list",
            summary: "no".into(),
            reply: reply.clone(),
        }
        .answering(
            "GET",
            &url::Url::parse("https://elsewhere.example/").unwrap(),
        );
        assert_eq!(error.server_reply(), Some(&reply));
    }
}
