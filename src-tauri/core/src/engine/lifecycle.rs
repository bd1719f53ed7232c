//! The tokens after a sign-in: reading them from the keyring, refreshing (the server
//! rotates both; the new pair is kept at once), who-am-I, and storing new pairs.

use super::{Engine, TokenSource};
use crate::environment::TokenText;
use crate::error::{Error, Result};
use crate::oauth::{OAuthClient, WhoAmI};
use crate::profiles::Profile;
use crate::secret::Secret;
use crate::tokens::{TokenOrigin, TokenSet};

impl Engine {
    /// The profile's current tokens, from the keyring, if they were issued where the
    /// profile now points.
    pub async fn current_tokens(&self, name: &str) -> Result<Option<TokenSet>> {
        let profile = self.profiles.get(name)?;
        let owned = name.to_owned();
        let tokens = self.keyring_call(move |k| k.tokens(&owned)).await?;
        match tokens {
            Some(tokens) if !issued_for(&tokens, &profile) => {
                Err(Error::TokensFromElsewhere(name.to_owned()))
            }
            tokens => Ok(tokens),
        }
    }

    /// The profile's current tokens, or the sentence that says it has none.
    pub async fn stored_tokens(&self, name: &str) -> Result<TokenSet> {
        self.current_tokens(name)
            .await?
            .ok_or_else(|| Error::NoTokens(name.to_owned()))
    }

    /// A stored token in the text another tool takes it in, because the user asked for it.
    pub async fn token_text(&self, name: &str, what: TokenText) -> Result<Secret> {
        let profile = self.profiles.get(name)?;
        what.render(&self.stored_tokens(name).await?, &profile)
    }

    /// Trades the refresh token for a new pair, which is stored at once (the old one is
    /// dead). Holds the profile's refresh lock, and reads the tokens only once it has it,
    /// so the refresh token used is the newest even when another process just refreshed.
    pub async fn refresh(&self, name: &str) -> Result<TokenSet> {
        // A name with no profile makes no lock file.
        self.profiles.get(name)?;
        let _turn = self.refresh_turn(name).await?;
        let old = self.stored_tokens(name).await?;
        self.refresh_stored(name, old).await
    }

    /// The Refresh a person pressed while seeing the pair `shown` (its
    /// [`TokenSet::fingerprint`]). Under the refresh lock, a different pair stored
    /// meanwhile by another process (`authdesk token` renewed it) that is still valid is
    /// returned as it is, as [`TokenSource::Stored`]: refreshing it would rotate the other
    /// process's fresh pair, and AWX and the gateway then refuse the token it handed out.
    pub async fn refresh_shown(&self, name: &str, shown: &str) -> Result<(TokenSet, TokenSource)> {
        self.profiles.get(name)?;
        let _turn = self.refresh_turn(name).await?;
        let stored = self.stored_tokens(name).await?;
        if stored.fingerprint() != shown && !stored.expires_soon(chrono::Utc::now()) {
            tracing::info!(
                profile = name,
                "renewed by another process meanwhile; not refreshed again"
            );
            return Ok((stored, TokenSource::Stored));
        }
        Ok((
            self.refresh_stored(name, stored).await?,
            TokenSource::Refreshed,
        ))
    }

    /// [`Engine::token_text`] once no refresh of the profile is under way (a copy taken
    /// mid-refresh would be of a pair about to die), with the fingerprint of the pair it
    /// came from, so a shell showing another pair can redraw.
    pub async fn token_text_settled(
        &self,
        name: &str,
        what: TokenText,
    ) -> Result<(Secret, String)> {
        let profile = self.profiles.get(name)?;
        let _turn = self.refresh_turn(name).await?;
        let tokens = self.stored_tokens(name).await?;
        Ok((what.render(&tokens, &profile)?, tokens.fingerprint()))
    }

    /// Refreshes `old`, the stored tokens; the caller holds the refresh lock.
    pub(super) async fn refresh_stored(&self, name: &str, old: TokenSet) -> Result<TokenSet> {
        let (_, client) = self.client_for(name).await?;
        client.check_issued_here(&old, name)?;
        let refresh_token = old.refresh_token_of(name)?.clone();
        let mut fresh = client.refresh(&refresh_token).await?;
        if fresh.refresh_token.is_none() {
            // A server that does not rotate keeps the old refresh token valid.
            fresh.refresh_token = Some(refresh_token);
        }
        fresh.user = old.user;
        self.store_and_identify(name, &client, fresh).await
    }

