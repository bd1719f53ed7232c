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
        let pem = std::fs::read(path).map_err(|e| {
            Error::Config(format!(
                "Could not read the CA file {}: {e}.",
                path.display()
            ))
        })?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem)
            .ok()
            .filter(|certs| !certs.is_empty())
            .ok_or_else(|| {
                Error::Config(format!(
                    "The CA file {} holds no PEM certificate.",
                    path.display()
                ))
            })?;
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    Ok(builder)
}

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
}
