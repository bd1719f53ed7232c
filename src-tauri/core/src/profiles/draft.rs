//! A profile as a person types it (CLI flags, the window's form), checked into a
//! [`Profile`] with one sentence per mistake.

use serde::Deserialize;
use url::Url;

use super::{ClientAuth, Grant, Profile};
use crate::error::{Error, Result};
use crate::http::{typed_ca_file, typed_pin};
use crate::presets::{Endpoints, Preset};

/// A profile as a person types it, in the CLI's flags or the window's form: text that
/// [`ProfileDraft::build`] checks and turns into a [`Profile`], one sentence per mistake.
#[derive(Debug, Clone, Deserialize)]
pub struct ProfileDraft {
    pub name: String,
    pub preset: Preset,
    pub base_url: String,
    pub client_id: String,
    #[serde(default)]
    pub grant: Grant,
    /// May be empty for the password grant.
    #[serde(default)]
    pub redirect_uri: String,
    pub scope: String,
    #[serde(default)]
    pub ca_file: Option<String>,
    #[serde(default)]
    pub pkce: bool,
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// SHA-256 fingerprint of the one certificate to trust.
    #[serde(default)]
    pub pin_sha256: Option<String>,
    /// Seconds per request; `None` for the default.
    #[serde(default)]
    pub request_timeout_secs: Option<u64>,
    /// Typed endpoint URLs; `None` lets the preset derive them from the base URL.
    #[serde(default)]
    pub endpoints: Option<EndpointDraft>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EndpointDraft {
    pub authorize: String,
    pub token: String,
    pub revoke: String,
    pub whoami: String,
}

impl EndpointDraft {
    fn parse(&self) -> Result<Endpoints> {
        Ok(Endpoints {
            authorize: parse_url("authorize URL", &self.authorize)?,
            token: parse_url("token URL", &self.token)?,
            revoke: parse_url("revoke URL", &self.revoke)?,
            whoami: parse_url("who-am-I URL", &self.whoami)?,
        })
    }
}

impl ProfileDraft {
    /// A draft for a server and client ID with every other field at its default
    /// ([`super::ProfileDefaults`]); change fields before building.
    pub fn new(name: &str, preset: Preset, base_url: &str, client_id: &str) -> Self {
        let defaults = super::ProfileDefaults::default();
        ProfileDraft {
            name: name.to_owned(),
            preset,
            base_url: base_url.to_owned(),
            client_id: client_id.to_owned(),
            grant: defaults.grant,
            redirect_uri: defaults.redirect_uri.to_owned(),
            scope: defaults.scope.as_str().to_owned(),
            ca_file: None,
            pkce: false,
            client_auth: defaults.client_auth,
            pin_sha256: None,
            request_timeout_secs: None,
            endpoints: None,
        }
    }

    pub fn build(self) -> Result<Profile> {
        let base_url = parse_url("base URL", &self.base_url)?;
        let typed = self
            .endpoints
            .as_ref()
            .map(EndpointDraft::parse)
            .transpose()?;
        let derived = self.preset.endpoints_for(&base_url)?;
        // Endpoints typed away from what the preset gives make the profile a custom one.
        let (preset, endpoints) = match (derived, typed) {
            (Some(derived), Some(typed)) if derived != typed => (Preset::Custom, Some(typed)),
            (Some(_), _) => (self.preset, None),
            (None, typed) => (Preset::Custom, typed),
        };
        let ca_file = typed_ca_file(self.ca_file.as_deref());
        let profile = Profile {
            name: self.name.trim().to_owned(),
            preset,
            base_url,
            client_id: self.client_id.trim().to_owned(),
            grant: self.grant,
            redirect_uri: match self.redirect_uri.trim() {
                "" => None,
                text => Some(parse_url("redirect URI", text)?),
            },
            scope: self.scope.parse()?,
            ca_file,
            pkce: self.pkce,
            client_auth: self.client_auth,
            pin_sha256: typed_pin(self.pin_sha256.as_deref()),
            request_timeout_secs: self.request_timeout_secs,
            endpoints,
            registered_application: None,
        };
        profile.validate()?;
        Ok(profile)
    }
}

/// Parses a URL the user typed; `what` names the field in the error sentence.
pub fn parse_url(what: &str, text: &str) -> Result<Url> {
    let text = text.trim();
    Url::parse(text)
        .map_err(|e| Error::Config(format!("The {what} \"{text}\" is not a valid URL ({e}).")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ProfileDraft {
        ProfileDraft {
            ca_file: Some("  ".into()),
            ..ProfileDraft::new(" prod ", Preset::Awx, "https://awx.example.com", "id")
        }
    }

    #[test]
    fn preset_endpoints_are_derived_and_edited_ones_make_it_custom() {
        let plain = draft().build().unwrap();
        assert_eq!(
            (plain.name.as_str(), plain.preset, plain.endpoints.clone()),
            ("prod", Preset::Awx, None)
        );
        assert_eq!(plain.ca_file, None);
        let same = ProfileDraft {
            endpoints: Some(EndpointDraft {
                authorize: "https://awx.example.com/api/o/authorize/".into(),
                token: "https://awx.example.com/api/o/token/".into(),
                revoke: "https://awx.example.com/api/o/revoke_token/".into(),
                whoami: "https://awx.example.com/api/v2/me/".into(),
            }),
            ..draft()
        };
        assert_eq!(same.clone().build().unwrap().preset, Preset::Awx);
        let mut edited = same;
        if let Some(e) = edited.endpoints.as_mut() {
            e.whoami = "https://awx.example.com/api/v2/me/?x=1".into();
        }
        assert_eq!(edited.build().unwrap().preset, Preset::Custom);
    }

    #[test]
    fn mistakes_are_named() {
        let err = ProfileDraft {
            base_url: "awx.example.com".into(),
            ..draft()
        }
        .build()
        .unwrap_err();
        assert!(err.to_string().contains("base URL"), "{err}");
        let err = ProfileDraft {
            preset: Preset::Custom,
            ..draft()
        }
        .build()
        .unwrap_err();
        assert!(err.to_string().contains("custom preset"), "{err}");
        let err = ProfileDraft {
            redirect_uri: " ".into(),
            ..draft()
        }
        .build()
        .unwrap_err();
        assert!(err.to_string().contains("redirect URI"), "{err}");
    }

    #[test]
    fn password_profiles_need_no_redirect_uri() {
        let profile = ProfileDraft {
            grant: Grant::Password,
            redirect_uri: String::new(),
            ..draft()
        }
        .build()
        .unwrap();
        assert_eq!(profile.redirect_uri, None);
        assert!(profile.require_redirect_uri().is_err());
    }
}
