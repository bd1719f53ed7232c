//! Saving and removing profiles: whether a save creates or replaces, when the client
//! secret must be given and when the stored one is kept, and when stored tokens are
//! forgotten. The rules are one pure function, [`plan_save`]; both shells call
//! [`Engine::save_profile`].

use super::{Engine, RevokeReport};
use crate::error::{Error, Result};
use crate::profiles::{Profile, StoredSecret};
use crate::secret::Secret;
use crate::tokens::TokenOrigin;

/// What a save may do to a profile of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveMode {
    /// A new profile: a profile of that name must not exist.
    Create,
    /// An edit: the profile must exist.
    Replace,
    /// Either (the CLI's `profile add`).
    CreateOrReplace,
}

/// A profile to save, with the client secret the person typed, if any.
#[derive(Debug)]
pub struct ProfileSave {
    pub profile: Profile,
    /// `None` keeps the stored secret, where keeping it is allowed.
    pub client_secret: Option<Secret>,
    pub mode: SaveMode,
}

/// What a save does besides writing the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SavePlan {
    /// The server or application changed: the stored tokens belong to the old one.
    forget_tokens: bool,
}

/// Whether a client secret is stored for the profile, and for where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StoredFor {
    Nothing,
    /// For the origin the profile being saved names (or stored before origins were kept).
    ThisProfile,
    /// For another server, client ID or trust (the profile file was changed by hand).
    Elsewhere,
}

/// The rules of a save, decided before anything is written.
pub(super) fn plan_save(
    all: &[Profile],
    profile: &Profile,
    secret_given: bool,
    secret_stored: StoredFor,
    mode: SaveMode,
) -> Result<SavePlan> {
    let existing = all.iter().find(|p| p.name == profile.name);
    match (mode, existing) {
        (SaveMode::Create, Some(_)) => return Err(Error::ProfileExists(profile.name.clone())),
        (SaveMode::Replace, None) => return Err(Error::ProfileNotFound(profile.name.clone())),
        _ => {}
    }
    if existing.is_none() {
        // Keyring entries are keyed by name, and some stores ignore case.
        if let Some(other) = all
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(&profile.name))
        {
            return Err(Error::NameDiffersOnlyInCase {
                name: profile.name.clone(),
                existing: other.name.clone(),
            });
        }
    }
    let moved = existing.is_some_and(|old| !same_server_and_application(old, profile));
    if !secret_given {
        match existing {
            None => return Err(Error::MissingClientSecret(profile.name.clone())),
            Some(_) if secret_stored == StoredFor::Nothing => {
                return Err(Error::MissingClientSecret(profile.name.clone()))
            }
            // The stored secret belongs to the old server and application: never send it
            // to a new one.
            Some(_) if moved || secret_stored == StoredFor::Elsewhere => {
                return Err(Error::Config(format!(
                    "Profile \"{}\" now points at another server or application, so its client secret must be entered again; the stored one is never sent elsewhere.",
                    profile.name
                )))
            }
            Some(_) => {}
        }
    }
    Ok(SavePlan {
        forget_tokens: moved,
    })
}

/// One rule for "the same server and application": the tokens' origin (endpoints, client
/// ID, base URL and trust). A change of any of them forgets the tokens and asks for the
/// client secret again.
fn same_server_and_application(old: &Profile, new: &Profile) -> bool {
    TokenOrigin::of(old).ok() == TokenOrigin::of(new).ok()
}

impl Engine {
    /// Whether saving `profile` over the saved profile of its name may keep the stored
    /// client secret (the form's secret hint follows this as fields change). `false` for
    /// a new profile. Whether the keyring's entry was stored for it is checked at Save.
    pub fn may_keep_client_secret(&self, profile: &Profile) -> Result<bool> {
        Ok(self
            .profiles
            .list()?
            .iter()
            .find(|p| p.name == profile.name)
            .is_some_and(|old| same_server_and_application(old, profile)))
    }

