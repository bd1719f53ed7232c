//! How an engine error reaches the web view: one sentence, the window's next step
//! (`hint`, and `next`, the button that takes it), its class, and the request and the
//! server's reply (masked by the core) behind a details toggle.

use authdesk_core::{Error, ErrorKind, Hint, DEFAULT_REDIRECT_URI};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CommandError {
    pub message: String,
    /// What to do next, in the window's words (its buttons and fields).
    pub hint: Option<String>,
    pub kind: ErrorKind,
    pub status: Option<u16>,
    pub details: Option<String>,
    /// The request the server refused, `METHOD URL`.
    pub request: Option<String>,
    /// The button the window offers beside the message.
    pub next: Option<NextStep>,
    /// The user's own Cancel: shown as news, not as a failure.
    pub cancelled: bool,
}

/// A next step the window has a button for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// Open Edit with the client secret field focused.
    UpdateClientSecret,
    /// Run the same action again.
    TryAgain,
    /// Start a sign-in.
    SignIn,
    /// Open Edit with the CA file field focused.
    TrustCaFile,
    /// Open Edit at the base URL.
    EditProfile,
    /// Ask for the encrypted secret file's passphrase, then run the action again.
    UnlockSecretStore,
    /// Save the profile with PKCE on, and start the sign-in again.
    TurnOnPkce,
}

/// The button for the core's next step: the window decides nothing of its own here.
fn next_step(hint: &Hint) -> Option<NextStep> {
    match hint {
        Hint::FixClientCredentials | Hint::EnterClientSecret(_) => {
            Some(NextStep::UpdateClientSecret)
        }
        Hint::TrustCertificate => Some(NextStep::TrustCaFile),
        Hint::TryAgain | Hint::WaitLonger | Hint::StartAgain => Some(NextStep::TryAgain),
        Hint::SignInAgain(_) | Hint::GetTokens(_) => Some(NextStep::SignIn),
        Hint::CheckBaseUrl
        | Hint::ChoosePreset
        | Hint::UseLoopbackRedirect
        | Hint::SignInWithWrite(_) => Some(NextStep::EditProfile),
        Hint::TurnOnPkce(_) => Some(NextStep::TurnOnPkce),
        Hint::UnlockSecretFile => Some(NextStep::UnlockSecretStore),
        Hint::ListProfiles | Hint::OtherName | Hint::UsePassword(_) | Hint::UseProfileToken => None,
    }
}

impl From<Error> for CommandError {
    fn from(error: Error) -> Self {
        let reply = error.server_reply();
        let next_hint = error.hint();
        CommandError {
            message: error.to_string(),
            hint: next_hint.as_ref().and_then(hint_text),
            kind: error.kind(),
            status: reply.map(|r| r.status),
            details: reply.map(|r| readable(&r.body)),
            request: reply.and_then(|r| r.request.clone()),
            next: next_hint.as_ref().and_then(next_step),
            cancelled: matches!(error, Error::Cancelled),
        }
    }
}

/// The next step, in terms of what the window shows; `None` where the button says it.
fn hint_text(hint: &Hint) -> Option<String> {
    let text = match hint {
        Hint::ListProfiles => "Choose one from the Profile list.",
        Hint::EnterClientSecret(_) => "Edit the profile and enter the client secret the server showed when the application was created.",
        Hint::GetTokens(_) => "Press Get token first.",
        Hint::UsePassword(_) => "Enter your username and password, then press Get token.",
        Hint::WaitLonger => "Press Get token to try again.",
        Hint::TrustCertificate => "If the server uses a private CA, edit the profile and give that CA's PEM file, or pin the server's certificate.",
        Hint::UseLoopbackRedirect => {
            return Some(format!("Register {DEFAULT_REDIRECT_URI} in the server's application, then edit the profile to use it."))
        }
        Hint::FixClientCredentials => "The profile's client ID or secret does not match the server's application: update the client secret (or the client ID) in Edit.",
        Hint::TurnOnPkce(_) => "The profile can sign in with PKCE instead; nothing else about it changes.",
        Hint::TryAgain => return None,
        Hint::UnlockSecretFile => "Enter its passphrase to unlock it for this session.",
        Hint::OtherName => "Pick another name.",
        Hint::StartAgain => "Press Get token to start again.",
        Hint::SignInAgain(_) => "Press Get token to sign in again.",
        Hint::SignInWithWrite(_) => "Edit the profile to ask for scope “read write”, press Get token, and try again; or enter your username and password.",
        Hint::CheckBaseUrl => "Edit the profile and check its base URL (http or https, host, path prefix) and server kind.",
        Hint::ChoosePreset => "Choose the kind of server yourself.",
        Hint::UseProfileToken => "Leave the username empty to use the profile's own token (from Get token), which works with single sign-on too.",
    };
    Some(text.to_owned())
}

