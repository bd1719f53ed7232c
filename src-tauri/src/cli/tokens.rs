//! `authdesk token|exec|refresh|whoami|revoke`: the token lifecycle from the command line.

use std::io::{BufRead, IsTerminal};
use std::time::Duration;

use authdesk_core::{
    Engine, Error, Grant, Profile, Reuse, SignInOptions, SignInReason, Step, Timeline, TokenSet,
    TokenSource, WhoAmI,
};
use tokio_util::sync::CancellationToken;

use super::args::{ExecArgs, TokenArgs, TokenRequest};
use super::output::{self, Format};
use super::{exit, input};

/// `authdesk token`: a valid token with the least work, printed.
pub async fn token(engine: &Engine, args: TokenArgs) -> Result<u8, Error> {
    let TokenArgs { request, format } = args;
    let (profile, tokens, source) = obtain(engine, request).await?;
    print_tokens(&profile, &tokens, source, format)?;
    Ok(0)
}

/// A valid token for `token` and `exec`: the stored one, a refresh, or a sign-in (only
/// when neither works, or with --fresh). Says on stderr which it was.
pub async fn obtain(
    engine: &Engine,
    request: TokenRequest,
) -> Result<(Profile, TokenSet, TokenSource), Error> {
    let TokenRequest {
        name,
        fresh,
        switch_user,
        scope,
        params,
        trace,
        show_steps,
        verify,
        username,
        password_stdin,
        timeout,
        no_browser,
    } = request;
    let options = SignInOptions {
        switch_user,
        scope,
        params,
    };
    // This attempt's own sign-in: a stored token was not made that way.
    let fresh = fresh || options != SignInOptions::default();
    let profile = engine.profiles().get(&name)?;
    super::warn_cleartext(profile.cleartext_warning());
    if profile.grant == Grant::AuthorizationCode && (username.is_some() || password_stdin) {
        return Err(Error::Config(format!(
            "Profile \"{name}\" signs in through the browser; --username and --password-stdin are for password-grant profiles."
        )));
    }
    if profile.grant == Grant::Password && options != SignInOptions::default() {
        return Err(Error::Config(format!(
            "Profile \"{name}\" uses the password grant, which has no browser sign-in: --switch-user, --scope and --param are for browser sign-ins (give --username to get another user's tokens)."
        )));
    }
    options.check()?;
    let why_sign_in = if fresh || another_user(engine, &name, username.as_deref()).await {
        None
    } else {
        match engine.reuse_tokens(&name, verify).await? {
            Reuse::Ready(tokens, source) => {
                eprintln!("{}", source_note(source, &tokens));
                let profile = engine.profile_for_handover(&name, &tokens)?;
                return Ok((profile, *tokens, source));
            }
            Reuse::SignInNeeded(reason) => Some(reason),
        }
    };
    // Stored tokens that can no longer be renewed: a sign-in nobody asked for (no --fresh).
    // A first sign-in is the one `authdesk token` has always started.
    let unasked = why_sign_in.filter(|reason| !reason.is_first_sign_in());
    if let Some(reason) = &unasked {
        eprintln!("A new sign-in is needed: {}.", reason.describe());
    }
    let tokens = match (profile.grant, username) {
        (Grant::Password, Some(username)) => {
            let login = input::credentials(&username, password_stdin)?;
            engine.password_sign_in(&profile.name, login).await?
        }
        (Grant::Password, None) => {
            let why = unasked.map_or_else(String::new, |r| format!(" ({})", r.describe()));
            return Err(Error::Config(format!(
                "Profile \"{name}\" needs a sign-in{why}, and it uses the password grant: give --username (the password is asked for, or read with --password-stdin)."
            )));
        }
        (Grant::AuthorizationCode, _) => {
            // With no browser to open, a sign-in nobody asked for ends in one sentence
            // instead of waiting for a person who may not be there (a script).
            if no_browser {
                if let Some(reason) = unasked {
                    return Err(reason.into_error(&name, "--no-browser was given"));
                }
            }
            let timeout = Duration::from_secs(timeout);
            let steps = StepsShown::open(show_steps, trace.as_deref())?;
            sign_in(
                engine, &profile, &options, &steps, timeout, no_browser, unasked,
            )
            .await?
        }
    };
    if let Some(user) = &tokens.user {
        eprintln!("Signed in as {user}.");
    }
    let profile = engine.profile_for_handover(&name, &tokens)?;
    Ok((profile, tokens, TokenSource::SignedIn))
}

/// Whether `-u USER` names another user than the stored tokens belong to: then the
/// stored tokens are not the ones asked for.
async fn another_user(engine: &Engine, name: &str, username: Option<&str>) -> bool {
    let Some(username) = username else {
        return false;
    };
    let stored_user = engine
        .current_tokens(name)
        .await
        .ok()
        .flatten()
        .and_then(|t| t.user);
    stored_user.is_some_and(|user| user != username)
}

