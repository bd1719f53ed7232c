//! The listener against real sockets: ports, start links, hostile clients, timeouts.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::accept::MAX_CONNECTIONS;
use super::wire::MAX_REQUEST_LINE_BYTES;
use super::*;

#[test]
fn loopback_kinds() {
    let kind = |s: &str| redirect_kind(&Url::parse(s).unwrap());
    assert_eq!(
        kind("http://127.0.0.1/cb"),
        RedirectKind::Loopback {
            addresses: vec![Ipv4Addr::LOCALHOST.into()],
            port: None
        }
    );
    assert_eq!(
        kind("http://[::1]:8123/cb"),
        RedirectKind::Loopback {
            addresses: vec![Ipv6Addr::LOCALHOST.into()],
            port: Some(8123)
        }
    );
    assert!(matches!(
        kind("http://localhost/cb"),
        RedirectKind::Loopback { port: Some(80), .. }
    ));
    assert!(matches!(
        kind("http://127.0.0.2/cb"),
        RedirectKind::Loopback { port: Some(80), .. }
    ));
    assert_eq!(kind("https://127.0.0.1/cb"), RedirectKind::External);
    assert_eq!(kind("http://example.com/cb"), RedirectKind::External);
    assert_eq!(kind("http://10.0.0.1/cb"), RedirectKind::External);
}

