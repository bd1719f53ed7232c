//! The small self-contained pages the browser sees: the launch page it is opened at, and
//! the answers to the start link and the redirect.

pub fn success() -> String {
    render(
        "Signed in",
        "AuthDesk received the authorization. You can close this tab and return to AuthDesk.",
        true,
    )
}

pub fn refused(error: &str, description: Option<&str>) -> String {
    let detail = match description {
        Some(text) => format!("The server answered {}: {}.", escape(error), escape(text)),
        None => format!("The server answered {}.", escape(error)),
    };
    render_raw(
        "Authorization refused",
        &format!("{detail} You can close this tab; AuthDesk shows what to do next."),
        false,
    )
}

/// The body of the start link's redirect, for a client that does not follow it.
pub fn continuing(target: &str) -> String {
    render_raw(
        "Continuing to the sign-in",
        &format!(
            "Continue to <a href=\"{}\">the server's sign-in page</a>.",
            escape(target)
        ),
        true,
    )
}

/// The launch page the browser is opened at (a file of the user's), sending it on to the
/// start link at once; the link is written only here, never on a command line.
pub fn launch(link: &str) -> String {
    let link = escape(link);
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <meta http-equiv=\"refresh\" content=\"0;url={link}\"><title>Signing in – AuthDesk</title></head>\
         <body><p>Opening the sign-in… If nothing happens, <a href=\"{link}\">continue to the sign-in</a>.</p></body></html>"
    )
}

pub fn ignored(reason: &str) -> String {
    render(
        "Not the AuthDesk callback",
        &format!("AuthDesk ignored this request: {reason}."),
        false,
    )
}

fn render(title: &str, message: &str, ok: bool) -> String {
    render_raw(title, &escape(message), ok)
}

fn render_raw(title: &str, message_html: &str, ok: bool) -> String {
    let color = if ok { "#1a7f37" } else { "#b42318" };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} – AuthDesk</title>\
         <style>body{{font:16px system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222;background:#fff}}\
         h1{{color:{color};font-size:1.4rem}}@media (prefers-color-scheme:dark){{body{{color:#eee;background:#111}}}}</style>\
         </head><body><h1>{title}</h1><p>{message_html}</p></body></html>",
        title = escape(title),
    )
}

/// The error text comes from the query string, which anyone can write.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn refusal_text_is_escaped() {
        let page = super::refused("access_denied", Some("<script>alert(1)</script>"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;"));
    }
}
