//! How a token is handed to other tools: the texts they take it in (header, curl
//! command, `.env` lines, shell `export`s), built once for the CLI and the window, and the
//! environment variables the Ansible tools read a server and token from (awx CLI,
//! `awx.awx`/`ansible.controller`, `ansible.platform`, Terraform's AAP provider), per
//! kind of server. `authdesk exec` hands the same set to a child process. Texts holding
//! a token are [`Secret`]s, wiped on drop.

use crate::error::Result;
use crate::presets::Preset;
use crate::profiles::Profile;
use crate::secret::Secret;
use crate::text::shell_quote;
use crate::tokens::TokenSet;

/// The texts a token is handed over in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenText {
    /// The access token alone.
    AccessToken,
    RefreshToken,
    /// `Authorization: Bearer …`, for curl's `-H` and HTTP clients.
    Header,
    /// `KEY=value` lines for `.env` files: the server and token variables the tools for
    /// the profile's kind of server read ([`variables`]).
    Env,
    /// The same variables as `export KEY='value'` lines for a POSIX shell.
    Shell,
    /// A curl command against who-am-I, safe to paste into a POSIX shell.
    Curl,
}

impl TokenText {
    /// This text for `tokens`; `profile` is the one the tokens belong to (its name for
    /// errors, its who-am-I URL for curl).
    pub fn render(self, tokens: &TokenSet, profile: &Profile) -> Result<Secret> {
        let access = tokens.access_token.expose();
        Ok(Secret::new(match self {
            TokenText::AccessToken => access.to_owned(),
            TokenText::RefreshToken => tokens.refresh_token_of(&profile.name)?.expose().to_owned(),
            TokenText::Header => format!("Authorization: Bearer {access}"),
            TokenText::Env => return Ok(dotenv(&environment_for(profile, tokens))),
            TokenText::Shell => return Ok(shell_exports(&environment_for(profile, tokens))),
            TokenText::Curl => format!(
                "curl -H {} {}",
                shell_quote(&format!("Authorization: Bearer {access}")),
                shell_quote(profile.endpoints()?.whoami.as_str())
            ),
        }))
    }
}

/// One variable; values holding a token are [`Secret`]s.
#[derive(Debug, Clone)]
pub struct Variable {
    pub name: &'static str,
    pub value: Secret,
}

/// The variables for the profile's kind of server, in a fixed order:
/// - AWX / controller ≤ 2.4: `CONTROLLER_HOST`, `CONTROLLER_OAUTH_TOKEN` (awx CLI, `awx.awx`);
/// - gateway (and custom endpoints): `AAP_HOSTNAME`, `AAP_TOKEN` (`ansible.platform`,
///   Terraform, current collections) and the two above (collections that still read them);
/// - with a CA file: `REQUESTS_CA_BUNDLE` (Python `requests`: awxkit, `ansible.platform`),
///   `SSL_CERT_FILE` (Python's `ssl` and Go, i.e. `ansible.controller` and Terraform) and
///   `CURL_CA_BUNDLE` (curl). These replace the system's CA store for that process.
pub fn environment_for(profile: &Profile, tokens: &TokenSet) -> Vec<Variable> {
    let host = profile.base_url.as_str().trim_end_matches('/').to_owned();
    let token = || tokens.access_token.clone();
    let mut set = Vec::new();
    if profile.preset != Preset::Awx {
        set.push(Variable {
            name: "AAP_HOSTNAME",
            value: Secret::new(host.clone()),
        });
        set.push(Variable {
            name: "AAP_TOKEN",
            value: token(),
        });
    }
    set.push(Variable {
        name: "CONTROLLER_HOST",
        value: Secret::new(host),
    });
    set.push(Variable {
        name: "CONTROLLER_OAUTH_TOKEN",
        value: token(),
    });
    if let Some(ca_file) = &profile.ca_file {
        let path = std::path::absolute(ca_file).unwrap_or_else(|_| ca_file.clone());
        let path = path.to_string_lossy().into_owned();
        for name in ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE"] {
            set.push(Variable {
                name,
                value: Secret::new(path.clone()),
            });
        }
    }
    set
}

/// Variables that name a server or token for these tools under other names, or for the
/// other kind of server: `exec` removes them from the command's environment, so one left
/// over from another profile (an earlier `eval`) cannot win over the ones it sets.
pub const OTHER_TOOL_VARIABLES: &[&str] = &[
    "AAP_HOSTNAME",
    "AAP_TOKEN",
    "GATEWAY_HOSTNAME",
    "GATEWAY_API_TOKEN",
    "CONTROLLER_TOKEN",
    "TOWER_HOST",
    "TOWER_OAUTH_TOKEN",
    "TOWER_TOKEN",
];

/// `KEY=value` lines for a `.env` file (docker compose, python-dotenv, direnv's
/// `dotenv`): bare when the value is plain, else quoted so the line cannot be misread.
pub fn dotenv(variables: &[Variable]) -> Secret {
    let lines: Vec<String> = variables
        .iter()
        .map(|v| format!("{}={}", v.name, dotenv_value(v.value.expose())))
        .collect();
    Secret::new(lines.join("\n"))
}

