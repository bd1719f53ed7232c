//! Where a profile's client secret may go. The secret is stored with the origin it was
//! entered for (the token and revoke endpoints' scheme, host and port, the client ID, and
//! how the server is trusted), and the OAuth client refuses to be built for a profile
//! that now names another: a `profiles.toml` edited by hand, synced or copied never sends
//! the secret to a host it was not entered for.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Profile;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// What a client secret is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretOrigin {
    /// The token endpoint's origin, `scheme://host[:port]`.
    pub token: String,
    /// The revoke endpoint's origin (the secret goes there too).
    pub revoke: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// The pinned certificate, as [`crate::http::Fingerprint`] writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_sha256: Option<String>,
}

impl SecretOrigin {
    /// Where the profile sends its client secret now.
    pub fn of(profile: &Profile) -> Result<Self> {
        let endpoints = profile.endpoints()?;
        Ok(SecretOrigin {
            token: endpoints.token.origin().ascii_serialization(),
            revoke: endpoints.revoke.origin().ascii_serialization(),
            client_id: profile.client_id.clone(),
            ca_file: profile.ca_file.clone(),
            pin_sha256: profile.pinned_fingerprint()?.map(|pin| pin.to_string()),
        })
    }
}

/// A client secret as the keyring holds it: the secret and, unless it was stored by a
/// version of AuthDesk that did not record it, the origin it was entered for.
#[derive(Debug, Clone)]
pub struct StoredSecret {
    pub secret: Secret,
    pub origin: Option<SecretOrigin>,
}

/// The keyring entry's form when it records an origin; an entry without this mark is a
/// secret alone, as earlier versions wrote it.
#[derive(Serialize, Deserialize)]
struct Entry {
    authdesk_client_secret: u8,
    secret: Secret,
    origin: SecretOrigin,
}

impl StoredSecret {
    /// A secret entered for `profile` now.
    pub fn entered_for(secret: Secret, profile: &Profile) -> Result<Self> {
        Ok(StoredSecret {
            secret,
            origin: Some(SecretOrigin::of(profile)?),
        })
    }

    /// A secret without an origin, as versions before the origin was kept stored it.
    pub fn unbound(secret: Secret) -> Self {
        StoredSecret {
            secret,
            origin: None,
        }
    }

    /// The keyring entry's text.
    pub fn to_entry(&self) -> Result<Secret> {
        match &self.origin {
            None => Ok(self.secret.clone()),
            Some(origin) => serde_json::to_string(&Entry {
                authdesk_client_secret: 1,
                secret: self.secret.clone(),
                origin: origin.clone(),
            })
            .map(Secret::new)
            .map_err(|e| Error::Internal {
                what: "write the client secret's entry",
                detail: e.to_string(),
            }),
        }
    }

    /// From the keyring entry's text. An entry that carries the mark but cannot be read
    /// (written by a newer version, or damaged) is refused rather than taken as a bare
    /// secret: its text, origin and all, must never be sent as the secret.
    pub fn from_entry(text: Secret, profile: &str) -> Result<Self> {
        match serde_json::from_str::<Entry>(text.expose()) {
            Ok(entry) => Ok(StoredSecret {
                secret: entry.secret,
                origin: Some(entry.origin),
            }),
            Err(_) if text.expose().contains("\"authdesk_client_secret\"") => {
                Err(Error::Config(format!(
                    "The client secret stored for profile \"{profile}\" is in a form this version of AuthDesk cannot read (written by a newer one, or damaged), so it was not used; enter it again."
                )))
            }
            Err(_) => Ok(StoredSecret::unbound(text)),
        }
    }

    /// The secret, if `profile` still sends it where it was entered for; else the
    /// sentence that names both hosts. A secret stored without an origin passes (the
    /// engine binds it to the profile on first use).
    pub fn for_profile(&self, profile: &Profile) -> Result<&Secret> {
        let Some(stored) = &self.origin else {
            return Ok(&self.secret);
        };
        let now = SecretOrigin::of(profile)?;
        if *stored == now {
            return Ok(&self.secret);
        }
        let (was, is) = if stored.token != now.token {
            (stored.token.clone(), now.token.clone())
        } else if stored.revoke != now.revoke {
            (stored.revoke.clone(), now.revoke.clone())
        } else if stored.client_id != now.client_id {
            (
                format!("client ID \"{}\"", stored.client_id),
                format!("client ID \"{}\"", now.client_id),
            )
        } else {
            (
                format!("{} as trusted then", stored.token),
                "other trust settings (CA file or pinned certificate)".to_owned(),
            )
        };
        Err(Error::SecretForOtherServer {
            profile: profile.name.clone(),
            stored: was,
            now: is,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::Preset;
    use crate::profiles::ProfileDraft;

    fn profile(base: &str) -> Profile {
        ProfileDraft::new("prod", Preset::Awx, base, "myid")
            .build()
            .unwrap()
    }

    #[test]
    fn a_secret_goes_only_where_it_was_entered_for() {
        let stored = StoredSecret::entered_for(
            Secret::new("TOPSECRET"),
            &profile("https://awx.example.com"),
        )
        .unwrap();
        let entry = stored.to_entry().unwrap();
        let read = StoredSecret::from_entry(entry, "prod").unwrap();
        assert_eq!(
            read.for_profile(&profile("https://awx.example.com/"))
                .unwrap()
                .expose(),
            "TOPSECRET"
        );
        // profiles.toml edited to point elsewhere: refused, naming both hosts.
        let error = read
            .for_profile(&profile("http://127.0.0.1:9999"))
            .unwrap_err();
        let sentence = error.to_string();
        assert!(
            sentence.contains("https://awx.example.com")
                && sentence.contains("http://127.0.0.1:9999"),
            "{sentence}"
        );
        assert!(!sentence.contains("TOPSECRET"));
        // Another client ID, or a pin that replaces the host name checks: refused too.
        let mut other_client = profile("https://awx.example.com");
        other_client.client_id = "other".into();
        assert!(read.for_profile(&other_client).is_err());
        let mut pinned = profile("https://awx.example.com");
        pinned.pin_sha256 = Some("ab".repeat(32));
        assert!(read.for_profile(&pinned).is_err());
        // A path below the same host is the same origin.
        assert!(read
            .for_profile(&profile("https://awx.example.com/awx"))
            .is_ok());
    }

    #[test]
    fn entries_of_earlier_versions_are_the_secret_alone() {
        let read = StoredSecret::from_entry(Secret::new("plain-secret"), "prod").unwrap();
        assert!(read.origin.is_none());
        assert_eq!(
            read.for_profile(&profile("https://anywhere.example.com"))
                .unwrap()
                .expose(),
            "plain-secret"
        );
        assert_eq!(read.to_entry().unwrap().expose(), "plain-secret");
        let shown = format!("{read:?}");
        assert!(!shown.contains("plain-secret"));
        // A marked entry this version cannot read is refused, never sent whole.
        let newer = r#"{"authdesk_client_secret":2,"secret":{"sealed":"x"},"origin":{}}"#;
        assert!(StoredSecret::from_entry(Secret::new(newer), "prod").is_err());
    }
}
