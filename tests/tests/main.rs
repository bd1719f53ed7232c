//! AuthDesk's end-to-end tests, one binary (`cargo test -p authdesk-e2e --test e2e`; one
//! module: `… --test e2e window::`). Each module is named for the part of AuthDesk it
//! exercises; a new test goes in the module of the part it drives:
//!
//! - [`cli`]: the `authdesk` executable against a real server and the scripted browser:
//!   the browser sign-in journey on both server layouts, output formats, profile commands,
//!   PKCE, and every way a sign-in can go wrong (exit status and sentence);
//! - [`everyday`]: tokens for scripts: the stored token reused, an expired one refreshed
//!   once by concurrent callers, `--verify`, and `authdesk exec` with real consumers;
//! - [`engine`]: the core's `Engine` driven in-process, as the window drives it: a code
//!   used twice, cancel, concurrent sign-ins, a second sign-in replacing the first;
//! - [`hostile_environment`]: a profile file edited behind AuthDesk's back, a proxy in the
//!   environment, command lines read by other users, core dumps, devices as CA files;
//! - [`http_errors`]: the core's exchanges with servers that fail (refused, cut short,
//!   slow, HTML, huge, malformed, redirecting), against `authdesk_e2e::hostile`;
//! - [`keyring`]: the OS keyring failing under AuthDesk: none, locked, entries deleted
//!   behind its back;
//! - [`package`]: the installed .deb (run by `cargo xtask test` after `cargo xtask dist`);
//! - [`project`]: the project as a newcomer meets it: the documents' links and runnable
//!   commands, and the page's modules importing without cycles;
//! - [`secret_file`]: the encrypted secret file where no Secret Service answers: the
//!   whole journey with no session bus or terminal, locked, wrong passphrase, damaged
//!   files, writers at once, a session that cannot keep the key;
//! - [`server_api`]: personal tokens, application set-up and the password grant, through
//!   the executable, on both server layouts;
//! - [`server_check`]: asking the server what it is (`profile add` without `--preset`),
//!   and trouble said before a browser opens;
//! - [`tls`]: HTTPS with a private CA: untrusted by default, trusted through a CA file or
//!   a pinned fingerprint;
//! - [`window`]: the real window in WebKit under Xvfb, through WebDriver;
//! - [`window_layout`]: the window's layout checked by geometry at two sizes, the first
//!   run, errors with a next step, and the screenshot gallery.
//!
//! The harness (`tests/src`) is split by role: `servers` (the test authorization
//! servers), `desk` (the sandbox the executable runs in), `fixtures` (profiles for the
//! in-process tests, and the one place naming the core's modules), `hostile` and
//! `window`. Every test runs in this one process, several at once: none may change the
//! process's environment, names in the shared keyring come from `unique`, and window tests
//! take `ONE_WINDOW_AT_A_TIME` (they share the X clipboard).

mod cli;
mod engine;
mod everyday;
mod hostile_environment;
mod http_errors;
mod keyring;
mod package;
mod project;
mod secret_file;
mod server_api;
mod server_check;
mod tls;
mod window;
mod window_layout;
