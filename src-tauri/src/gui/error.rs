//! How an engine error reaches the web view: one sentence, the window's next step
//! (`hint`), its class, and the server's reply behind a details toggle with anything
//! secret-looking masked.

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
}

impl From<Error> for CommandError {
    fn from(error: Error) -> Self {
        let reply = error.server_reply();
        CommandError {
            message: error.to_string(),
            hint: error.hint().map(|hint| hint_text(&hint)),
            kind: error.kind(),
            status: reply.map(|r| r.status),
            details: reply.map(|r| mask_secret_fields(&r.body)),
        }
    }
}

/// The next step, in terms of what the window shows.
fn hint_text(hint: &Hint) -> String {
    let text = match hint {
        Hint::ListProfiles => "Choose one from the Profile list.",
        Hint::EnterClientSecret(_) => "Edit the profile and enter the client secret the server showed when the application was created.",
        Hint::GetTokens(_) => "Press Get token first.",
        Hint::UsePassword(_) => "Enter your username and password, then press Get token.",
        Hint::WaitLonger => "Press Get token to try again.",
        Hint::TrustCertificate => "If the server uses a private CA, edit the profile and give that CA's PEM file, or pin the server's certificate.",
        Hint::UseLoopbackRedirect => {
            return format!("Register {DEFAULT_REDIRECT_URI} in the server's application, then edit the profile to use it.")
        }
        Hint::OtherName => "Pick another name.",
        Hint::StartAgain => "Press Get token to start again.",
    };
    text.to_owned()
}

impl CommandError {
    pub fn config(message: impl Into<String>) -> Self {
        CommandError {
            message: message.into(),
            hint: None,
            kind: ErrorKind::Config,
            status: None,
            details: None,
        }
    }
}

/// A JSON body with `…token…` or `…secret…` fields gets their values masked; other text
/// is shown as the server sent it (error bodies carry no credentials of ours).
pub fn mask_secret_fields(body: &str) -> String {
    fn mask(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, field) in map.iter_mut() {
                    let key = key.to_ascii_lowercase();
                    if (key.contains("token") || key.contains("secret") || key.contains("password"))
                        && field.is_string()
                    {
                        *field = serde_json::Value::String("••••••••".into());
                    } else {
                        mask(field);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(mask),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut json) => {
            mask(&mut json);
            serde_json::to_string_pretty(&json).unwrap_or_default()
        }
        Err(_) => body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secret_fields_are_masked() {
        let masked = super::mask_secret_fields(
            r#"{"error":"x","access_token":"abc","nested":{"client_secret":"s"}}"#,
        );
        assert!(
            !masked.contains("abc") && !masked.contains("\"s\""),
            "{masked}"
        );
        assert!(masked.contains("\"error\": \"x\""), "{masked}");
        assert_eq!(super::mask_secret_fields("plain text"), "plain text");
    }
}
