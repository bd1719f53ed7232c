//! `authdesk pat …` and `authdesk app create`: the server's REST API with the user's
//! own login.

use authdesk_core::{
    ApplicationSetup, Engine, Error, Grant, NewToken, ProfileDefaults, ProfileDraft, ServerApi,
};

use super::args::{CreateApp, Login, PatCommand};

use super::input;
use super::output::{self, Format};

pub async fn pat(engine: &Engine, command: PatCommand) -> Result<u8, Error> {
    match command {
        PatCommand::Create {
            name,
            login,
            description,
            scope,
            application,
            format,
        } => {
            let scope = scope.parse()?;
            let api = api(engine, &name, &login).await?;
            let created = api.create_token(&description, scope, application).await;
            api.close().await;
            let created = created?;
            eprintln!(
                "Created token {} (\"{}\"); the server shows it only this once.",
                created.info.id, created.info.description
            );
            let profile = engine.profiles().get(&name)?;
            println!("{}", render_new_token(&created, format, &profile)?);
            Ok(0)
        }
        PatCommand::List { name, login, json } => {
            let api = api(engine, &name, &login).await?;
            let tokens = api.tokens().await;
            api.close().await;
            let tokens = tokens?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&tokens).unwrap_or_default()
                );
                return Ok(0);
            }
            if tokens.is_empty() {
                eprintln!("You have no tokens on this server.");
                return Ok(0);
            }
            println!(
                "{:>6}  {:10}  {:11}  {:25}  DESCRIPTION",
                "ID", "SCOPE", "APPLICATION", "EXPIRES"
            );
            for token in tokens {
                println!(
                    "{:>6}  {:10}  {:11}  {:25}  {}",
                    token.id,
                    token.scope,
                    token
                        .application
                        .map_or_else(|| "personal".to_owned(), |a| a.to_string()),
                    token.expires.as_deref().unwrap_or("-"),
                    token.description
                );
            }
            Ok(0)
        }
        PatCommand::Delete { name, id, login } => {
            let api = api(engine, &name, &login).await?;
            let deleted = api.delete_token(id).await;
            api.close().await;
            deleted?;
            eprintln!("Deleted token {id}; it no longer works.");
            Ok(0)
        }
    }
}

/// The profile's server API, logged in as `login` says.
async fn api(engine: &Engine, name: &str, login: &Login) -> Result<ServerApi, Error> {
    super::warn_cleartext(engine.profiles().get(name)?.cleartext_warning());
    let credentials = match &login.username {
        Some(username) => Some(input::credentials(username, login.password_stdin)?),
        None => None,
    };
    engine.server_api_for(name, credentials).await
}

/// Tokens reach stdout because creating one is asking for it.
fn render_new_token(
    created: &NewToken,
    format: Format,
    profile: &authdesk_core::Profile,
) -> Result<String, Error> {
    match format {
        Format::Json => Ok(serde_json::to_string_pretty(created).unwrap_or_default()),
        other => output::render(
            &created.to_token_set(),
            authdesk_core::TokenSource::SignedIn,
            other,
            profile,
        ),
    }
}

pub async fn create_app(engine: &Engine, args: CreateApp) -> Result<u8, Error> {
    let grant: Grant = args.grant.into();
    let preset = match args.preset {
        Some(preset) => preset.into(),
        None => super::profiles::detect(engine, &args.base_url, &args.tls)
            .await?
            .unwrap_or(ProfileDefaults::default().preset),
    };
    let setup = ApplicationSetup {
        application_name: args.app_name,
        organization: args.organization,
        profile: ProfileDraft {
            grant,
            redirect_uri: match grant {
                Grant::AuthorizationCode => args.redirect_uri,
                Grant::Password => String::new(),
            },
            scope: args.scope,
            ca_file: args.tls.ca_file_text(),
            pin_sha256: args.tls.pin_sha256,
            // The client ID comes from the server.
            ..ProfileDraft::new(&args.name, preset, &args.base_url, "")
        },
    };
    super::warn_cleartext(setup.cleartext_warning());
    let login = input::credentials(&args.login.username, args.login.password_stdin)?;
    let profile = engine.set_up_application(setup, login).await?;
    eprintln!(
        "Created the application (client ID {}); its client secret is in {} and profile \"{}\" uses it.",
        profile.client_id,
        engine.secret_store().where_kept(),
        profile.name
    );
    match profile.grant {
        Grant::AuthorizationCode => {
            eprintln!("Get a token with: authdesk token {}", profile.name)
        }
        Grant::Password => eprintln!(
            "Get a token with: authdesk token {} --username USER",
            profile.name
        ),
    }
    Ok(0)
}