    /// Saves a profile, and its client secret when one is given. The secret goes first,
    /// so a keyring failure never leaves a profile that cannot sign in; if the profile then
    /// cannot be saved, the secret it replaced is put back, so the old server never gets
    /// the new one's secret.
    pub async fn save_profile(&self, save: ProfileSave) -> Result<()> {
        let ProfileSave {
            mut profile,
            client_secret,
            mode,
        } = save;
        profile.validate()?;
        let all = self.profiles.list()?;
        // A form or flag edit does not know the application AuthDesk created: the same
        // server and application keep that record, another one drops it.
        let existing = all.iter().find(|p| p.name == profile.name);
        if let Some(old) = existing {
            if profile.registered_application.is_none()
                && same_server_and_application(old, &profile)
            {
                profile.registered_application = old.registered_application;
            }
        }
        let exists = existing.is_some();
        let secret_given = client_secret.is_some();
        let secret_stored = if !secret_given && exists {
            let owned = profile.name.clone();
            match self.keyring_call(move |k| k.client_secret(&owned)).await? {
                None => StoredFor::Nothing,
                Some(stored) if stored.for_profile(&profile).is_ok() => StoredFor::ThisProfile,
                Some(_) => StoredFor::Elsewhere,
            }
        } else {
            StoredFor::Nothing
        };
        let plan = plan_save(&all, &profile, secret_given, secret_stored, mode)?;
        let replaced = match client_secret {
            Some(secret) => {
                let secret = StoredSecret::entered_for(secret, &profile)?;
                let name = profile.name.clone();
                let old = self
                    .keyring_call(move |k| {
                        // An entry this version cannot read cannot be put back either.
                        let old = k.client_secret(&name).unwrap_or_default();
                        k.set_client_secret(&name, &secret)?;
                        Ok(old)
                    })
                    .await?;
                Some(old)
            }
            None => None,
        };
        let name = profile.name.clone();
        let checked = profile.clone();
        // Checked again under the file's lock: another process may have saved meanwhile.
        let saved = self.profiles.save_checked(profile, |all| {
            plan_save(all, &checked, secret_given, secret_stored, mode).map(|_| ())
        });
        if let Err(error) = saved {
            if let Some(old) = replaced {
                let owned = name.clone();
                let undone = self
                    .keyring_call(move |k| match old {
                        Some(old) => k.set_client_secret(&owned, &old),
                        None => k.delete_client_secret(&owned),
                    })
                    .await;
                if let Err(undo) = undone {
                    tracing::warn!(profile = %name, "could not put the earlier client secret back: {undo}");
                }
            }
            return Err(error);
        }
        if plan.forget_tokens {
            tracing::info!(profile = %name, "server or application changed; forgetting the stored tokens");
            self.forget_tokens(&name).await?;
        }
        Ok(())
    }

    /// Removes a profile after revoking its live tokens, so that no token the user can no
    /// longer see stays valid on the server (AWX's live 1,000 years). A revoke that fails,
    /// or cannot be verified while the token worked before it, keeps the profile: the report says so, and the caller may
    /// remove it anyway with [`Engine::remove_profile`]. Tokens issued for another server
    /// than the profile names now cannot be revoked with its client: they are kept out of
    /// it, and the report says so.
    pub async fn remove_profile_revoking(&self, name: &str) -> Result<RemoveReport> {
        let tokens = match self.current_tokens(name).await {
            Ok(tokens) => tokens,
            Err(Error::TokensFromElsewhere(_)) => {
                self.remove_profile(name).await?;
                return Ok(RemoveReport::TokensFromElsewhere);
            }
            Err(e) => return Err(e),
        };
        if tokens.is_none() {
            self.remove_profile(name).await?;
            return Ok(RemoveReport::NoTokens);
        }
        let revoked = self.revoke(name).await?;
        // Kept only where a token may still work: one refused before the revoke was dead.
        if !revoked.verified && !revoked.dead_before {
            return Ok(RemoveReport::Kept(revoked));
        }
        self.remove_profile(name).await?;
        Ok(RemoveReport::Revoked(revoked))
    }

    /// Removes a profile and its keyring entries.
    pub async fn remove_profile(&self, name: &str) -> Result<()> {
        if !self.profiles.contains(name)? {
            return Err(Error::ProfileNotFound(name.to_owned()));
        }
        let owned = name.to_owned();
        self.keyring_call(move |k| k.delete_profile(&owned)).await?;
        self.profiles.note_tokens_changed();
        self.profiles.remove(name)
    }

