//! What the CLI asks the person for: hidden secrets and logins, from a terminal
//! prompt or standard input, never from arguments (they show in `ps` and shell history).

use std::io::{IsTerminal, Read};

use authdesk_core::{Credentials, Error, Secret};

/// Reads one secret (`what` names it in prompts and errors): all of stdin when
/// `from_stdin`, else a hidden prompt on a terminal.
pub fn read_hidden(what: &str, from_stdin: bool) -> Result<Secret, Error> {
    // Wiped on drop, like the Secret it becomes.
    let text = zeroize::Zeroizing::new(if from_stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            Error::Config(format!(
                "Could not read the {what} from standard input: {e}."
            ))
        })?;
        text
    } else if std::io::stdin().is_terminal() {
        let mut prompt = what.to_owned();
        if let Some(first) = prompt.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        rpassword::prompt_password(format!("{prompt} (not shown): "))
            .map_err(|e| Error::Config(format!("Could not read the {what}: {e}.")))?
    } else {
        let flag = if what == "password" {
            "--password-stdin"
        } else {
            "--client-secret-stdin"
        };
        return Err(Error::Config(format!(
            "No {what} given: pipe it in with {flag}, or run in a terminal to be asked for it."
        )));
    });
    let secret = Secret::new(text.trim_end_matches(['\r', '\n']));
    if secret.is_empty() {
        return Err(Error::Config(format!("The {what} is empty.")));
    }
    Ok(secret)
}

/// A user's login for one command: the password is used and dropped, never stored.
pub fn credentials(username: &str, password_stdin: bool) -> Result<Credentials, Error> {
    // Checked before the prompt, so nobody types a password for nothing.
    if username.trim().is_empty() {
        return Err(Error::Config("The username is empty.".into()));
    }
    Credentials::new(username, read_hidden("password", password_stdin)?)
}

/// Every line typed or piped on standard input, for a pasted redirect address, read on a
/// thread of its own; the channel closes at the end of input.
pub fn pasted_lines() -> tokio::sync::mpsc::Receiver<String> {
    let (lines, received) = tokio::sync::mpsc::channel(4);
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut line = String::new();
        loop {
            line.clear();
            match stdin.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) if line.trim().is_empty() => {}
                Ok(_) => {
                    if lines.blocking_send(line.clone()).is_err() {
                        return;
                    }
                }
            }
        }
    });
    received
}

/// The terminal does not show what is typed (a pasted address holds the code) until this
/// is dropped; nothing happens when standard input is not a terminal.
pub struct HiddenTyping {
    #[cfg(unix)]
    restore: Option<libc::termios>,
}

impl HiddenTyping {
    pub fn start() -> Self {
        #[cfg(unix)]
        {
            if !std::io::stdin().is_terminal() {
                return HiddenTyping { restore: None };
            }
            // SAFETY: termios calls on standard input with a valid, initialised struct.
            unsafe {
                let mut settings: libc::termios = std::mem::zeroed();
                if libc::tcgetattr(libc::STDIN_FILENO, &mut settings) != 0 {
                    return HiddenTyping { restore: None };
                }
                let saved = settings;
                settings.c_lflag &= !libc::ECHO;
                settings.c_lflag |= libc::ECHONL;
                if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &settings) != 0 {
                    return HiddenTyping { restore: None };
                }
                HiddenTyping {
                    restore: Some(saved),
                }
            }
        }
        #[cfg(not(unix))]
        HiddenTyping {}
    }
}

impl Drop for HiddenTyping {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = self.restore {
            // SAFETY: puts back the settings read in `start`.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &saved);
            }
        }
    }
}
