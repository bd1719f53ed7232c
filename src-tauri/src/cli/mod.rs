//! The command-line shell over the engine: parse, call, print. Tokens go to stdout only
//! when a command's purpose is to print them; every message goes to stderr.

mod input;
mod output;
mod platform;
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
    long_about = "Get OAuth2 tokens from AWX and the Ansible Automation Platform gateway: the authorization-code flow through the browser, the password grant, and personal access tokens.\n\nWith no subcommand, opens the desktop window. Client secrets and tokens live in the OS keyring; passwords are never stored.",
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
    /// Sign in through the browser (or, for a password-grant profile, with a username
    /// and password) and print the new tokens.
    Token {
        name: String,
        /// Password-grant profiles: the user to get tokens for.
        #[arg(long, short = 'u')]
        username: Option<String>,
        /// Password-grant profiles: read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
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
    /// Create, list or delete personal access tokens with your username and password.
    #[command(subcommand)]
    Pat(PatCommand),
    /// Create an OAuth application on the server, and the profile that uses it.
    #[command(subcommand)]
    App(AppCommand),
}

/// The login every `pat` command uses; the password is never stored.
#[derive(ClapArgs, Debug)]
pub struct Login {
    /// Your username on the server.
    #[arg(long, short = 'u')]
    pub username: String,
    /// Read the password from standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Subcommand, Debug)]
pub enum PatCommand {
    /// Create a personal access token on the profile's server and print it (shown once).
    Create {
        /// The profile whose server (and CA file) to use.
        name: String,
        #[command(flatten)]
        login: Login,
        #[arg(long, default_value = "AuthDesk")]
        description: String,
        /// read, write or "read write"
        #[arg(long, default_value = "write")]
        scope: String,
        /// Tie the token to this application id (it then gets a refresh token too).
        #[arg(long)]
        application: Option<u64>,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// List your tokens on the profile's server (ids and descriptions, never the tokens).
    List {
        name: String,
        #[command(flatten)]
        login: Login,
        #[arg(long)]
        json: bool,
    },
    /// Delete one of your tokens by id; it stops working at once.
    Delete {
        name: String,
        id: u64,
        #[command(flatten)]
        login: Login,
    },
}

#[derive(Subcommand, Debug)]
pub enum AppCommand {
    /// Create a confidential application, keep its client secret in the keyring and add
    /// profile NAME for it.
    Create(Box<CreateApp>),
}

#[derive(ClapArgs, Debug)]
pub struct CreateApp {
    /// The profile to create.
    pub name: String,
    /// The server, e.g. https://aap.example.com
    #[arg(long)]
    pub base_url: String,
    #[arg(long, value_enum, default_value_t = PresetArg::Awx)]
    pub preset: PresetArg,
    #[command(flatten)]
    pub login: Login,
    /// The organization that owns the application (name or id); may be left out when you belong to exactly one.
    #[arg(long, default_value = "")]
    pub organization: String,
    /// The application's name on the server (default: "AuthDesk <profile>").
    #[arg(long)]
    pub app_name: Option<String>,
    #[arg(long, value_enum, default_value_t = GrantArg::AuthorizationCode)]
    pub grant: GrantArg,
    /// Authorization-code grant: where AuthDesk listens; port-less loopback accepts any port.
    #[arg(long, default_value = authdesk_core::ApplicationSetup::DEFAULT_REDIRECT_URI)]
    pub redirect_uri: String,
    /// read, write or "read write"
    #[arg(long, default_value = "read")]
    pub scope: String,
    #[command(flatten)]
    pub tls: TlsArgs,
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
    #[arg(long, value_enum, default_value_t = GrantArg::AuthorizationCode)]
    pub grant: GrantArg,
    /// Exactly as registered in the server's application, e.g. http://127.0.0.1/callback
    /// (authorization-code grant only).
    #[arg(long, required_if_eq("grant", "authorization-code"))]
    pub redirect_uri: Option<String>,
    #[arg(long, value_enum, default_value_t = PresetArg::Awx)]
    pub preset: PresetArg,
    /// read, write or "read write"
    #[arg(long, default_value = "read")]
    pub scope: String,
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Send a PKCE S256 challenge (only where an admin requires it).
    #[arg(long)]
    pub pkce: bool,
    /// Seconds each request to the server may take (default 30).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: Option<u64>,
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

/// How a profile trusts its server's certificate.
#[derive(ClapArgs, Debug)]
pub struct TlsArgs {
    /// PEM file of the CA that signed the server's certificate.
    #[arg(long, conflicts_with = "pin_sha256")]
    pub ca_file: Option<PathBuf>,
    /// Trust exactly the certificate with this SHA-256 fingerprint (AB:CD:… as
    /// `openssl x509 -noout -fingerprint -sha256` prints it), for self-signed servers.
    #[arg(long)]
    pub pin_sha256: Option<String>,
}

impl TlsArgs {
    /// The CA file as the profile draft takes it.
    pub fn ca_file_text(&self) -> Option<String> {
        self.ca_file
            .as_ref()
            .map(|path| path.to_string_lossy().into_owned())
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum PresetArg {
    /// AWX up to 24.6.1, Automation Controller up to 2.4 (/api/o/…)
    Awx,
    /// AAP 2.5+ platform gateway (/o/…)
    Gateway,
    /// every endpoint URL given by hand
    Custom,
}

impl From<PresetArg> for authdesk_core::presets::Preset {
    fn from(arg: PresetArg) -> Self {
        use authdesk_core::presets::Preset;
        match arg {
            PresetArg::Awx => Preset::Awx,
            PresetArg::Gateway => Preset::Gateway,
            PresetArg::Custom => Preset::Custom,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantArg {
    /// browser sign-in with the consent screen
    AuthorizationCode,
    /// "Resource owner password-based": username and password
    Password,
}

impl From<GrantArg> for authdesk_core::profiles::Grant {
    fn from(arg: GrantArg) -> Self {
        use authdesk_core::profiles::Grant;
        match arg {
            GrantArg::AuthorizationCode => Grant::AuthorizationCode,
            GrantArg::Password => Grant::Password,
        }
    }
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
            username,
            password_stdin,
            format,
            timeout,
            no_browser,
        } => {
            if engine.profiles().get(&name)?.grant == authdesk_core::profiles::Grant::Password {
                let username = username.ok_or_else(|| {
                    Error::Config(format!(
                        "Profile \"{name}\" uses the password grant: give --username (the password is asked for, or read with --password-stdin)."
                    ))
                })?;
                let login = input::credentials(&username, password_stdin)?;
                token::password(&engine, &name, login, format).await
            } else if username.is_some() || password_stdin {
                Err(Error::Config(format!(
                    "Profile \"{name}\" signs in through the browser; --username and --password-stdin are for password-grant profiles."
                )))
            } else {
                token::sign_in(
                    &engine,
                    &name,
                    format,
                    std::time::Duration::from_secs(timeout),
                    no_browser,
                )
                .await
            }
        }
        Command::Refresh { name, format } => token::refresh(&engine, &name, format).await,
        Command::Whoami { name } => token::whoami(&engine, &name).await,
        Command::Revoke { name } => token::revoke(&engine, &name).await,
        Command::Pat(command) => platform::pat(&engine, command).await,
        Command::App(AppCommand::Create(args)) => platform::create_app(&engine, *args).await,
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
