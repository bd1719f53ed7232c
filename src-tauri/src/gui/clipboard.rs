//! Copying with hygiene. Secrets are marked for clipboard managers to keep out of their
//! history (`x-kde-passwordManagerHint` on Linux, the concealed types on macOS and
//! Windows), cleared after a delay and when the window closes, but only while the
//! clipboard still holds what AuthDesk put there (the user may have copied something
//! else since). `arboard` directly, the library under Tauri's clipboard plugin: only it
//! can mark a copy as excluded from history.

use std::sync::Mutex;
use std::time::Duration;

use arboard::Clipboard as Board;
use sha2::{Digest, Sha256};

use super::error::CommandError;

/// The system clipboard, opened on first use (not at start: it costs a display
/// connection), and the last secret copy waiting to be cleared: its number (each copy
/// gets the next) and digest, never the secret.
#[derive(Default)]
pub struct Clipboard {
    board: Mutex<Option<Board>>,
    waiting: Mutex<Option<(u64, [u8; 32])>>,
    copies: std::sync::atomic::AtomicU64,
    /// The last copy of a profile's stored tokens (a token, a header, `.env` lines): the
    /// profile and the copy's digest, so a refresh or revoke that kills those tokens can
    /// take the dead copy off the clipboard too.
    tokens_of: Mutex<Option<(String, [u8; 32])>>,
}

impl Clipboard {
    /// Puts `text` on the clipboard; a `secret` is kept out of clipboard history and,
    /// unless `clear_after_secs` is 0 (the user's "never"), cleared after that many
    /// seconds or when the window closes, whichever comes first.
    pub fn copy(
        self: &std::sync::Arc<Self>,
        text: &str,
        secret: bool,
        clear_after_secs: u64,
    ) -> Result<(), CommandError> {
        let written = self.with_board(|board| {
            let set = board.set();
            let set = if secret {
                exclude_from_history(set)
            } else {
                set
            };
            set.text(text)
        });
        written
            .map_err(|e| CommandError::config(format!("Could not write to the clipboard: {e}.")))?;
        let copy = self
            .copies
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let clear = secret && clear_after_secs > 0;
        if let Ok(mut waiting) = self.waiting.lock() {
            *waiting = clear.then(|| (copy, Sha256::digest(text.as_bytes()).into()));
        }
        if clear {
            let clipboard = std::sync::Arc::clone(self);
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(Duration::from_secs(clear_after_secs)).await;
                // A later copy has its own timer: this one leaves it alone.
                clipboard.clear_waiting(Some(copy), "after its delay");
            });
        }
        Ok(())
    }

    /// [`Clipboard::copy`] of a text made from `profile`'s stored tokens.
    pub fn copy_tokens_of(
        self: &std::sync::Arc<Self>,
        profile: &str,
        text: &str,
        clear_after_secs: u64,
    ) -> Result<(), CommandError> {
        self.copy(text, true, clear_after_secs)?;
        if let Ok(mut tokens_of) = self.tokens_of.lock() {
            *tokens_of = Some((profile.to_owned(), Sha256::digest(text.as_bytes()).into()));
        }
        Ok(())
    }

    /// `profile`'s tokens were replaced or revoked: a copy of them still on the clipboard
    /// is one the server refuses now, and it goes (a copy of anything else stays).
    /// Whether the clipboard was cleared, so the page can say "copy the new one".
    pub fn forget_tokens_of(&self, profile: &str) -> bool {
        let Some((owner, copied)) = self.tokens_of.lock().ok().and_then(|t| t.clone()) else {
            return false;
        };
        if owner != profile {
            return false;
        }
        let mut cleared = false;
        let now = self.with_board(|board| board.get_text());
        if now.is_ok_and(|now| <[u8; 32]>::from(Sha256::digest(now.as_bytes())) == copied) {
            match self.with_board(|board| board.clear()) {
                Ok(()) => {
                    tracing::debug!("cleared a copy of tokens that were replaced");
                    cleared = true;
                }
                Err(e) => tracing::warn!("could not clear the clipboard: {e}"),
            }
        }
        if let Ok(mut tokens_of) = self.tokens_of.lock() {
            *tokens_of = None;
        }
        cleared
    }

    /// Clears the clipboard if it still holds the secret copy waiting to be cleared;
    /// `when` says why, for the log.
    pub fn clear_if_still_ours(&self, when: &str) {
        self.clear_waiting(None, when);
    }

    /// As [`Clipboard::clear_if_still_ours`], for copy number `only` if given.
    fn clear_waiting(&self, only: Option<u64>, when: &str) {
        let Some((copy, copied)) = self.waiting.lock().ok().and_then(|w| *w) else {
            return;
        };
        if only.is_some_and(|only| only != copy) {
            return;
        }
        let now = self.with_board(|board| board.get_text());
        if now.is_ok_and(|now| <[u8; 32]>::from(Sha256::digest(now.as_bytes())) == copied) {
            match self.with_board(|board| board.clear()) {
                Ok(()) => tracing::debug!("cleared the copied secret from the clipboard {when}"),
                Err(e) => tracing::warn!("could not clear the clipboard: {e}"),
            }
        }
        if let Ok(mut waiting) = self.waiting.lock() {
            if waiting.is_some_and(|(now, _)| now == copy) {
                *waiting = None;
            }
        }
    }

    fn with_board<T>(
        &self,
        call: impl FnOnce(&mut Board) -> Result<T, arboard::Error>,
    ) -> Result<T, arboard::Error> {
        let mut board = self.board.lock().map_err(|_| arboard::Error::Unknown {
            description: "the clipboard lock was poisoned".into(),
        })?;
        if board.is_none() {
            *board = Some(Board::new()?);
        }
        match board.as_mut() {
            Some(board) => call(board),
            None => Err(arboard::Error::ClipboardNotSupported),
        }
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    #[cfg(target_os = "macos")]
    use arboard::SetExtApple;
    #[cfg(target_os = "linux")]
    use arboard::SetExtLinux;
    #[cfg(target_os = "windows")]
    use arboard::SetExtWindows;
    set.exclude_from_history()
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    set
}
