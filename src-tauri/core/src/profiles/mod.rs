//! Profiles: one per server application, kept in a readable TOML file in the platform's
//! config directory (`AUTHDESK_CONFIG_DIR` overrides it). Never holds a secret.

mod draft;
mod origin;
mod store;

pub use draft::{parse_url, EndpointDraft, ProfileDraft};
pub use origin::{SecretOrigin, StoredSecret};
pub use store::ProfileStore;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};
use crate::http::{Fingerprint, Trust};
use crate::presets::{Endpoints, Preset};

/// The redirect URI a new profile or application gets: port-less loopback, which AWX
/// (22.3+) and the gateway accept with any port, so AuthDesk can pick a free one.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// What a new application is called when the person names none: this, then the profile's
/// name.
pub const APPLICATION_NAME_PREFIX: &str = "AuthDesk ";

/// What a new profile starts with, for every shell: the CLI's flag defaults and the
/// window's form (served to the page by a command, never copied into it).
#[derive(Debug, Clone, Serialize)]
pub struct ProfileDefaults {
    pub preset: Preset,
    pub grant: Grant,
    pub scope: Scope,
    pub client_auth: ClientAuth,
    pub redirect_uri: &'static str,
    /// A new application is called this plus the profile's name.
    pub application_name_prefix: &'static str,
}

impl Default for ProfileDefaults {
    fn default() -> Self {
        ProfileDefaults {
            preset: Preset::default(),
            grant: Grant::default(),
            scope: Scope::default(),
            client_auth: ClientAuth::default(),
            redirect_uri: DEFAULT_REDIRECT_URI,
            application_name_prefix: APPLICATION_NAME_PREFIX,
        }
    }
}

/// The scopes AWX and the gateway know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Scope {
    #[default]
    Read,
    Write,
    ReadWrite,
}

impl Scope {
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::ReadWrite => "read write",
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let mut words: Vec<&str> = s.split_whitespace().collect();
        words.sort_unstable();
        words.dedup();
        match words.as_slice() {
            ["read"] => Ok(Scope::Read),
            ["write"] => Ok(Scope::Write),
            ["read", "write"] => Ok(Scope::ReadWrite),
            _ => Err(Error::Config(format!(
                "The scope \"{s}\" is not one AWX knows; use read, write or \"read write\"."
            ))),
        }
    }
}

impl TryFrom<String> for Scope {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<Scope> for String {
    fn from(scope: Scope) -> String {
        scope.as_str().to_owned()
    }
}

/// How the client proves itself at the token and revoke endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuth {
    /// HTTP Basic `client_id:client_secret`.
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Post,
}

/// How the profile gets its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// The browser sign-in: consent screen, redirect to the loopback listener.
    #[default]
    AuthorizationCode,
    /// "Resource owner password-based": username and password sent once, never stored.
    Password,
}

impl Grant {
    pub fn as_str(self) -> &'static str {
        match self {
            Grant::AuthorizationCode => "authorization_code",
            Grant::Password => "password",
        }
    }

    /// The value of an application's `authorization_grant_type` on AWX and the gateway.
    pub fn application_grant_type(self) -> &'static str {
        match self {
            Grant::AuthorizationCode => "authorization-code",
            Grant::Password => "password",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub preset: Preset,
    pub base_url: Url,
    pub client_id: String,
    #[serde(default)]
    pub grant: Grant,
    /// Exactly as registered in the server's application; only the
    /// authorization-code grant uses one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<Url>,
    #[serde(default)]
    pub scope: Scope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    #[serde(default)]
    pub pkce: bool,
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// SHA-256 fingerprint of the one certificate to trust (self-signed servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_sha256: Option<String>,
    /// Seconds one request to the server may take; `None` for the default (30 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_timeout_secs: Option<u64>,
    /// Endpoint URLs of a `custom` profile; presets derive theirs from `base_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    /// The server's ID of the OAuth application AuthDesk created for this profile (its
    /// redirect URI registered with it), so Server setup need not ask for it. Kept by
    /// edits that keep the server and application; older versions ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_application: Option<u64>,
}

