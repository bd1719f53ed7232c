//! What the CLI says about itself, made from its own clap definition so it never goes
//! stale: shell completions (`authdesk completions SHELL`) and the manual page authdesk(1)
//! (`authdesk man`, hidden; `cargo xtask dist` puts it in the packages).

use std::io::Write;

use clap::CommandFactory;

use super::args::Args;

pub fn completions(shell: clap_complete::Shell) -> u8 {
    // Made in memory: the generator panics when it cannot write (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Args::command(), "authdesk", &mut script);
    print("completion script", &script)
}

pub fn man_page() -> u8 {
    let mut page = Vec::new();
    match clap_mangen::Man::new(Args::command()).render(&mut page) {
        Ok(()) => print("manual page", &page),
        Err(e) => {
            eprintln!("authdesk: could not make the manual page: {e}.");
            1
        }
    }
}

/// Writes a text to stdout; a reader that went away (`| head`) is not an error.
fn print(what: &str, text: &[u8]) -> u8 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text).and_then(|()| stdout.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("authdesk: could not write the {what}: {e}.");
            1
        }
    }
}
