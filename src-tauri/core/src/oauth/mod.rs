//! The OAuth2 client of one profile: authorize URL, code exchange, refresh, revoke and
//! who-am-I, built on the `oauth2` crate with AWX's and the gateway's quirks handled.

pub(crate) mod http;
pub mod pinning;

use std::borrow::Cow;

use chrono::Utc;
use oauth2::basic::{BasicClient, BasicErrorResponse, BasicTokenResponse, BasicTokenType};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError,
    ResourceOwnerPassword, ResourceOwnerUsername, Scope as OAuthScope, TokenResponse, TokenUrl,
};
use serde::Deserialize;
use url::Url;

use crate::error::{Error, Result, ServerReply};
use crate::presets::Endpoints;
use crate::profiles::{ClientAuth, Profile};
use crate::secret::Secret;
use crate::tokens::{expiry_from, TokenSet};
use http::{network_error, read_capped, reply_text, HttpError, OAuthHttp};
pub use http::{MAX_BODY_BYTES, REQUEST_TIMEOUT};

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// What who-am-I said about a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhoAmI {
    User(String),
    /// 401: the token is not (or no longer) valid.
    Unauthorized,
}

pub struct OAuthClient {
    oauth: Client,
    http: reqwest::Client,
    endpoints: Endpoints,
    client_id: String,
    client_secret: Secret,
    client_auth: ClientAuth,
    scope: String,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("endpoints", &self.endpoints)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish_non_exhaustive()
    }
}

impl OAuthClient {
    pub fn new(profile: &Profile, client_secret: Secret) -> Result<Self> {
        let endpoints = profile.endpoints()?;
        let bad_url = |what: &str, e: url::ParseError| {
            Error::Config(format!("The {what} URL is not valid: {e}."))
        };
        let oauth = BasicClient::new(ClientId::new(profile.client_id.clone()))
            .set_client_secret(ClientSecret::new(client_secret.expose().to_owned()))
            .set_auth_uri(AuthUrl::from_url(endpoints.authorize.clone()))
            .set_token_uri(
                TokenUrl::new(endpoints.token.to_string()).map_err(|e| bad_url("token", e))?,
            )
            .set_auth_type(match profile.client_auth {
                ClientAuth::Basic => AuthType::BasicAuth,
                ClientAuth::Post => AuthType::RequestBody,
            });
        Ok(OAuthClient {
            oauth,
            http: http::build_client(&http::Trust::of(profile)?, profile.request_timeout())?,
            endpoints,
            client_id: profile.client_id.clone(),
            client_secret,
            client_auth: profile.client_auth,
            scope: profile.scope.as_str().to_owned(),
        })
    }

    /// The URL the browser opens. `state` must be fresh for every attempt.
    pub fn authorize_url(
        &self,
        redirect_uri: &Url,
        state: &str,
        pkce: Option<PkceCodeChallenge>,
    ) -> Url {
        let mut request = self
            .oauth
            .authorize_url(|| CsrfToken::new(state.to_owned()))
            .set_redirect_uri(Cow::Owned(RedirectUrl::from_url(redirect_uri.clone())))
            .add_scopes(
                self.scope
                    .split_whitespace()
                    .map(|s| OAuthScope::new(s.to_owned())),
            );
        if let Some(challenge) = pkce {
            request = request.set_pkce_challenge(challenge);
        }
        request.url().0
    }

