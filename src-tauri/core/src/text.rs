//! The one sanitiser for text a server (or anyone on the wire of an `http://` profile)
//! wrote: every such string passes through here before it reaches a terminal, a log
//! line or the window, so escape sequences and control characters never do. Also the one
//! quoting for text that goes the other way, into a POSIX shell.

/// Text safe for a terminal: control characters (escape sequences, `\r`, bells) and the
/// invisible characters that reorder or hide text (bidirectional overrides, zero-width
/// marks) become spaces; newlines stay. JSON escapes such as `\u001b` decode into real
/// control characters, so text taken out of a JSON body needs this too.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if (c.is_control() && c != '\n') || is_invisible(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Format characters that change how text around them reads: bidirectional embeddings,
/// overrides and isolates, zero-width marks and joiners, the byte-order mark.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// One printable line of at most `max_chars` characters (newlines become spaces), for
/// names and labels a server supplies: usernames, client IDs, descriptions.
pub fn one_line(text: &str, max_chars: usize) -> String {
    let line: String = text
        .chars()
        .map(|c| {
            if c.is_control() || is_invisible(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    cut(line.trim(), max_chars)
}

/// The first non-empty line of a server's text, printable and cut to a readable length:
/// the headline of an error body whose whole stays in a details view.
pub fn first_line(text: &str) -> String {
    const MAX_CHARS: usize = 300;
    let text = printable(text);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    cut(line, MAX_CHARS)
}

/// Cuts to `max_chars` characters, marking the cut with `…`.
pub fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// One POSIX shell word: single quotes, each `'` inside written as `'\''`. A URL may
/// hold `'` and `$(…)` (the path percent-encodes neither), so nothing is left bare.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_survive() {
        let hostile = "ad\u{1b}]52;c;ZXZpbA==\u{7}min\r\nRevoked, verified";
        assert!(!printable(hostile)
            .chars()
            .any(|c| c.is_control() && c != '\n'));
        assert!(!one_line(hostile, 200).chars().any(char::is_control));
        assert!(!first_line(hostile).chars().any(char::is_control));
        assert_eq!(first_line("\n\n  headline \nrest"), "headline");
        // A right-to-left override would make text read otherwise than it is.
        assert_eq!(one_line("admin\u{202E}gnp\u{200B}", 50), "admin gnp");
    }

    #[test]
    fn cuts_on_characters_not_bytes() {
        assert_eq!(cut("ééé", 2), "éé…");
        assert_eq!(one_line(&"x".repeat(10), 4), "xxxx…");
        assert_eq!(cut("short", 10), "short");
    }
}
