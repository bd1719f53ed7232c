//! AuthDesk: get OAuth2 tokens from AWX and Ansible Automation Platform by hand.
//! With no arguments it opens the window; with a subcommand it is a CLI for scripts
//! that never touches the display.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    cli::init_logging(args.verbose);
    match args.command {
        Some(command) => cli::run(command, args.verbose),
        None => {
            eprintln!("authdesk: the desktop window is not part of this build yet; use a subcommand (see `authdesk --help`).");
            ExitCode::from(cli::exit::USAGE)
        }
    }
}
