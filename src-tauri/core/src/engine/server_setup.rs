//! Setting up with the server: the password grant, the REST API as the user (personal
//! access tokens, organizations), and creating an OAuth application with the profile
//! that uses it.

use serde::Deserialize;

use super::profiles::{plan_save, StoredFor};
use super::{Engine, ProfileSave, Reuse, SaveMode};
use crate::error::{Error, Result};
use crate::http::Trust;
use crate::presets::Preset;
use crate::profiles::{parse_url, Grant, Profile, ProfileDraft, APPLICATION_NAME_PREFIX};
use crate::server_api::{ApiLogin, Credentials, NewApplication, Organization, ServerApi};
use crate::tokens::TokenSet;

impl Engine {
    /// The password grant of a password profile: the password is used for this one
    /// request and dropped; the tokens are stored like a sign-in's.
    pub async fn password_sign_in(&self, name: &str, credentials: Credentials) -> Result<TokenSet> {
        let (profile, client) = self.client_for(name).await?;
        if profile.grant != Grant::Password {
            return Err(Error::Config(format!(
                "Profile \"{name}\" uses the authorization-code grant, which signs in through the browser, not with a password."
            )));
        }
        let tokens = client
            .password_grant(credentials.username(), credentials.password())
            .await?;
        drop(credentials);
        tracing::info!(profile = name, "password grant answered");
        self.store_signed_in(name, &client, tokens).await
    }

    /// The REST API of a profile's server, logged in with a username and password (a
    /// session), or without them with the profile's own token (stored, or refreshed
    /// first): the way in for single sign-on users, who have no password. End it with
    /// [`ServerApi::close`].
    pub async fn server_api_for(
        &self,
        name: &str,
        credentials: Option<Credentials>,
    ) -> Result<ServerApi> {
        let profile = self.profiles.get(name)?;
        // A custom preset has no API: said before a token is refreshed for nothing.
        ServerApi::paths(profile.preset)?;
        let login = match credentials {
            Some(credentials) => ApiLogin::Password(credentials),
            None => match self.reuse_tokens(name, false).await? {
                Reuse::Ready(tokens, _) => ApiLogin::Token {
                    profile: name.to_owned(),
                    token: tokens.access_token.clone(),
                    scope: tokens.scope.clone(),
                },
                Reuse::SignInNeeded(reason) => {
                    return Err(Error::NoApiToken {
                        profile: name.to_owned(),
                        reason: reason.describe(),
                    })
                }
            },
        };
        ServerApi::connect(
            profile.preset,
            &profile.base_url,
            &profile.trust()?,
            profile.request_timeout(),
            login,
        )
        .await
    }

    /// The organizations the user can see on a server typed into a form, for picking
    /// where a new application goes.
    pub async fn organizations(
        &self,
        server: &ServerDraft,
        credentials: Credentials,
    ) -> Result<Vec<Organization>> {
        let base_url = parse_url("base URL", &server.base_url)?;
        let trust = Trust::typed(server.ca_file.as_deref(), server.pin_sha256.as_deref())?;
        let login = ApiLogin::Password(credentials);
        let api = ServerApi::connect(server.preset, &base_url, &trust, None, login).await?;
        let organizations = api.organizations().await;
        api.close().await;
        organizations
    }

    /// Creates an OAuth application for the user and the profile that uses it. The
    /// server shows the client secret once: it goes straight into the keyring, and if
    /// that fails the application is deleted again, so nothing is left half made.
    pub async fn set_up_application(
        &self,
        setup: ApplicationSetup,
        credentials: Credentials,
    ) -> Result<Profile> {
        let application_name = setup.application_name();
        // Everything but the client ID, checked before touching the server.
        let checked = setup.profile_before_client_id()?;
        let draft = setup.profile.clone();
        // Every rule of the save that follows (a name taken, or differing only in case)
        // before anything is made on the server.
        plan_save(
            &self.profiles.list()?,
            &checked,
            true,
            StoredFor::Nothing,
            SaveMode::Create,
        )?;
        // Fail before logging in or creating anything if the keyring cannot take the secret.
        let probe = checked.name.clone();
        self.keyring_call(move |k| k.client_secret(&probe)).await?;
        let api = ServerApi::connect(
            checked.preset,
            &checked.base_url,
            &checked.trust()?,
            checked.request_timeout(),
            ApiLogin::Password(credentials),
        )
        .await?;
        let made = self
            .create_with(&api, &setup.organization, application_name, &checked, draft)
            .await;
        api.close().await;
        made
    }

