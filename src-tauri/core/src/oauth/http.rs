//! The HTTP side of the OAuth client: one reqwest client per profile (its CA file, no
//! redirects, timeouts), and the adapter through which the `oauth2` crate uses it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};

use crate::error::{Error, Result, ServerReply};
use std::path::PathBuf;

use super::pinning::{pinned_config, Fingerprint, MISMATCH};

/// No token, error or who-am-I answer is anywhere near this; a larger body is hostile.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Error bodies are kept for a details view, cut to this many characters.
const MAX_REPLY_CHARS: usize = 2000;
/// How long one request may take unless the profile says otherwise.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Which certificates a profile's server may present.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// PEM file of extra CA certificates, on top of the system's.
    pub ca_file: Option<PathBuf>,
    /// Exactly one certificate, by fingerprint, instead of any chain.
    pub pin: Option<Fingerprint>,
}

impl Trust {
    pub fn of(profile: &crate::profiles::Profile) -> Result<Trust> {
        Ok(Trust {
            ca_file: profile.ca_file.clone(),
            pin: profile.pinned_fingerprint()?,
        })
    }

    /// From a form's fields, before there is a profile: the same rules as a profile's.
    pub fn typed(ca_file: Option<&str>, pin: Option<&str>) -> Result<Trust> {
        Ok(Trust {
            ca_file: crate::profiles::typed_ca_file(ca_file),
            pin: crate::profiles::typed_pin(pin)
                .map(|pin| pin.parse())
                .transpose()?,
        })
    }
}

/// The HTTP client for one server: its trust, no redirects, the request timeout
/// (`None` for [`REQUEST_TIMEOUT`]).
pub fn build_client(trust: &Trust, timeout: Option<Duration>) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        // Credentials are never replayed to wherever a 3xx points.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
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
    builder
        .build()
        .map_err(|e| Error::Config(format!("Could not set up the HTTP client: {e}.")))
}

/// Lets the `oauth2` crate speak through our reqwest client, with two adaptations:
/// any 2xx counts as success (the gateway's token endpoint answers 201, the crate
/// wants 200), and the real status and error body are kept for the error message.
pub struct OAuthHttp {
    client: reqwest::Client,
    last: Mutex<Option<ServerReply>>,
}

impl OAuthHttp {
    /// `reqwest::Client` is a handle: the clone shares its connection pool.
    pub fn new(client: &reqwest::Client) -> Self {
        OAuthHttp {
            client: client.clone(),
            last: Mutex::new(None),
        }
    }

    /// Status and (for non-2xx answers only) the body of the last response.
    pub fn last_reply(&self) -> Option<ServerReply> {
        self.last.lock().ok().and_then(|last| last.clone())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error(transparent)]
    Reqwest(#[from] reqwest::Error),
    #[error("the response is larger than {} bytes", MAX_BODY_BYTES)]
    TooLarge,
    #[error("could not build the response: {0}")]
    Http(#[from] http::Error),
}

impl<'c> AsyncHttpClient<'c> for OAuthHttp {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let response = self.client.execute(request.try_into()?).await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = read_capped(response).await?;
            let reply = ServerReply {
                status: status.as_u16(),
                // A 2xx body holds tokens: never keep it.
                body: if status.is_success() {
                    String::new()
                } else {
                    reply_text(&body)
                },
            };
            if let Ok(mut last) = self.last.lock() {
                *last = Some(reply);
            }
            let mut builder = http::Response::builder().status(if status.is_success() {
                http::StatusCode::OK
            } else {
                status
            });
            for (name, value) in &headers {
                builder = builder.header(name, value);
            }
            Ok(builder.body(body)?)
        })
    }
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

/// Text from a server, safe for a terminal: control characters (escape sequences, `\r`)
/// become spaces, newlines stay. JSON escapes such as `\u001b` decode into control
/// characters, so text taken out of a JSON body needs this too.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect()
}

/// An error body as text for a person: verbatim, cut to a readable length.
pub fn reply_text(body: &[u8]) -> String {
    let text = printable(&String::from_utf8_lossy(body));
    let text = text.trim();
    match text.char_indices().nth(MAX_REPLY_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// One sentence for a request that got no HTTP answer.
pub fn network_error(action: &'static str, url: &url::Url, error: &HttpError) -> Error {
    let host = url.host_str().unwrap_or("the server").to_owned();
    let message = match error {
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
        HttpError::Http(e) => e.to_string(),
        HttpError::Reqwest(e) => describe_reqwest(e),
    };
    Error::Network {
        action,
        host,
        message,
    }
}

fn describe_reqwest(error: &reqwest::Error) -> String {
    let mut chain = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        chain.push(e.to_string());
        source = e.source();
    }
    let all = chain.join(": ");
    let lower = all.to_lowercase();
    if all.contains(MISMATCH) {
        "its TLS certificate does not match the profile's pinned SHA-256 fingerprint; the certificate was replaced, or this is not the server (check the fingerprint with the server's administrator)".to_owned()
    } else if lower.contains("certificate")
        || lower.contains("unknownissuer")
        || lower.contains("invalid peer")
    {
        format!("its TLS certificate is not trusted ({}); if the server uses a private CA, give the profile that CA's PEM file with --ca-file", chain.last().map(String::as_str).unwrap_or("unknown reason"))
    } else if error.is_timeout() {
        "the server did not answer within the request timeout (30 s unless the profile sets another)".to_owned()
    } else if error.is_connect() {
        format!(
            "the connection failed ({})",
            chain.last().map(String::as_str).unwrap_or("unknown reason")
        )
    } else {
        all
    }
}