impl Profile {
    /// The URLs this profile talks to.
    pub fn endpoints(&self) -> Result<Endpoints> {
        match (self.preset.endpoints_for(&self.base_url)?, &self.endpoints) {
            (Some(derived), _) => Ok(derived),
            (None, Some(endpoints)) => Ok(endpoints.clone()),
            (None, None) => Err(Error::Config(format!(
                "Profile \"{}\" uses the custom preset but has no endpoint URLs.",
                self.name
            ))),
        }
    }

    pub fn pinned_fingerprint(&self) -> Result<Option<Fingerprint>> {
        self.pin_sha256.as_deref().map(str::parse).transpose()
    }

    /// The certificates this profile's server may present.
    pub fn trust(&self) -> Result<Trust> {
        Ok(Trust {
            ca_file: self.ca_file.clone(),
            pin: self.pinned_fingerprint()?,
        })
    }

    pub fn request_timeout(&self) -> Option<std::time::Duration> {
        self.request_timeout_secs
            .map(std::time::Duration::from_secs)
    }

    /// The redirect URI of an authorization-code profile.
    pub fn require_redirect_uri(&self) -> Result<&Url> {
        match (self.grant, &self.redirect_uri) {
            (Grant::AuthorizationCode, Some(uri)) => Ok(uri),
            (Grant::Password, _) => Err(Error::PasswordGrantProfile(self.name.clone())),
            (Grant::AuthorizationCode, None) => Err(Error::Config(format!(
                "Profile \"{}\" has no redirect URI.",
                self.name
            ))),
        }
    }

    /// A warning when the profile talks to a host other than this computer over plain
    /// `http://`: the client secret, passwords and tokens would cross the network in
    /// clear. `None` for https and for loopback.
    pub fn cleartext_warning(&self) -> Option<String> {
        let endpoints = self.endpoints().ok()?;
        let exposed = [
            &self.base_url,
            &endpoints.authorize,
            &endpoints.token,
            &endpoints.revoke,
            &endpoints.whoami,
        ]
        .into_iter()
        .find(|url| url.scheme() == "http" && !is_loopback(url))?;
        Some(format!(
            "Profile \"{}\" talks to {} over plain http://, so its client secret, passwords and tokens cross the network unencrypted; use https:// if the server offers it.",
            self.name,
            exposed.host_str().unwrap_or("the server")
        ))
    }

    /// Checks what the server and the listener will need, with one sentence per problem.
    pub fn validate(&self) -> Result<()> {
        validate_name(&self.name)?;
        require_http_url("base URL", &self.base_url)?;
        if self.client_id.trim().is_empty() {
            return Err(Error::Config(
                "The client ID is empty; copy it from the server's application.".into(),
            ));
        }
        match (&self.redirect_uri, self.grant) {
            (None, Grant::AuthorizationCode) => {
                return Err(Error::Config(
                    "The authorization-code grant needs the redirect URI registered in the server's application, such as http://127.0.0.1/callback.".into(),
                ))
            }
            (None, Grant::Password) => {}
            (Some(uri), _) => {
                refuse_login_in("redirect URI", uri)?;
                if uri.scheme() != "http" && uri.scheme() != "https" {
                    return Err(Error::Config(format!(
                        "The redirect URI {uri} is not an http(s) URL; use the one registered in the server's application, such as http://127.0.0.1/callback."
                    )));
                }
                if uri.fragment().is_some() {
                    return Err(Error::Config(
                        "A redirect URI may not contain a #fragment.".into(),
                    ));
                }
            }
        }
        if let Some(endpoints) = &self.endpoints {
            for (what, url) in [
                ("authorize URL", &endpoints.authorize),
                ("token URL", &endpoints.token),
                ("revoke URL", &endpoints.revoke),
                ("who-am-I URL", &endpoints.whoami),
            ] {
                require_http_url(what, url)?;
            }
        }
        if self.ca_file.is_some() && self.pin_sha256.is_some() {
            return Err(Error::Config(
                "Give a CA file or a pinned certificate fingerprint, not both.".into(),
            ));
        }
        self.pinned_fingerprint()?;
        if self
            .request_timeout_secs
            .is_some_and(|secs| !(1..=3600).contains(&secs))
        {
            return Err(Error::Config(
                "The request timeout must be between 1 and 3600 seconds.".into(),
            ));
        }
        self.endpoints().map(|_| ())
    }
}

