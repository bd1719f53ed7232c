//! The installed package. `cargo xtask test` builds the packages (`cargo xtask dist`) and
//! then runs this module with `--ignored`, `AUTHDESK_DEB` naming the desktop .deb and
//! `AUTHDESK_BIN=/usr/bin/authdesk`: the .deb installed for real with apt-get, a whole
//! sign-in with the installed `authdesk`, the installed window until it is ready for
//! input, `man authdesk`, and bash completion; removed afterwards, whatever happens.

use std::process::Command;
use std::time::Duration;

use authdesk_e2e::window::{Window, ONE_WINDOW_AT_A_TIME};
use authdesk_e2e::{unique, Browser, Desk, Flavor, TestServer};

/// apt-get as root (the test machine), or through sudo.
fn apt_get() -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    let mut command = Command::new(if root { "apt-get" } else { "sudo" });
    if !root {
        command.arg("apt-get");
    }
    command.env("DEBIAN_FRONTEND", "noninteractive");
    command
}

/// The package, installed until this is dropped (also when the test fails).
struct Installed;

impl Installed {
    fn install(deb: &str) -> Self {
        let status = apt_get()
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .arg(deb)
            .status()
            .expect("apt-get runs");
        assert!(status.success(), "apt-get install {deb} failed");
        Installed
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = apt_get().args(["remove", "-y", "-qq", "authdesk"]).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by `cargo xtask test` after `cargo xtask dist`, with AUTHDESK_DEB set"]
async fn the_installed_package_signs_in_and_opens_its_window() {
    let deb = std::env::var("AUTHDESK_DEB").expect("AUTHDESK_DEB names the .deb to install");
    assert_eq!(
        authdesk_e2e::authdesk_bin(),
        std::path::Path::new("/usr/bin/authdesk"),
        "AUTHDESK_BIN must name the installed program"
    );
    let _one = ONE_WINDOW_AT_A_TIME.lock().await;
    let installed = Installed::install(&deb);

    let version = Command::new("/usr/bin/authdesk")
        .arg("--version")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&version.stdout).starts_with("authdesk "),
        "{version:?}"
    );

    // A whole sign-in with the installed program.
    let server = tokio::task::block_in_place(|| TestServer::start(Flavor::Awx)).unwrap();
    let desk = Desk::new(Browser::Approve);
    let name = unique("installed");
    let added = desk.add_profile(&name, &server, &server.seeded_app(), &[]);
    assert_eq!(added.status, Some(0), "{added:?}");
    let got = desk.run(&["token", &name, "--timeout", "60"]);
    assert_eq!(got.status, Some(0), "{got:?}");
    let access = got.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        tokio::task::block_in_place(|| server.me_status(&access)),
        200
    );

    // The installed window, until it is ready for input.
    let window = Window::open(&desk).await.unwrap();
    window
        .wait_for_app_log("window ready for input", 1, Duration::from_secs(60))
        .await
        .unwrap();
    window.close().await;

    // The man page renders, and bash completes a subcommand.
    let man = Command::new("man")
        .args(["-P", "cat", "authdesk"])
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(
        man.status.success() && page.contains("SYNOPSIS") && page.contains("authdesk"),
        "{man:?}"
    );
    let completed = Command::new("bash")
        .arg("-c")
        .arg(
            "source /usr/share/bash-completion/completions/authdesk
             COMP_WORDS=(authdesk pro); COMP_CWORD=1; COMP_LINE='authdesk pro'; COMP_POINT=12
             _authdesk authdesk pro authdesk
             printf '%s\\n' \"${COMPREPLY[@]}\"",
        )
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&completed.stdout).trim(),
        "profile",
        "{completed:?}"
    );
    assert_eq!(desk.run(&["profile", "remove", &name]).status, Some(0));
    drop(installed);
    assert!(
        !std::path::Path::new("/usr/bin/authdesk").exists(),
        "apt-get remove took the program away"
    );
}
