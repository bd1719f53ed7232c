//! The command-line shell over the engine: parse, call, print. Tokens go to stdout only
//! when a command's purpose is to print them; every message goes to stderr.

mod output;
mod profile;
mod token;

use std::path::PathBuf;
use std::process::ExitCode;

use authdesk_core::{Engine, Error, ErrorKind};
use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

pub use output::Format;

pub mod exit {
    pub const USAGE: u8 = 2;
    pub const REFUSED: u8 = 3;
    pub const TIMED_OUT: u8 = 4;
    pub const SERVER_REJECTED: u8 = 5;
    pub const NETWORK: u8 = 6;
    pub const KEYRING: u8 = 7;
    pub const REVOKE_NOT_VERIFIED: u8 = 8;
}

const EXIT_CODES_HELP: &str = "\
Exit status:
  0  done
  2  usage or configuration error (bad arguments, unknown profile, port in use)
  3  the user or the server refused the authorization (error= on the redirect)
  4  timed out or cancelled
  5  the server rejected a request (OAuth or HTTP error)
  6  network or TLS failure
  7  the OS keyring is unavailable or locked
  8  revoke not verified (the old access token still works, or could not be checked)

Environment:
  AUTHDESK_CONFIG_DIR  folder of profiles.toml (default: the platform's config folder)
  AUTHDESK_LOG         log filter, e.g. debug (logs never contain secrets)";

#[derive(Parser, Debug)]
#[command(
    name = "authdesk",
    version,
    about = "Get OAuth2 tokens from AWX and Ansible Automation Platform.",
    long_about = "Get OAuth2 tokens from AWX and Ansible Automation Platform through the authorization-code flow.\n\nWith no subcommand, opens the desktop window. Client secrets and tokens live in the OS keyring.",
    after_help = EXIT_CODES_HELP
)]
pub struct Args {
    /// More log output on stderr (-v, -vv); secrets are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Add, list, show or remove server profiles.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Sign in through the browser and print the new tokens.
    Token {
        name: String,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Seconds to wait for the browser's redirect.
        #[arg(long, default_value_t = authdesk_core::DEFAULT_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=86_400))]
        timeout: u64,
        /// Do not open a browser; only print the URL to open by hand.
        #[arg(long)]
        no_browser: bool,
    },
    /// Trade the stored refresh token for a new pair and print it.
    Refresh {
        name: String,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Show whom the stored access token belongs to.
    Whoami { name: String },
    /// Revoke the stored tokens and verify that the server now refuses them.
    Revoke { name: String },
}

#[derive(Subcommand, Debug)]
pub enum ProfileCommand {
    /// Add a profile (or replace one with the same name) and store its client secret in the keyring.
    Add(Box<AddProfile>),
    /// List the profiles.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one profile (never its secret).
    Show { name: String },
    /// Remove a profile and its keyring entries.
    Remove { name: String },
}

#[derive(ClapArgs, Debug)]
pub struct AddProfile {
    pub name: String,
    /// The server, e.g. https://awx.example.com
    #[arg(long)]
    pub base_url: String,
    #[arg(long)]
    pub client_id: String,
    /// Exactly as registered in the server's application, e.g. http://127.0.0.1/callback
    #[arg(long)]
    pub redirect_uri: String,
    #[arg(long, value_enum, default_value_t = PresetArg::Awx)]
    pub preset: PresetArg,
    /// read, write or "read write"
    #[arg(long, default_value = "read")]
    pub scope: String,
    /// PEM file of the CA that signed the server's certificate.
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// Send a PKCE S256 challenge (only where an admin requires it).
    #[arg(long)]
    pub pkce: bool,
    /// How the client authenticates at the token endpoint.
    #[arg(long = "auth", value_enum, default_value_t = AuthArg::Basic)]
    pub client_auth: AuthArg,
    /// Read the client secret from standard input instead of prompting.
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// Authorize endpoint (custom preset).
    #[arg(long, required_if_eq("preset", "custom"))]
    pub authorize_url: Option<String>,
    /// Token endpoint (custom preset).
    #[arg(long, required_if_eq("preset", "custom"))]
    pub token_url: Option<String>,
    /// Revoke endpoint (custom preset).
    #[arg(long, required_if_eq("preset", "custom"))]
    pub revoke_url: Option<String>,
    /// Who-am-I endpoint (custom preset).
    #[arg(long, required_if_eq("preset", "custom"))]
    pub whoami_url: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum PresetArg {
    Awx,
    Custom,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum AuthArg {
    Basic,
    Post,
}

pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "authdesk=info,authdesk_core=info,warn",
        _ => "authdesk=debug,authdesk_core=debug,info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("AUTHDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

/// Runs one command on a small runtime and turns the outcome into an exit status.
pub fn run(command: Command, verbose: u8) -> ExitCode {
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
    let outcome = runtime.block_on(dispatch(command));
    // A stdin read for a pasted URL may still block after a timeout or Ctrl-C: do not wait for it.
    runtime.shutdown_background();
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => report(&error, verbose > 0),
    }
}

async fn dispatch(command: Command) -> Result<u8, Error> {
    let engine = Engine::open_default()?;
    match command {
        Command::Profile(command) => profile::run(&engine, command).await,
        Command::Token {
            name,
            format,
            timeout,
            no_browser,
        } => {
            token::sign_in(
                &engine,
                &name,
                format,
                std::time::Duration::from_secs(timeout),
                no_browser,
            )
            .await
        }
        Command::Refresh { name, format } => token::refresh(&engine, &name, format).await,
        Command::Whoami { name } => token::whoami(&engine, &name).await,
        Command::Revoke { name } => token::revoke(&engine, &name).await,
    }
}

fn report(error: &Error, verbose: bool) -> ExitCode {
    eprintln!("authdesk: {error}");
    if let Some(reply) = error.server_reply() {
        // The server's own words, verbatim; an HTML page only when asked for.
        let is_html = reply.body.trim_start().starts_with('<');
        if !reply.body.is_empty()
            && !error.to_string().contains(&reply.body)
            && (verbose || !is_html)
        {
            eprintln!(
                "authdesk: the server said (HTTP {}): {}",
                reply.status, reply.body
            );
        }
    }
    ExitCode::from(match error.kind() {
        ErrorKind::Config => exit::USAGE,
        ErrorKind::Refused => exit::REFUSED,
        ErrorKind::TimedOut => exit::TIMED_OUT,
        ErrorKind::ServerRejected => exit::SERVER_REJECTED,
        ErrorKind::Network => exit::NETWORK,
        ErrorKind::Keyring => exit::KEYRING,
    })
}
