//! Which certificates a profile's server may present: the system's roots plus a CA
//! file, or exactly one pinned certificate. Verification is never switched off.

use std::path::PathBuf;

use super::pinning::Fingerprint;
use crate::error::Result;
use crate::profiles::{typed_ca_file, typed_pin, Profile};

#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// PEM file of extra CA certificates, on top of the system's.
    pub ca_file: Option<PathBuf>,
    /// Exactly one certificate, by fingerprint, instead of any chain.
    pub pin: Option<Fingerprint>,
}

impl Trust {
    pub fn of(profile: &Profile) -> Result<Trust> {
        Ok(Trust {
            ca_file: profile.ca_file.clone(),
            pin: profile.pinned_fingerprint()?,
        })
    }

    /// From a form's fields, before there is a profile: the same rules as a profile's.
    pub fn typed(ca_file: Option<&str>, pin: Option<&str>) -> Result<Trust> {
        Ok(Trust {
            ca_file: typed_ca_file(ca_file),
            pin: typed_pin(pin).map(|pin| pin.parse()).transpose()?,
        })
    }
}
