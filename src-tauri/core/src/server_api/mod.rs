//! The server's REST API beyond OAuth2, on AWX and the gateway, as the user, split by
//! resource as `oauth/` splits the OAuth client: `organizations`, `applications`,
//! `personal_tokens`; how each call travels (`transport`) and what answers mean
//! (`answers`); the values they take and give (`types`); and the login (`login`: the
//! profile's own token, or a session from a username and password, never stored).

mod answers;
mod applications;
mod login;
mod organizations;
mod personal_tokens;
mod transport;
mod types;

use std::sync::Arc;

use reqwest::cookie::Jar;
use url::Url;

use crate::error::{Error, Result};
use crate::http::{client_builder, Trust};
use crate::presets::{ApiPaths, Preset};
pub use answers::interpret_api_answer;
pub use login::ApiLogin;
use login::Auth;
pub use types::{
    CreatedApplication, Credentials, NewApplication, NewToken, Organization, TokenInfo,
};

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
            .map_err(|e| Error::Internal {
                what: "set up the HTTP client",
                detail: e.to_string(),
            })?;
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

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
