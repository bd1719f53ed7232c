use authdesk_core::presets::{Endpoints, Preset};
use authdesk_core::profiles::{parse_url, Profile, ProfileDraft};
use authdesk_core::Secret;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::gui::error::CommandError;
use crate::gui::state::AppState;

/// A profile as the window lists it. Whether a client secret is stored is asked
/// separately, for the chosen profile only: one keyring call per listed profile would
/// make a long list slow to open.
#[derive(Serialize)]
pub struct ProfileView {
    #[serde(flatten)]
    profile: Profile,
    resolved_endpoints: Option<Endpoints>,
}

#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileView>, CommandError> {
    let profiles = state.engine.profiles().list()?;
    Ok(profiles
        .into_iter()
        .map(|profile| ProfileView {
            resolved_endpoints: profile.endpoints().ok(),
            profile,
        })
        .collect())
}

/// Whether the keyring holds the profile's client secret (never the secret itself).
#[tauri::command]
pub async fn client_secret_stored(
    state: State<'_, AppState>,
    name: String,
) -> Result<bool, CommandError> {
    Ok(state.engine.has_client_secret(&name).await?)
}

/// The endpoint URLs a preset gives a base URL, to fill the form.
#[tauri::command]
pub fn preset_endpoints(
    preset: Preset,
    base_url: String,
) -> Result<Option<Endpoints>, CommandError> {
    let Some(paths) = preset.paths() else {
        return Ok(None);
    };
    let base = parse_url("base URL", &base_url)?;
    Ok(Some(paths.resolve(&base)?))
}

#[derive(Deserialize)]
pub struct ProfileInput {
    is_new: bool,
    #[serde(flatten)]
    draft: ProfileDraft,
    /// Write-only: stored in the keyring, never sent back.
    client_secret: Option<String>,
}

#[tauri::command]
pub async fn save_profile(
    state: State<'_, AppState>,
    input: ProfileInput,
) -> Result<(), CommandError> {
    let engine = &state.engine;
    let secret = input
        .client_secret
        .filter(|s| !s.is_empty())
        .map(Secret::new);
    let profile = input.draft.build()?;
    let exists = engine.profiles().get(&profile.name).is_ok();
    if input.is_new && exists {
        return Err(CommandError::config(format!(
            "A profile named \"{}\" exists already; pick another name.",
            profile.name
        )));
    }
    if secret.is_none() && !(exists && engine.has_client_secret(&profile.name).await?) {
        return Err(CommandError::config(
            "Enter the client secret the server showed when the application was created.",
        ));
    }
    engine.save_profile(profile, secret).await?;
    Ok(())
}

#[tauri::command]
pub async fn delete_profile(state: State<'_, AppState>, name: String) -> Result<(), CommandError> {
    state.engine.remove_profile(&name).await?;
    Ok(())
}