/// The stderr line that says where a reused token came from.
fn source_note(source: TokenSource, tokens: &TokenSet) -> String {
    let whose = tokens
        .user
        .as_ref()
        .map_or_else(String::new, |user| format!(" of {user}"));
    let left = match tokens.expires_at {
        Some(at) => format!(", valid for {}", time_left(at - chrono::Utc::now())),
        None => String::new(),
    };
    match source {
        TokenSource::Stored => format!("Using the stored access token{whose}{left}."),
        TokenSource::Refreshed => format!("Refreshed the tokens{whose}{left}."),
        TokenSource::SignedIn => format!("Signed in{whose}{left}."),
    }
}

/// A duration as a person says it: "59 min", "3 h", "more than a year".
fn time_left(left: chrono::Duration) -> String {
    let seconds = left.num_seconds().max(0);
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7_200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3_600),
        s if s < 31_536_000 * 2 => format!("{} days", s / 86_400),
        _ => "years".into(),
    }
}

/// `authdesk exec`: runs the command with the token and server in its environment.
/// On Unix AuthDesk becomes the command (exec), so signals and the exit status are
/// the command's own with nothing in between.
pub async fn exec(engine: &Engine, args: ExecArgs) -> Result<u8, Error> {
    let ExecArgs { request, command } = args;
    let Some((program, arguments)) = command.split_first() else {
        return Err(Error::Config("Give the command to run after `--`.".into()));
    };
    let (profile, tokens, _) = obtain(engine, request).await?;
    let mut child = std::process::Command::new(program);
    child.args(arguments);
    for name in authdesk_core::OTHER_TOOL_VARIABLES {
        child.env_remove(name);
    }
    for variable in authdesk_core::environment_for(&profile, &tokens) {
        child.env(variable.name, variable.value.expose());
    }
    let shown = program.to_string_lossy();
    #[cfg(unix)]
    crate::process::restore_core_limit_on_exec(&mut child);
    #[cfg(unix)]
    let error = std::os::unix::process::CommandExt::exec(&mut child);
    #[cfg(not(unix))]
    let error = match child.status() {
        // A status that is not 0 must not become 0 when cut to a byte.
        Ok(status) => {
            return Ok(match status.code() {
                Some(0) => 0,
                Some(code) if code & 0xff != 0 => (code & 0xff) as u8,
                _ => 1,
            })
        }
        Err(error) => error,
    };
    Ok(not_started(&shown, &error))
}

/// The sentence and status (as a shell gives them) for a command that could not start.
fn not_started(program: &str, error: &std::io::Error) -> u8 {
    let program = authdesk_core::one_line(program, 120);
    if error.kind() == std::io::ErrorKind::NotFound {
        eprintln!("authdesk: could not run `{program}`: no such command was found (check the name and PATH).");
        exit::COMMAND_NOT_FOUND
    } else {
        eprintln!("authdesk: could not run `{program}`: {error}.");
        exit::COMMAND_NOT_RUN
    }
}

/// The browser sign-in. `unasked` is why a sign-in is needed when the user did not ask for
/// one (no --fresh): then a browser that cannot be opened ends it with one sentence.
async fn sign_in(
    engine: &Engine,
    profile: &Profile,
    options: &SignInOptions,
    steps: &StepsShown,
    timeout: Duration,
    no_browser: bool,
    unasked: Option<SignInReason>,
) -> Result<TokenSet, Error> {
    let sign_in = engine.begin_sign_in_with(&profile.name, options).await?;
    steps.follow(&sign_in.timeline());
    if options.switch_user {
        eprintln!(
            "Signing in as another user: the browser's session with {} ends first, so the server asks who signs in.",
            profile.base_url
        );
    }
    let url = sign_in.entry_url().clone();
    if !no_browser {
        match (sign_in.open_browser(), unasked) {
            (Ok(()), _) => {
                eprintln!("Opened the browser for the sign-in. If it did not open, visit:")
            }
            (Err(e), Some(reason)) => {
                return Err(
                    reason.into_error(&profile.name, format!("no browser could be opened ({e})"))
                )
            }
            (Err(e), None) => eprintln!("Could not open a browser ({e}); open this URL yourself:"),
        }
    } else {
        eprintln!("Open this URL in a browser to sign in:");
    }
    eprintln!("  {url}");

    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if interrupted().await {
            on_interrupt.cancel();
        }
    });

    let tokens = if sign_in.catches_redirect() && can_paste(no_browser) {
        // The browser may be on another computer (an SSH session, no display): it is
        // redirected to its own loopback, where nothing listens. Its address, pasted
        // here, does as well as the redirect.
        let port = sign_in.listening_port().unwrap_or_default();
        let host = sign_in
            .redirect_uri()
            .host_str()
            .unwrap_or("127.0.0.1")
            .to_owned();
        eprintln!(
            "If that browser is on another computer, it ends on a page that does not load: paste that page's address here and press Enter (it is not shown). Or first forward the port from that computer: ssh -L {port}:{host}:{port} {}",
            this_host_for_ssh()
        );
        eprintln!(
            "Waiting up to {} s for the redirect to {} or a pasted address (Ctrl-C cancels)…",
            timeout.as_secs(),
            sign_in.redirect_uri()
        );
        let hidden = input::HiddenTyping::start();
        let pasted = input::pasted_lines();
        let tokens = sign_in
            .wait_or_pasted(timeout, cancel, pasted, |reason| {
                eprintln!(
                    "authdesk: that address is not this sign-in's ({reason}); the wait goes on."
                )
            })
            .await;
        drop(hidden);
        tokens
    } else if sign_in.catches_redirect() {
        eprintln!(
            "Waiting up to {} s for the redirect to {} (Ctrl-C cancels)…",
            timeout.as_secs(),
            sign_in.redirect_uri()
        );
        sign_in.wait(timeout, cancel).await
    } else {
        eprintln!(
            "{}\nAfter approving, paste the full URL the browser lands on and press Enter:",
            Error::RedirectNotOnLoopback(sign_in.redirect_uri().to_string())
        );
        let pasted = read_pasted_line(timeout, cancel).await?;
        sign_in.finish_with_redirect_url(&pasted).await
    };
    tokens
}