    /// The set-up's steps on the server, logged in as `api`.
    async fn create_with(
        &self,
        api: &ServerApi,
        organization: &str,
        application_name: String,
        checked: &Profile,
        mut draft: ProfileDraft,
    ) -> Result<Profile> {
        let organization = api.find_organization(organization).await?;
        let created = api
            .create_application(&NewApplication {
                name: application_name,
                organization: organization.id,
                grant: checked.grant,
                redirect_uri: checked.redirect_uri.clone(),
            })
            .await?;
        tracing::info!(
            profile = checked.name,
            application = created.id,
            organization = organization.id,
            "application created"
        );
        draft.client_id = created.client_id.clone();
        let profile = match draft.build() {
            Ok(profile) => Profile {
                registered_application: Some(created.id),
                ..profile
            },
            Err(e) => {
                let _ = api.delete_application(created.id).await;
                return Err(e);
            }
        };
        let save = ProfileSave {
            profile: profile.clone(),
            client_secret: Some(created.client_secret),
            mode: SaveMode::Create,
        };
        if let Err(e) = self.save_profile(save).await {
            // The secret may be in the keyring already: it belongs to nothing now.
            let name = profile.name.clone();
            let _ = self.keyring_call(move |k| k.delete_profile(&name)).await;
            let undone = api.delete_application(created.id).await;
            return Err(match undone {
                Ok(()) => Error::Config(format!(
                    "The application was created, but its client secret could not be kept ({e}), so AuthDesk deleted the application again; fix that and retry."
                )),
                Err(undo) => Error::Config(format!(
                    "The application (id {}) was created, but its client secret could not be kept ({e}), and deleting it failed too ({undo}); delete it on the server and retry.",
                    created.id
                )),
            });
        }
        Ok(profile)
    }
}

/// What `set_up_application` creates: the profile (its client ID comes from the
/// server), the application's name (blank for `AuthDesk <profile>`), and the
/// organization (id or name; empty picks the user's only one).
#[derive(Debug, Clone, Deserialize)]
pub struct ApplicationSetup {
    #[serde(flatten)]
    pub profile: ProfileDraft,
    #[serde(default)]
    pub application_name: String,
    #[serde(default)]
    pub organization: String,
}

impl ApplicationSetup {
    /// [`Profile::cleartext_warning`] of the profile this set-up would make.
    pub fn cleartext_warning(&self) -> Option<String> {
        self.profile_before_client_id().ok()?.cleartext_warning()
    }

    /// The profile this set-up would make, with a stand-in for the client ID the server
    /// has not given yet: every other field checked.
    fn profile_before_client_id(&self) -> Result<Profile> {
        let mut draft = self.profile.clone();
        draft.client_id = "pending".into();
        draft.build()
    }

    /// The name to create the application under.
    pub fn application_name(&self) -> String {
        match self.application_name.trim() {
            "" => format!("{}{}", APPLICATION_NAME_PREFIX, self.profile.name.trim()),
            typed => typed.to_owned(),
        }
    }
}

/// A server as a form describes it before there is a profile: enough for its REST API.
#[derive(Debug, Clone, Deserialize)]
pub struct ServerDraft {
    pub preset: Preset,
    pub base_url: String,
    #[serde(default)]
    pub ca_file: Option<String>,
    #[serde(default)]
    pub pin_sha256: Option<String>,
}
