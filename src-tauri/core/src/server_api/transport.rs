//! How every call reaches the server: one request as the logged-in user (a change
//! checked against the token's scope first, a 401 said for the way of logging in), JSON
//! in and out, and paginated lists followed on the profile's own server only.

use serde_json::Value;
use url::Url;

use super::answers::{missing, parse_answer, refusal};
use super::ServerApi;
use crate::error::{Error, Result};
use crate::http::send;

/// Lists longer than this many pages are cut: no person picks from thousands.
const MAX_PAGES: usize = 20;

impl ServerApi {
    /// One request as the logged-in user; a change is checked against a token's scope
    /// first, and a 401 is said for the way of logging in.
    pub(super) async fn call(
        &self,
        action: &'static str,
        method: reqwest::Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<(reqwest::StatusCode, Vec<u8>)> {
        let changes = method != reqwest::Method::GET;
        if changes {
            self.auth.check_may_change()?;
        }
        let mut request = self
            .http
            .request(method, url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        request = self
            .auth
            .apply(request, &self.jar, &url, &self.base_url, changes);
        if let Some(body) = body {
            request = request.json(body);
        }
        let (status, body) = send(action, &url, request).await?;
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(self.auth.refused(action));
        }
        Ok((status, body))
    }

    pub(super) async fn get_json(&self, action: &'static str, url: Url) -> Result<Value> {
        let (status, body) = self
            .call(action, reqwest::Method::GET, url.clone(), None)
            .await?;
        parse_answer(action, status, &body).map_err(|e| e.answering("GET", &url))
    }

    pub(super) async fn post_json(
        &self,
        action: &'static str,
        url: Url,
        body: &Value,
    ) -> Result<Value> {
        let (status, body) = self
            .call(action, reqwest::Method::POST, url.clone(), Some(body))
            .await?;
        parse_answer(action, status, &body).map_err(|e| e.answering("POST", &url))
    }

    pub(super) async fn delete(&self, action: &'static str, url: Url) -> Result<()> {
        let (status, body) = self
            .call(action, reqwest::Method::DELETE, url.clone(), None)
            .await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(refusal(action, status, &body).answering("DELETE", &url))
        }
    }

    /// All items of a paginated list. `next` links are followed by path and query on
    /// the profile's own server only: credentials never go where a link points, and a
    /// proxy that writes `http://` links for an `https://` server still works.
    pub(super) async fn get_all(&self, action: &'static str, first: Url) -> Result<Vec<Value>> {
        let mut items = Vec::new();
        let mut next = Some(first);
        for _ in 0..MAX_PAGES {
            let Some(url) = next.take() else {
                return Ok(items);
            };
            let mut page_url = url.clone();
            let page = self.get_json(action, url.clone()).await?;
            match page.get("results").and_then(Value::as_array) {
                Some(results) => items.extend(results.iter().cloned()),
                None => return Err(missing(action, "results")),
            }
            next = match page.get("next").and_then(Value::as_str) {
                Some(link) => {
                    let linked = url
                        .join(link)
                        .map_err(|_| missing(action, "a valid `next` link"))?;
                    page_url.set_path(linked.path());
                    page_url.set_query(linked.query());
                    Some(page_url)
                }
                None => None,
            };
        }
        if next.is_some() {
            return Err(Error::BadResponse {
                action,
                message: format!(
                    "the list is longer than {MAX_PAGES} pages, more than AuthDesk reads."
                ),
                reply: None,
            });
        }
        Ok(items)
    }
}
