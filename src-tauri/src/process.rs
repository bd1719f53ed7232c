//! What both executables (`authdesk` and `authdesk-window`) share about being a process:
//! exit statuses, logging set-up, and whether there is a display for the window.

/// Exit statuses, the same from both executables; `authdesk --help` lists them.
pub mod exit {
    /// A failure under AuthDesk (the random generator, TLS set-up), not the input.
    pub const INTERNAL: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const REFUSED: u8 = 3;
    pub const TIMED_OUT: u8 = 4;
    pub const SERVER_REJECTED: u8 = 5;
    pub const NETWORK: u8 = 6;
    pub const KEYRING: u8 = 7;
    pub const REVOKE_NOT_VERIFIED: u8 = 8;
    /// `authdesk doctor`: at least one check failed.
    pub const CHECKS_FAILED: u8 = 9;
    /// `authdesk exec`: the command was found but could not be started (as in a shell).
    pub const COMMAND_NOT_RUN: u8 = 126;
    /// `authdesk exec`: no such command (as in a shell).
    pub const COMMAND_NOT_FOUND: u8 = 127;

    /// The status for an engine error of this class.
    pub fn for_kind(kind: authdesk_core::ErrorKind) -> u8 {
        use authdesk_core::ErrorKind;
        match kind {
            ErrorKind::Config => USAGE,
            ErrorKind::Refused => REFUSED,
            ErrorKind::TimedOut => TIMED_OUT,
            ErrorKind::ServerRejected => SERVER_REJECTED,
            ErrorKind::Network => NETWORK,
            ErrorKind::Keyring => KEYRING,
            ErrorKind::Internal => INTERNAL,
        }
    }
}

/// Logs to stderr; `AUTHDESK_LOG` overrides `default_filter`. Logs never hold secrets.
pub fn init_logging(default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("AUTHDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

/// The sentence to print when there is no display to open the window on, or `None`
/// when there is one. Checked by `authdesk` before it execs the window and by
/// `authdesk-window` itself, since GTK panics without one. An empty variable counts as
/// unset, as GTK sees it.
pub fn display_missing() -> Option<&'static str> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    (cfg!(target_os = "linux") && !set("DISPLAY") && !set("WAYLAND_DISPLAY")).then_some(
        "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset or empty); use the CLI, see `authdesk --help`.",
    )
}
