//! Server presets: where each kind of server keeps its OAuth2 endpoints.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// AWX up to 24.6.1 / Automation Controller up to 2.4.
    #[default]
    Awx,
    /// The AAP 2.5+ platform gateway (django-ansible-base's OAuth2 provider).
    Gateway,
    /// Every endpoint URL given by hand.
    Custom,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::Awx, Preset::Gateway, Preset::Custom];

    pub const fn name(self) -> &'static str {
        match self {
            Preset::Awx => "awx",
            Preset::Gateway => "gateway",
            Preset::Custom => "custom",
        }
    }

    /// Where the server's REST API keeps users' tokens, applications and organizations;
    /// `None` for `custom`, whose API AuthDesk does not know.
    pub fn api(self) -> Option<ApiPaths> {
        match self {
            Preset::Awx => Some(ApiPaths {
                login: "/api/login/",
                logout: "/api/logout/",
                me: "/api/v2/me/",
                organizations: "/api/v2/organizations/",
                applications: "/api/v2/applications/",
                tokens: "/api/v2/tokens/",
                personal_tokens: PersonalTokens::PerUser {
                    prefix: "/api/v2/users/",
                    suffix: "/personal_tokens/",
                },
            }),
            Preset::Gateway => Some(ApiPaths {
                login: "/api/gateway/v1/login/",
                logout: "/api/gateway/v1/logout/",
                me: "/api/gateway/v1/me/",
                organizations: "/api/gateway/v1/organizations/",
                applications: "/api/gateway/v1/applications/",
                tokens: "/api/gateway/v1/tokens/",
                personal_tokens: PersonalTokens::Shared,
            }),
            Preset::Custom => None,
        }
    }

    /// The endpoint URLs this preset gives a base URL; `None` for `custom`.
    pub fn endpoints_for(self, base_url: &Url) -> Result<Option<Endpoints>> {
        self.paths()
            .map(|paths| paths.resolve(base_url))
            .transpose()
    }

    /// Endpoint paths relative to the base URL; `None` for `custom`.
    pub fn paths(self) -> Option<EndpointPaths> {
        match self {
            Preset::Awx => Some(EndpointPaths {
                authorize: "/api/o/authorize/",
                token: "/api/o/token/",
                revoke: "/api/o/revoke_token/",
                whoami: "/api/v2/me/",
            }),
            Preset::Gateway => Some(EndpointPaths {
                authorize: "/o/authorize/",
                token: "/o/token/",
                revoke: "/o/revoke_token/",
                whoami: "/api/gateway/v1/me/",
            }),
            Preset::Custom => None,
        }
    }
}

impl std::str::FromStr for Preset {
    type Err = crate::error::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "awx" => Ok(Preset::Awx),
            "gateway" => Ok(Preset::Gateway),
            "custom" => Ok(Preset::Custom),
            other => Err(crate::error::Error::Config(format!(
                "The preset \"{other}\" is unknown; use awx, gateway or custom."
            ))),
        }
    }
}

/// The REST API paths of one server layout (relative to the base URL).
#[derive(Debug, Clone, Copy)]
pub struct ApiPaths {
    /// The login page (Django's `LoginView`): a session for a username and password.
    pub login: &'static str,
    pub logout: &'static str,
    pub me: &'static str,
    pub organizations: &'static str,
    pub applications: &'static str,
    /// The caller's tokens; `<tokens><id>/` is one of them.
    pub tokens: &'static str,
    pub personal_tokens: PersonalTokens,
}

/// Where a personal access token is created.
#[derive(Debug, Clone, Copy)]
pub enum PersonalTokens {
    /// AWX: `POST /api/v2/users/<id>/personal_tokens/`, so the user's id is needed first.
    PerUser {
        prefix: &'static str,
        suffix: &'static str,
    },
    /// The gateway: `POST` to the tokens list itself.
    Shared,
}

/// Joins an absolute API path onto a base URL that may sit under a path prefix.
pub fn join_path(base_url: &Url, path: &str) -> Url {
    let mut url = base_url.clone();
    let prefix = base_url.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}{path}"));
    url.set_query(None);
    url.set_fragment(None);
    url
}

#[derive(Debug, Clone, Copy)]
pub struct EndpointPaths {
    pub authorize: &'static str,
    pub token: &'static str,
    pub revoke: &'static str,
    pub whoami: &'static str,
}

/// The four URLs a flow talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    pub authorize: Url,
    pub token: Url,
    pub revoke: Url,
    pub whoami: Url,
}

impl EndpointPaths {
    /// Joins the paths onto a base URL that may itself sit under a path prefix
    /// (`https://host/awx` behind a reverse proxy).
    pub fn resolve(&self, base_url: &Url) -> Result<Endpoints> {
        let join = |path: &str| -> Result<Url> { Ok(join_path(base_url, path)) };
        Ok(Endpoints {
            authorize: join(self.authorize)?,
            token: join(self.token)?,
            revoke: join(self.revoke)?,
            whoami: join(self.whoami)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn awx_paths_join_onto_base_with_or_without_prefix() {
        let paths = Preset::Awx.paths().unwrap();
        let plain = paths
            .resolve(&Url::parse("https://awx.example.com").unwrap())
            .unwrap();
        assert_eq!(
            plain.authorize.as_str(),
            "https://awx.example.com/api/o/authorize/"
        );
        assert_eq!(
            plain.revoke.as_str(),
            "https://awx.example.com/api/o/revoke_token/"
        );
        let prefixed = paths
            .resolve(&Url::parse("https://proxy.example.com/awx/").unwrap())
            .unwrap();
        assert_eq!(
            prefixed.whoami.as_str(),
            "https://proxy.example.com/awx/api/v2/me/"
        );
    }

    #[test]
    fn gateway_paths_have_no_api_prefix_for_oauth() {
        let gateway = Preset::Gateway
            .paths()
            .unwrap()
            .resolve(&Url::parse("https://aap.example.com").unwrap())
            .unwrap();
        assert_eq!(gateway.token.as_str(), "https://aap.example.com/o/token/");
        assert_eq!(
            gateway.whoami.as_str(),
            "https://aap.example.com/api/gateway/v1/me/"
        );
        assert_eq!("gateway".parse::<Preset>().unwrap(), Preset::Gateway);
        assert!("tower".parse::<Preset>().is_err());
    }
}
