//! `authdesk profile …`: where the CLI's flags become a profile (`add`), and the
//! profile list and details.

use authdesk_core::{
    parse_url, EndpointDraft, Engine, Error, Preset, ProfileDefaults, ProfileDraft, ProfileSave,
    RemoveReport, SaveMode, SecretOrigin, TokenOrigin, Trust,
};

use crate::process::exit;

use super::args::{AddProfile, EditProfile, ProfileCommand, TlsArgs};
use super::input;

pub async fn run(engine: &Engine, command: ProfileCommand) -> Result<u8, Error> {
    match command {
        ProfileCommand::Add(args) => add(engine, *args).await,
        ProfileCommand::Edit(args) => edit(engine, *args).await,
        ProfileCommand::List { json } => list(engine, json),
        ProfileCommand::Show { name } => show(engine, &name).await,
        ProfileCommand::Remove { name, keep_tokens } => remove(engine, &name, keep_tokens).await,
    }
}

/// `profile remove`: revoke, verify, remove; or, with `--keep-tokens`, remove alone.
async fn remove(engine: &Engine, name: &str, keep_tokens: bool) -> Result<u8, Error> {
    let kept_in = engine.secret_store().where_kept();
    if keep_tokens {
        let had_tokens = !matches!(engine.current_tokens(name).await, Ok(None));
        engine.remove_profile(name).await?;
        if had_tokens {
            eprintln!("Removed profile \"{name}\" and its entries in {kept_in}; its tokens were not revoked and stay valid on the server until they expire.");
        } else {
            eprintln!("Removed profile \"{name}\" and its entries in {kept_in}.");
        }
        return Ok(0);
    }
    let report = match engine.remove_profile_revoking(name).await {
        Ok(report) => report,
        Err(e @ Error::ProfileNotFound(_)) => return Err(e),
        Err(e) => {
            eprintln!("authdesk: {}", super::sentence(&e));
            eprintln!("authdesk: the profile is kept, so that its tokens are not lost unseen; `authdesk profile remove {name} --keep-tokens` removes it without revoking.");
            return Ok(exit::for_kind(e.kind()));
        }
    };
    match report {
        RemoveReport::NoTokens => {
            eprintln!("Removed profile \"{name}\" and its entries in {kept_in}.");
        }
        RemoveReport::Revoked(revoked) => eprintln!(
            "{} Removed profile \"{name}\" and its entries in {kept_in}.",
            revoked.message
        ),
        RemoveReport::TokensFromElsewhere => eprintln!(
            "Removed profile \"{name}\" and its entries in {kept_in}; its stored tokens were issued for another server than the profile named, and were not revoked."
        ),
        RemoveReport::Kept(revoked) => {
            eprintln!("{}", revoked.message);
            eprintln!("authdesk: the profile is kept, so that its tokens are not lost unseen: `authdesk revoke {name}` tries again, `authdesk profile remove {name} --keep-tokens` removes it without revoking.");
            return Ok(exit::REVOKE_NOT_VERIFIED);
        }
    }
    Ok(0)
}

