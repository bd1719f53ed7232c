//! The command-line shell over the engine: parse (`args`), call one engine function,
//! print (`output`). Tokens go to stdout only when a command's purpose is to print them;
//! every message goes to stderr. One file per area: `profiles`, `tokens`, `server_api`.

mod args;
mod documents;
mod input;
mod output;
mod profiles;
mod server_api;
mod tokens;
mod unlock;

use std::process::ExitCode;

use authdesk_core::{Engine, Error, Hint, DEFAULT_REDIRECT_URI};

pub use args::Args;
use args::{AppCommand, Command, ExecArgs, ProfileCommand, TokenArgs};

use crate::process::exit;

/// The log filter for `-v` counts; `AUTHDESK_LOG` overrides it.
pub fn log_filter(verbose: u8) -> &'static str {
    match verbose {
        0 => "warn",
        1 => "authdesk=info,authdesk_core=info,warn",
        _ => "authdesk=debug,authdesk_core=debug,info",
    }
}

/// Runs one command on a small runtime and turns the outcome into an exit status.
pub fn run(command: Command, verbose: u8, passphrase_fd: Option<i32>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("authdesk: could not start: {e}.");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(dispatch(command, verbose, passphrase_fd));
    // A stdin read for a pasted URL may still block after a timeout or Ctrl-C: do not wait for it.
    runtime.shutdown_background();
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => report(&error, verbose > 0),
    }
}

async fn dispatch(
    mut command: Command,
    verbose: u8,
    passphrase_fd: Option<i32>,
) -> Result<u8, Error> {
    // -v shows a sign-in's steps as they happen.
    if let Command::Token(TokenArgs { request, .. }) | Command::Exec(ExecArgs { request, .. }) =
        &mut command
    {
        request.show_steps = verbose > 0;
    }
    // Texts about the CLI itself: no profiles or keyring needed.
    match command {
        Command::Completions { shell } => return Ok(documents::completions(shell)),
        Command::Man => return Ok(documents::man_page()),
        _ => {}
    }
    let passphrase = unlock::PassphraseSource::read(passphrase_fd)?;
    let engine = Engine::open_default()?;
    let store = engine.secret_store().clone();
    let needs_secrets = !matches!(
        command,
        Command::Lock
            | Command::Unlock
            | Command::Profile(ProfileCommand::List { .. } | ProfileCommand::Show { .. })
    );
    let stores_secrets = matches!(
        command,
        Command::Profile(ProfileCommand::Add(_) | ProfileCommand::Edit(_)) | Command::App(_)
    );
    if needs_secrets {
        // Asked before the command starts (it may read the terminal or stdin itself).
        let source = passphrase.clone();
        let unlocked = tokio::task::spawn_blocking(move || {
            unlock::ensure_unlocked(&store, &source, stores_secrets)
        })
        .await
        .map_err(|e| Error::Internal {
            what: "ask for the passphrase",
            detail: e.to_string(),
        })?;
        match unlocked {
            // `doctor` reports a locked file as a finding, with the checks that need no secret.
            Err(Error::SecretFileLocked { .. }) if matches!(command, Command::Doctor { .. }) => {}
            other => other?,
        }
    }
    match command {
        Command::Unlock => unlock::unlock_command(engine.secret_store(), &passphrase),
        Command::Lock => unlock::lock_command(engine.secret_store()),
        Command::Profile(command) => profiles::run(&engine, command).await,
        Command::Token(args) => tokens::token(&engine, args).await,
        Command::Exec(args) => tokens::exec(&engine, args).await,
        Command::Refresh { name, format } => tokens::refresh(&engine, &name, format).await,
        Command::Whoami { name } => tokens::whoami(&engine, &name).await,
        Command::Doctor { name } => doctor(&engine, name.as_deref()).await,
        Command::Completions { .. } | Command::Man => Ok(0),
        Command::Revoke { name } => tokens::revoke(&engine, &name).await,
        Command::Pat(command) => server_api::pat(&engine, command).await,
        Command::App(AppCommand::Create(args)) => server_api::create_app(&engine, *args).await,
    }
}

