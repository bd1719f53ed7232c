//! The loopback listener that catches the browser's redirect: it listens where the
//! registered redirect URI points (`redirect`), on loopback only, and hands back the
//! first callback that carries this attempt's `state` (`accept`, `callback`). It also
//! serves the one-time start link the browser is opened at (`start_links`). Everything
//! else gets a 4xx page (`page`, over `wire`) and the wait goes on.

mod accept;
mod callback;
mod page;
mod redirect;
mod start_links;
#[cfg(test)]
mod tests;
mod wire;

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use url::Url;

use accept::{accept_loop, OpenConnections, Shared};
pub use callback::{classify_query, classify_request, Verdict};
pub use redirect::{redirect_kind, RedirectKind};
pub use start_links::StartLinks;

use crate::error::{Error, Result};

/// A bound listener, ready before the browser is opened so no redirect is missed.
pub struct LoopbackListener {
    sockets: Vec<TcpListener>,
    redirect_uri: Url,
    start: Option<Arc<StartLinks>>,
}

impl std::fmt::Debug for LoopbackListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopbackListener")
            .field("redirect_uri", &self.redirect_uri.as_str())
            .finish()
    }
}

impl LoopbackListener {
    /// Binds where `registered` points. Returns `None` when it is not a loopback URI.
    pub async fn bind(registered: &Url) -> Result<Option<Self>> {
        let RedirectKind::Loopback { addresses, port } = redirect_kind(registered) else {
            return Ok(None);
        };
        let mut sockets = Vec::with_capacity(addresses.len());
        let mut port = port.unwrap_or(0);
        for (index, ip) in addresses.iter().enumerate() {
            match TcpListener::bind(SocketAddr::new(*ip, port)).await {
                Ok(socket) => {
                    if port == 0 {
                        port = socket
                            .local_addr()
                            .map_err(|source| listen_error(*ip, port, source))?
                            .port();
                    }
                    sockets.push(socket);
                }
                // `localhost` binds both families; a machine without IPv6 still works on IPv4.
                Err(e) if index > 0 && e.kind() == std::io::ErrorKind::AddrNotAvailable => {
                    tracing::debug!(%ip, "skipping an address family this machine lacks: {e}");
                }
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                    return Err(Error::PortInUse {
                        host: ip.to_string(),
                        port,
                    });
                }
                Err(source) => return Err(listen_error(*ip, port, source)),
            }
        }
        let mut redirect_uri = registered.clone();
        // A port-less registered URI: send the exact port we got, which the server accepts.
        if registered.port().is_none() && redirect_uri.set_port(Some(port)).is_err() {
            return Err(Error::Config(format!(
                "Cannot add a port to the redirect URI {registered}."
            )));
        }
        tracing::debug!(
            redirect_uri = redirect_uri.as_str(),
            "listening for the redirect"
        );
        Ok(Some(LoopbackListener {
            sockets,
            redirect_uri,
            start: None,
        }))
    }

    /// Serves `authorize_url` once, as a redirect from a fresh unguessable address on
    /// this listener, and returns that address: the one to give the browser.
    pub fn start_link(&mut self, authorize_url: &Url) -> Result<Url> {
        let mut base = self.redirect_uri.clone();
        base.set_path("/");
        base.set_query(None);
        base.set_fragment(None);
        let links = Arc::new(StartLinks {
            base,
            target: authorize_url.to_string(),
            links: Mutex::new(Vec::new()),
            pages: Mutex::new(Vec::new()),
        });
        let link = links.fresh()?;
        self.start = Some(links);
        Ok(link)
    }

    /// The start links, to make another one while the sign-in waits.
    pub fn start_links(&self) -> Option<Arc<StartLinks>> {
        self.start.clone()
    }

    /// The exact redirect URI to send in the authorize and token requests.
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// Waits for this attempt's callback. Ends on the first callback with the right
    /// state (a code or an `error=`), on timeout, or on cancel; the port is free on return.
    pub async fn wait_for_code(
        self,
        expected_state: &str,
        timeout: Duration,
        cancel: CancellationToken,
    ) -> Result<String> {
        let callback_path = match self.redirect_uri.path() {
            "" => "/".to_owned(),
            path => path.to_owned(),
        };
        let shared = Arc::new(Shared {
            callback_path,
            expected_state: expected_state.to_owned(),
            start: self.start,
            open: Mutex::new(OpenConnections::default()),
        });
        let (outcomes, mut outcome) = mpsc::channel(1);
        let stop = CancellationToken::new();
        let mut accepting = JoinSet::new();
        for socket in self.sockets {
            accepting.spawn(accept_loop(
                socket,
                Arc::clone(&shared),
                outcomes.clone(),
                stop.clone(),
            ));
        }
        drop(outcomes);

        let result = tokio::select! {
            verdict = outcome.recv() => match verdict {
                Some(Verdict::Code(code)) => Ok(code),
                Some(Verdict::Refused { error, description }) => Err(Error::AuthorizationRefused { error, description }),
                Some(Verdict::StartLinkReused) => Err(Error::StartLinkReused),
                _ => Err(Error::Internal { what: "keep the redirect listener running", detail: "it stopped unexpectedly".into() }),
            },
            () = tokio::time::sleep(timeout) => Err(Error::TimedOut(timeout.as_secs())),
            () = cancel.cancelled() => Err(Error::Cancelled),
        };
        // Close the sockets before returning, so the port is free for the next attempt.
        stop.cancel();
        accepting.shutdown().await;
        result
    }
}

fn listen_error(ip: IpAddr, port: u16, source: std::io::Error) -> Error {
    Error::Listen {
        address: SocketAddr::new(ip, port).to_string(),
        source,
    }
}