/// Profile names become keyring keys and CLI arguments: keep them plain.
pub fn validate_name(name: &str) -> Result<()> {
    let plain = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "The profile name \"{name}\" is not usable; use 1 to 64 letters, digits, dots, dashes or underscores."
        )))
    }
}

/// A user name or password in a URL would land in `profiles.toml`, in `profile list`, in
/// `CONTROLLER_HOST` and in Basic headers on requests that carry none: refused, without
/// repeating the URL (it holds the password).
fn refuse_login_in(what: &str, url: &Url) -> Result<()> {
    if url.username().is_empty() && url.password().is_none() {
        return Ok(());
    }
    Err(Error::Config(format!(
        "The {what} holds a user name or password (user:password@host), which AuthDesk never keeps in a URL; remove it and give the address alone (logins go to the browser, or to --username)."
    )))
}

/// Whether a URL's host is this computer (127.0.0.0/8, ::1 or localhost).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn require_http_url(what: &str, url: &Url) -> Result<()> {
    refuse_login_in(what, url)?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(()),
        _ => Err(Error::Config(format!(
            "The {what} {url} must be an http:// or https:// URL with a host."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_in_any_url_is_refused_without_repeating_it() {
        let built = |base: &str, redirect: &str| {
            let mut draft = ProfileDraft::new("p", Preset::Awx, base, "id");
            draft.redirect_uri = redirect.into();
            draft.build()
        };
        for (base, redirect) in [
            (
                "https://user:S3cret@awx.example.com",
                "http://127.0.0.1/callback",
            ),
            ("https://user@awx.example.com", "http://127.0.0.1/callback"),
            (
                "https://awx.example.com",
                "http://me:S3cret@127.0.0.1/callback",
            ),
        ] {
            let error = built(base, redirect).unwrap_err().to_string();
            assert!(error.contains("user name or password"), "{error}");
            assert!(
                !error.contains("S3cret") && !error.contains("user@"),
                "{error}"
            );
        }
        // A hand-edited profiles.toml is checked too.
        let edited: Profile = toml::from_str(
            "name = \"p\"\npreset = \"awx\"\nbase_url = \"https://u:S3cret@awx.example.com\"\nclient_id = \"id\"\nredirect_uri = \"http://127.0.0.1/callback\"\n",
        )
        .unwrap();
        assert!(edited.validate().is_err());
        assert!(built("https://awx.example.com", "http://127.0.0.1/callback").is_ok());
    }

    #[test]
    fn scopes_parse_in_any_order() {
        assert_eq!("write read".parse::<Scope>().unwrap(), Scope::ReadWrite);
        assert_eq!(" read ".parse::<Scope>().unwrap(), Scope::Read);
        assert!("admin".parse::<Scope>().is_err());
        assert!("".parse::<Scope>().is_err());
    }

    #[test]
    fn plain_http_is_warned_about_except_on_this_computer() {
        let profile = |base: &str| {
            ProfileDraft::new("p", Preset::Awx, base, "id")
                .build()
                .unwrap()
        };
        let warned = profile("http://awx.example.com")
            .cleartext_warning()
            .unwrap();
        assert!(
            warned.contains("awx.example.com") && warned.contains("unencrypted"),
            "{warned}"
        );
        for quiet in [
            "https://awx.example.com",
            "http://127.0.0.1:8052",
            "http://localhost",
            "http://[::1]",
        ] {
            assert_eq!(profile(quiet).cleartext_warning(), None, "{quiet}");
        }
    }

    #[test]
    fn names_are_plain() {
        assert!(validate_name("awx-prod_2.eu").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("a/b").is_err());
        assert!(validate_name("naïve").is_err());
    }
}
