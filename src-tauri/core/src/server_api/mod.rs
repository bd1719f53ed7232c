//! The server's REST API beyond OAuth2: organizations, OAuth applications and personal
//! access tokens, on AWX and the gateway, as the user (`login`: the profile's own token,
//! or a session from a username and password; the password is never stored).

mod answers;
mod login;

use std::sync::Arc;

use reqwest::cookie::Jar;
use serde::Serialize;
use serde_json::{json, Value};
use url::Url;

use crate::error::{Error, Result};
use crate::http::{client_builder, send, Trust};
use crate::oauth::is_b64token;
use crate::presets::{join_path, ApiPaths, PersonalTokens, Preset};
use crate::profiles::{Grant, Scope};
use crate::secret::Secret;
pub use answers::interpret_api_answer;
use answers::{id_of, missing, number_of, parse_answer, refusal, text_of, token_info};
pub use login::ApiLogin;
use login::Auth;

/// Lists longer than this many pages are cut: no person picks from thousands.
const MAX_PAGES: usize = 20;

/// A user's own login, used for one command and then dropped.
#[derive(Debug, Clone)]
pub struct Credentials {
    username: String,
    password: Secret,
}

impl Credentials {
    /// A login as typed, checked once for every shell: the username is trimmed, and
    /// neither part may be empty.
    pub fn new(username: &str, password: Secret) -> Result<Self> {
        let username = username.trim();
        if username.is_empty() {
            return Err(Error::Config("The username is empty.".into()));
        }
        if password.is_empty() {
            return Err(Error::Config("The password is empty.".into()));
        }
        Ok(Credentials {
            username: username.to_owned(),
            password,
        })
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn password(&self) -> &Secret {
        &self.password
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    pub id: u64,
    pub name: String,
}

/// A token as the server lists it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: u64,
    pub description: String,
    pub scope: String,
    /// The application's id; `None` for a personal access token.
    pub application: Option<u64>,
    pub created: Option<String>,
    pub expires: Option<String>,
}

/// A freshly created token: the only time the server shows it.
#[derive(Debug, Clone, Serialize)]
pub struct NewToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    pub token: Secret,
    pub refresh_token: Option<Secret>,
}

impl NewToken {
    /// The token in the shape every token view and format understands.
    pub fn to_token_set(&self) -> crate::tokens::TokenSet {
        crate::tokens::TokenSet {
            access_token: self.token.clone(),
            refresh_token: self.refresh_token.clone(),
            token_type: "Bearer".into(),
            scope: Some(self.info.scope.clone()).filter(|s| !s.is_empty()),
            issued_at: chrono::Utc::now(),
            expires_at: self
                .info
                .expires
                .as_deref()
                .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
                .map(|at| at.with_timezone(&chrono::Utc)),
            user: None,
            // A personal token is not the profile's OAuth client's: it is never stored.
            origin: None,
        }
    }
}

/// What to create: a confidential application of the given grant type.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub name: String,
    pub organization: u64,
    pub grant: Grant,
    /// Required for the authorization-code grant.
    pub redirect_uri: Option<Url>,
}

#[derive(Debug, Clone)]
pub struct CreatedApplication {
    pub id: u64,
    pub client_id: String,
    /// Shown once by the server; goes straight to the keyring.
    pub client_secret: Secret,
}

/// One server's REST API, as one user, logged in for one command: end it with
/// [`ServerApi::close`], which logs a session out.
pub struct ServerApi {
    http: reqwest::Client,
    /// The session's cookies, in memory only, gone with this value.
    jar: Arc<Jar>,
    base_url: Url,
    api: ApiPaths,
    auth: Auth,
}

impl std::fmt::Debug for ServerApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerApi")
            .field("base_url", &self.base_url.as_str())
            .field("as", &self.auth.who())
            .finish_non_exhaustive()
    }
}

