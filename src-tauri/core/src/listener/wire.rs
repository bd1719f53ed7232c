//! HTTP/1 as little as a browser's callback needs: the request line read within limits
//! (its headers read and dropped), and one short `Connection: close` answer with the
//! headers that keep the page from leaking or being framed.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::page;

/// A request line longer than this is not a browser's callback.
pub(super) const MAX_REQUEST_LINE_BYTES: usize = 16 * 1024;
/// The headers after the request line are read and skipped, up to this many bytes: a
/// browser sends every cookie of 127.0.0.1 to every port, tens of kilobytes when a local
/// dev server set them, and none of it may keep a callback out.
const MAX_SKIPPED_HEADER_BYTES: usize = 1024 * 1024;
/// A client that has not sent its request head by then is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Reads a request's line within the read timeout (skipping its headers); a request
/// line too long for any callback is answered 414 here.
pub(super) async fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    match tokio::time::timeout(READ_TIMEOUT, read_request_line(stream)).await {
        Ok(Ok(Some(line))) => Some(line),
        Ok(Ok(None)) => {
            respond(stream, 414, &page::ignored("The request line is too long.")).await;
            None
        }
        Ok(Err(_)) | Err(_) => None,
    }
}

/// Reads the request line, then reads and drops the headers up to their end (or
/// [`MAX_SKIPPED_HEADER_BYTES`]), so the browser's request is consumed before the answer.
/// `None` when the request line grows past [`MAX_REQUEST_LINE_BYTES`].
async fn read_request_line(stream: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut received = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let line_end = loop {
        if let Some(end) = received.iter().position(|&b| b == b'\n') {
            break end;
        }
        if received.len() > MAX_REQUEST_LINE_BYTES {
            return Ok(None);
        }
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        received.extend_from_slice(&chunk[..read]);
    };
    if line_end > MAX_REQUEST_LINE_BYTES {
        return Ok(None);
    }
    let mut line = received[..line_end].to_vec();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    // The rest of the head: only its end matters. It starts with the request line's own
    // line break (a request with no headers ends right there), and the last three bytes
    // seen are kept to find an end split across reads.
    let mut tail = received[line_end.saturating_sub(1)..].to_vec();
    let mut skipped = tail.len();
    while !ends_head(&tail) && skipped <= MAX_SKIPPED_HEADER_BYTES {
        let read = match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        skipped += read;
        let keep = tail.len().min(3);
        tail.drain(..tail.len() - keep);
        tail.extend_from_slice(&chunk[..read]);
    }
    Ok(Some(line))
}

/// Whether these bytes (what follows the request line) hold the blank line ending a head.
fn ends_head(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|w| w == b"\r\n\r\n") || bytes.windows(2).any(|w| w == b"\n\n")
}

pub(super) async fn respond(stream: &mut TcpStream, status: u16, body: &str) {
    respond_with(stream, status, "", body).await;
}

/// Answers with `extra_headers` (each ending in CRLF) besides the fixed ones.
pub(super) async fn respond_with(
    stream: &mut TcpStream,
    status: u16,
    extra_headers: &str,
    body: &str,
) {
    let reason = match status {
        200 => "OK",
        302 => "Found",
        410 => "Gone",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        _ => "Error",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\n{extra_headers}Content-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n\
         Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let write = async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    };
    if let Err(e) = tokio::time::timeout(WRITE_TIMEOUT, write)
        .await
        .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
    {
        tracing::debug!("could not answer the browser: {e}");
    }
}
