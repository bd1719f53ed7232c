//! A valid token with the least work, for scripts and `authdesk exec`: the stored access
//! token while it is valid (no request, no keyring write), a refresh when it has expired
//! or is about to, and a sign-in only when neither works. Refreshes of one profile take
//! turns across processes, so two scripts with one expired token refresh it once: the
//! server rotates refresh tokens, and the loser of a race would store a dead pair.

use std::time::Duration;

use chrono::Utc;
use serde::Serialize;

use super::Engine;
use crate::error::{Error, Result};
use crate::oauth::WhoAmI;
use crate::tokens::TokenSet;

/// Where the tokens handed out came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenSource {
    /// The stored access token, still valid.
    Stored,
    /// A new pair from the stored refresh token.
    Refreshed,
    /// A new pair from a sign-in.
    SignedIn,
}

impl TokenSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenSource::Stored => "stored",
            TokenSource::Refreshed => "refreshed",
            TokenSource::SignedIn => "signed-in",
        }
    }
}

/// The outcome of [`Engine::reuse_tokens`].
#[derive(Debug)]
pub enum Reuse {
    /// Boxed: a token set is large beside the other variant.
    Ready(Box<TokenSet>, TokenSource),
    /// Only a sign-in gets tokens now; the reason is for the person.
    SignInNeeded(SignInReason),
}

/// Why nothing stored could be used.
#[derive(Debug)]
pub enum SignInReason {
    NoTokens,
    /// The stored tokens belong to another server or application than the profile names.
    FromElsewhere,
    /// The access token has expired (or was refused) and there is no refresh token.
    ExpiredWithoutRefreshToken,
    /// The server refused the refresh token (expired, revoked or used).
    RefreshRefused(Error),
}

impl SignInReason {
    /// Whether this is a first sign-in (nothing usable was ever stored for where the
    /// profile points), as opposed to stored tokens that can no longer be renewed.
    pub fn is_first_sign_in(&self) -> bool {
        matches!(self, SignInReason::NoTokens | SignInReason::FromElsewhere)
    }

    /// Why, as a clause: "the stored refresh token was refused (…)".
    pub fn describe(&self) -> String {
        match self {
            SignInReason::NoTokens => "no tokens are stored yet".into(),
            SignInReason::FromElsewhere => {
                "the stored tokens were issued for another server or application".into()
            }
            SignInReason::ExpiredWithoutRefreshToken => {
                "the access token has expired and there is no refresh token".into()
            }
            SignInReason::RefreshRefused(error) => format!(
                "the server refused the stored refresh token: {}",
                error.to_string().trim_end_matches('.')
            ),
        }
    }

    /// The error to report when no sign-in can be started; `no_browser` says why, as a
    /// clause ("--no-browser was given").
    pub fn into_error(self, profile: &str, no_browser: impl Into<String>) -> Error {
        Error::SignInNeeded {
            profile: profile.to_owned(),
            refused: matches!(self, SignInReason::RefreshRefused(_)),
            reason: self.describe(),
            no_browser: no_browser.into(),
        }
    }
}

impl Engine {
    /// The profile's tokens without a sign-in, if that can be done: the stored access
    /// token unless it expires within [`crate::tokens::EXPIRY_MARGIN`] (or, with `verify`,
    /// who-am-I refuses it), else a refresh. The refused refresh token stays stored: nothing
    /// changes unless a new valid pair arrived.
    pub async fn reuse_tokens(&self, name: &str, verify: bool) -> Result<Reuse> {
        let seen = match self.usable_stored(name).await? {
            Ok(tokens) => tokens,
            Err(reason) => return Ok(Reuse::SignInNeeded(reason)),
        };
        if !seen.expires_soon(Utc::now()) {
            if !verify || self.still_accepted(name, &seen).await? {
                return Ok(Reuse::Ready(Box::new(seen), TokenSource::Stored));
            }
            tracing::info!(
                profile = name,
                "who-am-I refused the stored access token; refreshing"
            );
        }
        self.renew(name, &seen, verify).await
    }