impl ServerApi {
    /// Logs in to the REST API of a server of the given kind.
    pub async fn connect(
        preset: Preset,
        base_url: &Url,
        trust: &Trust,
        timeout: Option<std::time::Duration>,
        login: ApiLogin,
    ) -> Result<Self> {
        let api = Self::paths(preset)?;
        let jar = Arc::new(Jar::default());
        let http = client_builder(trust, timeout)?
            .cookie_provider(Arc::clone(&jar))
            .build()
            .map_err(|e| Error::Config(format!("Could not set up the HTTP client: {e}.")))?;
        let auth = login::log_in(&http, &jar, base_url, &api, login).await?;
        Ok(ServerApi {
            http,
            jar,
            base_url: base_url.clone(),
            api,
            auth,
        })
    }

    /// The REST API paths of a kind of server, or the sentence that says it has none.
    pub fn paths(preset: Preset) -> Result<ApiPaths> {
        preset.api().ok_or_else(|| {
            Error::Config(
                "AuthDesk knows the REST API of the awx and gateway presets only; choose one of them for this server.".into(),
            )
        })
    }

    /// Ends the command's login: a session is logged out.
    pub async fn close(self) {
        login::log_out(&self.http, &self.jar, &self.base_url, &self.api, &self.auth).await;
    }

    /// The organizations the user can see, for picking where an application goes.
    pub async fn organizations(&self) -> Result<Vec<Organization>> {
        const ACTION: &str = "organization list";
        let items = self
            .get_all(ACTION, join_path(&self.base_url, self.api.organizations))
            .await?;
        items
            .iter()
            .map(|item| {
                Ok(Organization {
                    id: id_of(ACTION, item)?,
                    name: text_of(item, "name"),
                })
            })
            .collect()
    }

