//! A server's refusal as one sentence, for both clients (OAuth and the REST API): JSON
//! (`error`, `error_description`, `detail`) or AWX's plain text, never echoing secrets.

use serde::Deserialize;

use crate::error::{Error, ServerReply};
use crate::text::{first_line, printable};

/// Users of an external authentication provider may not have OAuth2 tokens unless the
/// administrator allows it (facts 8 and 19): the setting, named as the UI and the API do.
const EXTERNAL_USERS: &str = "this user signs in through an external authentication provider (LDAP, SAML or social login), and the server gives such users no OAuth2 tokens unless an administrator turns on \"Allow external users to create OAuth2 tokens\" (ALLOW_OAUTH2_FOR_EXTERNAL_USERS).";

/// One sentence from a refusal, JSON (`error`, `error_description`) or plain text (AWX's 403s).
pub fn rejected(action: &'static str, reply: ServerReply) -> Error {
    #[derive(Deserialize)]
    struct OAuthErrorBody {
        error: String,
        error_description: Option<String>,
    }
    #[derive(Deserialize)]
    struct DetailBody {
        detail: String,
    }
    let summary = if reply.body.contains("external authentication provider") {
        // AWX's plain-text 403 (and the gateway's) for LDAP, SAML and social users.
        EXTERNAL_USERS.to_owned()
    } else if (300..400).contains(&reply.status) {
        "it answered with a redirect, which AuthDesk does not follow with credentials; check the base URL (http or https, path prefix).".to_owned()
    } else if let Ok(mut body) = serde_json::from_str::<OAuthErrorBody>(&reply.body) {
        body.error = printable(&body.error).replace('\n', " ");
        body.error_description = body
            .error_description
            .map(|d| printable(&d).replace('\n', " "));
        let hint = match body.error.as_str() {
            "invalid_client" => " (the client ID or client secret is wrong)",
            "invalid_grant" if action == "password grant" => " (the username or password is wrong)",
            "invalid_grant" => " (the code or refresh token is invalid, expired, or already used)",
            "unsupported_grant_type" => " (the application does not allow this grant type)",
            _ => "",
        };
        match body.error_description {
            Some(description) if !description.is_empty() => {
                format!("{}{hint}: {description}", body.error)
            }
            _ => format!("{}{hint}.", body.error),
        }
    } else if let Ok(body) = serde_json::from_str::<DetailBody>(&reply.body) {
        first_line(&body.detail)
    } else if reply.body.trim_start().starts_with('<') {
        "the server sent an HTML error page (see details).".to_owned()
    } else if reply.body.is_empty() {
        "the server gave no reason.".to_owned()
    } else {
        first_line(&reply.body)
    };
    Error::ServerRejected {
        action,
        summary,
        reply,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_users_are_told_the_admin_setting() {
        let refused = rejected(
            "code exchange",
            ServerReply::new(403, "OAuth2 Tokens cannot be created by users associated with an external authentication provider (LDAP)".into()),
        );
        let sentence = refused.to_string();
        assert!(
            sentence.contains("ALLOW_OAUTH2_FOR_EXTERNAL_USERS")
                && sentence.contains("Allow external users to create OAuth2 tokens"),
            "{sentence}"
        );
    }

    #[test]
    fn refusals_read_as_sentences() {
        let plain = rejected(
            "token refresh",
            ServerReply::new(403, "The refresh token has expired.".into()),
        );
        assert_eq!(
            plain.to_string(),
            "The server refused the token refresh (HTTP 403): The refresh token has expired."
        );
        let json = rejected(
            "code exchange",
            ServerReply::new(400, r#"{"error": "invalid_grant"}"#.into()),
        );
        assert!(
            json.to_string()
                .contains("invalid_grant (the code or refresh token is invalid"),
            "{json}"
        );
        let redirect = rejected("code exchange", ServerReply::new(301, String::new()));
        assert!(redirect.to_string().contains("redirect"), "{redirect}");
        // Found by the token_answer fuzzer: JSON escapes decode into control characters.
        let escaped = rejected(
            "code exchange",
            ServerReply::new(
                400,
                r#"{"error": "invalid_grant\r\u001b[31m", "error_description": "a\nb"}"#.into(),
            ),
        );
        assert!(
            !escaped.to_string().chars().any(char::is_control),
            "{escaped:?}"
        );
    }
}
