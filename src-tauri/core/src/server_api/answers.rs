//! What the REST API's answers mean: JSON lists and items read defensively, refusals
//! (login, DRF field errors, OAuth-style) as one sentence, server text made printable.

use serde_json::Value;

use super::TokenInfo;
use crate::error::{Error, Result, ServerReply};
use crate::http::rejected;
use crate::http::reply_text;
use crate::text::{cut, one_line, printable};

/// What AuthDesk makes of a REST API answer (a refusal, a token list item), for the
/// fuzzer. Never panics, whatever the bytes.
#[doc(hidden)]
pub fn interpret_api_answer(status: u16, body: &[u8]) -> Result<Vec<TokenInfo>> {
    let status = reqwest::StatusCode::from_u16(status).unwrap_or(reqwest::StatusCode::OK);
    let value = parse_answer("token list", status, body)?;
    let page = value
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| missing("token list", "results"))?;
    page.iter()
        .map(|item| token_info("token list", item))
        .collect()
}

pub(super) fn parse_answer(
    action: &'static str,
    status: reqwest::StatusCode,
    body: &[u8],
) -> Result<Value> {
    if !status.is_success() {
        return Err(refusal(action, status, body));
    }
    serde_json::from_slice(body).map_err(|_| Error::BadResponse {
        action,
        message: "it is not JSON.".into(),
        reply: None,
    })
}

/// Refusals of the REST API, in one sentence: login problems named as such, DRF's
/// per-field errors (`{"organization": ["This field is required."]}`) flattened.
pub(super) fn refusal(action: &'static str, status: reqwest::StatusCode, body: &[u8]) -> Error {
    let reply = ServerReply::new(status.as_u16(), reply_text(body));
    let fields = serde_json::from_slice::<serde_json::Map<String, Value>>(body)
        .ok()
        .filter(|map| !map.contains_key("detail") && !map.contains_key("error"));
    let summary = match (status.as_u16(), fields) {
        (401, _) => {
            "the username or password is wrong (or this login cannot use the API).".to_owned()
        }
        (_, Some(fields)) if !fields.is_empty() => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(field, problem)| {
                    let text = match problem {
                        Value::Array(list) => list
                            .iter()
                            .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                            .collect::<Vec<_>>()
                            .join(" "),
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    printable(&format!("{field}: {text}")).replace('\n', " ")
                })
                .collect();
            // A hostile body can be a megabyte of "errors": one sentence stays short.
            cut(&parts.join("; "), 300)
        }
        _ => return rejected(action, reply),
    };
    Error::ServerRejected {
        action,
        summary,
        reply,
    }
}

pub(super) fn missing(action: &'static str, field: &str) -> Error {
    Error::BadResponse {
        action,
        message: format!("it lacks `{field}`."),
        reply: None,
    }
}

/// An id field: a number, or a number in a string (both occur).
pub(super) fn number_of(item: &Value, field: &str) -> Option<u64> {
    match item.get(field) {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
}

pub(super) fn id_of(action: &'static str, item: &Value) -> Result<u64> {
    number_of(item, "id").ok_or_else(|| missing(action, "id"))
}

/// A text field of a server's answer, safe for a terminal and cut to a readable length.
pub(super) fn text_of(item: &Value, field: &str) -> String {
    optional_text(item, field).unwrap_or_default()
}

pub(super) fn optional_text(item: &Value, field: &str) -> Option<String> {
    const MAX_CHARS: usize = 200;
    item.get(field)
        .and_then(Value::as_str)
        .map(|text| one_line(text, MAX_CHARS))
}

pub(super) fn token_info(action: &'static str, item: &Value) -> Result<TokenInfo> {
    Ok(TokenInfo {
        id: id_of(action, item)?,
        description: text_of(item, "description"),
        scope: text_of(item, "scope"),
        application: number_of(item, "application"),
        created: optional_text(item, "created"),
        expires: optional_text(item, "expires"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_errors_read_as_one_sentence() {
        let error = refusal(
            "application set-up",
            reqwest::StatusCode::BAD_REQUEST,
            br#"{"organization": ["This field is required."], "name": ["Too long."]}"#,
        );
        let text = error.to_string();
        assert!(text.contains("name: Too long."), "{text}");
        assert!(
            text.contains("organization: This field is required."),
            "{text}"
        );
        let login = refusal(
            "token list",
            reqwest::StatusCode::UNAUTHORIZED,
            br#"{"detail": "Invalid username/password."}"#,
        );
        assert!(login.to_string().contains("username or password is wrong"));
    }

    #[test]
    fn token_items_parse_with_or_without_application() {
        let item = json!({"id": 7, "description": "ci", "scope": "write",
            "application": null, "expires": "2027-01-01T00:00:00Z", "token": "************"});
        let info = token_info("token list", &item).unwrap();
        assert_eq!((info.id, info.application), (7, None));
        let with_app = json!({"id": "8", "application": 3});
        assert_eq!(
            token_info("token list", &with_app).unwrap().application,
            Some(3)
        );
        assert!(token_info("token list", &json!({"description": "no id"})).is_err());
    }
}
