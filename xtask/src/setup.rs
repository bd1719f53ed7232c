//! Installs what the tasks need: Debian packages and the test servers' Python venv.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{repo_root, run};

/// Debian packages, each with a file that proves it is installed.
const PACKAGES: &[(&str, &str)] = &[
    ("build-essential", "/usr/bin/cc"),
    ("pkg-config", "/usr/bin/pkg-config"),
    ("libdbus-1-dev", "/usr/include/dbus-1.0/dbus/dbus.h"),
    ("dbus", "/usr/bin/dbus-run-session"),
    ("gnome-keyring", "/usr/bin/gnome-keyring-daemon"),
    ("python3", "/usr/bin/python3"),
    // The window: Tauri 2 on WebKitGTK.
    ("libwebkit2gtk-4.1-dev", "/usr/include/webkitgtk-4.1"),
    ("libssl-dev", "/usr/include/openssl/ssl.h"),
    ("libxdo-dev", "/usr/include/xdo.h"),
    ("librsvg2-dev", "/usr/include/librsvg-2.0/librsvg/rsvg.h"),
    (
        "libayatana-appindicator3-dev",
        "/usr/include/libayatana-appindicator3-0.1/libayatana-appindicator/app-indicator.h",
    ),
    // The window tests: a headless X server, WebKit's WebDriver, and a clipboard reader.
    ("xvfb", "/usr/bin/Xvfb"),
    ("webkit2gtk-driver", "/usr/bin/WebKitWebDriver"),
    ("xclip", "/usr/bin/xclip"),
    // kill and pkill: the window tests stop the driver's process group and the app.
    ("procps", "/usr/bin/pkill"),
    // The TLS tests make a private CA and a server certificate.
    ("openssl", "/usr/bin/openssl"),
    // The benchmark's floors: curl drives the token requests, and libsecret's own
    // secret-tool reads one keyring item.
    ("curl", "/usr/bin/curl"),
    ("libsecret-tools", "/usr/bin/secret-tool"),
    // The installed-package test reads `man authdesk`.
    ("man-db", "/usr/bin/man"),
    // The Windows build is checked (not run): a C compiler for its C parts (ring).
    ("gcc-mingw-w64-x86-64", "/usr/bin/x86_64-w64-mingw32-gcc"),
];

pub struct Env {
    pub python: PathBuf,
}

pub fn all() -> Result<Env> {
    install_packages(PACKAGES)?;
    install_tauri_driver()?;
    add_rust_target(WINDOWS_TARGET)?;
    let python = python_venv(".venv", "tests/servers/requirements-awx.txt")?;
    // The gateway's OAuth2 code needs other versions of the same packages (DOT 2.3).
    python_venv(".venv-gateway", "tests/servers/requirements-gateway.txt")?;
    Ok(Env { python })
}

/// The Windows target the test command checks the build for.
pub const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";

/// A Rust target's standard library, through rustup (once).
fn add_rust_target(target: &str) -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == target)
        })
        .unwrap_or(false);
    if installed {
        return Ok(());
    }
    println!("==> rustup target add {target}");
    run(Command::new("rustup").args(["target", "add", target]))
}

/// tauri-driver, the WebDriver front for Tauri windows (a 30 s build, once).
fn install_tauri_driver() -> Result<()> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo")
        });
    if cargo_home.join("bin/tauri-driver").exists() {
        return Ok(());
    }
    println!("==> installing tauri-driver");
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args([
            "install",
            "tauri-driver",
            "--version",
            "^2",
            "--locked",
        ]),
    )
}

pub fn install_packages(packages: &[(&str, &str)]) -> Result<()> {
    let mut missing: Vec<&str> = packages
        .iter()
        .filter(|(package, proof)| {
            !std::path::Path::new(proof).exists() || !dpkg_installed(package)
        })
        .map(|(package, _)| *package)
        .collect();
    // Debian splits venv's pip bootstrap out of python3.
    if venv_python().is_none() {
        missing.push("python3-venv");
    }
    if missing.is_empty() {
        return Ok(());
    }
    if !std::path::Path::new("/usr/bin/apt-get").exists() {
        bail!(
            "these packages are missing and this is not a Debian/Ubuntu system: {}",
            missing.join(" ")
        );
    }
    println!("==> installing Debian packages: {}", missing.join(" "));
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let apt = |args: &[&str]| -> Command {
        let mut command = if root {
            Command::new("apt-get")
        } else {
            Command::new("sudo")
        };
        if !root {
            command.arg("apt-get");
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    run(&mut apt(&["update", "-qq"]))?;
    run(apt(&["install", "-y", "-qq", "--no-install-recommends"]).args(&missing))
}

fn dpkg_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

/// A venv (`name`, at the repository root) with one server's pinned packages, rebuilt
/// when the pins change.
fn python_venv(name: &str, requirements: &str) -> Result<PathBuf> {
    let root = repo_root();
    let venv = root.join(name);
    let python = venv.join("bin/python");
    let requirements = root.join(requirements);
    let wanted = std::fs::read_to_string(&requirements)
        .with_context(|| format!("reading {}", requirements.display()))?;
    let stamp = venv.join(".requirements");
    if python.exists() && std::fs::read_to_string(&stamp).is_ok_and(|have| have == wanted) {
        return Ok(python);
    }
    println!("==> creating the Python venv {name} for a test server");
    let base =
        venv_python().context("no python3 with a working venv module; install python3-venv")?;
    run(Command::new(base)
        .args(["-m", "venv", "--clear"])
        .arg(&venv))?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements))?;
    std::fs::write(&stamp, wanted)?;
    Ok(python)
}

/// A Python 3 that can create venvs with pip.
fn venv_python() -> Option<&'static str> {
    ["python3", "/usr/bin/python3"].into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import ensurepip, venv"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// A command prefix that runs its program inside a private D-Bus session with GNOME
/// Keyring unlocked, its files in a temporary folder.
pub fn with_keyring(data: &std::path::Path) -> Result<Command> {
    std::fs::create_dir_all(data)?;
    let mut command = Command::new("dbus-run-session");
    command.args(["--", "sh", "-c"]).arg(
        // The unlock creates the login collection on first use; its output is environment noise.
        "printf authdesk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec \"$@\"",
    );
    command
        .arg("keyring-session")
        .env("XDG_DATA_HOME", data)
        .env("XDG_RUNTIME_DIR", data);
    Ok(command)
}
