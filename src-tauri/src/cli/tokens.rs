//! `authdesk token|refresh|whoami|revoke`: the token lifecycle from the command line.

use std::io::{BufRead, IsTerminal};
use std::time::Duration;

use authdesk_core::{Credentials, Engine, Error, Grant, Profile, TokenSet, WhoAmI};
use tokio_util::sync::CancellationToken;

use super::args::TokenArgs;
use super::output::{self, Format};
use super::{exit, input};

/// `authdesk token`: the browser sign-in, or the password grant for password profiles.
pub async fn token(engine: &Engine, args: TokenArgs) -> Result<u8, Error> {
    let TokenArgs {
        name,
        username,
        password_stdin,
        format,
        timeout,
        no_browser,
    } = args;
    let timeout = Duration::from_secs(timeout);
    let profile = engine.profiles().get(&name)?;
    super::warn_cleartext(profile.cleartext_warning());
    match (profile.grant, username) {
        (Grant::Password, Some(username)) => {
            let login = input::credentials(&username, password_stdin)?;
            password(engine, &profile, login, format).await
        }
        (Grant::Password, None) => Err(Error::Config(format!(
            "Profile \"{name}\" uses the password grant: give --username (the password is asked for, or read with --password-stdin)."
        ))),
        (Grant::AuthorizationCode, Some(_)) => Err(browser_profile(&name)),
        (Grant::AuthorizationCode, None) if password_stdin => Err(browser_profile(&name)),
        (Grant::AuthorizationCode, None) => {
            sign_in(engine, &profile, format, timeout, no_browser).await
        }
    }
}

fn browser_profile(name: &str) -> Error {
    Error::Config(format!(
        "Profile \"{name}\" signs in through the browser; --username and --password-stdin are for password-grant profiles."
    ))
}

async fn sign_in(
    engine: &Engine,
    profile: &Profile,
    format: Format,
    timeout: Duration,
    no_browser: bool,
) -> Result<u8, Error> {
    let sign_in = engine.begin_sign_in(&profile.name).await?;
    let url = sign_in.authorize_url().clone();
    if !no_browser {
        match sign_in.open_browser() {
            Ok(()) => eprintln!("Opened the browser for the sign-in. If it did not open, visit:"),
            Err(e) => eprintln!("Could not open a browser ({e}); open this URL yourself:"),
        }
    } else {
        eprintln!("Open this URL in a browser to sign in:");
    }
    eprintln!("  {url}");

    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_interrupt.cancel();
        }
    });

    let tokens = if sign_in.catches_redirect() {
        eprintln!(
            "Waiting up to {} s for the redirect to {} (Ctrl-C cancels)…",
            timeout.as_secs(),
            sign_in.redirect_uri()
        );
        sign_in.wait(timeout, cancel).await?
    } else {
        eprintln!(
            "{}\nAfter approving, paste the full URL the browser lands on and press Enter:",
            Error::RedirectNotOnLoopback(sign_in.redirect_uri().to_string())
        );
        let pasted = read_pasted_line(timeout, cancel).await?;
        sign_in.finish_with_redirect_url(&pasted).await?
    };
    print_tokens(profile, &tokens, format)?;
    Ok(0)
}

async fn read_pasted_line(timeout: Duration, cancel: CancellationToken) -> Result<String, Error> {
    let read = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|_| line)
    });
    tokio::select! {
        line = read => match line {
            Ok(Ok(line)) if !line.trim().is_empty() => Ok(line),
            _ => Err(Error::Config("No redirect URL was pasted.".into())),
        },
        () = tokio::time::sleep(timeout) => Err(Error::TimedOut(timeout.as_secs())),
        () = cancel.cancelled() => Err(Error::Cancelled),
    }
}

async fn password(
    engine: &Engine,
    profile: &Profile,
    login: Credentials,
    format: Format,
) -> Result<u8, Error> {
    let tokens = engine.password_sign_in(&profile.name, login).await?;
    print_tokens(profile, &tokens, format)?;
    Ok(0)
}

pub async fn refresh(engine: &Engine, name: &str, format: Format) -> Result<u8, Error> {
    let profile = engine.profiles().get(name)?;
    super::warn_cleartext(profile.cleartext_warning());
    let tokens = engine.refresh(name).await?;
    print_tokens(&profile, &tokens, format)?;
    Ok(0)
}

pub async fn whoami(engine: &Engine, name: &str) -> Result<u8, Error> {
    super::warn_cleartext(engine.profiles().get(name)?.cleartext_warning());
    match engine.whoami(name).await? {
        WhoAmI::User(user) => {
            println!("{user}");
            Ok(0)
        }
        WhoAmI::Unauthorized => {
            eprintln!("authdesk: the server no longer accepts the stored access token (HTTP 401); get a new one with `authdesk token {name}` or `authdesk refresh {name}`.");
            Ok(exit::SERVER_REJECTED)
        }
    }
}

pub async fn revoke(engine: &Engine, name: &str) -> Result<u8, Error> {
    super::warn_cleartext(engine.profiles().get(name)?.cleartext_warning());
    let report = engine.revoke(name).await?;
    eprintln!("{}", report.message);
    Ok(if report.verified {
        0
    } else {
        exit::REVOKE_NOT_VERIFIED
    })
}

/// Prints tokens the profile's engine call just returned (and stored for that profile).
fn print_tokens(profile: &Profile, tokens: &TokenSet, format: Format) -> Result<(), Error> {
    let text = output::render(tokens, format, profile)?;
    if let Some(user) = &tokens.user {
        eprintln!("Signed in as {user}.");
    }
    if std::io::stdout().is_terminal() && format == Format::Json {
        eprintln!("The tokens follow; treat them like a password.");
    }
    println!("{text}");
    Ok(())
}
