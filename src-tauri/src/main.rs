//! AuthDesk: get OAuth2 tokens from AWX and Ansible Automation Platform by hand.
//! With no arguments it opens the window; with a subcommand it is a CLI for scripts
//! that never touches the display.

mod cli;
mod gui;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    cli::init_logging(args.verbose);
    match args.command {
        Some(command) => cli::run(command, args.verbose),
        None => gui::run(),
    }
}