    /// The profile as it is at the moment `tokens` are handed over (to `exec`'s command,
    /// or in a text naming the host): refused when it no longer points where they were
    /// issued, so a command is never told to use one server's token with another host.
    pub fn profile_for_handover(&self, name: &str, tokens: &TokenSet) -> Result<Profile> {
        let profile = self.profiles.get(name)?;
        if issued_for(tokens, &profile) {
            Ok(profile)
        } else {
            Err(Error::TokensFromElsewhere(name.to_owned()))
        }
    }

    /// Who the profile's current access token belongs to.
    pub async fn whoami(&self, name: &str) -> Result<WhoAmI> {
        let (_, client) = self.client_for(name).await?;
        let tokens = self.stored_tokens(name).await?;
        client.check_issued_here(&tokens, name)?;
        client.whoami(&tokens.access_token).await
    }

    /// Stores the tokens of a sign-in, waiting for a refresh of the profile under way: a
    /// refresh of the older pair must not land after them and replace them.
    pub(super) async fn store_signed_in(
        &self,
        name: &str,
        client: &OAuthClient,
        tokens: TokenSet,
    ) -> Result<TokenSet> {
        let _turn = self.refresh_turn(name).await?;
        self.store_and_identify(name, client, tokens).await
    }

    /// Stores new tokens before anything else can fail (while asking who-am-I for the
    /// user), then stores them again with the user's name.
    /// A keyring failure here is a warning, not an error: the server has issued (and on
    /// refresh, rotated) the tokens already, and dropping them would lose both pairs.
    pub(super) async fn store_and_identify(
        &self,
        name: &str,
        client: &OAuthClient,
        mut tokens: TokenSet,
    ) -> Result<TokenSet> {
        let origin = client.origin().clone();
        // A profile re-pointed (or removed) while its sign-in waited: these tokens are the
        // old server's. They go back to it, best effort, and are not stored.
        let now = self.profiles.get(name).ok().map(|p| TokenOrigin::of(&p));
        if !matches!(now, Some(Ok(ref now)) if *now == origin) {
            let (_, token, hint) = tokens.revocable();
            if let Err(e) = client.revoke(token, hint).await {
                tracing::warn!(profile = name, "could not revoke the unwanted tokens: {e}");
            }
            return Err(Error::ProfileChangedDuringSignIn(name.to_owned()));
        }
        tokens.origin = Some(origin);
        // Both start at once: the keyring write (tens of ms over D-Bus) overlaps the
        // who-am-I request instead of delaying it; the second write waits for both.
        let (stored, who) = tokio::join!(
            self.store_tokens(name, &tokens),
            client.whoami(&tokens.access_token)
        );
        if let Err(e) = stored {
            tracing::warn!(
                profile = name,
                "the new tokens could not be kept in the keyring: {e}"
            );
        }
        match who {
            Ok(WhoAmI::User(user)) => {
                tokens.user = Some(user);
                if let Err(e) = self.store_tokens(name, &tokens).await {
                    tracing::warn!(
                        profile = name,
                        "the user name could not be kept in the keyring: {e}"
                    );
                }
            }
            Ok(WhoAmI::Unauthorized) => {
                tracing::warn!(profile = name, "who-am-I refused the new access token")
            }
            Err(e) => tracing::warn!(profile = name, "who-am-I failed: {e}"),
        }
        Ok(tokens)
    }

    async fn store_tokens(&self, name: &str, tokens: &TokenSet) -> Result<()> {
        let (owned, tokens) = (name.to_owned(), tokens.clone());
        self.keyring_call(move |k| k.set_tokens(&owned, &tokens))
            .await?;
        self.profiles.note_tokens_changed();
        Ok(())
    }

    /// Deletes the profile's stored tokens (revoked, or issued for a server the profile
    /// no longer names), and tells open windows.
    pub(super) async fn forget_tokens(&self, name: &str) -> Result<()> {
        let owned = name.to_owned();
        self.keyring_call(move |k| k.delete_tokens(&owned)).await?;
        self.profiles.note_tokens_changed();
        Ok(())
    }
}

/// Whether stored tokens came from where the profile now points; entries written before
/// AuthDesk kept their origin are taken as the profile's (it forgot tokens on every
/// change of server or application even then).
fn issued_for(tokens: &TokenSet, profile: &Profile) -> bool {
    match (&tokens.origin, TokenOrigin::of(profile)) {
        (None, _) => true,
        (Some(origin), Ok(now)) => origin.admits(&now),
        (Some(_), Err(_)) => false,
    }
}
