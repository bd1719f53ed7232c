//! HTTP for both clients (OAuth and the server's REST API): one reqwest client per
//! server with its TLS trust, no redirects and timeouts; capped bodies; network
//! failures as one sentence.

mod pinning;
mod refusal;
mod trust;

use std::time::Duration;

pub use pinning::Fingerprint;
pub use refusal::rejected;
pub use trust::{typed_ca_file, typed_pin, Trust};

use crate::error::{Error, Result};
use crate::text::{cut, printable};
use pinning::{pinned_config, MISMATCH};

/// No token, error or who-am-I answer is anywhere near this; a larger body is hostile.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Error bodies are kept for a details view, cut to this many characters.
const MAX_REPLY_CHARS: usize = 2000;
/// How long one request may take unless the profile says otherwise.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The HTTP client for one server: its trust, no redirects, the request timeout
/// (`None` for [`REQUEST_TIMEOUT`]).
pub fn build_client(trust: &Trust, timeout: Option<Duration>) -> Result<reqwest::Client> {
    client_builder(trust, timeout)?
        .build()
        .map_err(|e| Error::Internal {
            what: "set up the HTTP client",
            detail: e.to_string(),
        })
}

/// The settings of [`build_client`], for a client that needs one more (a cookie jar).
pub fn client_builder(trust: &Trust, timeout: Option<Duration>) -> Result<reqwest::ClientBuilder> {
    let mut builder = reqwest::Client::builder()
        // Credentials are never replayed to wherever a 3xx points.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        // A connection idle this long is not reused: a sign-in's exchange reuses the server
        // check's connection only when the browser was quick, never one a server (nginx
        // keeps 75 s) may be closing just as the single-use code is sent.
        .pool_idle_timeout(Duration::from_secs(20))
        .timeout(timeout.unwrap_or(REQUEST_TIMEOUT))
        .user_agent(concat!("AuthDesk/", env!("CARGO_PKG_VERSION")));
    if let Some(pin) = trust.pin {
        builder = builder.use_preconfigured_tls(pinned_config(pin)?);
    }
    if let Some(path) = &trust.ca_file {
        let certificates = read_ca_file(path)
            .ok()
            .and_then(|pem| reqwest::Certificate::from_pem_bundle(&pem).ok())
            .filter(|certs| !certs.is_empty())
            .ok_or_else(|| unusable_ca_file(path))?;
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    builder = proxies_from_environment(builder);
    Ok(builder)
}

/// A CA bundle is PEM text; a larger file is not one.
const MAX_CA_FILE_BYTES: u64 = 1024 * 1024;

/// The CA file's bytes: a regular file of at most [`MAX_CA_FILE_BYTES`], opened without
/// blocking (a FIFO or a device is refused, never waited on) and read off the async
/// runtime's threads. Every failure is the same sentence, so a page or a script learns
/// nothing about which paths exist.
fn read_ca_file(path: &std::path::Path) -> Result<Vec<u8>> {
    let read = || -> std::io::Result<Option<Vec<u8>>> {
        use std::io::Read;
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
        let file = options.open(path)?;
        let metadata = file.metadata()?;
        if !metadata.is_file() || metadata.len() > MAX_CA_FILE_BYTES {
            return Ok(None);
        }
        let mut pem = Vec::new();
        file.take(MAX_CA_FILE_BYTES + 1).read_to_end(&mut pem)?;
        Ok((pem.len() as u64 <= MAX_CA_FILE_BYTES).then_some(pem))
    };
    // A network path would make Windows connect (and offer the user's credentials) to
    // whatever host it names.
    if cfg!(windows) && {
        let text = path.as_os_str().to_string_lossy();
        text.starts_with(r"\\") || text.starts_with("//")
    } {
        return Err(unusable_ca_file(path));
    }
    off_the_runtime(read)
        .ok()
        .flatten()
        .ok_or_else(|| unusable_ca_file(path))
}

/// One sentence for every CA file that cannot be used (missing, unreadable, a device,
/// too big, not PEM): the page or a script learns nothing about which paths exist.
fn unusable_ca_file(path: &std::path::Path) -> Error {
    Error::Config(format!(
        "The CA file {} could not be used: it must be a PEM file of CA certificates, at most 1 MiB, that this user can read.",
        path.display()
    ))
}

/// Runs blocking file work where it cannot stall the runtime's other tasks: on a
/// multi-threaded runtime the thread is handed over first; elsewhere it just runs.
fn off_the_runtime<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// The proxies the environment names (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, in either
/// case, and `NO_PROXY`), except for this computer: loopback (127.0.0.0/8, ::1,
/// `localhost`) never goes through a proxy, whatever the environment says, as Go's
/// `ProxyFromEnvironment` does. A corporate proxy cannot reach the user's own loopback,
/// and it must never see the client's credentials for a dev server or an SSH tunnel.
fn proxies_from_environment(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    proxies_from(builder, |name| {
        std::env::var(name)
            .or_else(|_| std::env::var(name.to_lowercase()))
            .ok()
            .filter(|value| !value.trim().is_empty())
    })
}

/// [`proxies_from_environment`] over any source of variables.
fn proxies_from(
    builder: reqwest::ClientBuilder,
    variable: impl Fn(&str) -> Option<String>,
) -> reqwest::ClientBuilder {
    // reqwest's own reading of the environment is turned off: it proxies loopback too.
    let mut builder = builder.no_proxy();
    let never = match variable("NO_PROXY") {
        Some(list) => format!("{list},{LOOPBACK}"),
        None => LOOPBACK.to_owned(),
    };
    // As curl and Go: HTTP_PROXY is ignored in a CGI program, where a client sets it.
    let in_cgi = variable("REQUEST_METHOD").is_some();
    let kinds: [(&str, MakeProxy); 3] = [
        ("HTTPS_PROXY", reqwest::Proxy::https),
        ("HTTP_PROXY", reqwest::Proxy::http),
        ("ALL_PROXY", reqwest::Proxy::all),
    ];
    for (name, make) in kinds {
        if name == "HTTP_PROXY" && in_cgi {
            continue;
        }
        let Some(address) = variable(name) else {
            continue;
        };
        match make(address) {
            Ok(proxy) => {
                builder = builder.proxy(proxy.no_proxy(reqwest::NoProxy::from_string(&never)))
            }
            // Never echoed: a proxy address may carry its own password.
            Err(_) => tracing::warn!("{name} is not a proxy address AuthDesk can use; ignored"),
        }
    }
    builder
}

/// How a proxy for one kind of request is made from its address.
type MakeProxy = fn(String) -> reqwest::Result<reqwest::Proxy>;

/// The hosts that are this computer, in `NO_PROXY`'s syntax.
const LOOPBACK: &str = "localhost,127.0.0.0/8,::1";

/// Sends a request and reads its body (capped), with network failures as one sentence.
pub async fn send(
    action: &'static str,
    url: &url::Url,
    request: reqwest::RequestBuilder,
) -> Result<(reqwest::StatusCode, Vec<u8>)> {
    let response = request
        .send()
        .await
        .map_err(|e| network_error(action, url, &e.into()))?;
    let status = response.status();
    let body = read_capped(response)
        .await
        .map_err(|e| network_error(action, url, &e))?;
    Ok((status, body))
}

/// What went wrong below HTTP, or with a body too large to be an answer.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error(transparent)]
    Reqwest(#[from] reqwest::Error),
    #[error("the response is larger than {} bytes", MAX_BODY_BYTES)]
    TooLarge,
    #[error("could not build the response: {0}")]
    Http(#[from] http::Error),
}

/// Reads a body up to [`MAX_BODY_BYTES`].
pub async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(HttpError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error body as text for a person, for every shell: JSON string fields named like a
/// token, secret or password masked (a server may echo what it was sent), control
/// characters removed, cut to a readable length. Other text stays as the server sent it.
pub fn reply_text(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(mut json) => {
            mask_secret_fields(&mut json);
            serde_json::to_string(&json).unwrap_or_default()
        }
        Err(_) => text.into_owned(),
    };
    cut(printable(&text).trim(), MAX_REPLY_CHARS)
}

/// Masks every string field whose name says it holds a token, secret or password.
fn mask_secret_fields(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                let key = key.to_ascii_lowercase();
                if (key.contains("token") || key.contains("secret") || key.contains("password"))
                    && field.is_string()
                {
                    *field = serde_json::Value::String("••••••••".into());
                } else {
                    mask_secret_fields(field);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_secret_fields),
        _ => {}
    }
}

/// One sentence for a request that got no HTTP answer.
pub fn network_error(action: &'static str, url: &url::Url, error: &HttpError) -> Error {
    let host = url.host_str().unwrap_or("the server").to_owned();
    let (message, untrusted_certificate) = match error {
        HttpError::TooLarge => {
            return Error::BadResponse {
                action,
                message: format!(
                    "the server sent more than {} bytes, which no OAuth answer needs.",
                    MAX_BODY_BYTES
                ),
                reply: None,
            }
        }
        HttpError::Http(e) => (e.to_string(), false),
        HttpError::Reqwest(e) => describe_reqwest(e),
    };
    Error::Network {
        action,
        host,
        message,
        untrusted_certificate,
    }
}

/// The words for a failed request, and whether the certificate was the trouble.
fn describe_reqwest(error: &reqwest::Error) -> (String, bool) {
    let mut chain = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        chain.push(e.to_string());
        source = e.source();
    }
    let all = printable(&chain.join(": "));
    let lower = all.to_lowercase();
    let last = || printable(chain.last().map(String::as_str).unwrap_or("unknown reason"));
    if all.contains(MISMATCH) {
        ("its TLS certificate does not match the profile's pinned SHA-256 fingerprint; the certificate was replaced, or this is not the server (check the fingerprint with the server's administrator)".to_owned(), false)
    } else if lower.contains("certificate")
        || lower.contains("unknownissuer")
        || lower.contains("invalid peer")
    {
        (
            format!("its TLS certificate is not trusted ({})", last()),
            true,
        )
    } else if error.is_timeout() {
        ("the server did not answer within the request timeout (30 s unless the profile sets another)".to_owned(), false)
    } else if error.is_connect() {
        (format!("the connection failed ({})", last()), false)
    } else {
        (all, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_masked_before_any_shell_sees_them() {
        let body = br#"{"error":"x","access_token":"abc","nested":{"client_secret":"s","list":[{"password":"pw"}]}}"#;
        let text = reply_text(body);
        for secret in ["abc", "\"s\"", "pw"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains("\"error\":\"x\""), "{text}");
        assert_eq!(reply_text(b"plain text\r\n"), "plain text");
        // A huge body is masked before it is cut, so the cut never leaves a secret whole.
        let long = format!(
            r#"{{"detail":"{}","refresh_token":"RRRR"}}"#,
            "d".repeat(5000)
        );
        assert!(!reply_text(long.as_bytes()).contains("RRRR"));
    }

    /// A listener that answers every request with `status` and records the request lines.
    async fn recorder(status: u16) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = socket.local_addr().unwrap().port();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = std::sync::Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = socket.accept().await {
                let mut head = vec![0u8; 4096];
                let read = stream.read(&mut head).await.unwrap_or(0);
                let text = String::from_utf8_lossy(&head[..read]).into_owned();
                record
                    .lock()
                    .unwrap()
                    .push(text.lines().next().unwrap_or_default().to_owned());
                let answer = format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            }
        });
        (port, seen)
    }

    #[tokio::test]
    async fn loopback_never_goes_through_a_proxy_the_rest_still_does() {
        let (proxy, through_proxy) = recorder(502).await;
        let (server, direct) = recorder(200).await;
        let proxy_url = format!("http://127.0.0.1:{proxy}");
        for name in ["HTTP_PROXY", "ALL_PROXY"] {
            let env = |wanted: &str| (wanted == name).then(|| proxy_url.clone());
            let client = proxies_from(reqwest::Client::builder(), env)
                .build()
                .unwrap();
            for host in ["localhost", "127.0.0.1"] {
                let url = format!("http://{host}:{server}/api/o/token/");
                let answer = client.post(&url).send().await.unwrap();
                assert_eq!(answer.status(), 200, "{name}: {url} went elsewhere");
            }
            // The rest of 127.0.0.0/8 too: refused by this computer, not answered by the proxy.
            let other = client
                .post(format!("http://127.0.0.2:{server}/api/o/token/"))
                .send()
                .await;
            assert!(other.is_err_and(|e| e.is_connect()), "{name}");
            // Anything else still takes the proxy the environment names.
            let answer = client
                .get("http://awx.example.invalid/api/v2/ping/")
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 502, "{name}");
        }
        assert_eq!(direct.lock().unwrap().len(), 4);
        assert_eq!(
            *through_proxy.lock().unwrap(),
            ["GET http://awx.example.invalid/api/v2/ping/ HTTP/1.1"; 2]
        );
        // NO_PROXY is honoured for the rest.
        let env = |wanted: &str| match wanted {
            "HTTP_PROXY" => Some(proxy_url.clone()),
            "NO_PROXY" => Some("example.invalid".to_owned()),
            _ => None,
        };
        let client = proxies_from(reqwest::Client::builder(), env)
            .build()
            .unwrap();
        assert!(client
            .get("http://awx.example.invalid/")
            .send()
            .await
            .is_err());
        assert_eq!(through_proxy.lock().unwrap().len(), 2);
    }

    #[test]
    fn a_ca_file_that_is_no_regular_file_or_too_big_is_refused_at_once_in_one_sentence() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.pem");
        std::fs::write(&big, vec![b'a'; 2 * 1024 * 1024]).unwrap();
        let missing = dir.path().join("missing.pem");
        let not_pem = dir.path().join("id_ed25519");
        std::fs::write(&not_pem, "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n").unwrap();
        let mut paths = vec![big, missing, not_pem, dir.path().to_path_buf()];
        #[cfg(unix)]
        {
            paths.push("/dev/zero".into());
            let fifo = dir.path().join("fifo");
            let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
            paths.push(fifo);
        }
        let started = std::time::Instant::now();
        let mut sentences = std::collections::BTreeSet::new();
        for path in &paths {
            let trust = Trust {
                ca_file: Some(path.clone()),
                pin: None,
            };
            let error = build_client(&trust, None).unwrap_err().to_string();
            sentences.insert(error.replace(&path.display().to_string(), "PATH"));
        }
        // Nothing waited for a writer or read a device until memory ran out.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // The same words whether the path exists or not.
        assert_eq!(sentences.len(), 1, "{sentences:?}");
    }
}