    /// Exchanges a code; `redirect_uri` must be exactly the one sent to authorize.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &Url,
        verifier: Option<PkceCodeVerifier>,
    ) -> Result<TokenSet> {
        const ACTION: &str = "code exchange";
        let http = OAuthHttp::new(&self.http);
        let redirect = RedirectUrl::from_url(redirect_uri.clone());
        let mut request = self
            .oauth
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_redirect_uri(Cow::Borrowed(&redirect));
        if let Some(verifier) = verifier {
            request = request.set_pkce_verifier(verifier);
        }
        let result = request.request_async(&http).await;
        self.token_result(ACTION, &self.endpoints.token, result, &http)
    }

    /// Uses a refresh token. AWX and the gateway rotate both tokens: keep the new pair.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenSet> {
        const ACTION: &str = "token refresh";
        let http = OAuthHttp::new(&self.http);
        let token = RefreshToken::new(refresh_token.expose().to_owned());
        let result = self
            .oauth
            .exchange_refresh_token(&token)
            .request_async(&http)
            .await;
        self.token_result(ACTION, &self.endpoints.token, result, &http)
    }

    /// The password grant: the username and password go to the token endpoint once.
    pub async fn password_grant(&self, username: &str, password: &Secret) -> Result<TokenSet> {
        const ACTION: &str = "password grant";
        let http = OAuthHttp::new(&self.http);
        let username = ResourceOwnerUsername::new(username.to_owned());
        let password = ResourceOwnerPassword::new(password.expose().to_owned());
        let result = self
            .oauth
            .exchange_password(&username, &password)
            .add_scopes(
                self.scope
                    .split_whitespace()
                    .map(|s| OAuthScope::new(s.to_owned())),
            )
            .request_async(&http)
            .await;
        self.token_result(ACTION, &self.endpoints.token, result, &http)
    }

    /// Revokes one token at the revoke endpoint with the client's credentials. A 2xx
    /// proves nothing (unknown tokens get 200 too): callers verify with who-am-I.
    ///
    /// Written by hand because the `oauth2` crate refuses revocation over plain HTTP
    /// (RFC 7009), and AWX dev and demo servers often run on it.
    pub async fn revoke(&self, token: &Secret, token_type_hint: &str) -> Result<()> {
        const ACTION: &str = "revoke request";
        let url = &self.endpoints.revoke;
        let mut form = vec![
            ("token", token.expose()),
            ("token_type_hint", token_type_hint),
        ];
        let mut request = self.http.post(url.clone());
        match self.client_auth {
            ClientAuth::Basic => {
                // DOT url-decodes both halves, as RFC 6749 §2.3.1 asks.
                let encode = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                request = request.basic_auth(
                    encode(&self.client_id),
                    Some(encode(self.client_secret.expose())),
                );
            }
            ClientAuth::Post => {
                form.push(("client_id", &self.client_id));
                form.push(("client_secret", self.client_secret.expose()));
            }
        }
        let (status, body) = send(ACTION, url, request.form(&form)).await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(rejected(
                ACTION,
                ServerReply {
                    status: status.as_u16(),
                    body: reply_text(&body),
                },
            ))
        }
    }

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
                ServerReply {
                    status: status.as_u16(),
                    body: reply_text(&body),
                },
            ));
        }
        parse_username(&body)
            .map(WhoAmI::User)
            .ok_or_else(|| Error::BadResponse {
                action: ACTION,
                message: "it names no user (expected results[0].username or username).".into(),
                reply: Some(ServerReply {
                    status: status.as_u16(),
                    body: reply_text(&body),
                }),
            })
    }

    fn token_result(
        &self,
        action: &'static str,
        url: &Url,
        result: Result<BasicTokenResponse, RequestTokenError<HttpError, BasicErrorResponse>>,
        http: &OAuthHttp,
    ) -> Result<TokenSet> {
        let reply = http.last_reply();
        match result {
            Ok(response) => token_set(&response).ok_or_else(|| Error::BadResponse {
                action,
                message:
                    "a token holds characters no OAuth token has (RFC 6750), so it is not used."
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
                    reply.unwrap_or_else(|| ServerReply {
                        status: 0,
                        body: String::new(),
                    }),
                ))
            }
            // A 2xx whose body is not a token response: say where, never echo the body (it may hold tokens).
            Err(RequestTokenError::Parse(e, _)) => Err(Error::BadResponse {
                action,
                message: format!(
                    "the token response is malformed or lacks a field (at `{}`).",
                    first_line(&http::printable(&e.path().to_string()))
                ),
                reply: None,
            }),
            Err(RequestTokenError::ServerResponse(e)) => Err(Error::BadResponse {
                action,
                message: format!(
                    "the server answered success with an error inside ({}).",
                    e.error().as_ref()
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
}

/// Sends a request and reads its body (capped), with network failures as one sentence.
pub(crate) async fn send(
    action: &'static str,
    url: &Url,
    request: reqwest::RequestBuilder,
) -> Result<(reqwest::StatusCode, Vec<u8>)> {
    let response = request
        .send()
        .await
        .map_err(|e| network_error(action, url, &e.into()))?;
    let status = response.status();
    let body = read_capped(response)
        .await
        .map_err(|e| network_error(action, url, &e))?;
    Ok((status, body))
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
            ServerReply {
                status,
                body: http::reply_text(body),
            },
        ))
    }
}

