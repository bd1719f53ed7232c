//! Server set-up from the window: password-grant sign-in, application set-up and
//! personal access tokens. The user's password arrives for one call and is dropped; a
//! new application's client secret goes from the server to the keyring, never here.

use authdesk_core::{
    ApplicationSetup, Credentials, Organization, Secret, ServerApi, ServerDraft, TokenInfo,
};
use serde::Deserialize;
use tauri::State;

use crate::gui::error::CommandError;
use crate::gui::state::{AppState, TokenState, TokenView};

/// A login typed into the window, for one call.
#[derive(Deserialize)]
pub struct LoginInput {
    username: String,
    password: Secret,
}

impl LoginInput {
    /// Checked by the same rule as the CLI's.
    fn credentials(self) -> Result<Credentials, CommandError> {
        Ok(Credentials::new(&self.username, self.password)?)
    }
}

#[tauri::command]
pub async fn password_sign_in(
    state: State<'_, AppState>,
    name: String,
    login: LoginInput,
) -> Result<TokenView, CommandError> {
    let tokens = state
        .engine
        .password_sign_in(&name, login.credentials()?)
        .await?;
    let view = state.new_tokens(&name, &tokens, TokenState::Replaced);
    Ok(view)
}

#[tauri::command]
pub async fn list_organizations(
    state: State<'_, AppState>,
    server: ServerDraft,
    login: LoginInput,
) -> Result<Vec<Organization>, CommandError> {
    Ok(state
        .engine
        .organizations(&server, login.credentials()?)
        .await?)
}

/// Creates the application and the profile; returns the new profile's name.
#[tauri::command]
pub async fn set_up_application(
    state: State<'_, AppState>,
    input: ApplicationSetup,
    login: LoginInput,
) -> Result<String, CommandError> {
    let profile = state
        .engine
        .set_up_application(input, login.credentials()?)
        .await?;
    Ok(profile.name)
}

/// The profile's server API as the user who typed the login.
fn api(state: &AppState, name: &str, login: LoginInput) -> Result<ServerApi, CommandError> {
    Ok(state.engine.server_api_for(name, login.credentials()?)?)
}

#[tauri::command]
pub async fn create_personal_token(
    state: State<'_, AppState>,
    name: String,
    login: LoginInput,
    description: String,
    scope: String,
) -> Result<TokenInfo, CommandError> {
    let created = api(&state, &name, login)?
        .create_token(&description, scope.parse()?, None)
        .await?;
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
    Ok(state.personal_token(&name)?.expose().to_owned())
}

#[tauri::command]
pub async fn list_personal_tokens(
    state: State<'_, AppState>,
    name: String,
    login: LoginInput,
) -> Result<Vec<TokenInfo>, CommandError> {
    Ok(api(&state, &name, login)?.tokens().await?)
}

#[tauri::command]
pub async fn delete_personal_token(
    state: State<'_, AppState>,
    name: String,
    login: LoginInput,
    id: u64,
) -> Result<(), CommandError> {
    Ok(api(&state, &name, login)?.delete_token(id).await?)
}
