//! The command line as clap parses it: every subcommand, flag and default. Defaults
//! come from the core (`ProfileDefaults`), so the CLI and the window start alike.

use std::path::PathBuf;

use authdesk_core::{ClientAuth, Grant, Preset, ProfileDefaults, DEFAULT_REDIRECT_URI};
use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

use super::output::Format;

/// The exit statuses of `crate::process::exit`, for `--help`.
const EXIT_CODES_HELP: &str = "\
Exit status:
  0  done
  1  internal failure (the system random generator or TLS set-up failed)
  2  usage or configuration error (bad arguments, unknown profile, port in use)
  3  the user or the server refused the authorization (error= on the redirect)
  4  timed out or cancelled
  5  the server rejected a request (OAuth or HTTP error)
  6  network or TLS failure
  7  the secret store is unavailable or locked, or its passphrase was wrong
  8  revoke not verified (the old access token still works, or could not be checked)
  9  doctor: a check failed
  126, 127  exec: the command could not be started, or was not found

Environment:
  AUTHDESK_CONFIG_DIR  folder of profiles.toml (default: the platform's config folder)
  AUTHDESK_LOG         log filter, e.g. debug (logs never contain secrets)
  AUTHDESK_SECRET_STORE  secret-service or file (default: the Secret Service when one
                       answers, else the encrypted file secrets.age beside the profiles)
  AUTHDESK_UNLOCK_MINUTES  how long an unlocked file stays unlocked after its last use
                       (default 15; 0 asks every time)";

const TOKEN_HELP: &str = "\
An access token counts as expired 60 s before its expiry (half its lifetime if that is
under two minutes). Standard error says where the token came from (stored, refreshed or
signed in); with --format json, so does \"source\".";

const EXEC_HELP: &str = "\
Variables: AWX profiles get CONTROLLER_HOST and CONTROLLER_OAUTH_TOKEN; gateway and custom
profiles also AAP_HOSTNAME and AAP_TOKEN; a profile with a CA file adds
REQUESTS_CA_BUNDLE, SSL_CERT_FILE and CURL_CA_BUNDLE. `authdesk token NAME --format env`
prints the same set.

Exit status: COMMAND's own; 126 if it could not be started, 127 if it was not found;
otherwise as for `authdesk token`.

Example: authdesk exec prod -- awx job_templates list";

impl Args {
    /// The command line, with `--help` naming the secret store in use (found only when
    /// help is asked for: finding it may ask the session bus).
    pub fn parse_with_store() -> Args {
        use clap::{CommandFactory, FromArgMatches};
        let wants_help = std::env::args_os()
            .skip(1)
            .take_while(|a| a != "--")
            .any(|a| a == "-h" || a == "--help");
        let mut command = Args::command();
        if wants_help {
            let store = match authdesk_core::Engine::open_default() {
                Ok(engine) => engine.secret_store().describe(),
                Err(e) => e.to_string(),
            };
            command = command.after_help(format!("{EXIT_CODES_HELP}\n\nSecrets here: {store}"));
        }
        let matches = command.get_matches();
        Args::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "authdesk",
    version,
    about = "Get OAuth2 tokens from AWX and Ansible Automation Platform.",
    long_about = "Get OAuth2 tokens from AWX and the Ansible Automation Platform gateway: the authorization-code flow through the browser, the password grant, and personal access tokens.\n\nWith no subcommand, opens the desktop window. Client secrets and tokens live in the OS keyring, or where no Secret Service answers (SSH, containers, WSL) in a passphrase-encrypted file; passwords are never stored.",
    after_help = EXIT_CODES_HELP
)]
pub struct Args {
    /// More log output on stderr (-v, -vv); secrets are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Read the encrypted secret file's passphrase from this open file descriptor (its
    /// first line), for unattended runs: `authdesk --passphrase-fd 3 token prod 3<file`.
    #[arg(long, global = true, value_name = "N")]
    pub passphrase_fd: Option<i32>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Add, list, show or remove server profiles.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Print a valid token with the least work: the stored one while it is valid, else a
    /// refresh, else a sign-in through the browser (password-grant profiles: a username
    /// and password).
    #[command(after_help = TOKEN_HELP)]
    Token(TokenArgs),
    /// Run COMMAND with a valid token (got as `token` does) and the server in the
    /// variables the Ansible tools read, never on its command line.
    #[command(after_help = EXEC_HELP)]
    Exec(ExecArgs),
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
    /// Create, list or delete personal access tokens (with the profile's own token, or
    /// your username and password).
    #[command(subcommand)]
    Pat(PatCommand),
    /// Print the completion script for a shell (bash, zsh, fish, elvish, powershell), e.g.
    /// `authdesk completions bash > ~/.local/share/bash-completion/completions/authdesk`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page authdesk(1) as roff, for packagers.
    #[command(hide = true)]
    Man,
    /// Check the secret store and each profile's server, OAuth client and tokens; one line per
    /// check (never a token or secret), for you or a bug report. Exit 0 only if all pass.
    Doctor {
        /// One profile (default: all).
        name: Option<String>,
    },
    /// Create an OAuth application on the server, and the profile that uses it.
    #[command(subcommand)]
    App(AppCommand),
    /// Unlock the encrypted secret file for this login session (where no Secret Service
    /// answers), so that commands and scripts run without asking until the timeout.
    Unlock,
    /// Lock the encrypted secret file now: the next command asks for its passphrase.
    Lock,
}