impl CommandError {
    /// The message and its next step, as one text (for a warning line).
    pub fn sentence(&self) -> String {
        match &self.hint {
            Some(hint) => format!("{} {hint}", self.message),
            None => self.message.clone(),
        }
    }

    pub fn config(message: impl Into<String>) -> Self {
        CommandError {
            message: message.into(),
            hint: None,
            kind: ErrorKind::Config,
            status: None,
            details: None,
            request: None,
            next: None,
            cancelled: false,
        }
    }
}

/// The server's reply for the details view: JSON laid out to read; the core has already
/// masked anything secret-looking in it.
fn readable(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(json) => serde_json::to_string_pretty(&json).unwrap_or_else(|_| body.to_owned()),
        Err(_) => body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authdesk_core::ServerReply;

    fn refused(status: u16, body: &str) -> Error {
        let url = url::Url::parse("https://aap.example.com/api/o/token/?x=1").unwrap();
        Error::ServerRejected {
            action: "code exchange",
            summary: "refused".into(),
            reply: ServerReply::new(status, body.into()).answering("POST", &url),
        }
    }

    #[test]
    fn a_wrong_client_leads_to_its_secret_with_the_request_named() {
        let error = CommandError::from(refused(401, r#"{"error": "invalid_client"}"#));
        assert_eq!(error.next, Some(NextStep::UpdateClientSecret));
        assert!(error.hint.is_some_and(|h| h.contains("client secret")));
        assert_eq!(
            error.request.as_deref(),
            Some("POST https://aap.example.com/api/o/token/")
        );
        assert_eq!(error.status, Some(401));
        assert!(!error.cancelled);
    }

    #[test]
    fn each_cause_gets_its_own_next_step() {
        let untrusted = Error::Network {
            action: "code exchange",
            host: "aap.example.com".into(),
            message: "invalid peer certificate".into(),
            untrusted_certificate: true,
        };
        assert_eq!(
            CommandError::from(untrusted).next,
            Some(NextStep::TrustCaFile)
        );
        assert_eq!(
            CommandError::from(refused(503, "down")).next,
            Some(NextStep::TryAgain)
        );
        assert_eq!(
            CommandError::from(refused(400, r#"{"error": "invalid_grant"}"#)).next,
            None
        );
        assert_eq!(
            CommandError::from(Error::MissingClientSecret("p".into())).next,
            Some(NextStep::UpdateClientSecret)
        );
        assert_eq!(
            CommandError::from(Error::TimedOut(600)).next,
            Some(NextStep::TryAgain)
        );
        let pkce = CommandError::from(Error::AuthorizationRefused {
            error: "invalid_request".into(),
            description: Some("Code challenge required.".into()),
        });
        assert_eq!(pkce.next, Some(NextStep::TurnOnPkce));
        assert!(pkce.hint.is_some_and(|h| h.contains("PKCE")));
        // Any other refusal at the consent screen: try again.
        assert_eq!(
            CommandError::from(Error::AuthorizationRefused {
                error: "access_denied".into(),
                description: None,
            })
            .next,
            Some(NextStep::TryAgain)
        );
    }

    #[test]
    fn the_users_own_cancel_is_not_a_failure() {
        let cancelled = CommandError::from(Error::Cancelled);
        assert!(cancelled.cancelled);
        assert_eq!(cancelled.next, None);
    }
}
