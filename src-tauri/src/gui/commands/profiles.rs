use authdesk_core::presets::{Endpoints, Preset};
use authdesk_core::profiles::{ClientAuth, Profile};
use authdesk_core::Secret;
use serde::{Deserialize, Serialize};
use tauri::State;
use url::Url;

use crate::gui::error::CommandError;
use crate::gui::state::AppState;

/// A profile as the form shows it: never the secret, only whether one is stored.
#[derive(Serialize)]
pub struct ProfileView {
    #[serde(flatten)]
    profile: Profile,
    resolved_endpoints: Option<Endpoints>,
    has_secret: bool,
}

#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileView>, CommandError> {
    let profiles = state.engine.profiles().list()?;
    let mut views = Vec::with_capacity(profiles.len());
    for profile in profiles {
        let has_secret = state.engine.has_client_secret(&profile.name).await?;
        views.push(ProfileView {
            resolved_endpoints: profile.endpoints().ok(),
            profile,
            has_secret,
        });
    }
    Ok(views)
}

#[derive(Deserialize)]
pub struct EndpointInput {
    authorize: String,
    token: String,
    revoke: String,
    whoami: String,
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
    name: String,
    is_new: bool,
    preset: Preset,
    base_url: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    ca_file: Option<String>,
    pkce: bool,
    client_auth: ClientAuth,
    endpoints: Option<EndpointInput>,
    /// Write-only: stored in the keyring, never sent back.
    client_secret: Option<String>,
}

#[tauri::command]
pub async fn save_profile(
    state: State<'_, AppState>,
    input: ProfileInput,
) -> Result<(), CommandError> {
    let engine = &state.engine;
    let exists = engine.profiles().get(&input.name).is_ok();
    if input.is_new && exists {
        return Err(CommandError::config(format!(
            "A profile named \"{}\" exists already; pick another name.",
            input.name
        )));
    }
    let secret = input
        .client_secret
        .filter(|s| !s.is_empty())
        .map(Secret::new);
    if secret.is_none() && !(exists && engine.has_client_secret(&input.name).await?) {
        return Err(CommandError::config(
            "Enter the client secret the server showed when the application was created.",
        ));
    }
    let base_url = parse_url("base URL", &input.base_url)?;
    let typed = match input.endpoints {
        Some(e) => Some(Endpoints {
            authorize: parse_url("authorize URL", &e.authorize)?,
            token: parse_url("token URL", &e.token)?,
            revoke: parse_url("revoke URL", &e.revoke)?,
            whoami: parse_url("who-am-I URL", &e.whoami)?,
        }),
        None => None,
    };
    // Endpoints edited away from what the preset gives make the profile a custom one.
    let from_preset = input
        .preset
        .paths()
        .map(|paths| paths.resolve(&base_url))
        .transpose()?;
    let (preset, endpoints) = match (from_preset, typed) {
        (Some(derived), Some(typed)) if derived != typed => (Preset::Custom, Some(typed)),
        (Some(_), _) => (input.preset, None),
        (None, typed) => (Preset::Custom, typed),
    };
    let profile = Profile {
        name: input.name,
        preset,
        base_url,
        client_id: input.client_id.trim().to_owned(),
        redirect_uri: parse_url("redirect URI", &input.redirect_uri)?,
        scope: input.scope.parse()?,
        ca_file: input
            .ca_file
            .filter(|p| !p.trim().is_empty())
            .map(Into::into),
        pkce: input.pkce,
        client_auth: input.client_auth,
        endpoints,
    };
    engine.save_profile(profile, secret).await?;
    Ok(())
}

#[tauri::command]
pub async fn delete_profile(state: State<'_, AppState>, name: String) -> Result<(), CommandError> {
    state.engine.remove_profile(&name).await?;
    Ok(())
}

fn parse_url(what: &str, text: &str) -> Result<Url, CommandError> {
    Url::parse(text.trim()).map_err(|e| {
        CommandError::config(format!(
            "The {what} \"{}\" is not a valid URL ({e}).",
            text.trim()
        ))
    })
}