    /// Finds an organization by id or by exact name.
    pub async fn find_organization(&self, wanted: &str) -> Result<Organization> {
        let all = self.organizations().await?;
        let wanted = wanted.trim();
        let found = all
            .iter()
            .find(|o| o.id.to_string() == wanted || o.name == wanted)
            .or_else(|| {
                // Only one candidate when the user gave none.
                (wanted.is_empty() && all.len() == 1).then(|| &all[0])
            });
        match found {
            Some(organization) => Ok(organization.clone()),
            None if all.is_empty() => Err(Error::Config(format!(
                "{} belongs to no organization on this server; an administrator must add the user to one before an application can be created.",
                capitalized(&self.auth.who())
            ))),
            None => Err(Error::Config(format!(
                "{} Choose one of: {}.",
                if wanted.is_empty() {
                    "Which organization should own the application?".to_owned()
                } else {
                    format!("There is no organization \"{wanted}\" that this user can see.")
                },
                all.iter()
                    .map(|o| format!("\"{}\" (id {})", o.name, o.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Creates a confidential application and returns the secret the server shows once.
    pub async fn create_application(&self, app: &NewApplication) -> Result<CreatedApplication> {
        const ACTION: &str = "application set-up";
        let url = join_path(&self.base_url, self.api.applications);
        let body = json!({
            "name": app.name,
            "description": "Created by AuthDesk",
            "organization": app.organization,
            "client_type": "confidential",
            "authorization_grant_type": app.grant.application_grant_type(),
            "redirect_uris": app.redirect_uri.as_ref().map(Url::as_str).unwrap_or_default(),
            "skip_authorization": false,
        });
        let value = self.post_json(ACTION, url, &body).await.map_err(|e| match e {
            // The request may have reached the server: say what to look for.
            Error::Network {
                action,
                host,
                message,
                untrusted_certificate,
            } => Error::Network {
                action,
                host,
                message: format!(
                    "{message}; the application \"{}\" may have been created anyway, so check the server before retrying",
                    app.name
                ),
                untrusted_certificate,
            },
            other => other,
        })?;
        let id = id_of(ACTION, &value)?;
        // It is stored in the profile and shown: a value with control characters is refused.
        let client_id = value
            .get("client_id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty() && s.len() <= 255 && !s.chars().any(char::is_control));
        let client_secret = value
            .get("client_secret")
            .and_then(Value::as_str)
            // AWX and the gateway mask it on every read but the creating one.
            .filter(|s| !s.is_empty() && !s.starts_with('$') && !s.starts_with('*'));
        match (client_id, client_secret) {
            (Some(client_id), Some(client_secret)) => Ok(CreatedApplication {
                id,
                client_id: client_id.to_owned(),
                client_secret: Secret::new(client_secret),
            }),
            (client_id, _) => {
                // Without its secret the application is useless: do not leave it behind.
                let field = if client_id.is_none() {
                    "client_id"
                } else {
                    "client_secret"
                };
                let undone = self.delete_application(id).await;
                Err(Error::BadResponse {
                    action: ACTION,
                    message: match undone {
                        Ok(()) => format!("it lacks `{field}`, so AuthDesk deleted the new application (id {id}) again."),
                        Err(_) => format!("it lacks `{field}`, and deleting the new application (id {id}) failed; delete it on the server."),
                    },
                    reply: None,
                })
            }
        }
    }

    /// Deletes an application (used to undo a set-up whose secret could not be kept).
    pub async fn delete_application(&self, id: u64) -> Result<()> {
        let url = join_path(&self.base_url, &format!("{}{id}/", self.api.applications));
        self.delete("application removal", url).await
    }

    /// Creates a personal access token (or, with `application`, a token of that application).
    pub async fn create_token(
        &self,
        description: &str,
        scope: Scope,
        application: Option<u64>,
    ) -> Result<NewToken> {
        const ACTION: &str = "token creation";
        // Said before anything is sent (AWX first asks who the user is).
        self.auth.check_may_change()?;
        let url = match (self.api.personal_tokens, application) {
            // AWX's personal-token list ignores `application`; its token list takes it.
            (PersonalTokens::Shared, _) | (PersonalTokens::PerUser { .. }, Some(_)) => {
                join_path(&self.base_url, self.api.tokens)
            }
            (PersonalTokens::PerUser { prefix, suffix }, None) => {
                let id = self.my_id().await?;
                join_path(&self.base_url, &format!("{prefix}{id}{suffix}"))
            }
        };
        let mut body = json!({ "description": description, "scope": scope.as_str() });
        if let Some(application) = application {
            body["application"] = json!(application);
        }
        let value = self.post_json(ACTION, url, &body).await?;
        let token = value
            .get("token")
            .and_then(Value::as_str)
            .filter(|t| is_b64token(t))
            .ok_or_else(|| missing(ACTION, "token"))?;
        let refresh_token = value
            .get("refresh_token")
            .and_then(Value::as_str)
            .filter(|t| is_b64token(t))
            .map(Secret::new);
        Ok(NewToken {
            info: token_info(ACTION, &value)?,
            token: Secret::new(token),
            refresh_token,
        })
    }

    /// The user's tokens, as the server lists them (the tokens themselves stay hidden).
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>> {
        const ACTION: &str = "token list";
        let me = self.my_id().await?;
        let url = match self.api.personal_tokens {
            PersonalTokens::Shared => join_path(&self.base_url, self.api.tokens),
            // AWX's /tokens/ shows an administrator everyone's; the user's own list does not.
            PersonalTokens::PerUser { prefix, .. } => {
                join_path(&self.base_url, &format!("{prefix}{me}/tokens/"))
            }
        };
        let items = self.get_all(ACTION, url).await?;
        items
            .iter()
            // An administrator may be shown everyone's: keep the user's own.
            .filter(|item| number_of(item, "user").is_none_or(|owner| owner == me))
            .map(|item| token_info(ACTION, item))
            .collect()
    }

    /// Deletes one of the user's tokens by id; it stops working at once.
    pub async fn delete_token(&self, id: u64) -> Result<()> {
        self.auth.check_may_change()?;
        let url = join_path(&self.base_url, &format!("{}{id}/", self.api.tokens));
        self.delete("token removal", url).await
    }

    async fn my_id(&self) -> Result<u64> {
        const ACTION: &str = "user lookup";
        let value = self
            .get_json(ACTION, join_path(&self.base_url, self.api.me))
            .await?;
        let user = value
            .get("results")
            .and_then(|r| r.get(0))
            .unwrap_or(&value);
        id_of(ACTION, user)
    }

    /// One request as the logged-in user; a change is checked against a token's scope
    /// first, and a 401 is said for the way of logging in.
    async fn call(
        &self,
        action: &'static str,
        method: reqwest::Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<(reqwest::StatusCode, Vec<u8>)> {
        let changes = method != reqwest::Method::GET;
        if changes {
            self.auth.check_may_change()?;
        }
        let mut request = self
            .http
            .request(method, url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        request = self
            .auth
            .apply(request, &self.jar, &url, &self.base_url, changes);
        if let Some(body) = body {
            request = request.json(body);
        }
        let (status, body) = send(action, &url, request).await?;
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(self.auth.refused(action));
        }
        Ok((status, body))
    }

    async fn get_json(&self, action: &'static str, url: Url) -> Result<Value> {
        let (status, body) = self
            .call(action, reqwest::Method::GET, url.clone(), None)
            .await?;
        parse_answer(action, status, &body).map_err(|e| e.answering("GET", &url))
    }

    async fn post_json(&self, action: &'static str, url: Url, body: &Value) -> Result<Value> {
        let (status, body) = self
            .call(action, reqwest::Method::POST, url.clone(), Some(body))
            .await?;
        parse_answer(action, status, &body).map_err(|e| e.answering("POST", &url))
    }

    async fn delete(&self, action: &'static str, url: Url) -> Result<()> {
        let (status, body) = self
            .call(action, reqwest::Method::DELETE, url.clone(), None)
            .await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(refusal(action, status, &body).answering("DELETE", &url))
        }
    }

    /// All items of a paginated list. `next` links are followed by path and query on
    /// the profile's own server only: credentials never go where a link points, and a
    /// proxy that writes `http://` links for an `https://` server still works.
    async fn get_all(&self, action: &'static str, first: Url) -> Result<Vec<Value>> {
        let mut items = Vec::new();
        let mut next = Some(first);
        for _ in 0..MAX_PAGES {
            let Some(url) = next.take() else {
                return Ok(items);
            };
            let mut page_url = url.clone();
            let page = self.get_json(action, url.clone()).await?;
            match page.get("results").and_then(Value::as_array) {
                Some(results) => items.extend(results.iter().cloned()),
                None => return Err(missing(action, "results")),
            }
            next = match page.get("next").and_then(Value::as_str) {
                Some(link) => {
                    let linked = url
                        .join(link)
                        .map_err(|_| missing(action, "a valid `next` link"))?;
                    page_url.set_path(linked.path());
                    page_url.set_query(linked.query());
                    Some(page_url)
                }
                None => None,
            };
        }
        if next.is_some() {
            return Err(Error::BadResponse {
                action,
                message: format!(
                    "the list is longer than {MAX_PAGES} pages, more than AuthDesk reads."
                ),
                reply: None,
            });
        }
        Ok(items)
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn debug_of_everything_holding_a_secret_is_redacted() {
        let credentials = Credentials {
            username: "alice".into(),
            password: Secret::new("PasswordValue"),
        };
        let token = NewToken {
            info: TokenInfo {
                id: 1,
                description: String::new(),
                scope: "read".into(),
                application: None,
                created: None,
                expires: None,
            },
            token: Secret::new("TokenValue"),
            refresh_token: Some(Secret::new("RefreshValue")),
        };
        let application = CreatedApplication {
            id: 2,
            client_id: "id".into(),
            client_secret: Secret::new("ClientSecretValue"),
        };
        let client = ServerApi::connect(
            Preset::Gateway,
            &Url::parse("https://aap.example.com").unwrap(),
            &Trust::default(),
            None,
            ApiLogin::Token {
                profile: "p".into(),
                token: Secret::new("BearerValue"),
                scope: None,
            },
        )
        .await
        .unwrap();
        let shown = format!("{credentials:?} {token:?} {application:?} {client:?}");
        for secret in [
            "PasswordValue",
            "TokenValue",
            "RefreshValue",
            "ClientSecretValue",
            "BearerValue",
        ] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("alice") && shown.contains("profile \\\"p\\\""));
    }
}
