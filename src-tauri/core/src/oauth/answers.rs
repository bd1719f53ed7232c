//! What the token endpoint's answers mean: tokens checked before use, refusals (JSON or
//! AWX's plain text) as one sentence, success bodies never echoed.

use chrono::Utc;
use oauth2::basic::{BasicErrorResponse, BasicTokenResponse, BasicTokenType};
use oauth2::{RequestTokenError, TokenResponse};
use url::Url;

use super::adapter::OAuthHttp;
use crate::error::{Error, Result, ServerReply};
use crate::http::{network_error, rejected, reply_text, HttpError};
use crate::secret::Secret;
use crate::text::{first_line, one_line};
use crate::tokens::{expiry_from, is_b64token, TokenSet};

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
