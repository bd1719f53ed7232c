//! Asking the server before anything depends on it: what kind of server a base URL is
//! (the gateway's ping, AWX's ping), and, before a browser opens, whether the server
//! answers with the profile's TLS trust and looks like the API the profile names.

use reqwest::header::ACCEPT;
use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::Engine;
use crate::error::{Error, Result};
use crate::http::{build_client, send, Trust};
use crate::presets::{join_path, Preset};
use crate::profiles::Profile;

/// A check waits no longer than this: it is asked before the user's real work.
const CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

const GATEWAY_PING: &str = "/api/gateway/v1/ping/";
const AWX_PING: &str = "/api/v2/ping/";

/// What a base URL turned out to be.
#[derive(Debug, Clone, Serialize)]
pub struct DetectedServer {
    pub preset: Preset,
    /// "AAP platform gateway 2.5 at https://…", "AWX 24.6.1 at https://…".
    pub summary: String,
}

impl Engine {
    /// Asks the server at `base_url` what it is: the platform gateway (AAP 2.5 and later,
    /// also when a controller sits behind it) or AWX / Automation Controller up to 2.4.
    pub async fn detect_server(&self, base_url: &Url, trust: &Trust) -> Result<DetectedServer> {
        let http = build_client(trust, Some(CHECK_TIMEOUT))?;
        let (gateway, awx) = tokio::join!(
            ping(&http, join_path(base_url, GATEWAY_PING), is_gateway_pong),
            ping(&http, join_path(base_url, AWX_PING), |body| body
                .get("version")
                .is_some())
        );
        let shown = base_url.as_str().trim_end_matches('/');
        // A network or TLS failure is the same for both: say it once.
        let gateway = gateway?;
        if let Some(answer) = gateway {
            return Ok(DetectedServer {
                preset: Preset::Gateway,
                summary: format!("AAP platform gateway{} at {shown}", answer.version()),
            });
        }
        if let Some(answer) = awx? {
            let product = match answer.product.as_deref() {
                Some(name) if name.contains("Automation Platform") => "Automation Controller",
                _ => "AWX",
            };
            return Ok(DetectedServer {
                preset: Preset::Awx,
                summary: format!("{product}{} at {shown}", answer.version()),
            });
        }
        Err(Error::UnknownServer(shown.to_owned()))
    }

    /// Trouble that can be seen before a browser opens: the server unreachable, its
    /// certificate not trusted by the profile, or no API where the profile points (a
    /// who-am-I that is missing, redirects, or answers with a web page).
    pub async fn check_server(&self, profile: &Profile) -> Result<()> {
        let http = build_client(&profile.trust()?, profile.request_timeout())?;
        self.check_server_with(profile, &http).await
    }

    /// [`Engine::check_server`] with the profile's HTTP client, already built.
    pub(super) async fn check_server_with(
        &self,
        profile: &Profile,
        http: &reqwest::Client,
    ) -> Result<()> {
        let whoami = profile.endpoints()?.whoami;
        let timeout = profile
            .request_timeout()
            .map_or(CHECK_TIMEOUT, |t| t.min(CHECK_TIMEOUT));
        let request = http
            .get(whoami.clone())
            .timeout(timeout)
            .header(ACCEPT, "application/json");
        let (status, body) = send("server check", &whoami, request).await?;
        if profile.preset == Preset::Custom {
            // Endpoints given by hand: only reachability and trust are AuthDesk's to judge.
            return Ok(());
        }
        let not_api = |why: String| Error::NotTheApi {
            url: whoami.to_string(),
            why,
        };
        match status.as_u16() {
            // Unauthenticated, as expected; or an answer in JSON.
            401 | 403 => Ok(()),
            200..=299 if serde_json::from_slice::<Value>(&body).is_ok() => Ok(()),
            200..=299 => Err(not_api("it answers with a web page, not the API".into())),
            300..=399 => Err(not_api(
                "it answers with a redirect (check http or https, and the path prefix)".into(),
            )),
            404 => Err(not_api("there is no such page (HTTP 404)".into())),
            status => {
                // The server is there but in trouble: the sign-in itself will say more.
                tracing::warn!("the server check got HTTP {status} from {whoami}");
                Ok(())
            }
        }
    }
}

struct Pong {
    body: Value,
    /// `X-API-Product-Name`, which AWX, the controller and the gateway send.
    product: Option<String>,
    /// `X-API-Product-Version`: the gateway's ping names its version only here.
    product_version: Option<String>,
}

impl Pong {
    /// " 2.5" from the body's `version` (AWX) or the product header (the gateway),
    /// printable and short, or nothing.
    fn version(&self) -> String {
        self.body
            .get("version")
            .and_then(Value::as_str)
            .or(self.product_version.as_deref())
            .map(|v| crate::text::one_line(v, 20))
            .filter(|v| !v.is_empty())
            .map_or_else(String::new, |v| format!(" {v}"))
    }
}

/// The gateway's ping (ansible/jewel, `aap_gateway_api/views/api/v1/ping.py`) answers
/// `pong` (its time), `status`, `db_connected` and `proxy_connected`, with no version in
/// the body; some builds add `version`.
fn is_gateway_pong(body: &Value) -> bool {
    (body.get("pong").is_some() && body.get("status").is_some()) || body.get("version").is_some()
}

/// A ping answered in JSON that `is_pong` recognises, or `None` when the path is not
/// this kind's.
async fn ping(
    http: &reqwest::Client,
    url: Url,
    is_pong: impl Fn(&Value) -> bool,
) -> Result<Option<Pong>> {
    let response = http
        .get(url.clone())
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| crate::http::network_error("server detection", &url, &e.into()))?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(crate::text::printable)
    };
    let product = header("x-api-product-name");
    let product_version = header("x-api-product-version");
    if !response.status().is_success() {
        return Ok(None);
    }
    let body = crate::http::read_capped(response)
        .await
        .map_err(|e| crate::http::network_error("server detection", &url, &e))?;
    Ok(serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(|v| v.is_object() && is_pong(v))
        .map(|body| Pong {
            body,
            product,
            product_version,
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gateways_ping_is_known_by_its_own_fields_and_its_version_by_the_header() {
        let real: Value = serde_json::from_str(
            r#"{"pong": "2026-11-29 18:12:34.705212", "status": "good", "db_connected": true, "proxy_connected": true}"#,
        )
        .unwrap();
        assert!(is_gateway_pong(&real));
        let pong = Pong {
            body: real,
            product: Some("Red Hat Ansible Automation Platform".into()),
            product_version: Some("2.5".into()),
        };
        assert_eq!(pong.version(), " 2.5");
        // AWX's own ping is not the gateway's; an HTML page or a bare value is neither.
        let awx: Value =
            serde_json::from_str(r#"{"ha": false, "instances": [], "active_node": "awx"}"#)
                .unwrap();
        assert!(!is_gateway_pong(&awx));
        let hostile = Pong {
            body: Value::Null,
            product: None,
            product_version: Some("\u{1b}[31m2.5".repeat(20)),
        };
        assert!(!hostile.version().contains('\u{1b}') && hostile.version().chars().count() <= 22);
    }
}
