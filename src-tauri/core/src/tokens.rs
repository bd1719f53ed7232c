//! The tokens a flow produced, with their metadata. Secrets are redacted in `Debug`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Error;
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
}

impl TokenSet {
    /// The refresh token, or the sentence that says the profile has none.
    pub fn refresh_token_of(&self, profile: &str) -> Result<&Secret, Error> {
        self.refresh_token
            .as_ref()
            .ok_or_else(|| Error::NoRefreshToken(profile.to_owned()))
    }

    /// `Authorization: Bearer …`, for curl's `-H` and HTTP clients.
    pub fn authorization_header(&self) -> String {
        format!("Authorization: Bearer {}", self.access_token.expose())
    }

    /// `CONTROLLER_OAUTH_TOKEN=…`, the variable the awx CLI reads, for `.env` files.
    pub fn env_line(&self) -> String {
        format!("CONTROLLER_OAUTH_TOKEN={}", self.access_token.expose())
    }
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
    fn debug_hides_tokens() {
        let set = TokenSet {
            access_token: Secret::new("AAAA-access"),
            refresh_token: Some(Secret::new("RRRR-refresh")),
            token_type: "Bearer".into(),
            scope: Some("read".into()),
            issued_at: Utc::now(),
            expires_at: None,
            user: None,
        };
        let shown = format!("{set:?}");
        assert!(!shown.contains("AAAA") && !shown.contains("RRRR"));
    }
}
