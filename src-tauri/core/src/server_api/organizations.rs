//! Organizations: the ones the user can see, and one picked by id or name (an
//! application must belong to one).

use super::answers::{id_of, text_of};
use super::{Organization, ServerApi};
use crate::error::{Error, Result};
use crate::presets::join_path;

impl ServerApi {
    /// The organizations the user can see, for picking where an application goes.
    pub async fn organizations(&self) -> Result<Vec<Organization>> {
        const ACTION: &str = "organization list";
        let items = self
            .get_all(ACTION, join_path(&self.base_url, self.api.organizations))
            .await?;
        items
            .iter()
            .map(|item| {
                Ok(Organization {
                    id: id_of(ACTION, item)?,
                    name: text_of(item, "name"),
                })
            })
            .collect()
    }

    /// Finds an organization by id or by exact name.
    pub async fn find_organization(&self, wanted: &str) -> Result<Organization> {
        let all = self.organizations().await?;
        let wanted = wanted.trim();
        let found = all
            .iter()
            .find(|o| o.id.to_string() == wanted || o.name == wanted)
            .or_else(|| {
                // Only one candidate when the user gave none.
                (wanted.is_empty() && all.len() == 1).then(|| &all[0])
            });
        match found {
            Some(organization) => Ok(organization.clone()),
            None if all.is_empty() => Err(Error::Config(format!(
                "{} belongs to no organization on this server; an administrator must add the user to one before an application can be created.",
                capitalized(&self.auth.who())
            ))),
            None => Err(Error::Config(format!(
                "{} Choose one of: {}.",
                if wanted.is_empty() {
                    "Which organization should own the application?".to_owned()
                } else {
                    format!("There is no organization \"{wanted}\" that this user can see.")
                },
                all.iter()
                    .map(|o| format!("\"{}\" (id {})", o.name, o.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
