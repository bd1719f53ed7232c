//! The tokens a flow produced, with their metadata: when they expire, where they were
//! issued, which one to revoke. Secrets are redacted in `Debug`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::profiles::Profile;
use crate::secret::Secret;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenSet {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub token_type: String,
    pub scope: Option<String>,
    pub issued_at: DateTime<Utc>,
    /// `None` when the server sent no `expires_in`.
    pub expires_at: Option<DateTime<Utc>>,
    /// Username from who-am-I, when that call worked.
    pub user: Option<String>,
    /// Where the tokens were issued; `None` in entries written before AuthDesk kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<TokenOrigin>,
}

/// The server and application tokens belong to: every endpoint they are sent to, the
/// client ID, the base URL (what `exec` and the `.env` texts name as the host) and how the
/// server is trusted. Kept with the tokens and compared with the profile before any use
/// and again when they are sent, so tokens never go to another server or application,
/// whatever the profile's name now points at; a profile whose origin changes also needs
/// its client secret again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenOrigin {
    pub endpoints: crate::presets::Endpoints,
    pub client_id: String,
    /// `None` in entries written before AuthDesk kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<url::Url>,
    /// `None` in entries written before AuthDesk kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<TrustOrigin>,
}

/// How the server was trusted when the tokens were issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustOrigin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<std::path::PathBuf>,
    /// The pinned certificate, as [`crate::http::Fingerprint`] writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_sha256: Option<String>,
}

impl TokenOrigin {
    /// Where a profile's tokens come from (and go) now.
    pub fn of(profile: &Profile) -> Result<Self> {
        Ok(TokenOrigin {
            endpoints: profile.endpoints()?,
            client_id: profile.client_id.clone(),
            base_url: Some(profile.base_url.clone()),
            trust: Some(TrustOrigin {
                ca_file: profile.ca_file.clone(),
                pin_sha256: profile.pinned_fingerprint()?.map(|pin| pin.to_string()),
            }),
        })
    }

    /// Whether tokens issued at this origin may go to `now`. What an earlier version did
    /// not record (the base URL, the trust) is not held against them: it forgot tokens
    /// on every change of server or application even then.
    pub fn admits(&self, now: &TokenOrigin) -> bool {
        self.endpoints == now.endpoints
            && self.client_id == now.client_id
            && (self.base_url.is_none() || self.base_url == now.base_url)
            && (self.trust.is_none() || self.trust == now.trust)
    }
}

/// How long before its expiry an access token counts as expired: a token handed to a
/// script must outlive the script's first requests. Tokens issued for less than two
/// minutes get half their lifetime instead, so they are still used at all.
pub const EXPIRY_MARGIN: Duration = Duration::seconds(60);

impl TokenSet {
    /// A bearer access token issued now, nothing else known (no refresh token, scope,
    /// expiry, user or origin): the start of a set whose other fields are given with
    /// `..TokenSet::bearer(…)`.
    pub fn bearer(access_token: impl Into<String>) -> Self {
        TokenSet {
            access_token: Secret::new(access_token),
            refresh_token: None,
            token_type: "Bearer".into(),
            scope: None,
            issued_at: Utc::now(),
            expires_at: None,
            user: None,
            origin: None,
        }
    }

    /// A short digest that tells pairs apart without showing them: the first 4 bytes of
    /// the access token's SHA-256, in hex. Shells show it as the token's ID, and hand it
    /// back to say which pair the user saw when they pressed Refresh, Revoke or Copy.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        Sha256::digest(self.access_token.expose().as_bytes())
            .iter()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Whether the access token has expired, or will within [`EXPIRY_MARGIN`].
    pub fn expires_soon(&self, now: DateTime<Utc>) -> bool {
        self.expires_at
            .is_some_and(|at| now >= at.checked_sub_signed(self.margin()).unwrap_or(at))
    }

