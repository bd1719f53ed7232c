//! Revoking a profile's tokens and proving it. AWX and the gateway answer 200 to any
//! revoke, known token or not, and current gateways revoke only the hashed form
//! (`$sha256$…`) of a token: the only proof is who-am-I answering 401 to the old access
//! token. The order (plain revoke → verify → hashed form → verify) is decided by the pure
//! functions [`after_plain`] and [`after_hashed`]; [`Engine::revoke`] only performs the requests it asks for.

use super::Engine;
use crate::error::{Error, Result};
use crate::oauth::{hashed_token_form, WhoAmI};

/// The outcome of a revoke, checked against the server.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RevokeReport {
    /// Which token was sent to the revoke endpoint.
    pub revoked: &'static str,
    /// The form that worked: `plain`, or `hashed` (`$sha256$<hex>`, current gateways);
    /// `None` when neither was verified.
    pub form: Option<&'static str>,
    /// True only when who-am-I answered 401 to the old access token afterwards.
    pub verified: bool,
    /// The access token was refused already before the revoke (expired, or rotated
    /// elsewhere): nothing could be verified, and nothing was seen to work.
    pub dead_before: bool,
    /// One sentence for the user.
    pub message: String,
}

/// What checking the old access token after a revoke found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Probe {
    /// 401: revoked.
    Refused,
    /// It still works, as this user.
    Works(String),
    /// No verdict: why, as a sentence.
    Unknown(String),
}

/// What to do after a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Next {
    /// Send the hashed form and probe again.
    TryHashed,
    Done(RevokeReport),
}

fn report(revoked: &'static str, form: Option<&'static str>, message: String) -> RevokeReport {
    RevokeReport {
        revoked,
        form,
        verified: form.is_some(),
        dead_before: false,
        message,
    }
}

/// The decision after the plain revoke and the probe that followed it.
fn after_plain(revoked: &'static str, probe: Probe) -> Next {
    Next::Done(match probe {
        Probe::Refused => report(
            revoked,
            Some("plain"),
            "Revoked, verified: the server now answers 401 to the old access token.".into(),
        ),
        Probe::Works(_) => return Next::TryHashed,
        Probe::Unknown(why) => report(
            revoked,
            None,
            format!("The server accepted the revoke request, but it could not be verified: {why}"),
        ),
    })
}

/// The verdict after the hashed form was sent too: nothing is left to try.
fn after_hashed(revoked: &'static str, probe: Probe) -> RevokeReport {
    match probe {
        Probe::Refused => report(
            revoked,
            Some("hashed"),
            "Revoked with the hashed token form ($sha256$…, as current gateways store tokens), verified: the server now answers 401 to the old access token.".into(),
        ),
        Probe::Works(user) => report(
            revoked,
            None,
            format!("The server accepted the revoke requests (plain and hashed), but the old access token still works (who-am-I answers as {user}), so the revoke is not verified."),
        ),
        Probe::Unknown(why) => report(
            revoked,
            None,
            format!("The server accepted the revoke request but the token still worked, and the retry in the hashed form failed: {why}"),
        ),
    }
}

/// A who-am-I answer as a probe; `worked_before` false means a 401 proves nothing.
fn probe(worked_before: bool, answer: Result<WhoAmI>) -> Probe {
    if !worked_before {
        return Probe::Unknown(
            "the access token was already refused before the revoke, so a 401 proves nothing."
                .into(),
        );
    }
    match answer {
        Ok(WhoAmI::Unauthorized) => Probe::Refused,
        Ok(WhoAmI::User(user)) => Probe::Works(user),
        Err(e) => Probe::Unknown(e.to_string()),
    }
}

impl Engine {
    /// Revokes the refresh token (which takes its access token with it; see
    /// [`TokenSet::revocable`](crate::tokens::TokenSet::revocable)) and checks that
    /// the old access token now gets 401; forgets the tokens once that is proven.
    pub async fn revoke(&self, name: &str) -> Result<RevokeReport> {
        self.revoke_if_shown(name, None).await
    }