/// What `token` and `exec` share: which profile, and how much work a token may take.
#[derive(ClapArgs, Debug)]
pub struct TokenRequest {
    pub name: String,
    /// Always sign in, even when a stored token is still valid (to walk through the
    /// consent screen again; to be someone else, see --switch-user).
    #[arg(long)]
    pub fresh: bool,
    /// Sign in as another user: the browser's session with the server ends first (its
    /// logout page, which sends the browser on to the sign-in), so the server asks who
    /// signs in; the browser's other sites keep theirs. Implies --fresh.
    #[arg(long, conflicts_with = "verify")]
    pub switch_user: bool,
    /// This sign-in's scope (read, write or "read write") instead of the profile's, which
    /// stays as it is. Implies --fresh.
    #[arg(long, value_name = "SCOPE", value_parser = parse_scope, conflicts_with = "verify")]
    pub scope: Option<authdesk_core::Scope>,
    /// An extra parameter for this sign-in's authorize request (repeatable), e.g.
    /// `--param prompt=consent`; AuthDesk's own (state, redirect_uri, client_id,
    /// response_type, scope, code_challenge*) are refused. Implies --fresh.
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_param, conflicts_with = "verify")]
    pub params: Vec<(String, String)>,
    /// Write a sign-in's steps to FILE as JSON lines (what -v prints), redacted: the state
    /// as its first 6 characters, the code and tokens masked, the secret never.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Set from the global -v: print a sign-in's steps on stderr as they happen.
    #[arg(skip)]
    pub show_steps: bool,
    /// Ask the server whether the stored access token still works before using it; a
    /// token it refuses (revoked elsewhere) is refreshed, or a sign-in follows.
    #[arg(long, conflicts_with = "fresh")]
    pub verify: bool,
    /// Password-grant profiles: the user to get tokens for, when a sign-in is needed.
    #[arg(long, short = 'u')]
    pub username: Option<String>,
    /// Password-grant profiles: read the password from standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
    /// Seconds to wait for the browser's redirect.
    #[arg(long, default_value_t = authdesk_core::DEFAULT_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
    /// Never open a browser: print the URL to open by hand. But when stored tokens can no
    /// longer be renewed (and no --fresh), say so and exit instead of waiting.
    #[arg(long)]
    pub no_browser: bool,
}

