//! `authdesk doctor` and the window's *Check*: one finding per check, in words a user can
//! paste into a bug report. Never a token or a secret: the keyring, the server (reachable,
//! trusted, its kind and version), the API where the profile points, the OAuth client's
//! credentials (a made-up code must be refused as `invalid_grant`, not `invalid_client`),
//! the redirect URI where it can be seen, and the stored tokens' expiry.

use chrono::Utc;
use serde::Serialize;

use super::{Engine, ProfileSave};
use crate::error::{Error, Result};
use crate::http::{build_client, send, Trust};
use crate::oauth::OAuthClient;
use crate::presets::Preset;
use crate::profiles::{Grant, Profile, StoredSecret};
use crate::secret_store::StoreKind;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    /// Not a fault, or not checkable from here: said for the record.
    Note,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The profile checked, or `None` for the machine (the keyring).
    pub profile: Option<String>,
    pub check: &'static str,
    pub outcome: Outcome,
    pub detail: String,
}

impl Finding {
    /// One line: `[ ok ] prod: server: AWX 24.6.1 at https://…`.
    pub fn line(&self) -> String {
        let mark = match self.outcome {
            Outcome::Pass => "[ ok ]",
            Outcome::Fail => "[FAIL]",
            Outcome::Note => "[note]",
        };
        match &self.profile {
            Some(profile) => format!("{mark} {profile}: {}: {}", self.check, self.detail),
            None => format!("{mark} {}: {}", self.check, self.detail),
        }
    }
}

impl Engine {
    /// Every check, for one profile or all. Each failure is a finding, not an error.
    pub async fn doctor(&self, name: Option<&str>) -> Result<Vec<Finding>> {
        let mut findings = vec![self.keyring_finding().await];
        let profiles = match name {
            Some(name) => vec![self.profiles.get(name)?],
            None => self.profiles.list()?,
        };
        if profiles.is_empty() {
            findings.push(Finding {
                profile: None,
                check: "profiles",
                outcome: Outcome::Note,
                detail: "none yet".into(),
            });
        }
        for profile in profiles {
            findings.extend(self.check_profile(&profile).await);
        }
        Ok(findings)
    }

