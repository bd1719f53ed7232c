//! What the token endpoint's answers mean: tokens checked before use, refusals (JSON or
//! AWX's plain text) as one sentence, success bodies never echoed.

use chrono::Utc;
use oauth2::basic::{BasicErrorResponse, BasicTokenResponse, BasicTokenType};
use oauth2::{RequestTokenError, TokenResponse};
use serde::Deserialize;
use url::Url;

use super::adapter::OAuthHttp;
use crate::error::{Error, Result, ServerReply};
use crate::http::{network_error, reply_text, HttpError};
use crate::secret::Secret;
use crate::text::{first_line, one_line, printable};
use crate::tokens::{expiry_from, TokenSet};

/// A token request's outcome as tokens or one sentence.
pub(crate) fn token_result(
    action: &'static str,
    url: &Url,
    result: Result<BasicTokenResponse, RequestTokenError<HttpError, BasicErrorResponse>>,
    http: &OAuthHttp,
) -> Result<TokenSet> {
    let reply = http.last_reply();
    match result {
        Ok(response) => token_set(&response).ok_or_else(|| Error::BadResponse {
            action,
            message: "a token holds characters no OAuth token has (RFC 6750), so it is not used."
                .into(),
            reply: None,
        }),
        Err(RequestTokenError::Request(e)) => Err(network_error(action, url, &e)),
        Err(RequestTokenError::ServerResponse(_))
        | Err(RequestTokenError::Parse(..))
        | Err(RequestTokenError::Other(_))
            if reply
                .as_ref()
                .is_some_and(|r| !(200..300).contains(&r.status)) =>
        {
            Err(rejected(
                action,
                reply.unwrap_or_else(|| ServerReply::new(0, String::new())),
            ))
        }
        // A 2xx whose body is not a token response: say where, never echo the body (it may hold tokens).
        Err(RequestTokenError::Parse(e, _)) => Err(Error::BadResponse {
            action,
            message: format!(
                "the token response is malformed or lacks a field (at `{}`).",
                first_line(&e.path().to_string())
            ),
            reply: None,
        }),
        Err(RequestTokenError::ServerResponse(e)) => Err(Error::BadResponse {
            action,
            message: format!(
                "the server answered success with an error inside ({}).",
                one_line(e.error().as_ref(), 100)
            ),
            reply: None,
        }),
        Err(RequestTokenError::Other(message)) => Err(Error::BadResponse {
            action,
            message: format!("{message}."),
            reply: None,
        }),
    }
}

/// What AuthDesk makes of a token endpoint's answer, for the fuzzer: the success body
/// through the `oauth2` crate's parser and the token checks, an error body through the
/// refusal reader. Never panics, whatever the bytes.
#[doc(hidden)]
pub fn interpret_token_answer(status: u16, body: &[u8]) -> Result<TokenSet> {
    if (200..300).contains(&status) {
        let response: BasicTokenResponse =
            serde_json::from_slice(body).map_err(|_| Error::BadResponse {
                action: "code exchange",
                // serde's message may quote the body, which holds tokens: never echo it.
                message: "the token response is malformed or lacks a field.".into(),
                reply: None,
            })?;
        token_set(&response).ok_or_else(|| Error::BadResponse {
            action: "code exchange",
            message: "a token holds characters no OAuth token has (RFC 6750).".into(),
            reply: None,
        })
    } else {
        Err(rejected(
            "code exchange",
            ServerReply::new(status, reply_text(body)),
        ))
    }
}

/// Tokens end up in shell commands, headers and `.env` lines: accept only what RFC 6750
/// allows in a bearer token (`b64token`), so a hostile server cannot inject anything.
pub(crate) fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

fn token_set(response: &BasicTokenResponse) -> Option<TokenSet> {
    let access = response.access_token().secret();
    let refresh = response.refresh_token().map(|t| t.secret());
    if !is_b64token(access) || refresh.is_some_and(|t| !is_b64token(t)) {
        return None;
    }
    let issued_at = Utc::now();
    Some(TokenSet {
        access_token: Secret::new(response.access_token().secret().clone()),
        refresh_token: response
            .refresh_token()
            .map(|t| Secret::new(t.secret().clone())),
        token_type: match response.token_type() {
            BasicTokenType::Bearer => "Bearer".to_owned(),
            other => other.as_ref().to_owned(),
        },
        scope: response.scopes().map(|scopes| {
            scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }),
        issued_at,
        expires_at: response
            .expires_in()
            .map(|lifetime| expiry_from(issued_at, lifetime.as_secs())),
        user: None,
        origin: None,
    })
}

/// Users of an external authentication provider may not have OAuth2 tokens unless the
/// administrator allows it (facts 8 and 19): the setting, named as the UI and the API do.
const EXTERNAL_USERS: &str = "this user signs in through an external authentication provider (LDAP, SAML or social login), and the server gives such users no OAuth2 tokens unless an administrator turns on \"Allow external users to create OAuth2 tokens\" (ALLOW_OAUTH2_FOR_EXTERNAL_USERS).";

/// One sentence from a refusal, JSON (`error`, `error_description`) or plain text (AWX's 403s).
pub(crate) fn rejected(action: &'static str, reply: ServerReply) -> Error {
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
    fn only_bearer_token_characters_pass() {
        assert!(is_b64token("NDInWxGJI4iZgqpsreujjbvzCfJqgR"));
        assert!(is_b64token("a.b-c_d~e+f/g=="));
        for hostile in ["", "==", "a b", "a'b", "$(id)", "a\nb", "tök"] {
            assert!(!is_b64token(hostile), "{hostile:?}");
        }
    }

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
