//! Personal access tokens: created (AWX per user, the gateway in one list), listed
//! (the user's own only) and deleted.

use serde_json::{json, Value};

use super::answers::{id_of, missing, number_of, token_info};
use super::{NewToken, ServerApi, TokenInfo};
use crate::error::Result;
use crate::presets::{join_path, PersonalTokens};
use crate::profiles::Scope;
use crate::secret::Secret;
use crate::tokens::is_b64token;

impl ServerApi {
    /// Creates a personal access token (or, with `application`, a token of that application).
    pub async fn create_token(
        &self,
        description: &str,
        scope: Scope,
        application: Option<u64>,
    ) -> Result<NewToken> {
        const ACTION: &str = "token creation";
        // Said before anything is sent (AWX first asks who the user is).
        self.auth.check_may_change()?;
        let url = match (self.api.personal_tokens, application) {
            // AWX's personal-token list ignores `application`; its token list takes it.
            (PersonalTokens::Shared, _) | (PersonalTokens::PerUser { .. }, Some(_)) => {
                join_path(&self.base_url, self.api.tokens)
            }
            (PersonalTokens::PerUser { prefix, suffix }, None) => {
                let id = self.my_id().await?;
                join_path(&self.base_url, &format!("{prefix}{id}{suffix}"))
            }
        };
        let mut body = json!({ "description": description, "scope": scope.as_str() });
        if let Some(application) = application {
            body["application"] = json!(application);
        }
        let value = self.post_json(ACTION, url, &body).await?;
        let token = value
            .get("token")
            .and_then(Value::as_str)
            .filter(|t| is_b64token(t))
            .ok_or_else(|| missing(ACTION, "token"))?;
        let refresh_token = value
            .get("refresh_token")
            .and_then(Value::as_str)
            .filter(|t| is_b64token(t))
            .map(Secret::new);
        Ok(NewToken {
            info: token_info(ACTION, &value)?,
            token: Secret::new(token),
            refresh_token,
        })
    }

    /// The user's tokens, as the server lists them (the tokens themselves stay hidden).
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>> {
        const ACTION: &str = "token list";
        let me = self.my_id().await?;
        let url = match self.api.personal_tokens {
            PersonalTokens::Shared => join_path(&self.base_url, self.api.tokens),
            // AWX's /tokens/ shows an administrator everyone's; the user's own list does not.
            PersonalTokens::PerUser { prefix, .. } => {
                join_path(&self.base_url, &format!("{prefix}{me}/tokens/"))
            }
        };
        let items = self.get_all(ACTION, url).await?;
        items
            .iter()
            // An administrator may be shown everyone's: keep the user's own.
            .filter(|item| number_of(item, "user").is_none_or(|owner| owner == me))
            .map(|item| token_info(ACTION, item))
            .collect()
    }

    /// Deletes one of the user's tokens by id; it stops working at once.
    pub async fn delete_token(&self, id: u64) -> Result<()> {
        self.auth.check_may_change()?;
        let url = join_path(&self.base_url, &format!("{}{id}/", self.api.tokens));
        self.delete("token removal", url).await
    }

    async fn my_id(&self) -> Result<u64> {
        const ACTION: &str = "user lookup";
        let value = self
            .get_json(ACTION, join_path(&self.base_url, self.api.me))
            .await?;
        let user = value
            .get("results")
            .and_then(|r| r.get(0))
            .unwrap_or(&value);
        id_of(ACTION, user)
    }
}
