//! What tests that drive the core in-process start from: a [`profile`] builder with
//! sensible defaults that builds a [`Profile`] or saves it in an engine, an [`engine_in`]
//! a folder, and the core's items they name.
//!
//! The tests use the core's flat re-exports for its everyday items
//! (`authdesk_core::{Engine, Error, ErrorKind, Secret, TokenSet, ApplicationSetup}`);
//! every other core item a test or the bench names is re-exported here, so that a change
//! in where the core keeps it is fixed in this one place.

use std::path::Path;

use authdesk_core::{Engine, ProfileSave, SaveMode, Secret};

use crate::servers::{Flavor, TestServer};

pub use authdesk_core::{
    ClientAuth, Credentials, Endpoints, OAuthClient, Preset, Profile, ProfileDraft, ProfileStore,
    Scope, SecretStore,
};

/// An engine on a profile file in `dir` and the D-Bus session's keyring.
pub fn engine_in(dir: &Path) -> Engine {
    Engine::new(
        ProfileStore::new(dir),
        SecretStore::new().expect("the session's keyring opens"),
    )
}

/// The keyring service name of the entries `authdesk` keeps for profiles in `dir`
/// (`AUTHDESK_CONFIG_DIR`), for reading them with other tools.
pub fn keyring_service_for(dir: &Path) -> String {
    SecretStore::for_config_dir(dir)
        .expect("the platform has a keyring")
        .service()
        .expect("the OS keyring has a service name")
        .to_owned()
}

/// A profile named `name`: the AWX preset on `http://127.0.0.1:9` (a port nobody
/// answers on), client `client` proving itself with HTTP Basic, the browser sign-in with
/// the port-less `http://127.0.0.1/callback`, scope `read`, no PKCE, no CA file or pin,
/// the default request timeout. Setters change what tests vary; [`ProfileBuilder::build`]
/// gives the [`Profile`].
pub fn profile(name: &str) -> ProfileBuilder {
    ProfileBuilder(
        ProfileDraft::new(name, Preset::Awx, "http://127.0.0.1:9", "client")
            .build()
            .expect("a test profile name is a usable one"),
    )
}

/// See [`profile`].
#[must_use]
#[derive(Debug, Clone)]
pub struct ProfileBuilder(Profile);

impl ProfileBuilder {
    /// The seeded application of a test server: its preset, base URL, client ID and
    /// redirect URI (the client secret goes to the engine apart).
    pub fn on(self, server: &TestServer) -> Self {
        let preset = match server.flavor {
            Flavor::Awx => Preset::Awx,
            Flavor::Gateway => Preset::Gateway,
        };
        self.preset(preset)
            .base_url(&server.seed.base_url)
            .client_id(&server.seed.client_id)
            .redirect_uri(&server.seed.redirect_uri)
    }

    pub fn name(mut self, name: &str) -> Self {
        name.clone_into(&mut self.0.name);
        self
    }

    pub fn base_url(mut self, base_url: &str) -> Self {
        self.0.base_url = url(base_url);
        self
    }

    pub fn client_id(mut self, client_id: &str) -> Self {
        client_id.clone_into(&mut self.0.client_id);
        self
    }

    pub fn redirect_uri(mut self, redirect_uri: &str) -> Self {
        self.0.redirect_uri = Some(url(redirect_uri));
        self
    }

    pub fn preset(mut self, preset: Preset) -> Self {
        self.0.preset = preset;
        self
    }

    pub fn client_auth(mut self, client_auth: ClientAuth) -> Self {
        self.0.client_auth = client_auth;
        self
    }

    pub fn scope(mut self, scope: Scope) -> Self {
        self.0.scope = scope;
        self
    }

    /// Seconds one request may take.
    pub fn request_timeout_secs(mut self, seconds: u64) -> Self {
        self.0.request_timeout_secs = Some(seconds);
        self
    }

    /// The four endpoint URLs of a `custom` profile, each under `base` (the preset is
    /// set to `custom`).
    pub fn endpoints_under(
        mut self,
        base: &str,
        authorize: &str,
        token: &str,
        revoke: &str,
        whoami: &str,
    ) -> Self {
        let at = |path: &str| url(&format!("{base}{path}"));
        self.0.preset = Preset::Custom;
        self.0.endpoints = Some(Endpoints {
            authorize: at(authorize),
            token: at(token),
            revoke: at(revoke),
            whoami: at(whoami),
        });
        self
    }

    pub fn build(self) -> Profile {
        self.0
    }

    /// Saves the profile in `engine` with its client secret, creating it or replacing
    /// one of the same name (as `authdesk profile add` does).
    pub async fn save_in(
        self,
        engine: &Engine,
        client_secret: Secret,
    ) -> authdesk_core::Result<()> {
        engine
            .save_profile(ProfileSave {
                profile: self.0,
                client_secret: Some(client_secret),
                mode: SaveMode::CreateOrReplace,
            })
            .await
    }
}

fn url(text: &str) -> url::Url {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is not a URL: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The defaults are what the doc of [`profile`] says, and each setter lands.
    #[test]
    fn the_builder_defaults_and_setters() {
        let plain = profile("p").build();
        assert_eq!(plain.name, "p");
        assert_eq!(plain.preset, Preset::Awx);
        assert_eq!(plain.base_url.as_str(), "http://127.0.0.1:9/");
        assert_eq!(plain.client_id, "client");
        assert_eq!(plain.grant, Default::default());
        assert_eq!(
            plain.redirect_uri.as_ref().map(url::Url::as_str),
            Some("http://127.0.0.1/callback")
        );
        assert_eq!(plain.scope, Scope::Read);
        assert_eq!(plain.ca_file, None);
        assert!(!plain.pkce);
        assert_eq!(plain.client_auth, ClientAuth::Basic);
        assert_eq!(plain.pin_sha256, None);
        assert_eq!(plain.request_timeout_secs, None);
        assert_eq!(plain.endpoints, None);

        let changed = profile("p")
            .name("q")
            .base_url("http://127.0.0.1:8/")
            .client_id("other")
            .redirect_uri("http://127.0.0.1:7/cb")
            .client_auth(ClientAuth::Post)
            .scope(Scope::ReadWrite)
            .request_timeout_secs(2)
            .endpoints_under("http://127.0.0.1:8", "/a/", "/t/", "/r/", "/me/")
            .build();
        assert_eq!(changed.name, "q");
        assert_eq!(changed.base_url.as_str(), "http://127.0.0.1:8/");
        assert_eq!(changed.client_id, "other");
        assert_eq!(
            changed.redirect_uri.as_ref().map(url::Url::as_str),
            Some("http://127.0.0.1:7/cb")
        );
        assert_eq!(changed.client_auth, ClientAuth::Post);
        assert_eq!(changed.scope, Scope::ReadWrite);
        assert_eq!(changed.request_timeout_secs, Some(2));
        assert_eq!(changed.preset, Preset::Custom, "endpoints make it custom");
        let endpoints = changed.endpoints.expect("endpoints set");
        assert_eq!(endpoints.token.as_str(), "http://127.0.0.1:8/t/");
        assert_eq!(endpoints.whoami.as_str(), "http://127.0.0.1:8/me/");
        assert_eq!(
            profile("p").preset(Preset::Gateway).build().preset,
            Preset::Gateway
        );
    }
}