/// `export KEY='value'` lines for a POSIX shell (`eval "$(authdesk token p --format shell)"`).
pub fn shell_exports(variables: &[Variable]) -> Secret {
    let lines: Vec<String> = variables
        .iter()
        .map(|v| format!("export {}={}", v.name, shell_quote(v.value.expose())))
        .collect();
    Secret::new(lines.join("\n"))
}

fn dotenv_value(value: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-._~+/=:@%,".contains(c);
    if !value.is_empty() && value.chars().all(plain) {
        value.to_owned()
    } else if !value.contains(['\'', '\n', '\r']) {
        // Single quotes are literal in every dotenv dialect.
        format!("'{value}'")
    } else {
        let escaped = value
            .replace('\\', r"\\")
            .replace('"', "\\\"")
            .replace('$', r"\$")
            .replace('\n', r"\n")
            .replace('\r', r"\r");
        format!("\"{escaped}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::ProfileDraft;

    fn tokens() -> TokenSet {
        TokenSet::bearer("acc")
    }

    fn names(set: &[Variable]) -> Vec<&str> {
        set.iter().map(|v| v.name).collect()
    }

    #[test]
    fn each_kind_of_server_gets_the_variables_its_tools_read() {
        let awx = ProfileDraft::new("a", Preset::Awx, "https://awx.example.com/", "id")
            .build()
            .unwrap();
        let set = environment_for(&awx, &tokens());
        assert_eq!(names(&set), ["CONTROLLER_HOST", "CONTROLLER_OAUTH_TOKEN"]);
        assert_eq!(
            dotenv(&set).expose(),
            "CONTROLLER_HOST=https://awx.example.com\nCONTROLLER_OAUTH_TOKEN=acc"
        );
        let mut gateway = ProfileDraft::new("g", Preset::Gateway, "https://aap.example.com", "id")
            .build()
            .unwrap();
        gateway.ca_file = Some("/etc/ssl/aap ca.pem".into());
        let set = environment_for(&gateway, &tokens());
        assert_eq!(
            names(&set),
            [
                "AAP_HOSTNAME",
                "AAP_TOKEN",
                "CONTROLLER_HOST",
                "CONTROLLER_OAUTH_TOKEN",
                "REQUESTS_CA_BUNDLE",
                "SSL_CERT_FILE",
                "CURL_CA_BUNDLE"
            ]
        );
        let exports = shell_exports(&set);
        assert!(exports.expose().starts_with(
            "export AAP_HOSTNAME='https://aap.example.com'\nexport AAP_TOKEN='acc'\n"
        ));
        assert!(dotenv(&set)
            .expose()
            .ends_with("CURL_CA_BUNDLE='/etc/ssl/aap ca.pem'"));
    }

    #[test]
    fn texts_for_other_tools() {
        let profile: Profile = toml::from_str(
            r#"
name = "p"
preset = "awx"
base_url = "https://awx.example.com/x'$(touch pwned)'"
client_id = "id"
redirect_uri = "http://127.0.0.1/callback"
"#,
        )
        .unwrap();
        let set = TokenSet::bearer("acc");
        let text = |what: TokenText| what.render(&set, &profile).map(|s| s.expose().to_owned());
        assert_eq!(
            text(TokenText::Header).unwrap(),
            "Authorization: Bearer acc"
        );
        assert!(text(TokenText::Env)
            .unwrap()
            .ends_with("\nCONTROLLER_OAUTH_TOKEN=acc"));
        assert!(text(TokenText::RefreshToken).is_err());
        let curl = text(TokenText::Curl).unwrap();
        assert_eq!(
            curl,
            r"curl -H 'Authorization: Bearer acc' 'https://awx.example.com/x'\''$(touch%20pwned)'\''/api/v2/me/'"
        );
        // What a shell makes of it: two words, nothing run.
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("sh")
            .current_dir(dir.path())
            .arg("-c")
            .arg(format!(
                "printf '%s\\n' {}",
                curl.trim_start_matches("curl -H ")
            ))
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "Authorization: Bearer acc\nhttps://awx.example.com/x'$(touch%20pwned)'/api/v2/me/\n"
        );
        assert!(!dir.path().join("pwned").exists());
    }

    #[test]
    fn hostile_values_stay_one_line_and_literal() {
        assert_eq!(dotenv_value("a b$c"), "'a b$c'");
        assert_eq!(dotenv_value("x'$(id)\nY=1"), r#""x'\$(id)\nY=1""#);
        assert_eq!(dotenv_value(""), "''");
        // What a shell makes of the export lines: the value, nothing run.
        let dir = tempfile::tempdir().unwrap();
        let set = [Variable {
            name: "AAP_TOKEN",
            value: Secret::new("x'$(touch pwned)'\n`touch pwned`"),
        }];
        let script = format!(
            "{}\nprintf '%s' \"$AAP_TOKEN\"",
            shell_exports(&set).expose()
        );
        let out = std::process::Command::new("sh")
            .current_dir(dir.path())
            .args(["-c", &script])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "x'$(touch pwned)'\n`touch pwned`"
        );
        assert!(!dir.path().join("pwned").exists());
    }
}
