//! What both executables (`authdesk` and `authdesk-window`) share about being a process:
//! exit statuses, logging set-up, no core dumps, and whether there is a display for the
//! window.

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

/// The core-file limit the process started with, for the programs `authdesk exec` runs.
#[cfg(unix)]
static STARTING_CORE_LIMIT: std::sync::OnceLock<libc::rlimit> = std::sync::OnceLock::new();

/// Keeps secrets out of core files: a crash (or a SIGABRT sent while a sign-in waits)
/// would otherwise write the client secret and tokens to disk, where `ulimit -c` or
/// systemd-coredump keep them. The soft core limit goes to 0 (the hard one stays, so a
/// program `exec` starts can have its own back), and on Linux the process is marked not
/// dumpable, which also keeps other processes of the same user from reading its memory
/// through `/proc`. Called first thing in both executables. Windows has no core files;
/// its crash reports (WER) are not turned off here.
pub fn no_core_dumps() {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: plain system calls on this process with valid pointers.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_CORE, &mut limit) == 0 {
                let _ = STARTING_CORE_LIMIT.set(limit);
                let none = libc::rlimit {
                    rlim_cur: 0,
                    rlim_max: limit.rlim_max,
                };
                libc::setrlimit(libc::RLIMIT_CORE, &none);
            }
            #[cfg(target_os = "linux")]
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
    }
}

/// Gives a program about to be exec'd the core-file limit the user started AuthDesk with
/// (it is another program; the kernel makes it dumpable again on exec).
#[cfg(unix)]
pub fn restore_core_limit_on_exec(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    if let Some(limit) = STARTING_CORE_LIMIT.get().copied() {
        // SAFETY: setrlimit is async-signal-safe and touches nothing but the limit.
        unsafe {
            command.pre_exec(move || {
                libc::setrlimit(libc::RLIMIT_CORE, &limit);
                Ok(())
            });
        }
    }
}