    /// Whether the keyring holds the profile's client secret (never the secret itself).
    pub async fn has_client_secret(&self, name: &str) -> Result<bool> {
        let owned = name.to_owned();
        self.keyring_call(move |k| k.has_client_secret(&owned))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::ProfileDraft;

    fn profile(name: &str, base_url: &str, client_id: &str) -> Profile {
        ProfileDraft::new(name, crate::presets::Preset::Awx, base_url, client_id)
            .build()
            .unwrap()
    }

    const PROD: &str = "https://awx.example.com";

    #[test]
    fn create_and_replace_are_told_apart() {
        let all = [profile("prod", PROD, "id")];
        let same = profile("prod", PROD, "id");
        assert!(matches!(
            plan_save(&all, &same, true, StoredFor::ThisProfile, SaveMode::Create),
            Err(Error::ProfileExists(_))
        ));
        assert!(matches!(
            plan_save(&[], &same, true, StoredFor::Nothing, SaveMode::Replace),
            Err(Error::ProfileNotFound(_))
        ));
        for mode in [SaveMode::Replace, SaveMode::CreateOrReplace] {
            assert_eq!(
                plan_save(&all, &same, false, StoredFor::ThisProfile, mode).unwrap(),
                SavePlan {
                    forget_tokens: false
                }
            );
        }
    }

    #[test]
    fn a_secret_is_required_unless_one_is_stored_for_the_same_server() {
        let all = [profile("prod", PROD, "id")];
        let new = profile("new", PROD, "id");
        assert!(matches!(
            plan_save(&all, &new, false, StoredFor::Nothing, SaveMode::Create),
            Err(Error::MissingClientSecret(_))
        ));
        let same = profile("prod", PROD, "id");
        assert!(matches!(
            plan_save(&all, &same, false, StoredFor::Nothing, SaveMode::Replace),
            Err(Error::MissingClientSecret(_))
        ));
        // A profile file changed by hand: the stored secret is for elsewhere, so a save
        // that does not move the profile still asks for it.
        assert!(
            plan_save(&all, &same, false, StoredFor::Elsewhere, SaveMode::Replace)
                .unwrap_err()
                .to_string()
                .contains("entered again")
        );
        // Re-pointed at another host, application, base URL or trust: the stored secret is
        // not sent there, and the tokens are forgotten.
        let mut pinned = profile("prod", PROD, "id");
        pinned.pin_sha256 = Some("ab".repeat(32));
        let mut with_ca = profile("prod", PROD, "id");
        with_ca.ca_file = Some("/etc/ssl/private-ca.pem".into());
        let mut custom_elsewhere = profile("prod", PROD, "id");
        custom_elsewhere.endpoints = Some(custom_elsewhere.endpoints().unwrap());
        custom_elsewhere.preset = crate::presets::Preset::Custom;
        custom_elsewhere.base_url = "https://other.example.com".parse().unwrap();
        for moved in [
            profile("prod", "https://evil.example.com", "id"),
            profile("prod", PROD, "other-id"),
            pinned,
            with_ca,
            custom_elsewhere,
        ] {
            let refused = plan_save(
                &all,
                &moved,
                false,
                StoredFor::ThisProfile,
                SaveMode::Replace,
            )
            .unwrap_err();
            assert!(refused.to_string().contains("entered again"), "{refused}");
            assert_eq!(
                plan_save(
                    &all,
                    &moved,
                    true,
                    StoredFor::ThisProfile,
                    SaveMode::Replace
                )
                .unwrap(),
                SavePlan {
                    forget_tokens: true
                }
            );
        }
    }

    #[test]
    fn names_differing_only_in_case_are_refused() {
        let all = [profile("Prod", PROD, "id")];
        let refused = plan_save(
            &all,
            &profile("prod", PROD, "id"),
            true,
            StoredFor::Nothing,
            SaveMode::Create,
        )
        .unwrap_err();
        assert!(refused.to_string().contains("letter case"), "{refused}");
        assert!(plan_save(
            &all,
            &profile("prod2", PROD, "id"),
            true,
            StoredFor::Nothing,
            SaveMode::Create
        )
        .is_ok());
    }
}

/// What [`Engine::remove_profile_revoking`] did.
#[derive(Debug)]
pub enum RemoveReport {
    /// Removed; it had no tokens.
    NoTokens,
    /// Removed after a verified revoke, or a revoke of tokens the server refused already.
    Revoked(RevokeReport),
    /// Not removed: the revoke was sent but not verified (its report says why).
    Kept(RevokeReport),
    /// Removed; its tokens were for another server and were not revoked.
    TokensFromElsewhere,
}
