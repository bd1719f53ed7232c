//! Token commands: the browser sign-in (start, wait, cancel), the token view (reveal,
//! copy), refresh, auto-refresh news, revoke and this session's history.

use authdesk_core::{
    open_start_link, Error, RevokeReport, Secret, SignInOptions, TokenSource, TokenText,
    DEFAULT_TIMEOUT,
};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use tokio_util::sync::CancellationToken;

use crate::gui::auto_refresh::TokenNews;
use crate::gui::error::CommandError;
use crate::gui::state::{AppState, PendingSignIn, TokenState, TokenView};

#[derive(Serialize)]
pub struct SignInStarted {
    attempt: u64,
    authorize_url: String,
    redirect_uri: String,
    timeout_secs: u64,
    /// Why the browser did not open, if it did not.
    browser_error: Option<String>,
}

/// This sign-in's own options, as the page sends them (*Sign in as another user…*,
/// *Options for this sign-in*).
#[derive(Deserialize, Default)]
pub struct SignInOptionsInput {
    #[serde(default)]
    switch_user: bool,
    #[serde(default)]
    scope: Option<String>,
    /// `KEY=VALUE` lines.
    #[serde(default)]
    params: Vec<String>,
}

impl SignInOptionsInput {
    fn parse(self) -> Result<SignInOptions, CommandError> {
        let scope = match self.scope.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(text.parse()?),
        };
        let params = self
            .params
            .iter()
            .map(|line| line.trim())
            .filter(|line| !line.is_empty())
            .map(SignInOptions::parse_param)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SignInOptions {
            switch_user: self.switch_user,
            scope,
            params,
        })
    }
}

/// Starts a sign-in. The engine replaces a sign-in of the same profile under way (and
/// frees its port); one of another profile is cancelled here, as the window shows one.
#[tauri::command]
pub async fn begin_sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    options: Option<SignInOptionsInput>,
) -> Result<SignInStarted, CommandError> {
    let options = options.unwrap_or_default().parse()?;
    let sign_in = state.engine.begin_sign_in_with(&name, &options).await?;
    state.keep_timeline(&name, sign_in.timeline());
    if !sign_in.catches_redirect() {
        return Err(Error::RedirectNotOnLoopback(sign_in.redirect_uri().to_string()).into());
    }
    let browser_error = sign_in
        .open_browser()
        .err()
        .map(|e| format!("The browser did not open ({e}); open the URL yourself."));
    let attempt = state.next_id();
    let start_links = sign_in.start_links();
    let started = SignInStarted {
        attempt,
        // What a person would open by hand (for a switch of user, the logout page first).
        authorize_url: sign_in.entry_url().to_string(),
        redirect_uri: sign_in.redirect_uri().to_string(),
        timeout_secs: DEFAULT_TIMEOUT.as_secs(),
        browser_error,
    };
    let cancel = CancellationToken::new();
    let (outcome_tx, outcome_rx) = tokio::sync::oneshot::channel();
    {
        let cancel = cancel.clone();
        let profile = name;
        tauri::async_runtime::spawn(async move {
            let outcome = match sign_in.wait(DEFAULT_TIMEOUT, cancel).await {
                Ok(tokens) => {
                    Ok(app
                        .state::<AppState>()
                        .new_tokens(&profile, &tokens, TokenState::Replaced))
                }
                Err(e) => Err(CommandError::from(e)),
            };
            let _ = outcome_tx.send(outcome);
        });
    }
    let replaced = state.sign_in.lock().await.replace(PendingSignIn {
        attempt,
        authorize_url: started.authorize_url.clone(),
        start_links,
        cancel,
        outcome: Some(outcome_rx),
    });
    if let Some(older) = replaced {
        older.cancel.cancel();
    }
    Ok(started)
}

/// Waits for the outcome of a sign-in started with `begin_sign_in`.
#[tauri::command]
pub async fn wait_sign_in(
    state: State<'_, AppState>,
    attempt: u64,
) -> Result<TokenView, CommandError> {
    let outcome = {
        let mut pending = state.sign_in.lock().await;
        match pending.as_mut() {
            Some(p) if p.attempt == attempt => p.outcome.take(),
            _ => None,
        }
    };
    let outcome = outcome.ok_or_else(|| CommandError::from(Error::Cancelled))?;
    outcome
        .await
        .unwrap_or_else(|_| Err(CommandError::from(Error::Cancelled)))
}

#[tauri::command]
pub async fn cancel_sign_in(state: State<'_, AppState>) -> Result<(), CommandError> {
    if let Some(pending) = state.sign_in.lock().await.as_ref() {
        pending.cancel.cancel();
    }
    Ok(())
}