    /// Whether the access token has expired.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// When the access token starts to count as expired (`None`: never).
    pub fn renew_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at
            .map(|at| at.checked_sub_signed(self.margin()).unwrap_or(at))
    }

    fn margin(&self) -> Duration {
        let lifetime = self
            .expires_at
            .map_or(EXPIRY_MARGIN, |at| at.signed_duration_since(self.issued_at));
        EXPIRY_MARGIN.min(lifetime / 2).max(Duration::zero())
    }

    /// The refresh token, or the sentence that says the profile has none.
    pub fn refresh_token_of(&self, profile: &str) -> Result<&Secret, Error> {
        self.refresh_token
            .as_ref()
            .ok_or_else(|| Error::NoRefreshToken(profile.to_owned()))
    }

    /// The token to send to the revoke endpoint, what it is called, and its
    /// `token_type_hint`: the refresh token when there is one, since revoking it takes its
    /// access token along (revoking only the access token orphans the refresh token).
    pub fn revocable(&self) -> (&'static str, &Secret, &'static str) {
        match &self.refresh_token {
            Some(refresh) => ("refresh token", refresh, "refresh_token"),
            None => ("access token", &self.access_token, "access_token"),
        }
    }
}

/// Tokens end up in shell commands, headers and `.env` lines: accept only what RFC 6750
/// allows in a bearer token (`b64token`), so a hostile server cannot inject anything.
pub fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// `issued_at + expires_in`, saturating: AWX sends 31536000000 s (1000 years) and a
/// hostile server can send far more.
pub fn expiry_from(issued_at: DateTime<Utc>, expires_in_secs: u64) -> DateTime<Utc> {
    i64::try_from(expires_in_secs)
        .ok()
        .and_then(Duration::try_seconds)
        .and_then(|lifetime| issued_at.checked_add_signed(lifetime))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bearer_token_characters_pass() {
        assert!(is_b64token("NDInWxGJI4iZgqpsreujjbvzCfJqgR"));
        assert!(is_b64token("a.b-c_d~e+f/g=="));
        for hostile in ["", "==", "a b", "a'b", "$(id)", "a\nb", "tök"] {
            assert!(!is_b64token(hostile), "{hostile:?}");
        }
    }

    #[test]
    fn awx_thousand_year_expiry_does_not_overflow() {
        let now = Utc::now();
        let expiry = expiry_from(now, 31_536_000_000);
        assert!(expiry
            .years_since(now)
            .is_some_and(|y| (999..=1000).contains(&y)));
    }

    #[test]
    fn absurd_expiry_saturates() {
        assert_eq!(expiry_from(Utc::now(), u64::MAX), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn expiry_with_a_margin() {
        let now = Utc::now();
        let set = |lifetime: i64, age: i64| TokenSet {
            issued_at: now - Duration::seconds(age),
            expires_at: Some(now - Duration::seconds(age) + Duration::seconds(lifetime)),
            ..TokenSet::bearer("a")
        };
        assert!(!set(3600, 0).expires_soon(now));
        assert!(!set(3600, 3530).expires_soon(now));
        assert!(set(3600, 3545).expires_soon(now));
        assert!(!set(3600, 3545).is_expired(now));
        assert!(set(3600, 3600).is_expired(now));
        // Short-lived: half the lifetime.
        assert!(!set(10, 4).expires_soon(now));
        assert!(set(10, 5).expires_soon(now));
        // AWX's thousand years, and no expiry at all.
        let awx = TokenSet {
            expires_at: Some(expiry_from(now, 31_536_000_000)),
            ..set(0, 0)
        };
        assert!(!awx.expires_soon(now));
        let never = TokenSet {
            expires_at: None,
            ..set(0, 0)
        };
        assert!(!never.expires_soon(now) && never.renew_at().is_none());
    }

    #[test]
    fn debug_hides_tokens() {
        let set = TokenSet {
            refresh_token: Some(Secret::new("RRRR-refresh")),
            scope: Some("read".into()),
            ..TokenSet::bearer("AAAA-access")
        };
        let shown = format!("{set:?}");
        assert!(!shown.contains("AAAA") && !shown.contains("RRRR"));
    }
}
