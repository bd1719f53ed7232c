//! AuthDesk: get OAuth2 tokens from AWX and Ansible Automation Platform by hand.
//! With a subcommand it is a CLI for scripts that never touches the display; with none
//! it opens the window, which lives in the sibling executable `authdesk-window` so that
//! the CLI never loads the GUI stack (WebKitGTK and its 160-odd libraries).

mod cli;
mod process;

use std::process::ExitCode;

fn main() -> ExitCode {
    process::no_core_dumps();
    quit_quietly_on_closed_pipe();
    let args = cli::Args::parse_with_store();
    process::init_logging(cli::log_filter(args.verbose));
    match args.command {
        Some(command) => cli::run(command, args.verbose, args.passphrase_fd),
        None => open_window(),
    }
}

/// `authdesk profile list | head` ends when `head` does, as other Unix tools do, instead
/// of panicking on the next print: Rust ignores SIGPIPE by default, and the CLI prints
/// with `println!`. Commands `exec` starts inherit the default too.
fn quit_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Replaces this process with the window executable beside it.
fn open_window() -> ExitCode {
    if let Some(sentence) = process::display_missing() {
        eprintln!("authdesk: {sentence}");
        return ExitCode::from(process::exit::USAGE);
    }
    let window = std::env::current_exe()
        .map(|exe| exe.with_file_name(format!("authdesk-window{}", std::env::consts::EXE_SUFFIX)));
    let window = match window {
        Ok(path) if path.exists() => path,
        _ => {
            eprintln!("authdesk: the desktop window (authdesk-window) is not installed beside this program; install the `authdesk` package for it (this may be `authdesk-cli`, the command line alone), or use the CLI: `authdesk --help`.");
            return ExitCode::from(process::exit::USAGE);
        }
    };
    let mut command = std::process::Command::new(&window);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Same process id: whoever started `authdesk` (a WebDriver, a launcher) keeps it.
        let error = command.exec();
        eprintln!("authdesk: could not start the window ({error}).");
        ExitCode::FAILURE
    }
    #[cfg(not(unix))]
    match command.status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("authdesk: could not start the window ({error}).");
            ExitCode::FAILURE
        }
    }
}
