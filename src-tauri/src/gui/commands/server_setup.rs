//! Server set-up from the window: password-grant sign-in, application set-up and
//! personal access tokens. The user's password arrives for one call and is dropped; a
//! new application's client secret goes from the server to the keyring, never here.

use authdesk_core::{
    ApplicationSetup, Credentials, Organization, Reuse, Secret, ServerApi, ServerDraft, TokenInfo,
    TokenSource,
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

    /// Both fields left empty: the profile's own token instead (single sign-on users
    /// have no password).
    fn credentials_or_token(self) -> Result<Option<Credentials>, CommandError> {
        if self.username.trim().is_empty() && self.password.is_empty() {
            Ok(None)
        } else {
            self.credentials().map(Some)
        }
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

/// Runs `call` on the profile's server API, logged in as typed (or with the profile's
/// own token), and logs out after.
async fn with_api<T>(
    state: &AppState,
    name: &str,
    login: LoginInput,
    call: impl AsyncFnOnce(&ServerApi) -> Result<T, authdesk_core::Error>,
) -> Result<T, CommandError> {
    let credentials = login.credentials_or_token()?;
    if credentials.is_none() {
        // The profile's token, refreshed here if it must be, so the window's token view,
        // history and auto-refresh learn of the new pair.
        if let Ok(Reuse::Ready(tokens, TokenSource::Refreshed)) =
            state.engine.reuse_tokens(name, false).await
        {
            state.new_tokens(name, &tokens, TokenState::Refreshed);
        }
    }
    let api = state.engine.server_api_for(name, credentials).await?;
    let outcome = call(&api).await;
    api.close().await;
    Ok(outcome?)
}

#[tauri::command]
pub async fn create_personal_token(
    state: State<'_, AppState>,
    name: String,
    login: LoginInput,
    description: String,
    scope: String,
) -> Result<TokenInfo, CommandError> {
    let scope = scope.parse()?;
    let created = with_api(&state, &name, login, async |api| {
        api.create_token(&description, scope, None).await
    })
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
    with_api(&state, &name, login, async |api| api.tokens().await).await
}

#[tauri::command]
pub async fn delete_personal_token(
    state: State<'_, AppState>,
    name: String,
    login: LoginInput,
    id: u64,
) -> Result<(), CommandError> {
    with_api(&state, &name, login, async |api| api.delete_token(id).await).await
}