    async fn keyring_finding(&self) -> Finding {
        // Reading an entry no profile has: the store answers, or says why not.
        let probe = self
            .keyring_call(|k| k.client_secret("doctor probe (no profile)"))
            .await;
        let store = self.secrets.clone();
        let described = tokio::task::spawn_blocking(move || store.describe())
            .await
            .unwrap_or_else(|e| format!("the secret store did not answer: {e}"));
        Finding {
            profile: None,
            check: "secret store",
            outcome: if probe.is_ok() {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            detail: match probe {
                Ok(_) => match self.secrets.session_unavailable() {
                    Some(why) => {
                        format!("{described}; each command asks for the passphrase ({why})")
                    }
                    None => described,
                },
                Err(e) => format!("{described}: {}", one_sentence(&e)),
            },
        }
    }

    /// The checks of one profile, in order; once the server cannot be reached, the
    /// checks that need it are not tried.
    pub async fn check_profile(&self, profile: &Profile) -> Vec<Finding> {
        let name = profile.name.clone();
        let finding = |check, outcome, detail: String| Finding {
            profile: Some(name.clone()),
            check,
            outcome,
            detail,
        };
        let mut findings = Vec::new();
        let secret = self.has_client_secret(&profile.name).await;
        findings.push(match &secret {
            Ok(true) => finding(
                "client secret",
                Outcome::Pass,
                match self.secrets.kind() {
                    StoreKind::SecretService => "stored in the keyring".into(),
                    StoreKind::File => "stored in the encrypted file".into(),
                },
            ),
            Ok(false) => finding("client secret", Outcome::Fail, "none stored".into()),
            Err(e) => finding("client secret", Outcome::Fail, one_sentence(e)),
        });

        let trust = match profile.trust() {
            Ok(trust) => trust,
            Err(e) => {
                findings.push(finding("TLS trust", Outcome::Fail, one_sentence(&e)));
                return findings;
            }
        };
        if profile.preset != Preset::Custom {
            match self.detect_server(&profile.base_url, &trust).await {
                Ok(found) if found.preset == profile.preset => {
                    findings.push(finding("server", Outcome::Pass, found.summary));
                }
                Ok(found) => findings.push(finding(
                    "server",
                    Outcome::Fail,
                    format!(
                        "{}, but the profile's preset is {}",
                        found.summary,
                        profile.preset.name()
                    ),
                )),
                Err(e @ Error::Network { .. }) => {
                    findings.push(finding("server", Outcome::Fail, one_sentence(&e)));
                    return findings;
                }
                Err(e) => findings.push(finding("server", Outcome::Note, one_sentence(&e))),
            }
        }
        match self.check_server(profile).await {
            Ok(()) => findings.push(finding(
                "API",
                Outcome::Pass,
                match profile.endpoints() {
                    Ok(endpoints) => format!("who-am-I answers at {}", endpoints.whoami),
                    Err(_) => "who-am-I answers".into(),
                },
            )),
            Err(e) => {
                let unreachable = matches!(e, Error::Network { .. });
                findings.push(finding("API", Outcome::Fail, one_sentence(&e)));
                if unreachable {
                    return findings;
                }
            }
        }
        if matches!(secret, Ok(true)) {
            findings.push(self.client_finding(profile).await);
        }
        if profile.grant == Grant::AuthorizationCode {
            findings.push(redirect_finding(profile, &trust).await);
            if let Some(consent) = self.consent_finding(profile).await {
                findings.push(consent);
            }
        }
        findings.push(self.tokens_finding(&profile.name).await);
        findings
    }

    /// Whether the token endpoint refuses the profile's client ID or secret, asked with
    /// the made-up code `doctor` uses: the refusal (`invalid_client`, with its next step),
    /// or `Ok` when the client is accepted or the answer says nothing about it (a server
    /// that cannot be reached is another check's sentence). For a save, before anyone logs
    /// in for nothing.
    pub async fn check_client(&self, profile: &Profile) -> Result<()> {
        client_refusal(self.made_up_code_exchange(profile).await)
    }

    /// [`Engine::check_client`] for a profile not saved yet, with the secret the person
    /// typed (or, when they left it empty, the one stored for this same server and
    /// application): the window's Save asks it first, so a wrong secret is said under its
    /// field before anything is written. Nothing to check with is `Ok`: the save's own
    /// rules say what is missing.
    pub async fn check_client_before_save(&self, save: &ProfileSave) -> Result<()> {
        let profile = &save.profile;
        profile.validate()?;
        let secret = match &save.client_secret {
            Some(typed) => StoredSecret::entered_for(typed.clone(), profile)?,
            None => {
                let owned = profile.name.clone();
                match self.keyring_call(move |k| k.client_secret(&owned)).await {
                    Ok(Some(stored)) if stored.for_profile(profile).is_ok() => stored,
                    _ => return Ok(()),
                }
            }
        };
        let client = OAuthClient::new(profile, &secret)?;
        client_refusal(made_up_code_with(&client, profile).await)
    }

    /// The made-up code's exchange: its error, or `None` if the server took it.
    async fn made_up_code_exchange(&self, profile: &Profile) -> Option<Error> {
        match self.client_for(&profile.name).await {
            Ok((_, client)) => made_up_code_with(&client, profile).await,
            Err(e) => Some(e),
        }
    }

    /// Whether the browser sign-in shows the server's consent page: an application with
    /// `skip_authorization` sends the browser straight back after the login, which a tester
    /// walking through consent should know. Read with the profile's own token (nothing
    /// asked); `None` for servers whose API AuthDesk does not know.
    async fn consent_finding(&self, profile: &Profile) -> Option<Finding> {
        profile.preset.api()?;
        // Only a token that needs no refresh: doctor never rotates a pair another program
        // may be using.
        let usable = matches!(
            self.current_tokens(&profile.name).await,
            Ok(Some(tokens)) if !tokens.expires_soon(Utc::now())
        );
        let detail = if usable {
            match self.server_api_for(&profile.name, None).await {
                Ok(api) => {
                    let skips = api.application_skips_consent(&profile.client_id).await;
                    api.close().await;
                    match skips {
                        Ok(Some(true)) => "the application skips the consent page (skip_authorization is on): after the login the browser comes straight back".to_owned(),
                        Ok(Some(false)) => "the server shows its consent page at each sign-in (skip_authorization is off)".to_owned(),
                        Ok(None) => "could not tell whether the server shows its consent page: this user cannot see the application".to_owned(),
                        Err(e) => format!("could not tell whether the server shows its consent page: {}", one_sentence(&e)),
                    }
                }
                Err(e) => format!(
                    "could not tell whether the server shows its consent page: {}",
                    one_sentence(&e)
                ),
            }
        } else {
            "whether the server shows its consent page is told while the profile holds a valid token (it is read with that token)".to_owned()
        };
        Some(Finding {
            profile: Some(profile.name.clone()),
            check: "consent",
            outcome: Outcome::Note,
            detail,
        })
    }

    /// The client ID and secret, proven without a user: a made-up code must be refused
    /// for being a bad code (`invalid_grant`), not for a bad client (`invalid_client`).
    async fn client_finding(&self, profile: &Profile) -> Finding {
        let outcome = self.made_up_code_exchange(profile).await;
        let (outcome, detail) = match outcome {
            Some(refusal) if refusal.refuses_client() => (
                Outcome::Fail,
                "the token endpoint refused the client ID or secret (invalid_client)".into(),
            ),
            Some(Error::ServerRejected { reply, .. })
                if ["invalid_grant", "unauthorized_client", "invalid_request"]
                    .iter()
                    .any(|e| reply.body.contains(e)) =>
            {
                (
                    Outcome::Pass,
                    "the token endpoint accepts the client ID and secret".into(),
                )
            }
            Some(e) => (Outcome::Fail, one_sentence(&e)),
            None => (
                Outcome::Fail,
                "the token endpoint accepted a made-up code".into(),
            ),
        };
        Finding {
            profile: Some(profile.name.clone()),
            check: "OAuth client",
            outcome,
            detail,
        }
    }

    async fn tokens_finding(&self, name: &str) -> Finding {
        let (outcome, detail) = match self.current_tokens(name).await {
            Ok(None) => (Outcome::Note, "none stored".to_owned()),
            Ok(Some(tokens)) => {
                let now = Utc::now();
                let access = match tokens.expires_at {
                    None => "the access token states no expiry".to_owned(),
                    Some(at) if tokens.is_expired(now) => {
                        format!(
                            "the access token expired at {}",
                            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                        )
                    }
                    Some(at) => format!(
                        "the access token is valid until {}",
                        at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    ),
                };
                let refresh = if tokens.refresh_token.is_some() {
                    "a refresh token is stored"
                } else {
                    "no refresh token"
                };
                let user = tokens
                    .user
                    .as_deref()
                    .map_or_else(String::new, |u| format!(", of user {u}"));
                let usable = !tokens.is_expired(now) || tokens.refresh_token.is_some();
                (
                    if usable { Outcome::Pass } else { Outcome::Note },
                    format!("{access}; {refresh}{user}"),
                )
            }
            Err(e) => (Outcome::Note, one_sentence(&e)),
        };
        Finding {
            profile: Some(name.to_owned()),
            check: "tokens",
            outcome,
            detail,
        }
    }
}

/// The redirect URI, where the server shows it: with no session, AWX and the gateway
/// ask for a login before looking at it, so usually it can only be noted.
async fn redirect_finding(profile: &Profile, trust: &Trust) -> Finding {
    let finding = |outcome, detail: String| Finding {
        profile: Some(profile.name.clone()),
        check: "redirect URI",
        outcome,
        detail,
    };
    let (Ok(endpoints), Some(redirect)) = (profile.endpoints(), &profile.redirect_uri) else {
        return finding(Outcome::Fail, "the profile has none".into());
    };
    let Ok(http) = build_client(trust, Some(std::time::Duration::from_secs(10))) else {
        return finding(Outcome::Note, "not checked".into());
    };
    let mut url = endpoints.authorize.clone();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &profile.client_id)
        .append_pair("redirect_uri", redirect.as_str())
        .append_pair("state", "authdesk-doctor");
    match send("redirect URI check", &url, http.get(url.clone())).await {
        Ok((status, body)) => {
            let body = String::from_utf8_lossy(&body);
            if status.is_client_error()
                && (body.contains("redirect") || body.contains("invalid_request"))
            {
                finding(
                    Outcome::Fail,
                    format!("the server refuses {redirect} for this client (HTTP {status})"),
                )
            } else {
                finding(
                    Outcome::Note,
                    format!(
                        "{redirect}; the server checks it only after a login (a mismatch shows in the browser as invalid_request)"
                    ),
                )
            }
        }
        Err(e) => finding(Outcome::Note, one_sentence(&e)),
    }
}

fn one_sentence(error: &Error) -> String {
    error.to_string().trim_end_matches('.').to_owned()
}

/// The made-up code's outcome as a save sees it: only a refused client is an error.
fn client_refusal(outcome: Option<Error>) -> Result<()> {
    match outcome {
        Some(refusal) if refusal.refuses_client() => Err(refusal),
        _ => Ok(()),
    }
}

/// Exchanges a code no server issued: the answer tells a bad client (`invalid_client`)
/// from a bad code, without a user. `None` if the server took it.
async fn made_up_code_with(client: &OAuthClient, profile: &Profile) -> Option<Error> {
    let redirect = profile
        .redirect_uri
        .clone()
        .or_else(|| crate::profiles::DEFAULT_REDIRECT_URI.parse().ok())?;
    client
        .exchange_code("authdesk-doctor-made-up-code", &redirect, None)
        .await
        .err()
}
