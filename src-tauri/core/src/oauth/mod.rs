//! The OAuth2 client of one profile, built on the `oauth2` crate with AWX's and the
//! gateway's quirks handled, split as oauth2-rs splits its own client: the grants
//! (`grants`), revocation (`revocation`), who-am-I (`whoami`) and what the token
//! endpoint's answers mean (`answers`).

mod adapter;
mod answers;
mod grants;
mod revocation;
mod whoami;

use oauth2::basic::BasicClient;
use oauth2::{AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, TokenUrl};

pub use answers::interpret_token_answer;

pub use revocation::hashed_token_form;

use crate::error::{Error, Result};
use crate::http::build_client;
use crate::presets::Endpoints;
use crate::profiles::{ClientAuth, Profile, StoredSecret};
use crate::secret::Secret;
use crate::tokens::{TokenOrigin, TokenSet};

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
    origin: TokenOrigin,
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
    /// Where this client's tokens come from (and go).
    pub fn origin(&self) -> &TokenOrigin {
        &self.origin
    }

    /// Tokens may be sent through this client only if they were issued where it talks
    /// to: checked at the moment they are sent, since the profile may have changed
    /// since they were read.
    pub fn check_issued_here(&self, tokens: &TokenSet, profile: &str) -> Result<()> {
        match &tokens.origin {
            Some(issued) if !issued.admits(&self.origin) => {
                Err(Error::TokensFromElsewhere(profile.to_owned()))
            }
            _ => Ok(()),
        }
    }

    /// The client of `profile`, with its stored client secret: refused when the secret
    /// was entered for another server, client ID or trust than the profile now names.
    pub fn new(profile: &Profile, client_secret: &StoredSecret) -> Result<Self> {
        let http = build_client(&profile.trust()?, profile.request_timeout())?;
        Self::with_http(profile, client_secret, http)
    }

    /// [`OAuthClient::new`] over an HTTP client already built for the profile (its trust
    /// and request timeout, see [`build_client`]).
    pub fn with_http(
        profile: &Profile,
        client_secret: &StoredSecret,
        http: reqwest::Client,
    ) -> Result<Self> {
        let client_secret = client_secret.for_profile(profile)?.clone();
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
            http,
            origin: TokenOrigin::of(profile)?,
            endpoints,
            client_id: profile.client_id.clone(),
            client_secret,
            client_auth: profile.client_auth,
            scope: profile.scope.as_str().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_the_client_hides_its_secret() {
        let profile = crate::profiles::ProfileDraft::new(
            "p",
            crate::presets::Preset::Awx,
            "https://awx.example.com",
            "id",
        )
        .build()
        .unwrap();
        let client = OAuthClient::new(
            &profile,
            &StoredSecret::unbound(Secret::new("ClientSecretValue")),
        )
        .unwrap();
        assert!(!format!("{client:?}").contains("ClientSecretValue"));
    }
}
