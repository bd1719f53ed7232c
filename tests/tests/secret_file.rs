//! Where no Secret Service answers (an SSH box, a container, WSL, a CI runner): the
//! encrypted secret file beside the profiles, chosen by itself. Every command runs as on
//! such a machine: no session bus, no display, no terminal (`login_session`), the
//! passphrase from a descriptor (`--passphrase-fd 3`) or kept for the login session in the
//! kernel keyring; the whole journey on both server layouts, then a lock, a wrong
//! passphrase, damaged files, writers at once and a session that cannot keep the key.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use authdesk_e2e::desk::{authdesk_bin, collect, feed, Run};
use authdesk_e2e::{unique, Browser, Desk, Flavor, TestServer};

const PASSPHRASE: &str = "correct horse battery";

/// How a command is started on the machine without a Secret Service.
#[derive(Clone, Copy, PartialEq)]
enum Keyring {
    /// The kernel keyring of the tests' own session: what one unlock keeps, the next
    /// command finds.
    Session,
    /// A session keyring that was revoked: nothing can be kept.
    Revoked,
}

struct Machine {
    desk: Desk,
    passphrase_file: std::path::PathBuf,
    keyring: Keyring,
}

impl Machine {
    fn new(browser: Browser, keyring: Keyring) -> Self {
        let desk = Desk::new(browser);
        let passphrase_file = desk.dir.path().join("passphrase");
        std::fs::write(&passphrase_file, format!("{PASSPHRASE}\n")).unwrap();
        Machine {
            desk,
            passphrase_file,
            keyring,
        }
    }

    fn file(&self) -> std::path::PathBuf {
        self.desk.config_dir().join("secrets.age")
    }

    /// `authdesk ARGS` with no session bus and no terminal; `passphrase`: a file for
    /// descriptor 3 (then `--passphrase-fd 3` is given).
    fn command(&self, args: &[&str], passphrase: Option<&std::path::Path>) -> Command {
        let mut command = self
            .desk
            .sandbox(Command::new(env!("CARGO_BIN_EXE_login_session")));
        if self.keyring == Keyring::Revoked {
            command.arg("--revoked-keyring");
        }
        if let Some(file) = passphrase {
            command.arg("--fd3").arg(file);
        }
        command.arg(authdesk_bin());
        if passphrase.is_some() {
            command.args(["--passphrase-fd", "3"]);
        }
        command.args(args).env_remove("DBUS_SESSION_BUS_ADDRESS");
        command
    }

    fn run(&self, args: &[&str]) -> Run {
        collect(self.command(args, None).output().unwrap())
    }

    fn run_with_passphrase(&self, args: &[&str]) -> Run {
        collect(
            self.command(args, Some(&self.passphrase_file))
                .output()
                .unwrap(),
        )
    }

    /// `profile add` for the server's seeded application, the secret on stdin.
    fn add_profile(&self, name: &str, server: &TestServer, passphrase: bool) -> Run {
        let app = server.seeded_app();
        let args = [
            "profile",
            "add",
            name,
            "--preset",
            server.flavor.preset(),
            "--base-url",
            &server.seed.base_url,
            "--client-id",
            &app.client_id,
            "--redirect-uri",
            &app.redirect_uri,
            "--scope",
            "read write",
            "--client-secret-stdin",
        ];
        let file = passphrase.then_some(self.passphrase_file.as_path());
        collect(feed(
            &mut self.command(&args, file),
            &format!("{}\n", app.client_secret),
        ))
    }

    /// The lines AuthDesk said on stderr.
    fn sentences(run: &Run) -> Vec<&str> {
        run.stderr
            .lines()
            .filter(|l| l.starts_with("authdesk:"))
            .collect()
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        // The tests' session keyring outlives the test: take the key out of it.
        let _ = self.run(&["lock"]);
    }
}

