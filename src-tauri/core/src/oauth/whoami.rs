//! Who-am-I: whom a token belongs to, and the only proof that a revoke worked (401).

use super::{OAuthClient, WhoAmI};
use crate::error::{Error, Result, ServerReply};
use crate::http::rejected;
use crate::http::{reply_text, send};
use crate::secret::Secret;
use crate::text::one_line;

impl OAuthClient {
    /// Asks the server who the token belongs to.
    pub async fn whoami(&self, access_token: &Secret) -> Result<WhoAmI> {
        const ACTION: &str = "who-am-I request";
        let url = &self.endpoints.whoami;
        let request = self
            .http
            .get(url.clone())
            .bearer_auth(access_token.expose())
            .header(reqwest::header::ACCEPT, "application/json");
        let (status, body) = send(ACTION, url, request).await?;
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Ok(WhoAmI::Unauthorized);
        }
        if !status.is_success() {
            return Err(rejected(
                ACTION,
                ServerReply::new(status.as_u16(), reply_text(&body)).answering("GET", url),
            ));
        }
        parse_username(&body)
            .map(WhoAmI::User)
            .ok_or_else(|| Error::BadResponse {
                action: ACTION,
                message: "it names no user (expected results[0].username or username).".into(),
                reply: Some(
                    ServerReply::new(status.as_u16(), reply_text(&body)).answering("GET", url),
                ),
            })
    }
}

/// AWX's and the gateway's `me` are paginated lists; other servers answer an object.
/// The name goes to terminals and the window: made printable, on one line, cut.
fn parse_username(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let user = value
        .get("results")
        .and_then(|r| r.get(0))
        .unwrap_or(&value);
    user.get("username")
        .and_then(|u| u.as_str())
        .map(|name| one_line(name, MAX_NAME_CHARS))
        .filter(|name| !name.is_empty())
}

/// No username is longer; a longer one is hostile.
const MAX_NAME_CHARS: usize = 150;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_from_paginated_or_plain_me() {
        assert_eq!(
            parse_username(br#"{"count":1,"results":[{"id":1,"username":"demo"}]}"#).as_deref(),
            Some("demo")
        );
        assert_eq!(
            parse_username(br#"{"username":"solo"}"#).as_deref(),
            Some("solo")
        );
        assert_eq!(parse_username(br#"{"results":[]}"#), None);
        assert_eq!(parse_username(b"not json"), None);
        // A hostile server's escape sequences never reach a terminal.
        let hostile = parse_username(br#"{"username":"ad\u001b]0;owned\u0007min\r\nRevoked"}"#);
        assert_eq!(hostile.as_deref(), Some("ad ]0;owned min  Revoked"));
    }
}