/// Whether the address the browser landed on may be pasted here: the browser may be on
/// another computer (`--no-browser`, an SSH session, no display), and standard input is
/// the person's terminal, or `--no-browser` says the person opens the URL and brings the
/// address back. Piped input (`echo data | authdesk exec …`) is never read for it. Unix
/// only: on Windows `exec` hands the console to its command, and a reader left waiting
/// there would take the command's first line.
fn can_paste(no_browser: bool) -> bool {
    use std::io::IsTerminal;
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let elsewhere = no_browser
        || set("SSH_CONNECTION")
        || set("SSH_TTY")
        || crate::process::display_missing().is_some();
    cfg!(unix) && elsewhere && (no_browser || std::io::stdin().is_terminal())
}

/// What to give `ssh` on the browser's computer: this server's address as the SSH
/// session sees it, else a placeholder.
fn this_host_for_ssh() -> String {
    std::env::var("SSH_CONNECTION")
        .ok()
        .and_then(|c| c.split_whitespace().nth(2).map(str::to_owned))
        .filter(|address| address.parse::<std::net::IpAddr>().is_ok())
        .unwrap_or_else(|| "THIS-HOST".to_owned())
}

/// Ctrl-C, and on Unix also SIGTERM and SIGHUP (a `timeout`, a closed terminal): each
/// ends the wait the same way, so the terminal's echo is always put back.
async fn interrupted() -> bool {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut hangup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            return tokio::signal::ctrl_c().await.is_ok();
        };
        tokio::select! {
            done = tokio::signal::ctrl_c() => done.is_ok(),
            _ = term.recv() => true,
            _ = hangup.recv() => true,
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.is_ok()
    }
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

pub async fn refresh(engine: &Engine, name: &str, format: Format) -> Result<u8, Error> {
    let profile = engine.profiles().get(name)?;
    super::warn_cleartext(profile.cleartext_warning());
    let tokens = engine.refresh(name).await?;
    eprintln!("{}", source_note(TokenSource::Refreshed, &tokens));
    print_tokens(&profile, &tokens, TokenSource::Refreshed, format)?;
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
fn print_tokens(
    profile: &Profile,
    tokens: &TokenSet,
    source: TokenSource,
    format: Format,
) -> Result<(), Error> {
    let text = output::render(tokens, source, format, profile)?;
    if std::io::stdout().is_terminal() && format == Format::Json {
        eprintln!("The tokens follow; treat them like a password.");
    }
    println!("{text}");
    Ok(())
}

/// Where a sign-in's steps go as they happen: stderr (`-v`), a JSON-lines file (`--trace`).
struct StepsShown {
    on_stderr: bool,
    trace: Option<std::sync::Arc<std::sync::Mutex<std::fs::File>>>,
}

impl StepsShown {
    fn open(on_stderr: bool, trace: Option<&std::path::Path>) -> Result<Self, Error> {
        let trace = match trace {
            None => None,
            Some(path) => Some(std::sync::Arc::new(std::sync::Mutex::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| {
                        Error::Config(format!(
                            "Could not open the trace file {} ({e}); give a file AuthDesk may write.",
                            path.display()
                        ))
                    })?,
            ))),
        };
        Ok(StepsShown { on_stderr, trace })
    }

    fn follow(&self, timeline: &Timeline) {
        if !self.on_stderr && self.trace.is_none() {
            return;
        }
        let on_stderr = self.on_stderr;
        let trace = self.trace.clone();
        timeline.follow(std::sync::Arc::new(move |step: &Step| {
            if on_stderr {
                eprintln!("authdesk: step: {}", step.line());
            }
            if let Some(file) = &trace {
                use std::io::Write;
                if let (Ok(mut file), Ok(line)) = (file.lock(), serde_json::to_string(step)) {
                    if let Err(e) = writeln!(file, "{line}") {
                        tracing::warn!("could not write the trace file: {e}");
                    }
                }
            }
        }));
    }
}