async fn add(engine: &Engine, args: AddProfile) -> Result<u8, Error> {
    let endpoints = match (args.authorize_url, args.token_url, args.revoke_url, args.whoami_url) {
        (Some(authorize), Some(token), Some(revoke), Some(whoami)) => Some(EndpointDraft {
            authorize,
            token,
            revoke,
            whoami,
        }),
        (None, None, None, None) => None,
        _ => {
            return Err(Error::Config(
                "Give all four endpoint URLs (--authorize-url --token-url --revoke-url --whoami-url), or none.".into(),
            ))
        }
    };
    let preset = match (args.preset, &endpoints) {
        (Some(preset), _) => Some(preset.into()),
        (None, Some(_)) => Some(Preset::Custom),
        (None, None) if args.no_check => Some(ProfileDefaults::default().preset),
        (None, None) => detect(engine, &args.base_url, &args.tls).await?,
    };
    // The server could not be asked: the default, and no further check (same cause).
    let check = preset.is_some() && !args.no_check;
    let profile = ProfileDraft {
        name: args.name,
        preset: preset.unwrap_or(ProfileDefaults::default().preset),
        base_url: args.base_url,
        client_id: args.client_id,
        grant: args.grant.into(),
        redirect_uri: args.redirect_uri.unwrap_or_default(),
        scope: args.scope,
        ca_file: args.tls.ca_file_text(),
        pkce: args.pkce,
        client_auth: args.client_auth.into(),
        pin_sha256: args.tls.pin_sha256,
        request_timeout_secs: args.request_timeout,
        endpoints,
    }
    // Checked before asking for a secret the user would have to type again.
    .build()?;
    let secret = input::read_hidden("client secret", args.client_secret_stdin)?;
    let name = profile.name.clone();
    let warning = profile.cleartext_warning();
    engine
        .save_profile(ProfileSave {
            profile,
            client_secret: Some(secret),
            mode: SaveMode::CreateOrReplace,
        })
        .await?;
    eprintln!(
        "Saved profile \"{name}\"; its client secret is in {}.",
        engine.secret_store().where_kept()
    );
    super::warn_cleartext(warning);
    if check {
        // Saved anyway: a profile may be made before the server is reachable.
        let saved = engine.profiles().get(&name)?;
        let checked = match engine.check_server(&saved).await {
            // A wrong secret found now, not after a whole browser sign-in.
            Ok(()) => engine.check_client(&saved).await,
            Err(e) => Err(e),
        };
        if let Err(e) = checked {
            eprintln!("Warning: {}", super::sentence(&e));
        }
    }
    Ok(0)
}

/// The kind of server at `base_url`, asked of the server itself; `None` (with a line
/// saying why) when it cannot be asked (offline profiles still save, with the default).
/// A server that answers but names neither layout is refused: no profile is saved for a
/// guessed layout.
pub(super) async fn detect(
    engine: &Engine,
    base_url: &str,
    tls: &TlsArgs,
) -> Result<Option<Preset>, Error> {
    let asked = async {
        let url = parse_url("base URL", base_url)?;
        let trust = Trust::typed(tls.ca_file_text().as_deref(), tls.pin_sha256.as_deref())?;
        engine.detect_server(&url, &trust).await
    };
    match asked.await {
        Ok(found) => {
            eprintln!(
                "Found {}; using --preset {}.",
                found.summary,
                found.preset.name()
            );
            Ok(Some(found.preset))
        }
        Err(e @ Error::UnknownServer(_)) => Err(e),
        Err(e) => {
            eprintln!(
                "Warning: {} Using --preset {}, the default.",
                super::sentence(&e),
                ProfileDefaults::default().preset.name()
            );
            Ok(None)
        }
    }
}

/// `authdesk profile edit`: the stored profile with the fields given changed, saved under
/// the same rules as the window's Edit.
async fn edit(engine: &Engine, args: EditProfile) -> Result<u8, Error> {
    let old = engine.profiles().get(&args.name)?;
    let mut profile = old.clone();
    let mut changed = false;
    if let Some(text) = &args.base_url {
        profile.base_url = parse_url("base URL", text)?;
        changed = true;
    }
    if let Some(id) = &args.client_id {
        profile.client_id = id.trim().to_owned();
        changed = true;
    }
    if let Some(text) = &args.redirect_uri {
        profile.redirect_uri = Some(parse_url("redirect URI", text)?);
        changed = true;
    }
    if let Some(scope) = &args.scope {
        profile.scope = scope.parse()?;
        changed = true;
    }
    if let Some(path) = &args.ca_file {
        let trust = Trust::typed(Some(path), None)?;
        profile.ca_file = trust.ca_file;
        if profile.ca_file.is_some() {
            profile.pin_sha256 = None;
        }
        changed = true;
    }
    if let Some(pin) = &args.pin_sha256 {
        let pin = pin.trim();
        profile.pin_sha256 = (!pin.is_empty()).then(|| pin.to_owned());
        if profile.pin_sha256.is_some() {
            profile.ca_file = None;
        }
        changed = true;
    }
    if args.pkce || args.no_pkce {
        profile.pkce = args.pkce;
        changed = true;
    }
    if let Some(auth) = args.client_auth {
        profile.client_auth = auth.into();
        changed = true;
    }
    if let Some(secs) = args.request_timeout {
        profile.request_timeout_secs = Some(secs);
        changed = true;
    }
    if !changed && !args.client_secret_stdin {
        return Err(Error::Config(
            "Give at least one field to change, such as --scope or --pkce; `authdesk profile edit --help` lists them.".into(),
        ));
    }
    profile.validate()?;
    // Where the secret and tokens may go changed: the stored secret is not for there.
    let moved = SecretOrigin::of(&old).ok() != SecretOrigin::of(&profile).ok()
        || TokenOrigin::of(&old).ok() != TokenOrigin::of(&profile).ok();
    let client_secret = if args.client_secret_stdin || moved {
        Some(input::read_hidden(
            "client secret",
            args.client_secret_stdin,
        )?)
    } else {
        None
    };
    let warning = profile.cleartext_warning();
    engine
        .save_profile(ProfileSave {
            profile,
            client_secret,
            mode: SaveMode::Replace,
        })
        .await?;
    eprintln!("Saved profile \"{}\".", args.name);
    super::warn_cleartext(warning);
    Ok(0)
}

