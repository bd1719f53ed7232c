//! The server's REST API from the window: password-grant sign-in, application set-up
//! and personal access tokens. The user's password arrives for one call and is dropped;
//! a new application's client secret goes from the server to the keyring, never here.

use authdesk_core::platform::{Credentials, Organization, PlatformClient, TokenInfo, Trust};
use authdesk_core::presets::Preset;
use authdesk_core::profiles::{parse_url, ProfileDraft};
use authdesk_core::{ApplicationSetup, Secret};
use serde::Deserialize;
use tauri::State;

use crate::gui::error::CommandError;
use crate::gui::state::{AppState, TokenState, TokenView};

/// A login typed into the window, for one call.
#[derive(Deserialize)]
pub struct LoginInput {
    username: String,
    password: String,
}

impl From<LoginInput> for Credentials {
    fn from(login: LoginInput) -> Self {
        Credentials {
            username: login.username.trim().to_owned(),
            password: Secret::new(login.password),
        }
    }
}

#[tauri::command]
pub async fn password_sign_in(
    state: State<'_, AppState>,
    name: String,
    login: LoginInput,
) -> Result<TokenView, CommandError> {
    let tokens = state.engine.password_sign_in(&name, login.into()).await?;
    let view = TokenView::new(&name, &tokens);
    state.record(&view, TokenState::Replaced);
    Ok(view)
}

/// The server a profile form describes, before the profile exists.
#[derive(Deserialize)]
pub struct ServerInput {
    preset: Preset,
    base_url: String,
    ca_file: Option<String>,
    #[serde(default)]
    pin_sha256: Option<String>,
}

#[tauri::command]
pub async fn list_organizations(
    server: ServerInput,
    login: LoginInput,
) -> Result<Vec<Organization>, CommandError> {
    let base_url = parse_url("base URL", &server.base_url)?;
    let trust = Trust::typed(server.ca_file.as_deref(), server.pin_sha256.as_deref())?;
    let api = PlatformClient::new(server.preset, &base_url, &trust, None, login.into())?;
    Ok(api.organizations().await?)
}

#[derive(Deserialize)]
pub struct SetupInput {
    #[serde(flatten)]
    profile: ProfileDraft,
    application_name: String,
    organization: String,
}

/// Creates the application and the profile; returns the new profile's name.
#[tauri::command]
pub async fn set_up_application(
    state: State<'_, AppState>,
    input: SetupInput,
    login: LoginInput,
) -> Result<String, CommandError> {
    let setup = ApplicationSetup {
        profile: input.profile,
        application_name: input.application_name,
        organization: input.organization,
    };
    let profile = state.engine.set_up_application(setup, login.into()).await?;
    Ok(profile.name)
}

#[tauri::command]
pub async fn create_personal_token(
    state: State<'_, AppState>,
    name: String,
    login: LoginInput,
    description: String,
    scope: String,
) -> Result<TokenInfo, CommandError> {
    let api = state.engine.platform_for(&name, login.into())?;
    let created = api.create_token(&description, scope.parse()?, None).await?;
    // The server shows it once: kept here for Reveal and Copy, never sent unasked.
    state.keep_personal_token(&name, created.token);
    Ok(created.info)
}

/// The personal access token created last for this profile, because the user pressed Reveal.
#[tauri::command]
pub fn reveal_personal_token(
    state: State<'_, AppState>,
    name: String,
) -> Result<String, CommandError> {
    state
        .personal_token(&name)
        .map(|token| token.expose().to_owned())
        .ok_or_else(|| {
            CommandError::config(
                "No personal access token was created for this profile in this window.",
            )
        })
}

#[tauri::command]
pub async fn list_personal_tokens(
    state: State<'_, AppState>,
    name: String,
    login: LoginInput,
) -> Result<Vec<TokenInfo>, CommandError> {
    let api = state.engine.platform_for(&name, login.into())?;
    Ok(api.tokens().await?)
}

#[tauri::command]
pub async fn delete_personal_token(
    state: State<'_, AppState>,
    name: String,
    login: LoginInput,
    id: u64,
) -> Result<(), CommandError> {
    let api = state.engine.platform_for(&name, login.into())?;
    api.delete_token(id).await?;
    Ok(())
}
