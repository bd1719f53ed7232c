//! How a REST API command proves who it is, now that AAP 2.7 has removed HTTP Basic from
//! every API: the profile's own OAuth token as a bearer token (the way in for SSO users,
//! who have no password), or a username and password at the server's login page (Django's
//! `LoginView`: a GET for the CSRF cookie, then a form POST), whose session cookie lives in
//! memory for one command and is logged out afterwards. HTTP Basic only for a server that
//! has no login page.

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::REFERER;
use url::Url;

use super::Credentials;
use crate::error::{Error, Result};
use crate::http::send;
use crate::presets::{join_path, ApiPaths};
use crate::secret::Secret;

/// What a REST API command logs in with.
#[derive(Debug)]
pub enum ApiLogin {
    /// A username and password, for a session at the server's login page.
    Password(Credentials),
    /// An OAuth access token: the profile's own, from a sign-in.
    Token {
        profile: String,
        token: Secret,
        /// The token's scope, as the server granted it (`None`: not stated).
        scope: Option<String>,
    },
}

/// What each request carries once logged in.
#[derive(Debug)]
pub(super) enum Auth {
    Bearer {
        profile: String,
        token: Secret,
        scope: Option<String>,
    },
    /// The session cookie is in the client's cookie jar.
    Session {
        username: String,
    },
    Basic(Credentials),
}

const LOGIN: &str = "login";

impl Auth {
    /// Who the requests are made as, for sentences.
    pub(super) fn who(&self) -> String {
        match self {
            Auth::Bearer { profile, .. } => format!("the token of profile \"{profile}\""),
            Auth::Session { username } => format!("user \"{username}\""),
            Auth::Basic(credentials) => format!("user \"{}\"", credentials.username()),
        }
    }

    /// A change (create, delete) needs a token with scope `write`: said before asking.
    pub(super) fn check_may_change(&self) -> Result<()> {
        match self {
            Auth::Bearer {
                profile,
                scope: Some(scope),
                ..
            } if !scope.split_whitespace().any(|s| s == "write") => Err(Error::TokenLacksWrite {
                profile: profile.clone(),
                scope: scope.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// What a 401 from the API means for this way of logging in.
    pub(super) fn refused(&self, action: &'static str) -> Error {
        match self {
            Auth::Bearer { profile, .. } => Error::ApiRefusedLogin {
                action,
                how: format!("the token of profile \"{profile}\" (revoked or expired)"),
                basic: false,
            },
            Auth::Session { username } => Error::ApiRefusedLogin {
                action,
                how: format!("the login session of user \"{username}\""),
                basic: false,
            },
            Auth::Basic(_) => Error::ApiRefusedLogin {
                action,
                how: "a username and password sent as HTTP Basic (AAP 2.7 removed it)".into(),
                basic: true,
            },
        }
    }

    /// Adds what this login sends to a request; changes also carry the CSRF token a
    /// session needs (Django checks it, and the Referer on HTTPS).
    pub(super) fn apply(
        &self,
        request: reqwest::RequestBuilder,
        jar: &Jar,
        url: &Url,
        base_url: &Url,
        changes: bool,
    ) -> reqwest::RequestBuilder {
        match self {
            Auth::Bearer { token, .. } => request.bearer_auth(token.expose()),
            Auth::Basic(credentials) => request.basic_auth(
                credentials.username(),
                Some(credentials.password().expose()),
            ),
            Auth::Session { .. } if changes => {
                let request = request.header(REFERER, base_url.as_str());
                match cookie(jar, url, "csrftoken") {
                    Some(csrf) => request.header("X-CSRFToken", csrf),
                    None => request,
                }
            }
            Auth::Session { .. } => request,
        }
    }
}

/// Logs in as `login` says; a password becomes a session, or Basic where the server has
/// no login page (404 or 405 at its path).
pub(super) async fn log_in(
    http: &reqwest::Client,
    jar: &Arc<Jar>,
    base_url: &Url,
    api: &ApiPaths,
    login: ApiLogin,
) -> Result<Auth> {
    let credentials = match login {
        ApiLogin::Token {
            profile,
            token,
            scope,
        } => {
            return Ok(Auth::Bearer {
                profile,
                token,
                scope,
            })
        }
        ApiLogin::Password(credentials) => credentials,
    };
    let page = join_path(base_url, api.login);
    let (status, _) = send(LOGIN, &page, http.get(page.clone())).await?;
    if matches!(status.as_u16(), 404 | 405) {
        tracing::info!("no login page at {page}; using HTTP Basic");
        return Ok(Auth::Basic(credentials));
    }
    if !status.is_success() {
        return Err(Error::BadResponse {
            action: LOGIN,
            message: format!("the login page at {page} answered HTTP {status}."),
            reply: None,
        });
    }
    let csrf = cookie(jar, &page, "csrftoken").ok_or_else(|| Error::BadResponse {
        action: LOGIN,
        message: format!("the login page at {page} set no CSRF cookie."),
        reply: None,
    })?;
    let form = [
        ("username", credentials.username()),
        ("password", credentials.password().expose()),
        ("csrfmiddlewaretoken", csrf.as_str()),
        ("next", api.me),
    ];
    let request = http
        .post(page.clone())
        .header(REFERER, page.as_str())
        .header("X-CSRFToken", csrf.as_str())
        .form(&form);
    let (status, body) = send(LOGIN, &page, request).await?;
    let username = credentials.username().to_owned();
    drop(credentials);
    match status.as_u16() {
        // Django's LoginView answers a good login with a redirect to `next`, and shows the
        // form again (200) for a bad one; a redirect may also come from SSO or a proxy. So
        // both are checked by asking who-am-I with the session.
        200..=399 => {
            let session = Auth::Session {
                username: username.clone(),
            };
            let me = join_path(base_url, api.me);
            match send(LOGIN, &me, http.get(me.clone())).await {
                Ok((status, _)) if status.is_success() => Ok(session),
                Ok(_) => Err(Error::LoginFailed { username }),
                Err(e) => {
                    log_out(http, jar, base_url, api, &session).await;
                    Err(e)
                }
            }
        }
        401 => Err(Error::LoginFailed { username }),
        403 if String::from_utf8_lossy(&body).contains("CSRF") => Err(Error::BadResponse {
            action: LOGIN,
            message: "the server refused the login form's CSRF check.".into(),
            reply: None,
        }),
        403 => Err(Error::LoginRefused {
            username,
            reply: super::answers::refusal(LOGIN, status, &body).to_string(),
        }),
        _ => Err(super::answers::refusal(LOGIN, status, &body)),
    }
}

/// Ends a session (best effort: it ends on the server's timeout anyway).
pub(super) async fn log_out(
    http: &reqwest::Client,
    jar: &Arc<Jar>,
    base_url: &Url,
    api: &ApiPaths,
    auth: &Auth,
) {
    if !matches!(auth, Auth::Session { .. }) {
        return;
    }
    let url = join_path(base_url, api.logout);
    let request = auth.apply(http.post(url.clone()), jar, &url, base_url, true);
    match send("logout", &url, request).await {
        Ok((status, _)) => tracing::debug!("logged out: HTTP {status}"),
        Err(e) => tracing::warn!("could not log out: {e}"),
    }
}

/// One cookie's value from the jar, as it would be sent to `url`.
fn cookie(jar: &Jar, url: &Url, name: &str) -> Option<String> {
    let header = jar.cookies(url)?;
    let text = header.to_str().ok()?;
    text.split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}