async fn get(uri: &Url, target: &str) -> String {
    let address = format!(
        "{}:{}",
        uri.host_str().unwrap().trim_matches(['[', ']']),
        uri.port().unwrap()
    );
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

#[tokio::test]
async fn portless_uri_gets_an_ephemeral_port_and_ignores_junk() {
    let registered = Url::parse("http://127.0.0.1/callback").unwrap();
    let listener = LoopbackListener::bind(&registered).await.unwrap().unwrap();
    let uri = listener.redirect_uri().clone();
    assert!(uri.port().is_some_and(|p| p != 0));
    let waiting = tokio::spawn(listener.wait_for_code(
        "st",
        Duration::from_secs(30),
        CancellationToken::new(),
    ));
    assert!(get(&uri, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
    assert!(get(&uri, "/callback?code=x&state=wrong")
        .await
        .starts_with("HTTP/1.1 400"));
    assert!(get(&uri, "/callback?code=the-code&state=st")
        .await
        .starts_with("HTTP/1.1 200"));
    assert_eq!(waiting.await.unwrap().unwrap(), "the-code");
    // The port is free again.
    TcpListener::bind(("127.0.0.1", uri.port().unwrap()))
        .await
        .unwrap();
}

/// The browser is given a one-time start link, never the authorize URL (whose state
/// would show on a command line): it redirects once; a second request ends the sign-in.
#[tokio::test]
async fn the_start_link_redirects_once_to_the_authorize_url() {
    let registered = Url::parse("http://127.0.0.1/callback").unwrap();
    let mut listener = LoopbackListener::bind(&registered).await.unwrap().unwrap();
    let authorize = Url::parse("https://awx.example.com/api/o/authorize/?state=st&x=%22").unwrap();
    let link = listener.start_link(&authorize).unwrap();
    assert!(!link.as_str().contains("state"), "{link}");
    assert_eq!(link.port(), listener.redirect_uri().port());
    let links = listener.start_links().unwrap();
    let uri = listener.redirect_uri().clone();
    let waiting = tokio::spawn(listener.wait_for_code(
        "st",
        Duration::from_secs(30),
        CancellationToken::new(),
    ));
    let first = get(&uri, link.path()).await;
    assert!(first.starts_with("HTTP/1.1 302"), "{first:.80}");
    assert!(
        first.contains(&format!("\r\nLocation: {authorize}\r\n")),
        "{first}"
    );
    assert!(get(&uri, "/start/guess").await.starts_with("HTTP/1.1 404"));
    // Opening the browser again takes a fresh link, which works once too.
    let fresh = links.fresh().unwrap();
    assert_ne!(fresh.path(), link.path());
    assert_eq!(fresh.port(), uri.port());
    let second = get(&uri, fresh.path()).await;
    assert!(second.starts_with("HTTP/1.1 302"), "{second:.80}");
    // Asked for twice: someone else may have the state, so the sign-in ends there.
    let again = get(&uri, link.path()).await;
    assert!(again.starts_with("HTTP/1.1 410"), "{again:.80}");
    let ended = waiting.await.unwrap().unwrap_err();
    assert!(matches!(ended, Error::StartLinkReused), "{ended:?}");
}

/// Every 127.0.0.1 cookie reaches every port: tens of kilobytes of them, and header
/// bytes that are not UTF-8, never keep the real callback out.
#[tokio::test]
async fn big_cookies_and_binary_headers_do_not_refuse_the_callback() {
    let registered = Url::parse("http://127.0.0.1/callback").unwrap();
    let listener = LoopbackListener::bind(&registered).await.unwrap().unwrap();
    let uri = listener.redirect_uri().clone();
    let address = SocketAddr::from(([127, 0, 0, 1], uri.port().unwrap()));
    let waiting = tokio::spawn(listener.wait_for_code(
        "st",
        Duration::from_secs(30),
        CancellationToken::new(),
    ));
    let mut request =
        b"GET /callback?code=the-code&state=st HTTP/1.1\r\nHost: 127.0.0.1\r\n".to_vec();
    for i in 0..20 {
        request.extend_from_slice(format!("Cookie: dev{i}={}\r\n", "c".repeat(1000)).as_bytes());
    }
    request.extend_from_slice(b"X-Binary: \xff\xfe\x80\r\n\r\n");
    let answer = String::from_utf8_lossy(&raw(address, request).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:.80}");
    assert_eq!(waiting.await.unwrap().unwrap(), "the-code");
}

/// Sends raw bytes and reads whatever comes back (nothing, for a dropped connection).
async fn raw(address: SocketAddr, bytes: Vec<u8>) -> Vec<u8> {
    let Ok(mut stream) = TcpStream::connect(address).await else {
        return Vec::new();
    };
    let _ = stream.write_all(&bytes).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer)).await;
    answer
}

/// 1,000 hostile requests while a flow waits, plus idle and half-sent connections
/// held open: the wait goes on, nothing is taken as a code, and the real callback
/// still gets through at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abuse_never_ends_the_wait_and_the_real_callback_gets_through() {
    let registered = Url::parse("http://127.0.0.1/callback").unwrap();
    let listener = LoopbackListener::bind(&registered).await.unwrap().unwrap();
    let uri = listener.redirect_uri().clone();
    let address = SocketAddr::from(([127, 0, 0, 1], uri.port().unwrap()));
    let waiting = tokio::spawn(listener.wait_for_code(
        "the-state",
        Duration::from_secs(300),
        CancellationToken::new(),
    ));

    // Held open for the whole test: more than the listener's connection limit.
    let mut held = Vec::new();
    for i in 0..(MAX_CONNECTIONS + 72) {
        let mut stream = TcpStream::connect(address).await.unwrap();
        if i % 2 == 0 {
            // Half-sent: a request line that never ends.
            stream
                .write_all(b"GET /callback?code=half&state=the-state HTTP/1.1\r\nHost: x")
                .await
                .unwrap();
        }
        held.push(stream);
    }

    let junk: Vec<Vec<u8>> = (0..1000)
        .map(|i| match i % 10 {
            0 => b"GET /favicon.ico HTTP/1.1\r\n\r\n".to_vec(),
            1 => b"POST /callback?code=x&state=the-state HTTP/1.1\r\n\r\n".to_vec(),
            2 => b"GET /callback?code=x HTTP/1.1\r\n\r\n".to_vec(),
            3 => format!("GET /callback?code=x&state=wrong{i} HTTP/1.1\r\n\r\n").into_bytes(),
            4 => format!(
                "GET /callback?{} HTTP/1.1\r\n\r\n",
                "a".repeat(MAX_REQUEST_LINE_BYTES)
            )
            .into_bytes(),
            5 => format!(
                "GET /callback HTTP/1.1\r\nX-Big: {}\r\n\r\n",
                "b".repeat(MAX_REQUEST_LINE_BYTES)
            )
            .into_bytes(),
            6 => b"GET /callback?code=\xff\xfe&state=the-state HTTP/1.1\r\n\r\n".to_vec(),
            7 => b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(),
            8 => b"GET /callback?code=x&state=the-state&state=the-state HTTP/1.1\r\n\r\n".to_vec(),
            _ => b"GET /callback?code=x&state=the-state HTTP/2.0 extra\r\n\r\n".to_vec(),
        })
        .collect();
    let mut sent = tokio::task::JoinSet::new();
    let mut answered = 0;
    let mut check = |done: Result<(usize, Vec<u8>), tokio::task::JoinError>| {
        let (i, answer) = done.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
            "junk request {i} got {answer:.60}"
        );
        answered += usize::from(!answer.is_empty());
    };
    for (i, bytes) in junk.into_iter().enumerate() {
        sent.spawn(async move { (i, raw(address, bytes).await) });
        // Keep a few dozen in flight, as a busy local attacker would.
        if sent.len() >= 32 {
            if let Some(done) = sent.join_next().await {
                check(done);
            }
        }
    }
    while let Some(done) = sent.join_next().await {
        check(done);
    }
    assert!(!waiting.is_finished(), "junk ended the wait");
    assert!(answered >= 500, "most junk gets its 4xx page: {answered}");

    // The browser arrives while the listener is full of idle connections again.
    for _ in 0..MAX_CONNECTIONS {
        held.push(TcpStream::connect(address).await.unwrap());
    }
    let started = std::time::Instant::now();
    let answer = get(&uri, "/callback?code=the-code&state=the-state").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:.80}");
    let code = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the wait ends once the callback arrives")
        .unwrap()
        .unwrap();
    assert_eq!(code, "the-code");
    // A benchmark's figure, not a pass mark: shared machines are noisy.
    eprintln!(
        "the real callback completed {:?} after it was sent",
        started.elapsed()
    );
    drop(held);
}

#[tokio::test]
async fn timeout_and_cancel_free_the_port() {
    let registered = Url::parse("http://127.0.0.1/callback").unwrap();
    let listener = LoopbackListener::bind(&registered).await.unwrap().unwrap();
    let port = listener.redirect_uri().port().unwrap();
    let err = listener
        .wait_for_code("st", Duration::from_millis(50), CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TimedOut(_)));
    TcpListener::bind(("127.0.0.1", port)).await.unwrap();

    let listener = LoopbackListener::bind(&registered).await.unwrap().unwrap();
    let cancel = CancellationToken::new();
    cancel.cancel();
    let err = listener
        .wait_for_code("st", Duration::from_secs(30), cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Cancelled));
}

#[tokio::test]
async fn busy_port_is_named() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let registered = Url::parse(&format!("http://127.0.0.1:{port}/callback")).unwrap();
    let err = LoopbackListener::bind(&registered).await.unwrap_err();
    assert!(
        matches!(err, Error::PortInUse { port: p, .. } if p == port),
        "{err}"
    );
}
