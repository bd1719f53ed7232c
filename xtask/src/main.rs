//! Project tasks, so that a fresh Debian/Ubuntu machine needs only these:
//!
//! - `cargo xtask demo`: start the local AWX-like server, create a demo profile and
//!   sign in through the browser.
//! - `cargo xtask test`: every check and test CI runs.
//! - `cargo xtask bench`: the benchmarks, on a release build (figures, not pass marks).
//! - `cargo xtask dist`: .deb and .rpm packages from a release build, checked.
//!
//! Each installs the Debian packages it misses (as root or through sudo) and the Python
//! packages of the test servers into `.venv`.

mod dist;
mod setup;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("demo") => demo(&args[1..]),
        Some("setup") => setup::all().map(|_| ()),
        Some("screenshot") => screenshot(),
        Some("bench") => bench(&args[1..]),
        Some("dist") => dist::dist().map(|_| ()),
        _ => {
            eprintln!("usage: cargo xtask <test|demo|bench|dist|screenshot|setup>

  test [FILTER…]             fmt, clippy and every test, with a real keyring and AWX-like server
                             (a filter runs only the tests whose names match; the checks still run)
  demo [--scripted] [--private-keyring]
                             local AWX-like server + demo profile + sign-in
  bench [cli|window|start|memory|scale]
                             benchmarks on a release build: exchange, time to token, CLI start,
                             sizes (cli); window start-up, memory, lists at scale (window)
  dist                       .deb and .rpm packages in target/dist (authdesk, authdesk-cli), checked
  screenshot                 docs/token-view.png: the token view, taken by the window test under Xvfb
  setup                      install what the others need");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(repo_root());
    command
}

pub fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("could not start {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed with {status}");
    }
    Ok(())
}

fn test(extra: &[String]) -> Result<()> {
    setup::all()?;
    println!("==> cargo fmt --check");
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    println!("==> cargo clippy (warnings are errors)");
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    println!(
        "==> cargo clippy for {} (the Windows build compiles; it is not run here)",
        setup::WINDOWS_TARGET
    );
    run(cargo().args([
        "clippy",
        "--locked",
        "--target",
        setup::WINDOWS_TARGET,
        "--package",
        "authdesk",
        "--package",
        "authdesk-core",
        "--bins",
        "--lib",
        "--",
        "-D",
        "warnings",
    ]))?;
    println!("==> cargo build");
    run(cargo().args(["build", "--workspace", "--locked"]))?;
    println!("==> cargo test, inside a private D-Bus session with an unlocked GNOME Keyring");
    let filters = extra.strip_prefix(&["--".to_owned()]).unwrap_or(extra);
    let mut args = vec!["--workspace".to_owned()];
    args.extend(filters.iter().cloned());
    cargo_test_with_keyring(&args, &[])?;
    if filters.is_empty() {
        println!("==> cargo xtask dist: the packages, built and checked");
        let packages = dist::dist()?;
        let deb = packages
            .iter()
            .find(|p| {
                p.extension().is_some_and(|e| e == "deb")
                    && p.to_string_lossy().contains("/authdesk_")
            })
            .context("dist made no desktop .deb")?;
        println!("==> the desktop .deb installed for real, used, and removed");
        cargo_test_with_keyring(
            &[
                "--package".into(),
                "authdesk-e2e".into(),
                "--test".into(),
                "e2e".into(),
                "package::".into(),
                "--".into(),
                "--ignored".into(),
            ],
            &[
                ("AUTHDESK_DEB", deb.clone()),
                ("AUTHDESK_BIN", PathBuf::from("/usr/bin/authdesk")),
            ],
        )?;
    }
    Ok(())
}

/// `cargo ARGS` inside a private D-Bus session with an unlocked GNOME Keyring, as the
/// end-to-end tests and the benchmark need.
fn cargo_with_keyring(args: &[String], vars: &[(&str, PathBuf)]) -> Result<()> {
    let keyring_dir = keyring_dir();
    let mut command = setup::with_keyring(&keyring_dir)?;
    command
        .current_dir(repo_root())
        .arg(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args);
    for (key, value) in vars {
        command.env(key, value);
    }
    let result = run(&mut command);
    let _ = std::fs::remove_dir_all(&keyring_dir);
    result
}

