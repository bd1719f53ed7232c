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
