//! The encrypted file store's passphrase: asked on the terminal without echo (three
//! tries), or read from a file descriptor for unattended runs (`--passphrase-fd`), never
//! from an argument or the environment, which `ps` and `/proc` show. `authdesk unlock`
//! and `authdesk lock` live here too.

use authdesk_core::{Error, FileState, Secret, SecretStore, Unlocked, MIN_PASSPHRASE_CHARS};

/// How many times a prompt asks before giving up, as sudo.
const TRIES: u32 = 3;
/// A passphrase read from a descriptor is one line; more is not a passphrase.
#[cfg(unix)]
const MAX_PASSPHRASE_BYTES: usize = 1024;

/// Where a passphrase comes from when the encrypted file needs one.
#[derive(Debug, Clone)]
pub struct PassphraseSource {
    /// `--passphrase-fd N`: the first line of descriptor N, read before the command runs
    /// whether or not an unlock needs it (so that a descriptor shared with other input,
    /// such as 0, never hands that line to the command).
    given: Option<Secret>,
}

impl PassphraseSource {
    pub fn read(fd: Option<i32>) -> Result<Self, Error> {
        let given = fd.map(read_from_fd).transpose()?;
        Ok(PassphraseSource { given })
    }
}

/// Makes the store usable before a command that reads or writes secrets: nothing for the
/// OS keyring or a file already unlocked in this session; otherwise the passphrase. A file
/// not made yet is made (a new passphrase, asked twice) only for a command that stores a
/// secret (`stores`): the others find nothing in it, and say so.
pub fn ensure_unlocked(
    store: &SecretStore,
    source: &PassphraseSource,
    stores: bool,
) -> Result<(), Error> {
    match store.file_state()? {
        None | Some(FileState::Unlocked { .. }) => Ok(()),
        Some(FileState::New) if !stores => Ok(()),
        Some(state) => unlock(store, source, &state).map(|_| ()),
    }
}

/// `authdesk unlock`: opens the file for this session now, so scripts and `exec` run
/// without asking until the timeout.
pub fn unlock_command(store: &SecretStore, source: &PassphraseSource) -> Result<u8, Error> {
    let Some(state) = store.file_state()? else {
        eprintln!(
            "authdesk: the secrets are in {}, which unlocks with your login: there is nothing for AuthDesk to unlock.",
            store.describe()
        );
        return Ok(0);
    };
    if let FileState::Unlocked { until: Some(until) } = state {
        eprintln!(
            "authdesk: {} is unlocked until {} (each use extends it).",
            path_of(store),
            until.format("%H:%M")
        );
        return Ok(0);
    }
    let unlocked = unlock(store, source, &state)?;
    match unlocked.kept {
        Ok(until) => eprintln!(
            "authdesk: unlocked {} for {} until {} (each use extends it); `authdesk lock` locks it now.",
            path_of(store),
            store.session_scope().unwrap_or("this login session"),
            until.format("%H:%M")
        ),
        Err(why) => eprintln!(
            "authdesk: the passphrase is right, but this session cannot keep {} unlocked ({why}): each command asks for it, or reads it with --passphrase-fd.",
            path_of(store)
        ),
    }
    Ok(0)
}

/// `authdesk lock`: forgets the unlocked key; the next command asks again.
pub fn lock_command(store: &SecretStore) -> Result<u8, Error> {
    if store.file_state()?.is_none() {
        eprintln!(
            "authdesk: the secrets are in {}, which locks with your desktop session: there is nothing for AuthDesk to lock.",
            store.describe()
        );
        return Ok(0);
    }
    let held = store.lock()?;
    if held {
        eprintln!(
            "authdesk: locked {}: the next command asks for its passphrase.",
            path_of(store)
        );
    } else {
        eprintln!("authdesk: {} was not unlocked.", path_of(store));
    }
    Ok(0)
}

