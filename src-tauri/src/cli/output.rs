//! How tokens are printed for other tools: JSON here, the other texts from the core's
//! `TokenText`, the same the window copies.

use authdesk_core::{Error, Profile, TokenSet, TokenSource, TokenText};
use clap::ValueEnum;
use serde::Serialize;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object with every field.
    Json,
    /// The access token alone.
    Plain,
    /// KEY=value lines for a .env file: the server and token variables the Ansible tools
    /// read (as `authdesk exec` sets them).
    Env,
    /// The same variables as `export KEY='value'` lines, for `eval` in a POSIX shell.
    Shell,
    /// Authorization: Bearer … for curl -H.
    Header,
}

#[derive(Serialize)]
struct JsonTokens<'a> {
    access_token: &'a str,
    refresh_token: Option<&'a str>,
    token_type: &'a str,
    scope: Option<&'a str>,
    expires_at: Option<String>,
    user: Option<&'a str>,
    source: TokenSource,
}

/// The text for stdout; the caller asked for the tokens.
pub fn render(
    tokens: &TokenSet,
    source: TokenSource,
    format: Format,
    profile: &Profile,
) -> Result<String, Error> {
    let text = match format {
        Format::Json => {
            let json = JsonTokens {
                access_token: tokens.access_token.expose(),
                refresh_token: tokens.refresh_token.as_ref().map(|t| t.expose()),
                token_type: &tokens.token_type,
                scope: tokens.scope.as_deref(),
                expires_at: tokens
                    .expires_at
                    .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                user: tokens.user.as_deref(),
                source,
            };
            // Serializing plain strings cannot fail.
            return Ok(serde_json::to_string_pretty(&json).unwrap_or_default());
        }
        Format::Plain => TokenText::AccessToken,
        Format::Env => TokenText::Env,
        Format::Shell => TokenText::Shell,
        Format::Header => TokenText::Header,
    };
    Ok(text.render(tokens, profile)?.expose().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use authdesk_core::{ProfileDraft, Secret};
    use chrono::{TimeZone, Utc};

    fn sample() -> TokenSet {
        TokenSet {
            refresh_token: Some(Secret::new("ref")),
            scope: Some("read".into()),
            expires_at: Utc.with_ymd_and_hms(3025, 1, 2, 3, 4, 5).single(),
            user: Some("demo".into()),
            ..TokenSet::bearer("acc")
        }
    }

    fn profile() -> Profile {
        ProfileDraft::new("p", Default::default(), "https://awx.example.com", "id")
            .build()
            .unwrap()
    }

    #[test]
    fn formats() {
        let tokens = sample();
        let render = |format| render(&tokens, TokenSource::Stored, format, &profile()).unwrap();
        assert_eq!(render(Format::Plain), "acc");
        assert_eq!(
            render(Format::Env),
            "CONTROLLER_HOST=https://awx.example.com\nCONTROLLER_OAUTH_TOKEN=acc"
        );
        assert_eq!(
            render(Format::Shell),
            "export CONTROLLER_HOST='https://awx.example.com'\nexport CONTROLLER_OAUTH_TOKEN='acc'"
        );
        assert_eq!(render(Format::Header), "Authorization: Bearer acc");
        let json: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
        assert_eq!(json["access_token"], "acc");
        assert_eq!(json["refresh_token"], "ref");
        assert_eq!(json["expires_at"], "3025-01-02T03:04:05Z");
        assert_eq!(json["user"], "demo");
        assert_eq!(json["source"], "stored");
        assert_eq!(json.as_object().unwrap().len(), 7);
    }
}
