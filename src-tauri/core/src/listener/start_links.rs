//! The one-time start links: the browser is opened at an unguessable address on the
//! listener that redirects to the authorize URL, so the `state` is not on the browser's
//! command line; a link asked for twice ends the sign-in. On Unix the link itself stays
//! off every command line too (on Linux): the browser is opened at a small page in a
//! folder only the user can read, which sends it on to the link.

use std::path::PathBuf;
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
    /// The launch pages written for the browser, by the path of the link each leads to:
    /// a page goes once its link is taken (the browser has read it), the rest when the
    /// sign-in ends.
    pub(super) pages: Mutex<Vec<(String, PathBuf)>>,
}

impl Drop for StartLinks {
    fn drop(&mut self) {
        self.remove_pages(|_| true);
    }
}

/// How often one sign-in may open the browser: a page that asks in a loop opens no more
/// tabs and writes no more launch pages than this.
const MAX_LINKS: usize = 16;

impl std::fmt::Debug for StartLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartLinks").finish_non_exhaustive()
    }
}

impl StartLinks {
    /// A new one-time link to the same authorize URL; the links given before stay as
    /// they are.
    pub fn fresh(&self) -> Result<Url> {
        if self
            .links
            .lock()
            .map_or(true, |links| links.len() >= MAX_LINKS)
        {
            return Err(Error::Config(format!(
                "The browser was opened {MAX_LINKS} times for this sign-in; cancel it and start again."
            )));
        }
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
        let (path, used) = links
            .iter_mut()
            .find(|(path, _)| callback::is_start_request(head, path))?;
        let first = !*used;
        *used = true;
        let taken = path.clone();
        drop(links);
        self.remove_pages(|link| *link == taken);
        Some(first.then_some(self.target.as_str()))
    }

    /// What to open the browser at for `link`: on Linux, a page in a folder private to
    /// the user (`$XDG_RUNTIME_DIR/authdesk`, else one in the temporary folder) that sends
    /// the browser on to the link, so the link is on no command line another local user
    /// can read in `/proc`; the link itself where the browser could not read that page
    /// (see [`browser_reads_local_pages`]), and on other systems.
    pub fn launch_target(&self, link: &Url) -> Result<String> {
        let Some(dir) = private_runtime_folder().filter(|_| browser_reads_local_pages()) else {
            return Ok(link.to_string());
        };
        let id = crate::secret::random_urlsafe(16).map_err(|e| Error::Internal {
            what: "name the sign-in's launch page",
            detail: e.to_string(),
        })?;
        let page = dir.join(format!("sign-in-{id}.html"));
        let html = super::page::launch(link.as_str());
        if let Err(e) = crate::files::write_atomically(&page, html.as_bytes()) {
            // A full or read-only runtime folder costs the page, not the sign-in.
            tracing::warn!(
                "could not write the browser's launch page ({e}); it gets the start link"
            );
            return Ok(link.to_string());
        }
        if let Ok(mut pages) = self.pages.lock() {
            pages.push((link.path().to_owned(), page.clone()));
        }
        // As a file:// address, which every opener and browser (and WebDriver) takes.
        Ok(Url::from_file_path(&page)
            .map(String::from)
            .unwrap_or_else(|()| page.to_string_lossy().into_owned()))
    }

    /// Removes the launch pages whose link `which` picks.
    fn remove_pages(&self, which: impl Fn(&String) -> bool) {
        if let Ok(mut pages) = self.pages.lock() {
            pages.retain(|(link, page)| {
                let gone = which(link);
                if gone {
                    let _ = std::fs::remove_file(page);
                }
                !gone
            });
        }
    }
}

/// A folder only this user can enter, for launch pages: made (0700) where missing, and
/// refused when it belongs to someone else or others may enter it.
#[cfg(target_os = "linux")]
fn private_runtime_folder() -> Option<PathBuf> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute() && dir.is_dir());
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    let dir = match runtime {
        Some(runtime) => runtime.join("authdesk"),
        None => std::env::temp_dir().join(format!("authdesk-{uid}")),
    };
    crate::files::private_folder(&dir).ok()?;
    let metadata = std::fs::symlink_metadata(&dir).ok()?;
    let private =
        metadata.is_dir() && metadata.uid() == uid && metadata.permissions().mode() & 0o077 == 0;
    if !private {
        tracing::warn!(
            "{} is not private to this user; the browser gets the start link directly",
            dir.display()
        );
        return None;
    }
    Some(dir)
}

#[cfg(not(target_os = "linux"))]
fn private_runtime_folder() -> Option<PathBuf> {
    None
}

/// Whether the browser that opens web addresses will also open the launch page and can
/// read it. Not when a Snap or Flatpak browser handles web addresses (confined, it cannot
/// read the user's runtime folder or `/tmp`), nor when local HTML files go to another
/// program than web addresses do (an editor): then the browser gets the start link.
/// Unknown (no `xdg-mime`, nothing set) counts as yes, as xdg-open itself decides then.
#[cfg(target_os = "linux")]
fn browser_reads_local_pages() -> bool {
    let handler = |kind: &str| {
        std::process::Command::new("xdg-mime")
            .args(["query", "default", kind])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .filter(|id| !id.is_empty() && !id.contains('/'))
    };
    let Some(web) = handler("x-scheme-handler/http") else {
        return true;
    };
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let confined = [
        PathBuf::from("/var/lib/snapd/desktop/applications"),
        PathBuf::from("/var/lib/flatpak/exports/share/applications"),
        home.join(".local/share/flatpak/exports/share/applications"),
    ]
    .iter()
    .any(|dir| dir.join(&web).exists());
    if confined {
        tracing::info!("{web} is a confined browser; it gets the start link itself");
        return false;
    }
    handler("text/html").is_none_or(|html| html == web)
}

#[cfg(not(target_os = "linux"))]
fn browser_reads_local_pages() -> bool {
    false
}
