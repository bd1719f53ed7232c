//! Other AuthDesk processes change the profiles and tokens under an open window
//! (`authdesk profile add`, `authdesk token` renewing a pair). The secret stores send no
//! news, so once a second the window compares the profile store's change stamp (the
//! profile file's size and time, and the token change stamp the core writes on every
//! token store): two `stat`s and a few bytes read. Polling rather than a file watch: it
//! works the same on network homes and WSL's `/mnt`, where inotify sees nothing. The
//! page learns of a change through `next_store_change`, a command that waits for one.

use std::time::Duration;

use tauri::{AppHandle, Manager};
use tokio::sync::watch;

use super::state::AppState;

/// How often the store is looked at: "within a few seconds", at no measurable cost.
const EVERY: Duration = Duration::from_secs(1);

/// A counter that goes up on every change seen.
pub struct StoreWatch {
    changes: watch::Sender<u64>,
}

impl Default for StoreWatch {
    fn default() -> Self {
        StoreWatch {
            changes: watch::Sender::new(0),
        }
    }
}

impl StoreWatch {
    /// Waits until the counter is other than `seen` (the page's last), and returns it.
    pub async fn next_change(&self, seen: u64) -> u64 {
        let mut changes = self.changes.subscribe();
        let now = changes.wait_for(|now| *now != seen).await.map(|now| *now);
        match now {
            Ok(now) => now,
            // The sender lives as long as the window: unreachable, but never a panic.
            Err(_) => std::future::pending().await,
        }
    }
}

/// Looks at the store for the life of the window.
pub fn start(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let mut last = state.engine.profiles().change_stamp();
        let mut ticks = tokio::time::interval(EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let now = state.engine.profiles().change_stamp();
            if now != last {
                last = now;
                tracing::debug!("the profiles or stored tokens changed");
                state.store_watch.changes.send_modify(|count| *count += 1);
            }
        }
    });
}