/// How current gateways (django-ansible-base) store a token: `$sha256$<hex of sha256>`.
/// Their revoke endpoint looks the token up as sent, so only this form revokes there.
pub fn hashed_token_form(token: &Secret) -> Secret {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let digest = Sha256::digest(token.expose().as_bytes());
    let mut form = String::with_capacity(8 + 64);
    form.push_str("$sha256$");
    for byte in digest {
        let _ = write!(form, "{byte:02x}");
    }
    Secret::new(form)
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
    })
}

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
    let summary = if (300..400).contains(&reply.status) {
        "it answered with a redirect, which AuthDesk does not follow with credentials; check the base URL (http or https, path prefix).".to_owned()
    } else if let Ok(mut body) = serde_json::from_str::<OAuthErrorBody>(&reply.body) {
        body.error = http::printable(&body.error).replace('\n', " ");
        body.error_description = body
            .error_description
            .map(|d| http::printable(&d).replace('\n', " "));
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
        first_line(&http::printable(&body.detail))
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

/// The headline of a server's text; the whole body stays in the reply for a details view.
fn first_line(text: &str) -> String {
    const MAX_CHARS: usize = 300;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    match line.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

/// AWX's and the gateway's `me` are paginated lists; other servers answer an object.
fn parse_username(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let user = value
        .get("results")
        .and_then(|r| r.get(0))
        .unwrap_or(&value);
    user.get("username")
        .and_then(|u| u.as_str())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_the_client_hides_its_secret() {
        let profile = crate::profiles::ProfileDraft {
            name: "p".into(),
            preset: crate::presets::Preset::Awx,
            base_url: "https://awx.example.com".into(),
            client_id: "id".into(),
            grant: Default::default(),
            redirect_uri: "http://127.0.0.1/callback".into(),
            scope: "read".into(),
            ca_file: None,
            pkce: false,
            client_auth: ClientAuth::Basic,
            pin_sha256: None,
            request_timeout_secs: None,
            endpoints: None,
        }
        .build()
        .unwrap();
        let client = OAuthClient::new(&profile, Secret::new("ClientSecretValue")).unwrap();
        assert!(!format!("{client:?}").contains("ClientSecretValue"));
    }

    #[test]
    fn hashed_form_is_dab_sha256_hex() {
        // sha256("abc"), the FIPS 180-2 test vector.
        assert_eq!(
            hashed_token_form(&Secret::new("abc")).expose(),
            "$sha256$ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn only_bearer_token_characters_pass() {
        assert!(is_b64token("NDInWxGJI4iZgqpsreujjbvzCfJqgR"));
        assert!(is_b64token("a.b-c_d~e+f/g=="));
        for hostile in ["", "==", "a b", "a'b", "$(id)", "a\nb", "tök"] {
            assert!(!is_b64token(hostile), "{hostile:?}");
        }
    }

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
    }

    #[test]
    fn refusals_read_as_sentences() {
        let plain = rejected(
            "token refresh",
            ServerReply {
                status: 403,
                body: "The refresh token has expired.".into(),
            },
        );
        assert_eq!(
            plain.to_string(),
            "The server refused the token refresh (HTTP 403): The refresh token has expired."
        );
        let json = rejected(
            "code exchange",
            ServerReply {
                status: 400,
                body: r#"{"error": "invalid_grant"}"#.into(),
            },
        );
        assert!(
            json.to_string()
                .contains("invalid_grant (the code or refresh token is invalid"),
            "{json}"
        );
        let redirect = rejected(
            "code exchange",
            ServerReply {
                status: 301,
                body: String::new(),
            },
        );
        assert!(redirect.to_string().contains("redirect"), "{redirect}");
        // Found by the token_answer fuzzer: JSON escapes decode into control characters.
        let escaped = rejected(
            "code exchange",
            ServerReply {
                status: 400,
                body: r#"{"error": "invalid_grant\r\u001b[31m", "error_description": "a\nb"}"#
                    .into(),
            },
        );
        assert!(
            !escaped.to_string().chars().any(char::is_control),
            "{escaped:?}"
        );
    }
}