fn unlock(
    store: &SecretStore,
    source: &PassphraseSource,
    state: &FileState,
) -> Result<Unlocked, Error> {
    let path = path_of(store);
    let new = matches!(state, FileState::New);
    if let Some(passphrase) = &source.given {
        return store.unlock(passphrase).map(expect_file);
    }
    if !can_prompt() {
        if new {
            return Err(Error::Config(format!(
                "AuthDesk keeps secrets here in the encrypted file {path} (no Secret Service answers), and it needs a new passphrase: run this in a terminal to be asked, or give one with --passphrase-fd N (the first line read from descriptor N), e.g. `authdesk --passphrase-fd 3 … 3<passphrase-file`."
            )));
        }
        return Err(Error::SecretFileLocked {
            path: store.file_path().map(Into::into).unwrap_or_default(),
        });
    }
    let keeps = store.session_unavailable();
    if new {
        eprintln!(
            "authdesk: no Secret Service answers here, so AuthDesk keeps client secrets and tokens in the encrypted file {path}. Choose its passphrase (at least {MIN_PASSPHRASE_CHARS} characters): it cannot be recovered, and without it the secrets must be entered again."
        );
        for _ in 0..TRIES {
            let first = prompt("New passphrase")?;
            if first.expose().chars().count() < MIN_PASSPHRASE_CHARS {
                eprintln!("authdesk: that is shorter than {MIN_PASSPHRASE_CHARS} characters.");
                continue;
            }
            let again = prompt("The same passphrase again")?;
            if again.expose() != first.expose() {
                eprintln!("authdesk: the two passphrases differ.");
                continue;
            }
            match store.unlock(&first) {
                Err(Error::WrongPassphrase { .. }) => {
                    // The file did not exist a moment ago: another command made it since.
                    eprintln!("authdesk: another AuthDesk command has just made the file, with its own passphrase.");
                    break;
                }
                unlocked => {
                    say_why_each_command_asks(keeps.as_deref());
                    return unlocked.map(expect_file);
                }
            }
        }
        if matches!(store.file_state()?, Some(FileState::New)) {
            return Err(Error::Config(
                "No passphrase was chosen; nothing was changed.".into(),
            ));
        }
    }
    if let Some(why) = &keeps {
        eprintln!("authdesk: {path} is locked; this session cannot keep it unlocked ({why}), so each command asks.");
    }
    let mut last = None;
    for attempt in 1..=TRIES {
        let Some(passphrase) = prompt_nonempty(&format!("Passphrase for {path}"))? else {
            continue;
        };
        match store.unlock(&passphrase) {
            Ok(unlocked) => return Ok(expect_file(unlocked)),
            Err(e @ Error::WrongPassphrase { .. }) => {
                if attempt < TRIES {
                    eprintln!("authdesk: that passphrase does not open it; try again.");
                }
                last = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or(Error::SecretFileLocked {
        path: store.file_path().map(Into::into).unwrap_or_default(),
    }))
}

fn say_why_each_command_asks(why: Option<&str>) {
    if let Some(why) = why {
        eprintln!("authdesk: this session cannot keep the file unlocked ({why}), so each command will ask for the passphrase.");
    }
}

/// `unlock` returns `None` only for the OS keyring, which never reaches here.
fn expect_file(unlocked: Option<Unlocked>) -> Unlocked {
    unlocked.unwrap_or(Unlocked {
        created: false,
        kept: Err("the OS keyring needs no unlock".into()),
    })
}

fn path_of(store: &SecretStore) -> String {
    store
        .file_path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the secret store".into())
}

/// Whether a person can be asked: rpassword reads the controlling terminal (`/dev/tty`
/// on Unix), which works even when standard input is piped (`--client-secret-stdin`).
fn can_prompt() -> bool {
    #[cfg(unix)]
    {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .is_ok()
    }
    #[cfg(not(unix))]
    {
        use std::io::IsTerminal;
        std::io::stdin().is_terminal()
    }
}

/// A prompt's answer; `None` for an empty one (a stray Enter), which asks again.
fn prompt_nonempty(label: &str) -> Result<Option<Secret>, Error> {
    match prompt(label) {
        Ok(passphrase) => Ok(Some(passphrase)),
        Err(Error::Config(message)) if message.starts_with("The passphrase is empty") => Ok(None),
        Err(e) => Err(e),
    }
}

fn prompt(label: &str) -> Result<Secret, Error> {
    let text = zeroize::Zeroizing::new(
        rpassword::prompt_password(format!("{label} (not shown): "))
            .map_err(|e| Error::Config(format!("Could not read the passphrase: {e}.")))?,
    );
    let passphrase = Secret::new(text.trim_end_matches(['\r', '\n']));
    if passphrase.is_empty() {
        return Err(Error::Config(
            "The passphrase is empty; nothing was changed.".into(),
        ));
    }
    Ok(passphrase)
}

/// The first line of descriptor `fd`, read a byte at a time so that nothing after it is
/// taken (descriptor 0 may carry other input after the line). The descriptor stays open.
#[cfg(unix)]
fn read_from_fd(fd: i32) -> Result<Secret, Error> {
    use std::io::Read;
    use std::os::fd::FromRawFd;

    // SAFETY: F_GETFD only asks whether the descriptor is open; no memory is involved.
    if fd < 0 || unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
        return Err(Error::Config(format!(
            "--passphrase-fd {fd}: no such open file descriptor (open it in the shell, e.g. `3<passphrase-file`)."
        )));
    }
    // SAFETY: the descriptor is open (checked above); ManuallyDrop leaves it open for its owner.
    let mut file = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd) });
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(64));
    let mut byte = [0u8; 1];
    loop {
        match file.read(&mut byte) {
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => bytes.push(byte[0]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Error::Config(format!(
                    "Could not read the passphrase from descriptor {fd}: {e}."
                )))
            }
        }
        if bytes.len() > MAX_PASSPHRASE_BYTES {
            return Err(Error::Config(format!(
                "Descriptor {fd} holds more than {MAX_PASSPHRASE_BYTES} bytes before its first line ends: that is not a passphrase."
            )));
        }
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Error::Config(format!(
            "The passphrase read from descriptor {fd} is not UTF-8 text."
        ))
    })?;
    if text.is_empty() {
        return Err(Error::Config(format!(
            "Descriptor {fd} gave an empty passphrase; nothing was changed."
        )));
    }
    Ok(Secret::new(text))
}

#[cfg(not(unix))]
fn read_from_fd(fd: i32) -> Result<Secret, Error> {
    Err(Error::Config(format!(
        "--passphrase-fd {fd} works on Linux and macOS only; on Windows the secrets are in the Credential Manager."
    )))
}
