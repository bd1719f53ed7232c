//! The server's REST API from the window: password-grant sign-in, application set-up
//! and personal access tokens. The user's password arrives for one call and is dropped;
//! a new application's client secret goes from the server to the keyring, never here.

use authdesk_core::platform::{Credentials, Organization, PlatformClient, TokenInfo};
use authdesk_core::presets::Preset;
use authdesk_core::profiles::{parse_url, ProfileDraft};
use authdesk_core::{ApplicationSetup, Secret};
use serde::{Deserialize, Serialize};
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
}

#[tauri::command]
pub async fn list_organizations(
    server: ServerInput,
    login: LoginInput,
) -> Result<Vec<Organization>, CommandError> {
    let base_url = parse_url("base URL", &server.base_url)?;
    let ca_file = server
        .ca_file
        .map(|path| path.trim().to_owned())
        .filter(|path| !path.is_empty())
        .map(std::path::PathBuf::from);
    let api = PlatformClient::new(server.preset, &base_url, ca_file.as_deref(), login.into())?;
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

#[derive(Serialize)]
pub struct CreatedToken {
    #[serde(flatten)]
    info: TokenInfo,
    /// Shown once, because the server shows it once; copies go through `copy_personal_token`.
    token: String,
}

#[tauri::command]
pub async fn create_personal_token(
    state: State<'_, AppState>,
    name: String,
    login: LoginInput,
    description: String,
    scope: String,
) -> Result<CreatedToken, CommandError> {
    let api = state.engine.platform_for(&name, login.into())?;
    let created = api.create_token(&description, scope.parse()?, None).await?;
    let token = created.token.expose().to_owned();
    state.keep_personal_token(created.token);
    Ok(CreatedToken {
        info: created.info,
        token,
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