/// Opens the sign-in under way in the browser again (the first window was closed, or went
/// to the wrong browser), at a fresh one-time start link on the listener: the authorize
/// URL's state never reaches a command line.
#[tauri::command]
pub async fn reopen_browser(state: State<'_, AppState>) -> Result<String, CommandError> {
    let links = {
        let pending = state.sign_in.lock().await;
        pending.as_ref().map(|p| p.start_links.clone())
    };
    let links = links
        .ok_or_else(|| CommandError::config("No sign-in is under way."))?
        .ok_or_else(|| {
            CommandError::config("This sign-in has no link to open again; copy the link instead.")
        })?;
    let link = links.fresh()?;
    open_start_link(&links, &link).map_err(|e| {
        CommandError::config(format!(
            "The browser did not open ({e}); copy the link and open it yourself."
        ))
    })?;
    Ok("Opened the sign-in page in the browser again.".to_owned())
}

#[tauri::command]
pub async fn current_tokens(
    state: State<'_, AppState>,
    name: String,
) -> Result<Option<TokenView>, CommandError> {
    match state.engine.current_tokens(&name).await {
        Ok(Some(tokens)) => {
            state.auto_refresh.watch(&name, &tokens);
            Ok(Some(TokenView::new(&name, &tokens)))
        }
        Ok(None) => Ok(None),
        // Never used, never shown: the profile simply has no tokens for its server yet.
        Err(Error::TokensFromElsewhere(_)) => {
            tracing::warn!(profile = %name, "ignoring tokens issued for another server or application");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum Which {
    Access,
    Refresh,
}

/// The token itself, because the user pressed reveal.
#[tauri::command]
pub async fn reveal_token(
    state: State<'_, AppState>,
    name: String,
    which: Which,
) -> Result<String, CommandError> {
    let what = match which {
        Which::Access => TokenText::AccessToken,
        Which::Refresh => TokenText::RefreshToken,
    };
    Ok(state
        .engine
        .token_text(&name, what)
        .await?
        .expose()
        .to_owned())
}

/// What a Copy button copies.
#[derive(Deserialize, Clone, Copy)]
#[serde(untagged)]
pub enum CopyWhat {
    /// A stored token, in one of the texts other tools take (the core builds them).
    Token(TokenText),
    Other(OtherCopy),
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum OtherCopy {
    /// The profile's registered redirect URI.
    RedirectUri,
    /// The authorize URL of the sign-in under way.
    AuthorizeUrl,
    /// The personal access token created last.
    PersonalToken,
}

/// What a Copy did: its note, and for a stored token the fingerprint of the pair it was
/// copied from (the page redraws when that is not the pair it shows).
#[derive(Serialize)]
pub struct Copied {
    message: String,
    fingerprint: Option<String>,
}

/// Copies in Rust, so the web view needs no clipboard permission and tokens it never
/// revealed never pass through it.
#[tauri::command]
pub async fn copy_token(
    state: State<'_, AppState>,
    name: String,
    what: CopyWhat,
) -> Result<Copied, CommandError> {
    let engine = &state.engine;
    let (text, secret) = match what {
        CopyWhat::Token(what) => {
            // After any refresh under way: a copy of a pair about to be rotated is worthless.
            let (text, fingerprint) = engine.token_text_settled(&name, what).await?;
            let clear_after = state.clipboard_clear_secs();
            // Remembered as this profile's tokens: a refresh or revoke takes the copy back.
            state
                .clipboard
                .copy_tokens_of(&name, text.expose(), clear_after)?;
            return Ok(Copied {
                message: copied_message(clear_after),
                fingerprint: Some(fingerprint),
            });
        }
        CopyWhat::Other(OtherCopy::PersonalToken) => (state.personal_token(&name)?, true),
        CopyWhat::Other(OtherCopy::RedirectUri) => {
            let profile = engine.profiles().get(&name)?;
            (Secret::new(profile.require_redirect_uri()?.as_str()), false)
        }
        CopyWhat::Other(OtherCopy::AuthorizeUrl) => {
            let pending = state.sign_in.lock().await;
            let url = pending.as_ref().map(|p| p.authorize_url.clone());
            // It carries the sign-in's state: copied like a token.
            (
                Secret::new(url.ok_or_else(|| CommandError::config("No sign-in is under way."))?),
                true,
            )
        }
    };
    let clear_after = if secret {
        state.clipboard_clear_secs()
    } else {
        0
    };
    state.clipboard.copy(text.expose(), secret, clear_after)?;
    Ok(Copied {
        message: copied_message(clear_after),
        fingerprint: None,
    })
}

/// What a Copy button's note says.
fn copied_message(clear_after: u64) -> String {
    match clear_after {
        0 => "Copied.".to_owned(),
        secs => format!("Copied; the clipboard will be cleared in {secs} s if it still holds it."),
    }
}

/// Copies a text the page shows (an error's details): nothing secret, so never cleared.
#[tauri::command]
pub fn copy_text(state: State<'_, AppState>, text: String) -> Result<String, CommandError> {
    // The details view is a few kilobytes at most; anything larger is not it.
    if text.len() > 64 * 1024 {
        return Err(CommandError::config("That text is too long to copy."));
    }
    state.clipboard.copy(&text, false, 0)?;
    Ok("Copied.".to_owned())
}

/// What Refresh did.
#[derive(Serialize)]
pub struct Refreshed {
    view: TokenView,
    /// Another program had renewed the pair shown; its pair is shown, not rotated again.
    by_another_program: bool,
    /// A copy of the old pair was taken off the clipboard: the server refuses it now.
    clipboard_cleared: bool,
}

/// Refreshes the pair the page shows (`shown`, its fingerprint): when another program
/// renewed it meanwhile, that program's pair is shown instead of being rotated again
/// (AWX and the gateway would then refuse the token it handed out).
#[tauri::command]
pub async fn refresh_tokens(
    state: State<'_, AppState>,
    name: String,
    shown: String,
) -> Result<Refreshed, CommandError> {
    let (tokens, source) = state.engine.refresh_shown(&name, &shown).await?;
    // Either way the pair shown was traded for another: its copy is worthless.
    let clipboard_cleared = state.clipboard.forget_tokens_of(&name);
    Ok(Refreshed {
        view: state.new_tokens(&name, &tokens, TokenState::Refreshed),
        by_another_program: source == TokenSource::Stored,
        clipboard_cleared,
    })
}

/// Waits for the next auto-refresh outcome (the page asks again after each).
#[tauri::command]
pub async fn next_token_news(state: State<'_, AppState>) -> Result<TokenNews, CommandError> {
    Ok(state.auto_refresh.next_news().await)
}

/// What Revoke did.
#[derive(Serialize)]
pub struct Revoked {
    #[serde(flatten)]
    report: RevokeReport,
    /// A copy of the revoked pair was taken off the clipboard.
    clipboard_cleared: bool,
}

/// Revokes the pair the page shows (`shown`, its fingerprint); refused when another
/// program stored a different pair since, which the person never saw.
#[tauri::command]
pub async fn revoke_tokens(
    state: State<'_, AppState>,
    name: String,
    shown: String,
) -> Result<Revoked, CommandError> {
    let report = state.engine.revoke_shown(&name, &shown).await?;
    let mut clipboard_cleared = false;
    if report.verified {
        state.mark_revoked(&name);
        // The revoked tokens' copy is one the server refuses now.
        clipboard_cleared = state.clipboard.forget_tokens_of(&name);
    }
    Ok(Revoked {
        report,
        clipboard_cleared,
    })
}

/// Waits until another process (or this one) changed the profiles or stored tokens
/// since the page's last count `seen`; returns the new count.
#[tauri::command]
pub async fn next_store_change(state: State<'_, AppState>, seen: u64) -> Result<u64, CommandError> {
    Ok(state.store_watch.next_change(seen).await)
}

#[tauri::command]
pub fn session_history(state: State<'_, AppState>) -> Vec<crate::gui::state::HistoryEntry> {
    state.history()
}

/// What the picker says beside a profile: whether tokens are stored for it, and whether
/// the access token is still good. Never a token.
#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum TokenMark {
    Valid,
    Expired,
    NoToken,
}

/// The most profiles marked in one call: a long list is marked as far as it is seen,
/// without a secret store read for every profile on the machine.
const MARKS_AT_ONCE: usize = 100;

/// The token mark of each named profile (the first [`MARKS_AT_ONCE`]), asked after the
/// picker is drawn. A store that cannot be read (a locked secret file, say) marks nothing.
#[tauri::command]
pub async fn token_marks(
    state: State<'_, AppState>,
    names: Vec<String>,
) -> Result<Vec<TokenMark>, CommandError> {
    let now = chrono::Utc::now();
    let mut marks = Vec::with_capacity(names.len().min(MARKS_AT_ONCE));
    for name in names.iter().take(MARKS_AT_ONCE) {
        marks.push(match state.engine.current_tokens(name).await {
            Ok(Some(tokens)) if tokens.is_expired(now) => TokenMark::Expired,
            Ok(Some(_)) => TokenMark::Valid,
            Ok(None) | Err(_) => TokenMark::NoToken,
        });
    }
    Ok(marks)
}

/// The profile's last sign-in in this window, step by step, redacted (the state's first 6
/// characters, the code and tokens masked, the secret never): the Timeline disclosure.
#[tauri::command]
pub fn sign_in_timeline(state: State<'_, AppState>, name: String) -> Vec<String> {
    state.timeline_lines(&name)
}
