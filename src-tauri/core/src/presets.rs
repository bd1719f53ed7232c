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
    /// Every endpoint URL given by hand.
    Custom,
}

impl Preset {
    pub fn name(self) -> &'static str {
        match self {
            Preset::Awx => "awx",
            Preset::Custom => "custom",
        }
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
            Preset::Custom => None,
        }
    }
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
        let join = |path: &str| -> Result<Url> {
            let mut url = base_url.clone();
            let prefix = base_url.path().trim_end_matches('/');
            url.set_path(&format!("{prefix}{path}"));
            url.set_query(None);
            url.set_fragment(None);
            Ok(url)
        };
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
}