/// `cargo test --locked ARGS` with the keyring.
fn cargo_test_with_keyring(args: &[String], vars: &[(&str, PathBuf)]) -> Result<()> {
    let mut all = vec!["test".to_owned(), "--locked".to_owned()];
    all.extend(args.iter().cloned());
    cargo_with_keyring(&all, vars)
}

/// Builds the real release executables, then runs the benchmark (built with the lighter
/// `measure` profile) against them inside the test environment.
fn bench(parts: &[String]) -> Result<()> {
    setup::all()?;
    println!("==> cargo build --release (the executables measured)");
    run(cargo().args(["build", "--release", "--locked", "--package", "authdesk"]))?;
    // On its own: built in one invocation, the two share one set of dependency features
    // and `authdesk` is not the build the packages ship (measured: its 500-profile list
    // took 9.0 ms of CPU instead of 6.4).
    println!("==> cargo build --release --package floor-window (the bare Tauri window, the floor)");
    run(cargo().args([
        "build",
        "--release",
        "--locked",
        "--package",
        "floor-window",
    ]))?;
    let args = [
        "run",
        "--quiet",
        "--locked",
        "--profile",
        "measure",
        "--package",
        "authdesk-e2e",
        "--bin",
        "bench",
        "--",
    ];
    let mut args: Vec<String> = args.map(str::to_owned).to_vec();
    args.extend(parts.iter().cloned());
    cargo_with_keyring(
        &args,
        &[
            ("AUTHDESK_BIN", repo_root().join("target/release/authdesk")),
            (
                "AUTHDESK_FLOOR_WINDOW",
                repo_root().join("target/release/floor-window"),
            ),
        ],
    )
}

/// Where a private GNOME Keyring keeps its files for one run.
fn keyring_dir() -> PathBuf {
    std::env::temp_dir().join(format!("authdesk-keyring-{}", std::process::id()))
}

fn demo(args: &[String]) -> Result<()> {
    let env = setup::all()?;
    let scripted = args.iter().any(|a| a == "--scripted")
        || (std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none());
    run(cargo().args(["build", "--package", "authdesk", "--locked"]))?;
    let script = repo_root().join("xtask/demo.sh");
    let private_keyring = keyring_dir();
    let mut command = if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        && !args.iter().any(|a| a == "--private-keyring")
    {
        let mut c = Command::new("bash");
        c.arg(&script);
        c
    } else {
        // No desktop session: a private D-Bus with GNOME Keyring, gone when the demo ends.
        let mut c = setup::with_keyring(&private_keyring)?;
        c.arg("bash").arg(&script);
        c
    };
    command
        .current_dir(repo_root())
        .env("AUTHDESK_TEST_PYTHON", &env.python)
        .env("AUTHDESK_DEMO_SCRIPTED", if scripted { "1" } else { "0" });
    let result = run(&mut command);
    let _ = std::fs::remove_dir_all(&private_keyring);
    result
}

/// Retakes the README's gallery of the window's states into `docs/` (the ignored
/// `window_layout::gallery` test, which walks through them against a test server).
fn screenshot() -> Result<()> {
    setup::all()?;
    setup::install_packages(&[("imagemagick", "/usr/bin/import")])?;
    run(cargo().args(["build", "--package", "authdesk", "--locked"]))?;
    let docs = repo_root().join("docs");
    std::fs::create_dir_all(&docs)?;
    let args = [
        "--package",
        "authdesk-e2e",
        "--test",
        "e2e",
        "window_layout::gallery",
        "--",
        "--ignored",
        "--exact",
    ]
    .map(String::from);
    cargo_test_with_keyring(&args, &[("AUTHDESK_GALLERY_DIR", docs)])
}