/// The journey of a user on an SSH box: set a passphrase once (from a descriptor), then
/// sign in, reuse, refresh, exec, create a personal token and revoke without being asked
/// again; lock, and only the passphrase opens it again. No secret or token in any file
/// but the encrypted one, which only its owner can read.
fn whole_journey(flavor: Flavor) {
    let server = TestServer::start(flavor).unwrap();
    let app = server.seeded_app();
    let machine = Machine::new(Browser::Approve, Keyring::Session);
    let name = unique("nobus");

    let help = machine.run(&["--help"]);
    assert!(
        help.stdout.contains("Secrets here: encrypted file"),
        "{help:?}"
    );
    let added = machine.add_profile(&name, &server, true);
    assert_eq!(added.status, Some(0), "{added:?}");
    assert!(
        added
            .stderr
            .contains("client secret is in the encrypted file"),
        "{added:?}"
    );
    let mode = std::fs::metadata(machine.file())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "only its owner reads the file");

    // Unlocked for the session: no passphrase, no terminal, and it still works.
    let got = machine.run(&["token", &name, "--timeout", "60", "--format", "json"]);
    assert_eq!(got.status, Some(0), "{got:?}");
    assert_eq!(got.json()["source"], "signed-in");
    let access = got.json()["access_token"].as_str().unwrap().to_owned();
    let again = machine.run(&["token", &name, "--format", "json"]);
    assert_eq!(again.status, Some(0), "{again:?}");
    assert_eq!(again.json()["source"], "stored");
    assert_eq!(again.json()["access_token"], access.as_str());

    let refreshed = machine.run(&["refresh", &name]);
    assert_eq!(refreshed.status, Some(0), "{refreshed:?}");
    let access = refreshed.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = refreshed.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let host_variable = match flavor {
        Flavor::Awx => "CONTROLLER_HOST",
        _ => "AAP_HOSTNAME",
    };
    let exec = machine.run(&[
        "exec",
        &name,
        "--",
        "sh",
        "-c",
        &format!("echo \"${host_variable}\"; exit 3"),
    ]);
    assert_eq!(
        exec.status,
        Some(3),
        "the command's status comes back: {exec:?}"
    );
    assert!(exec.stdout.contains(&server.seed.base_url), "{exec:?}");

    let pat = machine.run(&["pat", "create", &name, "--description", "ci"]);
    assert_eq!(pat.status, Some(0), "{pat:?}");
    let personal = pat.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(server.me_status(&personal), 200);

    for secret in [&app.client_secret, &access, &refresh, &personal] {
        assert!(
            machine.desk.files_containing(secret).is_empty(),
            "nothing secret in plaintext on disk"
        );
    }
    let doctor = machine.run(&["doctor", &name]);
    assert!(
        doctor.stdout.contains("secret store: encrypted file")
            && doctor.stdout.contains("unlocked until"),
        "{doctor:?}"
    );
    assert!(
        doctor
            .stdout
            .contains("client secret: stored in the encrypted file"),
        "{doctor:?}"
    );

    // Locked: without a terminal or a descriptor it cannot ask, and says so once.
    let locked = machine.run(&["lock"]);
    assert_eq!(locked.status, Some(0), "{locked:?}");
    let refused = machine.run(&["token", &name]);
    assert_eq!(refused.status, Some(7), "{refused:?}");
    assert_eq!(Machine::sentences(&refused).len(), 1, "{refused:?}");
    assert!(
        refused.stderr.contains("is locked") && refused.stderr.contains("--passphrase-fd"),
        "{refused:?}"
    );
    assert!(refused.stdout.is_empty());
    // doctor cannot ask either, and reports the lock among its findings.
    let doctor_locked = machine.run(&["doctor", &name]);
    assert_eq!(doctor_locked.status, Some(9), "{doctor_locked:?}");
    assert!(
        doctor_locked
            .stdout
            .contains("[FAIL] secret store: encrypted file")
            && doctor_locked.stdout.contains("is locked"),
        "{doctor_locked:?}"
    );
    let wrong = machine.desk.dir.path().join("wrong");
    std::fs::write(&wrong, "not the passphrase\n").unwrap();
    let wrong_run = collect(
        machine
            .command(&["token", &name], Some(&wrong))
            .output()
            .unwrap(),
    );
    assert_eq!(wrong_run.status, Some(7), "{wrong_run:?}");
    assert!(
        wrong_run.stderr.contains("That passphrase does not open"),
        "{wrong_run:?}"
    );
    let opened = machine.run_with_passphrase(&["token", &name, "--format", "json"]);
    assert_eq!(opened.status, Some(0), "{opened:?}");
    assert_eq!(opened.json()["source"], "stored");

    let revoked = machine.run(&["revoke", &name]);
    assert_eq!(revoked.status, Some(0), "{revoked:?}");
    assert_eq!(server.me_status(&access), 401, "the revoke was verified");
    let removed = machine.run(&["profile", "remove", &name]);
    assert_eq!(removed.status, Some(0), "{removed:?}");
    let show = machine.run(&["profile", "list"]);
    assert!(!show.stdout.contains(&name), "{show:?}");
}

