//! The one-time start links: the browser is opened at an unguessable address on the
//! listener that redirects to the authorize URL, so the `state` is not on the browser's
//! command line; a link asked for twice ends the sign-in.

use std::sync::Mutex;

use url::Url;

use super::callback;
use crate::error::{Error, Result};

/// One-time addresses on the listener that redirect to the authorize URL: the browser
/// is opened there, so the state never appears on a command line (`xdg-open URL` and
/// the browser's own arguments are readable by every local user in `/proc`). Opening
/// the browser again takes a fresh one ([`StartLinks::fresh`]).
pub struct StartLinks {
    /// The listener's own address; each link is a path on it.
    pub(super) base: Url,
    pub(super) target: String,
    /// Each link's path, and whether it was used: the first request takes it, a later
    /// one is told it was used (and the sign-in ends: someone else saw the state).
    pub(super) links: Mutex<Vec<(String, bool)>>,
}

impl std::fmt::Debug for StartLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartLinks").finish_non_exhaustive()
    }
}

impl StartLinks {
    /// A new one-time link to the same authorize URL; the links given before stay as
    /// they are.
    pub fn fresh(&self) -> Result<Url> {
        let id = crate::secret::random_urlsafe(32).map_err(|e| Error::Internal {
            what: "draw a random start link",
            detail: e.to_string(),
        })?;
        let path = format!("/start/{id}");
        let mut link = self.base.clone();
        link.set_path(&path);
        if let Ok(mut links) = self.links.lock() {
            links.push((path, false));
        }
        Ok(link)
    }

    /// For a request of one of the links: the authorize URL the first time, `None` after.
    pub(super) fn take(&self, head: &[u8]) -> Option<Option<&str>> {
        let mut links = self.links.lock().ok()?;
        let (_, used) = links
            .iter_mut()
            .find(|(path, _)| callback::is_start_request(head, path))?;
        let first = !*used;
        *used = true;
        Some(first.then_some(self.target.as_str()))
    }
}
