//! The accept loop: every connection to the listener served on its own task, at most
//! [`MAX_CONNECTIONS`] at once (the oldest still-sending one dropped to make room), each
//! request judged and answered, and the first callback of this attempt handed on.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::callback::{self, Verdict};
use super::page;
use super::start_links::StartLinks;
use super::wire::{read_request, respond, respond_with};

/// Open connections at once. When full, the oldest is dropped to make room, so local
/// processes holding idle connections can never lock the browser out.
pub(super) const MAX_CONNECTIONS: usize = 128;

pub(super) struct Shared {
    pub(super) callback_path: String,
    pub(super) expected_state: String,
    pub(super) start: Option<Arc<StartLinks>>,
    pub(super) open: Mutex<OpenConnections>,
}

/// The connections being served, oldest first, each with the token that drops it.
#[derive(Default)]
pub(super) struct OpenConnections {
    next_id: u64,
    queue: VecDeque<(u64, CancellationToken)>,
}

impl OpenConnections {
    /// Registers a new connection; drops the oldest one if the listener is full.
    fn admit(&mut self) -> (u64, CancellationToken) {
        if self.queue.len() >= MAX_CONNECTIONS {
            if let Some((_, oldest)) = self.queue.pop_front() {
                oldest.cancel();
            }
        }
        self.next_id += 1;
        let token = CancellationToken::new();
        self.queue.push_back((self.next_id, token.clone()));
        (self.next_id, token)
    }

    fn finished(&mut self, id: u64) {
        if let Some(at) = self.queue.iter().position(|(open, _)| *open == id) {
            self.queue.remove(at);
        }
    }
}

pub(super) async fn accept_loop(
    socket: TcpListener,
    shared: Arc<Shared>,
    outcomes: mpsc::Sender<Verdict>,
    stop: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            accepted = socket.accept() => accepted,
            () = stop.cancelled() => return,
        };
        let (mut stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors and the like: pause instead of spinning.
                tracing::debug!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok((id, dropped)) = shared.open.lock().map(|mut open| open.admit()) else {
            return;
        };
        let shared = Arc::clone(&shared);
        let outcomes = outcomes.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            // Only a connection still sending its request can be dropped to make room: one
            // that has been read is answered (bounded by the write timeout) and never lost.
            let head = tokio::select! {
                head = read_request(&mut stream) => head,
                () = dropped.cancelled() => {
                    tracing::debug!(%peer, "too many open connections; dropped the oldest");
                    None
                }
                () = stop.cancelled() => None,
            };
            if let Ok(mut open) = shared.open.lock() {
                open.finished(id);
            }
            if let Some(head) = head {
                answer(stream, head, &shared, &outcomes).await;
            }
        });
    }
}

/// Judges a request, answers it, and hands a callback of this attempt to the waiter.
async fn answer(
    mut stream: TcpStream,
    head: Vec<u8>,
    shared: &Shared,
    outcomes: &mpsc::Sender<Verdict>,
) {
    if let Some(start) = &shared.start {
        if let Some(target) = start.take(&head) {
            match target {
                Some(target) => {
                    let location = format!("Location: {target}\r\n");
                    respond_with(&mut stream, 302, &location, &page::continuing(target)).await;
                }
                None => {
                    let reason = "this sign-in link was used already, so AuthDesk stopped the sign-in; start it again in AuthDesk";
                    respond(&mut stream, 410, &page::ignored(reason)).await;
                    // Whoever asked first has seen the state: end the wait, accept no callback.
                    let _ = outcomes.try_send(Verdict::StartLinkReused);
                }
            }
            return;
        }
    }
    let verdict = callback::classify_request(&head, &shared.callback_path, &shared.expected_state);
    let (status, body) = match &verdict {
        Verdict::Code(_) => (200, page::success()),
        Verdict::Refused { error, description } => {
            (200, page::refused(error, description.as_deref()))
        }
        Verdict::Ignore { status, reason } => {
            tracing::debug!(status, reason, "ignored a request to the redirect listener");
            (*status, page::ignored(reason))
        }
        // Only the start link's own answer gives this verdict.
        Verdict::StartLinkReused => return,
    };
    // Answer first: the waiter may end the program as soon as it has the verdict, and
    // the browser must still get its page.
    respond(&mut stream, status, &body).await;
    if !matches!(verdict, Verdict::Ignore { .. }) {
        // Only the first callback is taken; later ones find the channel full or closed.
        let _ = outcomes.try_send(verdict);
    }
}