#[derive(ClapArgs, Debug)]
pub struct TokenArgs {
    #[command(flatten)]
    pub request: TokenRequest,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

#[derive(ClapArgs, Debug)]
pub struct ExecArgs {
    #[command(flatten)]
    pub request: TokenRequest,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<std::ffi::OsString>,
}

/// How a `pat` command logs in: the profile's own token by default (from `authdesk
/// token`, scope write; single sign-on users have no password), or a username and
/// password at the server's login page. The password is never stored.
#[derive(ClapArgs, Debug)]
pub struct Login {
    /// Log in as this user (a session at the server's login page) instead of using the
    /// profile's own token.
    #[arg(long, short = 'u')]
    pub username: Option<String>,
    /// Read the password from standard input instead of prompting.
    #[arg(long, requires = "username")]
    pub password_stdin: bool,
}

/// The login `app create` uses: there is no profile, and so no token, yet.
#[derive(ClapArgs, Debug)]
pub struct UserLogin {
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
    /// The kind of server; left out, AuthDesk asks the server.
    #[arg(long, value_enum)]
    pub preset: Option<PresetArg>,
    #[command(flatten)]
    pub login: UserLogin,
    /// The organization that owns the application (name or id); may be left out when you belong to exactly one.
    #[arg(long, default_value = "")]
    pub organization: String,
    /// The application's name on the server (default: "AuthDesk <profile>").
    #[arg(long, default_value = "")]
    pub app_name: String,
    #[arg(long, value_enum, default_value_t = ProfileDefaults::default().grant.into())]
    pub grant: GrantArg,
    /// Authorization-code grant: where AuthDesk listens; port-less loopback accepts any port.
    #[arg(long, default_value = DEFAULT_REDIRECT_URI)]
    pub redirect_uri: String,
    /// read, write or "read write"
    #[arg(long, default_value = ProfileDefaults::default().scope.as_str())]
    pub scope: String,
    #[command(flatten)]
    pub tls: TlsArgs,
}

#[derive(Subcommand, Debug)]
pub enum ProfileCommand {
    /// Add a profile (or replace one with the same name) and store its client secret in the keyring.
    Add(Box<AddProfile>),
    /// Change some fields of a profile, keeping the others; re-pointing it (server,
    /// client ID, CA file or pin) asks for the client secret again.
    Edit(Box<EditProfile>),
    /// List the profiles.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one profile (never its secret).
    Show { name: String },
    /// Remove a profile and its stored secret and tokens, revoking the tokens first (and
    /// verifying the revoke) so that none stays valid on the server unseen.
    Remove {
        name: String,
        /// Remove without revoking: the tokens stay valid on the server until they expire.
        #[arg(long)]
        keep_tokens: bool,
    },
}

#[derive(ClapArgs, Debug)]
pub struct AddProfile {
    pub name: String,
    /// The server, e.g. https://awx.example.com
    #[arg(long)]
    pub base_url: String,
    #[arg(long)]
    pub client_id: String,
    #[arg(long, value_enum, default_value_t = ProfileDefaults::default().grant.into())]
    pub grant: GrantArg,
    /// Exactly as registered in the server's application, e.g. http://127.0.0.1/callback
    /// (authorization-code grant only).
    #[arg(long, required_if_eq("grant", "authorization-code"))]
    pub redirect_uri: Option<String>,
    /// The kind of server; left out, AuthDesk asks the server (and falls back to awx).
    #[arg(long, value_enum)]
    pub preset: Option<PresetArg>,
    /// read, write or "read write"
    #[arg(long, default_value = ProfileDefaults::default().scope.as_str())]
    pub scope: String,
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Do not contact the server (no detection of its kind, no check that it answers or
    /// that it accepts the client ID and secret).
    #[arg(long)]
    pub no_check: bool,
    /// Send a PKCE S256 challenge (only where an admin requires it).
    #[arg(long)]
    pub pkce: bool,
    /// Seconds each request to the server may take (default 30).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: Option<u64>,
    /// How the client authenticates at the token endpoint.
    #[arg(long = "auth", value_enum, default_value_t = ProfileDefaults::default().client_auth.into())]
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

#[derive(ClapArgs, Debug)]
pub struct EditProfile {
    pub name: String,
    /// The server, e.g. https://awx.example.com
    #[arg(long)]
    pub base_url: Option<String>,
    #[arg(long)]
    pub client_id: Option<String>,
    /// Exactly as registered in the server's application.
    #[arg(long)]
    pub redirect_uri: Option<String>,
    /// read, write or "read write"
    #[arg(long)]
    pub scope: Option<String>,
    /// PEM file of the CA that signed the server's certificate; "" removes it.
    #[arg(long, conflicts_with = "pin_sha256")]
    pub ca_file: Option<String>,
    /// Trust exactly the certificate with this SHA-256 fingerprint; "" removes the pin.
    #[arg(long)]
    pub pin_sha256: Option<String>,
    /// Send a PKCE S256 challenge from now on (where the server requires it).
    #[arg(long, conflicts_with = "no_pkce")]
    pub pkce: bool,
    /// Stop sending a PKCE challenge.
    #[arg(long)]
    pub no_pkce: bool,
    /// How the client authenticates at the token endpoint.
    #[arg(long = "auth", value_enum)]
    pub client_auth: Option<AuthArg>,
    /// Seconds each request to the server may take.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: Option<u64>,
    /// Read a new client secret from standard input (otherwise one is asked for only
    /// when the profile is re-pointed).
    #[arg(long)]
    pub client_secret_stdin: bool,
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

impl From<PresetArg> for Preset {
    fn from(arg: PresetArg) -> Self {
        match arg {
            PresetArg::Awx => Preset::Awx,
            PresetArg::Gateway => Preset::Gateway,
            PresetArg::Custom => Preset::Custom,
        }
    }
}

impl From<Preset> for PresetArg {
    fn from(preset: Preset) -> Self {
        match preset {
            Preset::Awx => PresetArg::Awx,
            Preset::Gateway => PresetArg::Gateway,
            Preset::Custom => PresetArg::Custom,
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

impl From<GrantArg> for Grant {
    fn from(arg: GrantArg) -> Self {
        match arg {
            GrantArg::AuthorizationCode => Grant::AuthorizationCode,
            GrantArg::Password => Grant::Password,
        }
    }
}

impl From<Grant> for GrantArg {
    fn from(grant: Grant) -> Self {
        match grant {
            Grant::AuthorizationCode => GrantArg::AuthorizationCode,
            Grant::Password => GrantArg::Password,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum AuthArg {
    Basic,
    Post,
}

impl From<AuthArg> for ClientAuth {
    fn from(arg: AuthArg) -> Self {
        match arg {
            AuthArg::Basic => ClientAuth::Basic,
            AuthArg::Post => ClientAuth::Post,
        }
    }
}

impl From<ClientAuth> for AuthArg {
    fn from(auth: ClientAuth) -> Self {
        match auth {
            ClientAuth::Basic => AuthArg::Basic,
            ClientAuth::Post => AuthArg::Post,
        }
    }
}

/// `--scope`: the words a profile's scope takes.
fn parse_scope(text: &str) -> Result<authdesk_core::Scope, String> {
    text.parse()
        .map_err(|e: authdesk_core::Error| e.to_string())
}

/// `--param KEY=VALUE`, as the core reads it.
fn parse_param(text: &str) -> Result<(String, String), String> {
    authdesk_core::SignInOptions::parse_param(text).map_err(|e| e.to_string())
}