/// `authdesk doctor`: the findings on stdout, one line each, after a line naming the build.
async fn doctor(engine: &Engine, name: Option<&str>) -> Result<u8, Error> {
    let findings = engine.doctor(name).await?;
    println!(
        "authdesk {} on {} {}",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    for finding in &findings {
        println!("{}", finding.line());
    }
    let failed = findings
        .iter()
        .filter(|f| f.outcome == authdesk_core::Outcome::Fail)
        .count();
    if failed > 0 {
        eprintln!("authdesk: {failed} check(s) failed.");
        return Ok(exit::CHECKS_FAILED);
    }
    Ok(0)
}

/// Says on stderr when secrets would cross the network in clear (plain http:// to
/// another computer).
fn warn_cleartext(warning: Option<String>) {
    if let Some(warning) = warning {
        eprintln!("authdesk: warning: {warning}");
    }
}

/// The error as one sentence, with the CLI's way to the next step.
pub fn sentence(error: &Error) -> String {
    let message = error.to_string();
    match error.hint().as_ref().and_then(hint_text) {
        Some(hint) => format!("{}; {hint}", message.trim_end_matches('.')),
        None => message,
    }
}

/// What to do next, in commands and flags; `None` where running the command again is all
/// there is to say.
fn hint_text(hint: &Hint) -> Option<String> {
    Some(match hint {
        Hint::ListProfiles => "`authdesk profile list` shows the ones there are.".into(),
        Hint::EnterClientSecret(name) => format!(
            "set it with `authdesk profile add {name} …` (the secret is read from a prompt or --client-secret-stdin)."
        ),
        Hint::GetTokens(name) => format!("get new ones with `authdesk token {name}`."),
        Hint::UsePassword(name) => {
            format!("get tokens with `authdesk token {name} --username USER`.")
        }
        Hint::WaitLonger => "use --timeout to wait longer.".into(),
        Hint::TrustCertificate => "if the server uses a private CA, give the profile that CA's PEM file with --ca-file, or pin its certificate with --pin-sha256.".into(),
        Hint::UseLoopbackRedirect => format!("register a loopback redirect URI such as {DEFAULT_REDIRECT_URI} in the server's application and the profile."),
        Hint::OtherName => "choose another name, or remove that profile first with `authdesk profile remove`.".into(),
        Hint::StartAgain => "run the same command again.".into(),
        Hint::SignInWithWrite(name) => format!("sign in with scope write (`authdesk profile add {name} … --scope \"read write\"`, then `authdesk token {name} --fresh`), or log in with --username instead."),
        Hint::CheckBaseUrl => "check the profile's base URL (http or https, host, path prefix) and --preset: `authdesk profile show` shows them.".into(),
        Hint::ChoosePreset => "give --preset awx (AWX, Automation Controller up to 2.4) or --preset gateway (AAP 2.5 and later).".into(),
        Hint::UseProfileToken => "leave out --username to use the profile's own token (from `authdesk token`), which works with single sign-on too.".into(),
        Hint::SignInAgain(name) => format!("sign in with `authdesk token {} --fresh` where a browser can open (add --no-browser to open the URL yourself).", name_or_placeholder(name)),
        Hint::FixClientCredentials => "the profile's client ID or secret does not match the server's application: check the client ID with `authdesk profile show`, and enter the secret again with `authdesk profile add NAME … --client-secret-stdin`.".into(),
        Hint::TurnOnPkce(name) => {
            let name = name_or_placeholder(name);
            format!("turn PKCE on and sign in again: `authdesk profile edit {name} --pkce && authdesk token {name}`.")
        }
        Hint::UnlockSecretFile => "run the command in a terminal to be asked for the passphrase, give it with --passphrase-fd N, or unlock the file for this session with `authdesk unlock`.".into(),
        Hint::TryAgain => return None,
    })
}

/// A profile's name for a command line, or `NAME` where the error does not know it.
fn name_or_placeholder(name: &str) -> &str {
    if name.is_empty() {
        "NAME"
    } else {
        name
    }
}

fn report(error: &Error, verbose: bool) -> ExitCode {
    let sentence = sentence(error);
    eprintln!("authdesk: {sentence}");
    if let Some(reply) = error.server_reply() {
        // The server's own words, verbatim; an HTML page only when asked for.
        let is_html = reply.body.trim_start().starts_with('<');
        if !reply.body.is_empty() && !sentence.contains(&reply.body) && (verbose || !is_html) {
            eprintln!(
                "authdesk: the server said (HTTP {}): {}",
                reply.status, reply.body
            );
        }
    }
    ExitCode::from(exit::for_kind(error.kind()))
}
