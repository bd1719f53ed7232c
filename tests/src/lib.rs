//! The end-to-end harness: real authorization servers, a scripted browser standing in for
//! the person, the real `authdesk` executable and window, and the Secret Service of the
//! D-Bus session that `cargo xtask test` starts. The tests themselves are in
//! `tests/tests/main.rs` and its modules; `src/bin/bench` uses this harness too.
//!
//! What goes where:
//! - [`servers`]: the test authorization servers ([`TestServer`], [`Flavor`], [`Seed`],
//!   [`App`]) and direct requests to them ([`blocking_client`]);
//! - [`desk`]: the sandbox AuthDesk runs in ([`Desk`], [`Run`], [`Browser`], [`feed`]) and
//!   helpers every test shares ([`unique`], [`free_port`], [`repo_root`], …);
//! - [`fixtures`]: profiles built for tests that drive the core in-process, and the one
//!   place that names the core's modules;
//! - [`hostile`]: a server that misbehaves on purpose, answer by answer;
//! - [`window`]: the real window under Xvfb, driven through WebDriver, and its waits.

pub mod desk;
pub mod fixtures;
pub mod hostile;
pub mod servers;
pub mod window;

pub use desk::{
    authdesk_bin, collect, feed, free_port, repo_root, require_test_environment, unique, Browser,
    Desk, Run,
};
pub use fixtures::{engine_in, profile, ProfileBuilder};
pub use servers::{blocking_client, App, Flavor, Seed, TestServer};
