//! What the REST API calls take and give: a login, organizations, listed and new
//! tokens, applications. Everything holding a secret is redacted in `Debug`.

use serde::Serialize;
use url::Url;

use crate::error::{Error, Result};
use crate::profiles::Grant;
use crate::secret::Secret;
use crate::tokens::TokenSet;

/// A user's own login, used for one command and then dropped.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub(super) username: String,
    pub(super) password: Secret,
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
    pub fn to_token_set(&self) -> TokenSet {
        TokenSet {
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
