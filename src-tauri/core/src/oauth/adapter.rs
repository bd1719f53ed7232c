//! Lets the `oauth2` crate speak through our reqwest client, with two adaptations:
//! any 2xx counts as success (the gateway's token endpoint answers 201, the crate
//! wants 200), and the real status and error body are kept for the error message.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};

use crate::error::ServerReply;
use crate::http::{read_capped, reply_text, HttpError};

/// The adapter; one per request, so `last_reply` is that request's.
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

impl<'c> AsyncHttpClient<'c> for OAuthHttp {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let method = request.method().to_string();
            let url = url::Url::parse(&request.uri().to_string()).ok();
            let response = self.client.execute(request.try_into()?).await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = read_capped(response).await?;
            // A 2xx body holds tokens: never keep it.
            let kept = if status.is_success() {
                String::new()
            } else {
                reply_text(&body)
            };
            let mut reply = ServerReply::new(status.as_u16(), kept);
            if let Some(url) = &url {
                reply = reply.answering(&method, url);
            }
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