    /// The stored tokens, or why there are none to use (nothing stored, or issued for
    /// another server or application).
    async fn usable_stored(&self, name: &str) -> Result<Result<TokenSet, SignInReason>> {
        match self.current_tokens(name).await {
            Ok(Some(tokens)) => Ok(Ok(tokens)),
            Ok(None) => Ok(Err(SignInReason::NoTokens)),
            Err(Error::TokensFromElsewhere(_)) => Ok(Err(SignInReason::FromElsewhere)),
            Err(e) => Err(e),
        }
    }

    /// Whether the server still takes the access token (a 401 from who-am-I: revoked).
    async fn still_accepted(&self, name: &str, tokens: &TokenSet) -> Result<bool> {
        let (_, client) = self.client_for(name).await?;
        client.check_issued_here(tokens, name)?;
        Ok(matches!(
            client.whoami(&tokens.access_token).await?,
            WhoAmI::User(_)
        ))
    }

    /// Refreshes `seen` under the profile's refresh lock, unless another process did so
    /// while this one waited for the lock (then its tokens are used).
    async fn renew(&self, name: &str, seen: &TokenSet, verify: bool) -> Result<Reuse> {
        let _turn = self.refresh_turn(name).await?;
        let stored = match self.usable_stored(name).await? {
            Ok(tokens) => tokens,
            Err(reason) => return Ok(Reuse::SignInNeeded(reason)),
        };
        let renewed_meanwhile = stored.access_token != seen.access_token;
        if renewed_meanwhile && !stored.expires_soon(Utc::now()) {
            let accepted = !verify || self.still_accepted(name, &stored).await?;
            if accepted {
                return Ok(Reuse::Ready(Box::new(stored), TokenSource::Stored));
            }
        }
        if stored.refresh_token.is_none() {
            return Ok(Reuse::SignInNeeded(
                SignInReason::ExpiredWithoutRefreshToken,
            ));
        }
        match self.refresh_stored(name, stored).await {
            Ok(tokens) => Ok(Reuse::Ready(Box::new(tokens), TokenSource::Refreshed)),
            Err(e) if e.is_refresh_token_refused() => {
                tracing::info!(profile = name, "refresh refused: {e}");
                Ok(Reuse::SignInNeeded(SignInReason::RefreshRefused(e)))
            }
            Err(e) => Err(e),
        }
    }

    /// The profile's refresh lock, across processes and within this one; waits while
    /// another refresh of the profile runs, but not forever.
    pub(super) async fn refresh_turn(&self, name: &str) -> Result<Option<std::fs::File>> {
        let file = match self.profiles.token_lock_file(name) {
            Ok(file) => file,
            // A read-only profile folder (provisioned by an admin): no turn-taking, but the
            // tokens a sign-in just got are still stored.
            Err(e) => {
                tracing::warn!(profile = name, "refreshing without the lock: {e}");
                return Ok(None);
            }
        };
        // A refresh and its who-am-I, each within the request timeout, and some slack. (A
        // profile removed meanwhile still gets its turn: its sign-in must clean up.)
        let request = self
            .profiles
            .get(name)
            .ok()
            .and_then(|profile| profile.request_timeout())
            .unwrap_or(crate::http::REQUEST_TIMEOUT);
        let deadline = tokio::time::Instant::now() + request * 2 + Duration::from_secs(10);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(file)),
                Err(std::fs::TryLockError::WouldBlock) => {
                    if tokio::time::Instant::now() >= deadline {
                        return Err(Error::RefreshBusy(name.to_owned()));
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                // Some network and FUSE file systems cannot lock: refresh without the turn.
                Err(std::fs::TryLockError::Error(e))
                    if e.kind() == std::io::ErrorKind::Unsupported =>
                {
                    tracing::debug!(
                        profile = name,
                        "the refresh lock is not supported here: {e}"
                    );
                    return Ok(None);
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Error::Config(format!(
                        "Could not lock the tokens of profile \"{name}\" for a refresh: {e}."
                    )))
                }
            }
        }
    }
}