#[test]
fn the_whole_journey_without_a_secret_service_on_awx() {
    whole_journey(Flavor::Awx);
}

#[test]
fn the_whole_journey_without_a_secret_service_on_the_gateway() {
    whole_journey(Flavor::Gateway);
}

/// The first command on a machine without a terminal cannot set a passphrase: it says
/// how to give one, and no file or profile is made.
#[test]
fn a_first_use_without_a_terminal_says_how_to_set_a_passphrase() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let machine = Machine::new(Browser::Approve, Keyring::Session);
    let added = machine.add_profile(&unique("first"), &server, false);
    assert_eq!(added.status, Some(2), "{added:?}");
    assert!(added.stderr.contains("--passphrase-fd"), "{added:?}");
    assert!(!machine.file().exists());
    assert!(!machine.desk.config_dir().join("profiles.toml").exists());
    let short = machine.desk.dir.path().join("short");
    std::fs::write(&short, "short\n").unwrap();
    let too_short = collect(machine.command(&["unlock"], Some(&short)).output().unwrap());
    assert_eq!(too_short.status, Some(2), "{too_short:?}");
    assert!(
        too_short.stderr.contains("at least 8 characters"),
        "{too_short:?}"
    );
    assert!(!machine.file().exists());
    let listed = machine.run(&["profile", "list"]);
    assert_eq!(
        listed.status,
        Some(0),
        "listing needs no passphrase: {listed:?}"
    );
    let closed = machine.run(&["--passphrase-fd", "9", "unlock"]);
    assert_eq!(closed.status, Some(2), "{closed:?}");
    assert!(
        closed.stderr.contains("no such open file descriptor"),
        "{closed:?}"
    );
}

/// A file cut short or changed is refused with a sentence, by readers and writers alike,
/// and left exactly as it was.
#[test]
fn a_damaged_file_is_refused_and_never_overwritten() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let machine = Machine::new(Browser::Approve, Keyring::Session);
    let name = unique("damaged");
    assert_eq!(machine.add_profile(&name, &server, true).status, Some(0));
    let whole = std::fs::read(machine.file()).unwrap();
    let cut = whole[..whole.len() * 2 / 3].to_vec();
    let mut flipped = whole.clone();
    let at = flipped.len() - 60;
    flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
    for damaged in [cut, flipped] {
        std::fs::write(machine.file(), &damaged).unwrap();
        for args in [
            vec!["token", name.as_str()],
            vec!["profile", "remove", name.as_str()],
        ] {
            let run = machine.run_with_passphrase(&args);
            assert_eq!(run.status, Some(7), "{run:?}");
            assert_eq!(Machine::sentences(&run).len(), 1, "{run:?}");
            assert!(run.stderr.contains("is damaged"), "{run:?}");
            assert_eq!(
                std::fs::read(machine.file()).unwrap(),
                damaged,
                "left as it was"
            );
        }
    }
}

/// Two commands saving profiles at the same moment both keep their secret.
#[test]
fn two_processes_writing_at_once_both_keep_their_secret() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let machine = Machine::new(Browser::Approve, Keyring::Session);
    assert_eq!(
        machine.add_profile(&unique("first"), &server, true).status,
        Some(0)
    );
    let names: Vec<String> = (0..2).map(|_| unique("racer")).collect();
    let app = server.seeded_app();
    let children: Vec<_> = names
        .iter()
        .map(|name| {
            let mut command = machine.command(
                &[
                    "profile",
                    "add",
                    name,
                    "--preset",
                    "awx",
                    "--base-url",
                    &server.seed.base_url,
                    "--client-id",
                    &app.client_id,
                    "--redirect-uri",
                    &app.redirect_uri,
                    "--client-secret-stdin",
                    "--no-check",
                ],
                None,
            );
            command
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = command.spawn().unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("{}\n", app.client_secret).as_bytes())
                .unwrap();
            child
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{output:?}");
    }
    for name in &names {
        let show = machine.run(&["profile", "show", name]);
        assert!(
            show.stdout
                .contains("client secret: stored in the encrypted file"),
            "{show:?}"
        );
    }
}

