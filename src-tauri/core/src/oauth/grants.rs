//! The grants: the authorize URL of the code grant, the code exchange, refresh and the
//! password grant. Every answer goes through [`super::answers`].

use std::borrow::Cow;

use oauth2::{
    AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    ResourceOwnerPassword, ResourceOwnerUsername, Scope as OAuthScope,
};
use url::Url;

use super::adapter::OAuthHttp;
use super::answers::token_result;
use super::OAuthClient;
use crate::error::Result;
use crate::error::REFRESH_ACTION;
use crate::secret::Secret;
use crate::tokens::TokenSet;

impl OAuthClient {
    /// The URL the browser opens. `state` must be fresh for every attempt.
    /// `scope` replaces the profile's for this attempt; `extra` are further parameters
    /// (checked by the engine's `SignInOptions::check`: none of AuthDesk's own).
    pub fn authorize_url(
        &self,
        redirect_uri: &Url,
        state: &str,
        pkce: Option<PkceCodeChallenge>,
        scope: Option<&str>,
        extra: &[(String, String)],
    ) -> Url {
        let mut request = self
            .oauth
            .authorize_url(|| CsrfToken::new(state.to_owned()))
            .set_redirect_uri(Cow::Owned(RedirectUrl::from_url(redirect_uri.clone())))
            .add_scopes(
                scope
                    .unwrap_or(&self.scope)
                    .split_whitespace()
                    .map(|s| OAuthScope::new(s.to_owned())),
            );
        if let Some(challenge) = pkce {
            request = request.set_pkce_challenge(challenge);
        }
        for (name, value) in extra {
            request = request.add_extra_param(name.as_str(), value.as_str());
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
        self.exchange_code_answered(code, redirect_uri, verifier)
            .await
            .0
    }

    /// [`OAuthClient::exchange_code`], with the HTTP status the token endpoint answered
    /// (201 on the gateway), for a sign-in's timeline.
    pub async fn exchange_code_answered(
        &self,
        code: &str,
        redirect_uri: &Url,
        verifier: Option<PkceCodeVerifier>,
    ) -> (Result<TokenSet>, Option<u16>) {
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
        let status = http.last_reply().map(|reply| reply.status);
        (
            token_result(ACTION, &self.endpoints.token, result, &http),
            status,
        )
    }

    /// Uses a refresh token. AWX and the gateway rotate both tokens: keep the new pair.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenSet> {
        const ACTION: &str = REFRESH_ACTION;
        let http = OAuthHttp::new(&self.http);
        let token = RefreshToken::new(refresh_token.expose().to_owned());
        let result = self
            .oauth
            .exchange_refresh_token(&token)
            .request_async(&http)
            .await;
        token_result(ACTION, &self.endpoints.token, result, &http)
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
        token_result(ACTION, &self.endpoints.token, result, &http)
    }
}
