//! What a request to the redirect URI means. Pure functions, so they can be fuzzed and
//! reused for a redirect URL the user pastes by hand.

use url::form_urlencoded;

/// What to do with one request that reached the listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The authorization code for this attempt.
    Code(String),
    /// The server (or the user, at the consent screen) refused, with this attempt's state.
    Refused {
        error: String,
        description: Option<String>,
    },
    /// Not our callback: answer with this status and keep waiting.
    Ignore { status: u16, reason: &'static str },
    /// The one-time start link was asked for again: whoever asked first has seen the
    /// state, so no callback can be trusted any more.
    StartLinkReused,
}

/// Reads the request line of an HTTP/1.x request head.
pub fn classify_request(head: &[u8], callback_path: &str, expected_state: &str) -> Verdict {
    let Ok(head) = std::str::from_utf8(head) else {
        return ignore(400, "the request is not valid text");
    };
    let request_line = head.split("\r\n").next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return ignore(400, "the request line is malformed");
    };
    if !version.starts_with("HTTP/1.") {
        return ignore(400, "the request line is malformed");
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != callback_path {
        return ignore(404, "this address is not the sign-in callback");
    }
    if method != "GET" {
        return ignore(405, "the sign-in callback only answers GET");
    }
    classify_query(query, expected_state)
}

/// Whether a request line asks for the one-time start link at `start_path`: exactly
/// `GET <start_path> HTTP/1.x`, compared without an early exit (the path is a secret).
pub fn is_start_request(line: &[u8], start_path: &str) -> bool {
    let Ok(line) = std::str::from_utf8(line) else {
        return false;
    };
    let line = line.split("\r\n").next().unwrap_or_default();
    let mut parts = line.split(' ');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("GET"), Some(target), Some(version), None) if version.starts_with("HTTP/1.") => {
            constant_time_eq(target.as_bytes(), start_path.as_bytes())
        }
        _ => false,
    }
}

/// Judges the query string of a callback (from the listener or a pasted URL).
pub fn classify_query(query: &str, expected_state: &str) -> Verdict {
    let mut state: Option<String> = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "state" => &mut state,
            "code" => &mut code,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        if slot.is_some() {
            return ignore(400, "the callback repeats a parameter");
        }
        // These values reach terminals and pages: no control characters (escape sequences).
        *slot = Some(
            value
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect(),
        );
    }
    match state {
        None => {
            return ignore(
                400,
                "the callback carries no state, so it cannot be matched to this sign-in",
            )
        }
        Some(state) if !constant_time_eq(state.as_bytes(), expected_state.as_bytes()) => {
            return ignore(400, "the callback's state does not match this sign-in")
        }
        Some(_) => {}
    }
    match (error, code) {
        (Some(error), _) => Verdict::Refused { error, description },
        (None, Some(code)) if !code.is_empty() => Verdict::Code(code),
        _ => ignore(400, "the callback carries neither a code nor an error"),
    }
}

fn ignore(status: u16, reason: &'static str) -> Verdict {
    Verdict::Ignore { status, reason }
}

/// Compares without an early exit, so response timing says nothing about the state.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATE: &str = "s3cr3t-state";

    fn get(target: &str) -> Verdict {
        classify_request(
            format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
            "/callback",
            STATE,
        )
    }

    #[test]
    fn right_state_and_code_is_the_callback() {
        assert_eq!(
            get("/callback?code=abc&state=s3cr3t-state"),
            Verdict::Code("abc".into())
        );
    }

    #[test]
    fn error_with_right_state_ends_the_attempt() {
        assert_eq!(
            get("/callback?error=access_denied&state=s3cr3t-state"),
            Verdict::Refused {
                error: "access_denied".into(),
                description: None
            }
        );
    }

    #[test]
    fn control_characters_never_pass_through() {
        assert_eq!(
            get("/callback?error=access_denied&error_description=%1b%5b31mred%0a&state=s3cr3t-state"),
            Verdict::Refused {
                error: "access_denied".into(),
                description: Some(" [31mred ".into())
            }
        );
    }

    #[test]
    fn wrong_or_missing_state_is_ignored_even_with_an_error() {
        assert!(matches!(
            get("/callback?code=abc&state=other"),
            Verdict::Ignore { status: 400, .. }
        ));
        assert!(matches!(
            get("/callback?code=abc"),
            Verdict::Ignore { status: 400, .. }
        ));
        assert!(matches!(
            get("/callback?error=access_denied"),
            Verdict::Ignore { status: 400, .. }
        ));
        assert!(matches!(
            get("/callback?code=a&code=b&state=s3cr3t-state"),
            Verdict::Ignore { status: 400, .. }
        ));
    }

    #[test]
    fn only_an_exact_get_of_the_start_path_is_the_start_link() {
        let start = "/start/Abc123";
        assert!(is_start_request(b"GET /start/Abc123 HTTP/1.1", start));
        for other in [
            &b"GET /start/Abc124 HTTP/1.1"[..],
            b"GET /start/Abc123?x=1 HTTP/1.1",
            b"POST /start/Abc123 HTTP/1.1",
            b"GET /start/Abc123 HTTP/2",
            b"GET /start/Abc12 HTTP/1.1",
            b"\xff",
        ] {
            assert!(!is_start_request(other, start), "{other:?}");
        }
    }

    #[test]
    fn other_paths_methods_and_garbage_are_ignored() {
        assert!(matches!(
            get("/favicon.ico"),
            Verdict::Ignore { status: 404, .. }
        ));
        assert!(matches!(
            get("/callback/extra?code=a&state=s3cr3t-state"),
            Verdict::Ignore { status: 404, .. }
        ));
        let post = classify_request(
            b"POST /callback?code=a&state=s3cr3t-state HTTP/1.1\r\n\r\n",
            "/callback",
            STATE,
        );
        assert!(matches!(post, Verdict::Ignore { status: 405, .. }));
        for junk in [
            &b"\xff\xfe\r\n\r\n"[..],
            b"GET\r\n\r\n",
            b"GET /callback HTTP/1.1 extra\r\n\r\n",
            b"",
        ] {
            assert!(matches!(
                classify_request(junk, "/callback", STATE),
                Verdict::Ignore { status: 400, .. }
            ));
        }
    }
}
