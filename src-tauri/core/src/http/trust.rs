//! Which certificates a profile's server may present: the system's roots plus a CA
//! file, or exactly one pinned certificate. Verification is never switched off.

use std::path::PathBuf;

use super::pinning::Fingerprint;
use crate::error::Result;

#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// PEM file of extra CA certificates, on top of the system's.
    pub ca_file: Option<PathBuf>,
    /// Exactly one certificate, by fingerprint, instead of any chain.
    pub pin: Option<Fingerprint>,
}

impl Trust {
    /// From a form's fields, before there is a profile: the same rules as a profile's.
    pub fn typed(ca_file: Option<&str>, pin: Option<&str>) -> Result<Trust> {
        Ok(Trust {
            ca_file: typed_ca_file(ca_file),
            pin: typed_pin(pin).map(|pin| pin.parse()).transpose()?,
        })
    }
}

/// A CA file path as typed: blank means none; relative paths are made absolute, so the
/// profile works from any folder.
pub fn typed_ca_file(text: Option<&str>) -> Option<PathBuf> {
    text.map(str::trim)
        .filter(|path| !path.is_empty())
        .map(|path| {
            let path = PathBuf::from(path);
            std::path::absolute(&path).unwrap_or(path)
        })
}

/// A pinned fingerprint as typed: blank means none (checked by `Profile::validate`).
pub fn typed_pin(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|pin| !pin.is_empty())
        .map(str::to_owned)
}
