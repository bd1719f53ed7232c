//! Profile commands: the list, the form's defaults and endpoints, what kind of server a
//! base URL is, save (with a check of the server) and delete. The
//! rules of a save (create or replace, secret required or kept) are the engine's.

use authdesk_core::{
    parse_url, DetectedServer, Endpoints, Preset, Profile, ProfileDefaults, ProfileDraft,
    ProfileSave, RemoveReport, SaveMode, Secret, Trust,
};
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
    /// Said in a banner while the profile is shown: plain http:// to another computer.
    cleartext_warning: Option<String>,
    /// Whether AuthDesk knows the server's REST API (personal tokens, applications).
    has_server_api: bool,
    /// The profile shown last (the window opens it again).
    last_used: bool,
}

#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileView>, CommandError> {
    let profiles = state.engine.profiles().list()?;
    let last = state
        .settings
        .lock()
        .ok()
        .and_then(|settings| settings.last_profile.clone());
    Ok(profiles
        .into_iter()
        .map(|profile| ProfileView {
            last_used: last.as_deref() == Some(profile.name.as_str()),
            resolved_endpoints: profile.endpoints().ok(),
            cleartext_warning: profile.cleartext_warning(),
            has_server_api: profile.preset.api().is_some(),
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

/// What the profile form starts from.
#[derive(Serialize)]
pub struct FormDefaults {
    /// The same defaults as the CLI's flags.
    #[serde(flatten)]
    profile: ProfileDefaults,
    /// The presets whose REST API AuthDesk knows, for application set-up.
    presets_with_server_api: Vec<Preset>,
}

#[tauri::command]
pub fn form_defaults() -> FormDefaults {
    FormDefaults {
        profile: ProfileDefaults::default(),
        presets_with_server_api: Preset::ALL
            .into_iter()
            .filter(|preset| preset.api().is_some())
            .collect(),
    }
}

/// The endpoint URLs a preset gives a base URL, to fill the form.
#[tauri::command]
pub fn preset_endpoints(
    preset: Preset,
    base_url: String,
) -> Result<Option<Endpoints>, CommandError> {
    Ok(preset.endpoints_for(&parse_url("base URL", &base_url)?)?)
}

#[derive(Deserialize)]
pub struct ProfileInput {
    is_new: bool,
    #[serde(flatten)]
    draft: ProfileDraft,
    /// Write-only: stored in the keyring, never sent back.
    client_secret: Option<String>,
    /// Save anyway: skip the client check (the server refused the secret, or is wrong).
    #[serde(default)]
    skip_client_check: bool,
}

#[tauri::command]
pub async fn save_profile(
    state: State<'_, AppState>,
    input: ProfileInput,
) -> Result<Option<String>, CommandError> {
    let save = ProfileSave {
        profile: input.draft.build()?,
        client_secret: input
            .client_secret
            .filter(|s| !s.is_empty())
            .map(Secret::new),
        mode: if input.is_new {
            SaveMode::Create
        } else {
            SaveMode::Replace
        },
    };
    let name = save.profile.name.clone();
    // A wrong secret is said under its field now, not after a browser sign-in.
    if !input.skip_client_check {
        state.engine.check_client_before_save(&save).await?;
    }
    state.engine.save_profile(save).await?;
    // Its tokens may now belong elsewhere; the page asks for them again, which re-watches.
    state.auto_refresh.forget(&name);
    // Saved either way; trouble with the server is said now rather than at Get token.
    let profile = state.engine.profiles().get(&name)?;
    Ok(state
        .engine
        .check_server(&profile)
        .await
        .err()
        .map(|e| CommandError::from(e).sentence()))
}

/// Whether the edited profile may keep its stored client secret (the same server and
/// application, the core's rule), asked as the form's fields change so the secret's hint
/// and requirement follow it; `None` while the fields do not make a profile yet.
#[tauri::command]
pub fn keeps_client_secret(
    state: State<'_, AppState>,
    input: ProfileInput,
) -> Result<Option<bool>, CommandError> {
    let Ok(profile) = input.draft.build() else {
        return Ok(None);
    };
    Ok(Some(state.engine.may_keep_client_secret(&profile)?))
}

/// *Turn on PKCE and sign in again*: the profile saved with PKCE on and nothing else
/// changed (its secret kept: PKCE does not re-point it); the page then starts the sign-in.
#[tauri::command]
pub async fn turn_on_pkce(state: State<'_, AppState>, name: String) -> Result<(), CommandError> {
    let mut profile = state.engine.profiles().get(&name)?;
    profile.pkce = true;
    state
        .engine
        .save_profile(ProfileSave {
            profile,
            client_secret: None,
            mode: SaveMode::Replace,
        })
        .await?;
    Ok(())
}

/// The profile's checks, as `authdesk doctor NAME` prints them: the keyring, the server,
/// the client's credentials, the redirect URI and the tokens; never a token or secret.
#[tauri::command]
pub async fn check_profile(
    state: State<'_, AppState>,
    name: String,
) -> Result<Vec<String>, CommandError> {
    let findings = state.engine.doctor(Some(&name)).await?;
    Ok(findings.iter().map(|f| f.line()).collect())
}

/// What kind of server a base URL typed into the form is, asked of the server.
#[tauri::command]
pub async fn detect_server(
    state: State<'_, AppState>,
    base_url: String,
    ca_file: Option<String>,
    pin_sha256: Option<String>,
) -> Result<DetectedServer, CommandError> {
    let url = parse_url("base URL", &base_url)?;
    let trust = Trust::typed(ca_file.as_deref(), pin_sha256.as_deref())?;
    Ok(state.engine.detect_server(&url, &trust).await?)
}

/// Deletes a profile; with `revoke`, its tokens are revoked first and the revoke verified
/// (an unverified one keeps the profile and says why). Returns what was done, in words.
#[tauri::command]
pub async fn delete_profile(
    state: State<'_, AppState>,
    name: String,
    revoke: bool,
) -> Result<String, CommandError> {
    if !revoke {
        state.engine.remove_profile(&name).await?;
        state.auto_refresh.forget(&name);
        return Ok(format!("Deleted profile “{name}”."));
    }
    let said = match state.engine.remove_profile_revoking(&name).await? {
        RemoveReport::NoTokens => format!("Deleted profile “{name}”."),
        RemoveReport::Revoked(revoked) => {
            format!("{} Deleted profile “{name}”.", revoked.message)
        }
        RemoveReport::TokensFromElsewhere => format!(
            "Deleted profile “{name}”; its tokens were issued for another server and were not revoked."
        ),
        RemoveReport::Kept(revoked) => {
            return Err(CommandError::config(format!(
                "{} The profile is kept, so that its tokens are not lost unseen: choose Delete and keep it valid to delete it anyway.",
                revoked.message
            )))
        }
    };
    state.auto_refresh.forget(&name);
    Ok(said)
}