/// A session whose kernel keyring cannot keep the key: each command needs the
/// passphrase, and `doctor` and `unlock` say why.
#[test]
fn without_a_kernel_keyring_each_command_needs_the_passphrase() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let machine = Machine::new(Browser::Approve, Keyring::Revoked);
    let name = unique("nokernel");
    let added = machine.add_profile(&name, &server, true);
    assert_eq!(added.status, Some(0), "{added:?}");
    let asked = machine.run(&["profile", "show", &name]);
    assert!(asked.stdout.contains("is locked"), "{asked:?}");
    let refused = machine.run(&["token", &name]);
    assert_eq!(refused.status, Some(7), "{refused:?}");
    let unlocked = machine.run_with_passphrase(&["unlock"]);
    assert_eq!(unlocked.status, Some(0), "{unlocked:?}");
    assert!(
        unlocked.stderr.contains("cannot keep") && unlocked.stderr.contains("revoked"),
        "{unlocked:?}"
    );
    let doctor = machine.run_with_passphrase(&["doctor", &name]);
    assert!(
        doctor
            .stdout
            .contains("each command asks for the passphrase"),
        "{doctor:?}"
    );
    assert!(
        doctor
            .stdout
            .contains("client secret: stored in the encrypted file"),
        "{doctor:?}"
    );
}

/// `--passphrase-fd 0` shares standard input with the client secret: its first line is
/// taken whether or not an unlock needs it, so the secret stored is the secret alone.
#[test]
fn a_passphrase_on_standard_input_is_taken_even_when_no_unlock_needs_it() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let machine = Machine::new(Browser::Approve, Keyring::Session);
    let app = server.seeded_app();
    for name in [unique("first"), unique("second")] {
        // The second runs while the file is unlocked: no unlock reads the passphrase.
        let mut command = machine.command(
            &[
                "--passphrase-fd",
                "0",
                "profile",
                "add",
                &name,
                "--preset",
                "awx",
                "--base-url",
                &server.seed.base_url,
                "--client-id",
                &app.client_id,
                "--redirect-uri",
                &app.redirect_uri,
                "--client-secret-stdin",
            ],
            None,
        );
        let added = collect(feed(
            &mut command,
            &format!("{PASSPHRASE}\n{}\n", app.client_secret),
        ));
        assert_eq!(added.status, Some(0), "{added:?}");
        let doctor = machine.run(&["doctor", &name]);
        assert!(
            doctor
                .stdout
                .contains("OAuth client: the token endpoint accepts the client ID and secret"),
            "the stored secret is the secret alone: {doctor:?}"
        );
    }
    let holding: Vec<_> = machine
        .desk
        .files_containing(PASSPHRASE)
        .into_iter()
        .filter(|f| *f != machine.passphrase_file)
        .collect();
    assert!(holding.is_empty(), "the passphrase is in {holding:?}");
}

/// A file moved away while the session holds its key (what the damaged-file sentence
/// tells a user to do) is made anew at the next save, with a new passphrase; the old key
/// is forgotten, and the old file still opens with its own passphrase.
#[test]
fn a_file_moved_away_while_unlocked_is_made_anew() {
    let server = TestServer::start(Flavor::Awx).unwrap();
    let machine = Machine::new(Browser::Approve, Keyring::Session);
    assert_eq!(
        machine.add_profile(&unique("old"), &server, true).status,
        Some(0)
    );
    let moved = machine.desk.config_dir().join("secrets.age.old");
    std::fs::rename(machine.file(), &moved).unwrap();
    let other = machine.desk.dir.path().join("other");
    std::fs::write(&other, "another passphrase\n").unwrap();
    let name = unique("new");
    let app = server.seeded_app();
    let added = collect(feed(
        &mut machine.command(
            &[
                "profile",
                "add",
                &name,
                "--preset",
                "awx",
                "--base-url",
                &server.seed.base_url,
                "--client-id",
                &app.client_id,
                "--redirect-uri",
                &app.redirect_uri,
                "--client-secret-stdin",
                "--no-check",
            ],
            Some(&other),
        ),
        &format!("{}\n", app.client_secret),
    ));
    assert_eq!(added.status, Some(0), "{added:?}");
    assert!(machine.file().exists());
    let show = machine.run(&["profile", "show", &name]);
    assert!(
        show.stdout
            .contains("client secret: stored in the encrypted file"),
        "{show:?}"
    );
    // The new file is unlocked with its own key; the old passphrase does not open it.
    assert_eq!(machine.run(&["lock"]).status, Some(0));
    let refused = machine.run_with_passphrase(&["token", &name]);
    assert_eq!(refused.status, Some(7), "{refused:?}");
    assert!(
        refused.stderr.contains("That passphrase does not open"),
        "{refused:?}"
    );
}
