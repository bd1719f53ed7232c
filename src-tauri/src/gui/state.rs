//! What the window remembers while it runs: the sign-in under way, this session's
//! tokens, auto-refresh's schedule, and the settings.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use authdesk_core::{Engine, Secret, TokenSet};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::auto_refresh::AutoRefresh;
use super::clipboard::Clipboard;
use super::error::CommandError;
use super::settings::Settings;
use super::store_watch::StoreWatch;

pub struct AppState {
    pub engine: Engine,
    pub clipboard: Arc<Clipboard>,
    pub settings: Mutex<Settings>,
    pub sign_in: tokio::sync::Mutex<Option<PendingSignIn>>,
    pub auto_refresh: AutoRefresh,
    pub store_watch: StoreWatch,
    history: Mutex<Vec<HistoryEntry>>,
    /// The personal access token created last and its profile, for Reveal and Copy
    /// (the server shows it only once).
    personal_token: Mutex<Option<(String, Secret)>>,
    /// Each profile's last sign-in's steps, for the token card's and the error's Timeline.
    timelines: Mutex<std::collections::HashMap<String, authdesk_core::Timeline>>,
    next_id: AtomicU64,
    /// When the window process started, for the ready-for-input log line.
    pub started: Instant,
}

/// A sign-in waiting for its redirect in a background task.
pub struct PendingSignIn {
    pub attempt: u64,
    pub authorize_url: String,
    /// Fresh one-time links for opening the browser again (the state stays off command lines).
    pub start_links: Option<std::sync::Arc<authdesk_core::StartLinks>>,
    pub cancel: CancellationToken,
    pub outcome: Option<oneshot::Receiver<Result<TokenView, CommandError>>>,
}

/// Tokens as the web view sees them: everything but the tokens themselves, which it
/// fetches one at a time when the user asks to reveal.
#[derive(Debug, Clone, Serialize)]
pub struct TokenView {
    pub profile: String,
    pub token_type: String,
    pub scope: Option<String>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub user: Option<String>,
    pub has_refresh_token: bool,
    /// A short digest that tells tokens apart without showing them.
    pub fingerprint: String,
}

impl TokenView {
    pub fn new(profile: &str, tokens: &TokenSet) -> Self {
        TokenView {
            profile: profile.to_owned(),
            token_type: tokens.token_type.clone(),
            scope: tokens.scope.clone(),
            issued_at: tokens.issued_at,
            expires_at: tokens.expires_at,
            user: tokens.user.clone(),
            has_refresh_token: tokens.refresh_token.is_some(),
            fingerprint: tokens.fingerprint(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    Active,
    /// Traded for a new pair; the server no longer accepts it.
    Refreshed,
    /// A newer sign-in of the same profile took its place in the keyring.
    Replaced,
    Revoked,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub id: u64,
    pub profile: String,
    pub fingerprint: String,
    pub user: Option<String>,
    pub issued_at: DateTime<Utc>,
    pub state: TokenState,
}

impl AppState {
    pub fn new(engine: Engine, settings: Settings, started: Instant) -> Self {
        AppState {
            engine,
            clipboard: Arc::default(),
            settings: Mutex::new(settings),
            sign_in: tokio::sync::Mutex::new(None),
            auto_refresh: AutoRefresh::default(),
            store_watch: StoreWatch::default(),
            history: Mutex::new(Vec::new()),
            personal_token: Mutex::new(None),
            timelines: Mutex::default(),
            next_id: AtomicU64::new(1),
            started,
        }
    }

    /// Keeps a sign-in's timeline as the profile's last.
    pub fn keep_timeline(&self, profile: &str, timeline: authdesk_core::Timeline) {
        if let Ok(mut timelines) = self.timelines.lock() {
            timelines.insert(profile.to_owned(), timeline);
        }
    }

    /// The profile's last sign-in's steps, as lines (none before its first sign-in here).
    pub fn timeline_lines(&self, profile: &str) -> Vec<String> {
        self.timelines
            .lock()
            .ok()
            .and_then(|timelines| timelines.get(profile).map(authdesk_core::Timeline::lines))
            .unwrap_or_default()
    }

    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub fn clipboard_clear_secs(&self) -> u64 {
        self.settings
            .lock()
            .map(|s| s.clipboard_clear_secs)
            .unwrap_or(60)
    }

    pub fn auto_refresh_enabled(&self) -> bool {
        self.settings.lock().is_ok_and(|s| s.auto_refresh)
    }

    /// New tokens of a profile, got in this window: listed in the history (its earlier
    /// active entry becomes `previous`) and kept fresh by auto-refresh.
    pub fn new_tokens(&self, profile: &str, tokens: &TokenSet, previous: TokenState) -> TokenView {
        let view = TokenView::new(profile, tokens);
        self.record(&view, previous);
        self.auto_refresh.watch(profile, tokens);
        view
    }

    /// Records new tokens of a profile; its earlier active entry becomes `previous`. After
    /// a refresh, a copy of the earlier tokens still on the clipboard is taken off: the
    /// server refuses them now (AWX and the gateway rotate both tokens). A sign-in that
    /// kept the earlier tokens valid leaves their copy alone.
    pub fn record(&self, view: &TokenView, previous: TokenState) {
        if previous == TokenState::Refreshed {
            self.clipboard.forget_tokens_of(&view.profile);
        }
        let id = self.next_id();
        if let Ok(mut history) = self.history.lock() {
            for entry in history
                .iter_mut()
                .filter(|e| e.profile == view.profile && e.state == TokenState::Active)
            {
                entry.state = previous;
            }
            history.push(HistoryEntry {
                id,
                profile: view.profile.clone(),
                fingerprint: view.fingerprint.clone(),
                user: view.user.clone(),
                issued_at: view.issued_at,
                state: TokenState::Active,
            });
        }
    }

    pub fn keep_personal_token(&self, profile: &str, token: Secret) {
        if let Ok(mut kept) = self.personal_token.lock() {
            *kept = Some((profile.to_owned(), token));
        }
    }

    /// The kept token, if it was created for `profile`.
    pub fn personal_token(&self, profile: &str) -> Result<Secret, CommandError> {
        self.personal_token
            .lock()
            .ok()
            .and_then(|kept| kept.clone())
            .filter(|(owner, _)| owner == profile)
            .map(|(_, token)| token)
            .ok_or_else(|| {
                CommandError::config(
                    "No personal access token was created for this profile in this window.",
                )
            })
    }

    pub fn mark_revoked(&self, profile: &str) {
        self.auto_refresh.forget(profile);
        if let Ok(mut history) = self.history.lock() {
            for entry in history
                .iter_mut()
                .filter(|e| e.profile == profile && e.state == TokenState::Active)
            {
                entry.state = TokenState::Revoked;
            }
        }
    }

    pub fn history(&self) -> Vec<HistoryEntry> {
        self.history
            .lock()
            .map(|h| h.iter().rev().cloned().collect())
            .unwrap_or_default()
    }
}