fn list(engine: &Engine, json: bool) -> Result<u8, Error> {
    let profiles = engine.profiles().list()?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&profiles).unwrap_or_default()
        );
        return Ok(0);
    }
    if profiles.is_empty() {
        eprintln!("No profiles yet; add one with `authdesk profile add`.");
        return Ok(0);
    }
    let width = profiles
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:width$}  {:7}  {:18}  {:10}  BASE URL",
        "NAME", "PRESET", "GRANT", "SCOPE"
    );
    for p in profiles {
        println!(
            "{:width$}  {:7}  {:18}  {:10}  {}",
            p.name,
            p.preset.name(),
            p.grant.as_str(),
            p.scope.as_str(),
            p.base_url
        );
    }
    Ok(0)
}

async fn show(engine: &Engine, name: &str) -> Result<u8, Error> {
    let profile = engine.profiles().get(name)?;
    let endpoints = profile.endpoints()?;
    println!("name:          {}", profile.name);
    println!("preset:        {}", profile.preset.name());
    println!("base URL:      {}", profile.base_url);
    println!("client ID:     {}", profile.client_id);
    println!("grant:         {}", profile.grant.as_str());
    if let Some(uri) = &profile.redirect_uri {
        println!("redirect URI:  {uri}");
    }
    println!("scope:         {}", profile.scope.as_str());
    println!("client auth:   {:?}", profile.client_auth);
    println!(
        "PKCE:          {}",
        if profile.pkce { "S256" } else { "off" }
    );
    if let Some(ca) = &profile.ca_file {
        println!("CA file:       {}", ca.display());
    }
    if let Some(pin) = &profile.pin_sha256 {
        println!("pinned cert:   SHA-256 {pin}");
    }
    if let Some(secs) = profile.request_timeout_secs {
        println!("timeout:       {secs} s per request");
    }
    println!("authorize:     {}", endpoints.authorize);
    println!("token:         {}", endpoints.token);
    println!("revoke:        {}", endpoints.revoke);
    println!("who am I:      {}", endpoints.whoami);
    let secret = match engine.has_client_secret(name).await {
        Ok(true) => format!("stored in {}", engine.secret_store().where_kept()),
        Ok(false) => "missing".into(),
        // `profile show` does not ask for the passphrase: the rest is worth showing.
        Err(Error::SecretFileLocked { .. }) => {
            format!(
                "{} is locked (`authdesk unlock`)",
                engine.secret_store().where_kept()
            )
        }
        Err(e) => return Err(e),
    };
    println!("client secret: {secret}");
    let tokens = match engine.current_tokens(name).await {
        Ok(Some(tokens)) => match tokens.expires_at {
            Some(at) => format!(
                "stored, expiring {}",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            None => "stored".to_owned(),
        },
        Ok(None) => "none".to_owned(),
        Err(Error::TokensFromElsewhere(_)) => {
            "stored, but issued for another server or application: not used".to_owned()
        }
        Err(Error::SecretFileLocked { .. }) => "not known while the file is locked".to_owned(),
        Err(e) => return Err(e),
    };
    println!("tokens:        {tokens}");
    Ok(0)
}