    /// The Revoke a person pressed while seeing the pair `shown` (its
    /// [`TokenSet::fingerprint`]): refused with [`Error::TokensChangedMeanwhile`] when
    /// another process stored a different pair since, which the person never saw.
    pub async fn revoke_shown(&self, name: &str, shown: &str) -> Result<RevokeReport> {
        self.revoke_if_shown(name, Some(shown)).await
    }

    async fn revoke_if_shown(&self, name: &str, shown: Option<&str>) -> Result<RevokeReport> {
        let (_, client) = self.client_for(name).await?;
        // A refresh rotating the pair meanwhile would make the old token's 401 look like
        // proof, and the live new pair would then be forgotten: refreshes wait.
        let _turn = self.refresh_turn(name).await?;
        let tokens = self.stored_tokens(name).await?;
        if shown.is_some_and(|shown| shown != tokens.fingerprint()) {
            return Err(Error::TokensChangedMeanwhile(name.to_owned()));
        }
        // The client was made before the wait: the profile may point elsewhere now.
        client.check_issued_here(&tokens, name)?;
        let (revoked, token, hint) = tokens.revocable();
        // A 401 afterwards proves the revoke only if the token worked before it.
        let worked_before = matches!(
            client.whoami(&tokens.access_token).await,
            Ok(WhoAmI::User(_))
        );
        client.revoke(token, hint).await?;
        let report = match after_plain(
            revoked,
            probe(worked_before, client.whoami(&tokens.access_token).await),
        ) {
            Next::Done(report) => report,
            Next::TryHashed => {
                tracing::info!(
                    profile = name,
                    "the plain revoke left the token working; sending the hashed form"
                );
                let answer = match client.revoke(&hashed_token_form(token), hint).await {
                    Ok(()) => client.whoami(&tokens.access_token).await,
                    Err(e) => Err(e),
                };
                after_hashed(revoked, probe(true, answer))
            }
        };
        let report = RevokeReport {
            dead_before: !worked_before,
            ..report
        };
        tracing::info!(
            profile = name,
            revoked,
            form = report.form,
            verified = report.verified,
            "revoke finished"
        );
        if report.verified {
            self.forget_tokens(name).await?;
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn done(next: Next) -> RevokeReport {
        match next {
            Next::Done(report) => report,
            Next::TryHashed => panic!("expected a report"),
        }
    }

    #[test]
    fn a_plain_revoke_answered_401_is_verified() {
        let report = done(after_plain("refresh token", Probe::Refused));
        assert_eq!((report.verified, report.form), (true, Some("plain")));
        assert!(report.message.starts_with("Revoked, verified"));
    }

    #[test]
    fn a_token_still_working_after_the_plain_revoke_gets_the_hashed_form() {
        assert_eq!(
            after_plain("refresh token", Probe::Works("demo".into())),
            Next::TryHashed
        );
        let hashed = after_hashed("refresh token", Probe::Refused);
        assert_eq!((hashed.verified, hashed.form), (true, Some("hashed")));
        assert!(hashed.message.contains("$sha256$"));
        let still = after_hashed("refresh token", Probe::Works("demo".into()));
        assert!(!still.verified && still.form.is_none());
        assert!(still.message.contains("as demo"), "{}", still.message);
    }

    #[test]
    fn a_401_proves_nothing_when_the_token_was_dead_before() {
        let probe = probe(false, Ok(WhoAmI::Unauthorized));
        let report = done(after_plain("access token", probe));
        assert!(!report.verified);
        assert!(report.message.contains("already refused before the revoke"));
    }

    #[test]
    fn a_failed_check_is_not_verified_and_says_why() {
        let failed = probe(true, Err(Error::Config("the network is down.".into())));
        let report = done(after_plain("refresh token", failed.clone()));
        assert!(!report.verified);
        assert!(report
            .message
            .ends_with("could not be verified: the network is down."));
        let after_hashed = after_hashed("refresh token", failed);
        assert!(after_hashed
            .message
            .contains("retry in the hashed form failed"));
    }
}
