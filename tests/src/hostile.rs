//! A server that misbehaves on purpose: each connection gets the next scripted
//! answer (raw bytes, late, cut short), and every request head is recorded.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Answer {
    /// These bytes, then close.
    Bytes(Vec<u8>),
    /// Wait, then these bytes.
    Late(Duration, Vec<u8>),
    /// These bytes, then close without the rest (a server dying mid-answer).
    CutShort(Vec<u8>),
}

impl Answer {
    /// A complete HTTP/1.1 response.
    pub fn http(status: &str, content_type: &str, body: &[u8]) -> Answer {
        let mut bytes = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        bytes.extend_from_slice(body);
        Answer::Bytes(bytes)
    }

    /// A token response that works, in the gateway's way (201).
    pub fn tokens(access: &str, refresh: &str) -> Answer {
        Answer::http(
            "201 Created",
            "application/json",
            format!(r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":3600,"scope":"read","refresh_token":"{refresh}"}}"#).as_bytes(),
        )
    }
}

pub struct HostileServer {
    pub base_url: String,
    script: Arc<Mutex<Vec<Answer>>>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl HostileServer {
    /// Listens on a free loopback port, answering with `fallback` once the script is used up.
    pub fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let script: Arc<Mutex<Vec<Answer>>> = Arc::default();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let (script_in, requests_in) = (Arc::clone(&script), Arc::clone(&requests));
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let answer = script_in
                    .lock()
                    .ok()
                    .and_then(|mut s| (!s.is_empty()).then(|| s.remove(0)));
                let requests = Arc::clone(&requests_in);
                std::thread::spawn(move || serve(stream, answer, &requests));
            }
        });
        Ok(HostileServer {
            base_url,
            script,
            requests,
        })
    }

    /// The answers for the next connections, in order.
    pub fn script(&self, answers: Vec<Answer>) {
        if let Ok(mut script) = self.script.lock() {
            *script = answers;
        }
    }

    /// Every request head (and body start) received so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

fn serve(mut stream: TcpStream, answer: Option<Answer>, requests: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut buffer = vec![0u8; 64 * 1024];
    let mut received = Vec::new();
    // Read the head and whatever body arrives with it.
    while let Ok(n) = stream.read(&mut buffer) {
        if n == 0 {
            break;
        }
        received.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&received);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let wanted = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if body.len() >= wanted {
                break;
            }
        }
    }
    if let Ok(mut all) = requests.lock() {
        all.push(String::from_utf8_lossy(&received).into_owned());
    }
    match answer {
        Some(Answer::Bytes(bytes)) => {
            let _ = stream.write_all(&bytes);
        }
        Some(Answer::Late(delay, bytes)) => {
            std::thread::sleep(delay);
            let _ = stream.write_all(&bytes);
        }
        Some(Answer::CutShort(bytes)) => {
            let _ = stream.write_all(&bytes);
            let _ = stream.flush();
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        None => {
            let _ = stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    }
}
