//! Auto-refresh, a setting (off by default): while the window is open, each profile's
//! tokens are refreshed shortly before the access token expires (the core's margin, as
//! `authdesk token` uses), through the engine's reuse path, so a refresh another process
//! made meanwhile is taken as it is. The page learns of each outcome through
//! `next_token_news`, a command that waits for the next one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use authdesk_core::{Error, Reuse, SignInReason, TokenSet, TokenSource};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tauri::{AppHandle, Manager};
use tokio::sync::{mpsc, Notify};

use super::error::CommandError;
use super::state::{AppState, TokenState, TokenView};

/// How soon a refresh that failed for a passing reason (network, busy) is tried again,
/// and the least time between two refreshes of a profile (a server issuing tokens that
/// expire at once must not make this a loop).
const RETRY_AFTER: Duration = Duration::from_secs(30);

/// Which profiles to refresh when, and the news for the page.
pub struct AutoRefresh {
    due: Mutex<HashMap<String, DateTime<Utc>>>,
    wake: Notify,
    news_tx: mpsc::UnboundedSender<TokenNews>,
    news_rx: tokio::sync::Mutex<mpsc::UnboundedReceiver<TokenNews>>,
}

/// One auto-refresh's outcome, for the page.
#[derive(Debug, Serialize)]
pub struct TokenNews {
    pub profile: String,
    /// The new tokens (refreshed here, or by another process).
    pub view: Option<TokenView>,
    pub source: Option<TokenSource>,
    pub error: Option<CommandError>,
    /// A copy of the replaced pair was taken off the clipboard.
    pub clipboard_cleared: bool,
}

impl Default for AutoRefresh {
    fn default() -> Self {
        let (news_tx, news_rx) = mpsc::unbounded_channel();
        AutoRefresh {
            due: Mutex::default(),
            wake: Notify::new(),
            news_tx,
            news_rx: tokio::sync::Mutex::new(news_rx),
        }
    }
}

impl AutoRefresh {
    /// Keeps `tokens` fresh from now on: due at their renewal time, if they can be refreshed.
    pub fn watch(&self, profile: &str, tokens: &TokenSet) {
        self.watch_from(profile, tokens, None);
    }

    /// As [`watch`](Self::watch), but not before `earliest`.
    fn watch_from(&self, profile: &str, tokens: &TokenSet, earliest: Option<DateTime<Utc>>) {
        match (tokens.refresh_token.is_some(), tokens.renew_at()) {
            (true, Some(at)) => self.schedule(profile, earliest.map_or(at, |e| at.max(e))),
            _ => self.forget(profile),
        }
    }

    pub fn forget(&self, profile: &str) {
        if let Ok(mut due) = self.due.lock() {
            due.remove(profile);
        }
        self.wake.notify_one();
    }

    /// Wakes the loop, e.g. when the setting changed.
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    fn schedule(&self, profile: &str, at: DateTime<Utc>) {
        if let Ok(mut due) = self.due.lock() {
            due.insert(profile.to_owned(), at);
        }
        self.wake.notify_one();
    }

    fn earliest(&self) -> Option<(String, DateTime<Utc>)> {
        let due = self.due.lock().ok()?;
        due.iter()
            .min_by_key(|(_, at)| **at)
            .map(|(name, at)| (name.clone(), *at))
    }

    /// Waits for the next outcome; the page asks again after each.
    pub async fn next_news(&self) -> TokenNews {
        let mut news = self.news_rx.lock().await;
        match news.recv().await {
            Some(news) => news,
            // The sender lives as long as this struct: unreachable, but never a panic.
            None => std::future::pending().await,
        }
    }

    fn tell(&self, news: TokenNews) {
        let _ = self.news_tx.send(news);
    }
}

/// Runs the refreshes for the life of the window.
pub fn start(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let mut scanned = false;
        loop {
            if !state.auto_refresh_enabled() {
                state.auto_refresh.wake.notified().await;
                continue;
            }
            if !scanned {
                scan_stored_tokens(&state).await;
                scanned = true;
            }
            match state.auto_refresh.earliest() {
                None => state.auto_refresh.wake.notified().await,
                Some((profile, at)) => {
                    let wait = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
                    tokio::select! {
                        () = tokio::time::sleep(wait) => refresh_one(&state, &profile).await,
                        () = state.auto_refresh.wake.notified() => {}
                    }
                }
            }
        }
    });
}

/// Once, when the setting is on: every profile's stored tokens, so the ones not opened
/// in this window are kept fresh too.
async fn scan_stored_tokens(state: &AppState) {
    let Ok(profiles) = state.engine.profiles().list() else {
        return;
    };
    for profile in profiles {
        if let Ok(Some(tokens)) = state.engine.current_tokens(&profile.name).await {
            state.auto_refresh.watch(&profile.name, &tokens);
        }
    }
}

async fn refresh_one(state: &AppState, profile: &str) {
    let auto = &state.auto_refresh;
    auto.forget(profile);
    let news = |view, source, error| TokenNews {
        profile: profile.to_owned(),
        view,
        source,
        error,
        clipboard_cleared: false,
    };
    match state.engine.reuse_tokens(profile, false).await {
        Ok(Reuse::Ready(tokens, source)) => {
            let view = TokenView::new(profile, &tokens);
            let mut clipboard_cleared = false;
            if source == TokenSource::Refreshed {
                clipboard_cleared = state.clipboard.forget_tokens_of(profile);
                state.record(&view, TokenState::Refreshed);
            }
            let earliest = chrono::Duration::from_std(RETRY_AFTER)
                .ok()
                .map(|pause| Utc::now() + pause);
            auto.watch_from(profile, &tokens, earliest);
            tracing::info!(profile, source = source.as_str(), "auto-refresh");
            auto.tell(TokenNews {
                clipboard_cleared,
                ..news(Some(view), Some(source), None)
            });
        }
        Ok(Reuse::SignInNeeded(reason)) => {
            let why = reason.describe();
            let mut error = match reason {
                SignInReason::RefreshRefused(refusal) => CommandError::from(refusal),
                _ => CommandError::config(""),
            };
            error.message = format!("Could not refresh the tokens of “{profile}”: {why}.");
            error.hint = Some("Press Get token to sign in again.".into());
            auto.tell(news(None, None, Some(error)));
        }
        Err(Error::ProfileNotFound(_)) => {}
        Err(error) => {
            // A passing failure (network, a busy keyring): again soon, while the token lasts.
            let still_valid = state
                .engine
                .current_tokens(profile)
                .await
                .ok()
                .flatten()
                .is_some_and(|t| !t.is_expired(Utc::now()));
            if still_valid {
                if let Ok(retry) = chrono::Duration::from_std(RETRY_AFTER) {
                    auto.schedule(profile, Utc::now() + retry);
                }
            }
            let mut error = CommandError::from(error);
            error.message = format!(
                "Could not refresh the tokens of “{profile}” automatically: {}",
                error.message
            );
            auto.tell(news(None, None, Some(error)));
        }
    }
}
