//! OAuth applications: a confidential one created for a profile (its secret kept only
//! from the creating answer), and deleted again when that secret cannot be kept.

use serde_json::{json, Value};
use url::Url;

use super::answers::id_of;
use super::{CreatedApplication, NewApplication, ServerApi};
use crate::error::{Error, Result};
use crate::presets::join_path;
use crate::secret::Secret;

impl ServerApi {
    /// Creates a confidential application and returns the secret the server shows once.
    pub async fn create_application(&self, app: &NewApplication) -> Result<CreatedApplication> {
        const ACTION: &str = "application set-up";
        let url = join_path(&self.base_url, self.api.applications);
        let body = json!({
            "name": app.name,
            "description": "Created by AuthDesk",
            "organization": app.organization,
            "client_type": "confidential",
            "authorization_grant_type": app.grant.application_grant_type(),
            "redirect_uris": app.redirect_uri.as_ref().map(Url::as_str).unwrap_or_default(),
            "skip_authorization": false,
        });
        let value = self.post_json(ACTION, url, &body).await.map_err(|e| match e {
            // The request may have reached the server: say what to look for.
            Error::Network {
                action,
                host,
                message,
                untrusted_certificate,
            } => Error::Network {
                action,
                host,
                message: format!(
                    "{message}; the application \"{}\" may have been created anyway, so check the server before retrying",
                    app.name
                ),
                untrusted_certificate,
            },
            other => other,
        })?;
        let id = id_of(ACTION, &value)?;
        // It is stored in the profile and shown: a value with control characters is refused.
        let client_id = value
            .get("client_id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty() && s.len() <= 255 && !s.chars().any(char::is_control));
        let client_secret = value
            .get("client_secret")
            .and_then(Value::as_str)
            // AWX and the gateway mask it on every read but the creating one.
            .filter(|s| !s.is_empty() && !s.starts_with('$') && !s.starts_with('*'));
        match (client_id, client_secret) {
            (Some(client_id), Some(client_secret)) => Ok(CreatedApplication {
                id,
                client_id: client_id.to_owned(),
                client_secret: Secret::new(client_secret),
            }),
            (client_id, _) => {
                // Without its secret the application is useless: do not leave it behind.
                let field = if client_id.is_none() {
                    "client_id"
                } else {
                    "client_secret"
                };
                let undone = self.delete_application(id).await;
                Err(Error::BadResponse {
                    action: ACTION,
                    message: match undone {
                        Ok(()) => format!("it lacks `{field}`, so AuthDesk deleted the new application (id {id}) again."),
                        Err(_) => format!("it lacks `{field}`, and deleting the new application (id {id}) failed; delete it on the server."),
                    },
                    reply: None,
                })
            }
        }
    }

    /// Whether the application of `client_id` skips the consent page (its
    /// `skip_authorization`), read from the applications this login may see (AWX's
    /// `/api/v2/applications/`, the gateway's `/api/gateway/v1/applications/`); `None` when
    /// it is not among them or the answer does not say.
    pub async fn application_skips_consent(&self, client_id: &str) -> Result<Option<bool>> {
        let url = join_path(&self.base_url, self.api.applications);
        let applications = self.get_all("application lookup", url).await?;
        Ok(applications
            .iter()
            .find(|app| app.get("client_id").and_then(Value::as_str) == Some(client_id))
            .and_then(|app| app.get("skip_authorization"))
            .and_then(Value::as_bool))
    }

    /// Deletes an application (used to undo a set-up whose secret could not be kept).
    pub async fn delete_application(&self, id: u64) -> Result<()> {
        let url = join_path(&self.base_url, &format!("{}{id}/", self.api.applications));
        self.delete("application removal", url).await
    }
}
