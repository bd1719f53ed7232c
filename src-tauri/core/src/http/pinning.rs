//! Trusting one certificate by its SHA-256 fingerprint: for self-signed AWX installs
//! whose users have no CA file, without ever switching verification off. The handshake
//! signatures are still checked; only the chain-of-trust is replaced by the pin.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A certificate fingerprint as people copy it: `AB:CD:…` (openssl, browsers) or plain hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint([u8; 32]);

impl std::str::FromStr for Fingerprint {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        // Also the whole line openssl prints: `sha256 Fingerprint=AB:CD:…`.
        let value = text.trim().rsplit('=').next().unwrap_or_default();
        let hex: String = value.chars().filter(|c| *c != ':').collect();
        let bad = || {
            Error::Config(format!(
                "The certificate fingerprint \"{}\" is not a SHA-256 fingerprint (64 hex digits, colons allowed); `openssl x509 -in cert.pem -noout -fingerprint -sha256` prints one.",
                text.trim()
            ))
        };
        if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(Fingerprint(bytes))
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|b| format!("{b:02X}")).collect();
        f.write_str(&parts.join(":"))
    }
}

/// The words a pin mismatch carries up through reqwest's error chain.
pub const MISMATCH: &str = "the server's certificate is not the pinned one";

#[derive(Debug)]
struct PinnedCertificate {
    pin: Fingerprint,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let seen = Sha256::digest(end_entity.as_ref());
        if seen.as_slice() == self.pin.0 {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(MISMATCH.into()))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A TLS configuration that trusts exactly the certificate with this fingerprint.
pub fn pinned_config(pin: Fingerprint) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal {
            what: "set up TLS",
            detail: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedCertificate { pin, provider }))
        .with_no_client_auth();
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_parse_as_people_copy_them() {
        let colons = "AB:".repeat(31) + "AB";
        let pin: Fingerprint = colons.parse().unwrap();
        assert_eq!(pin.to_string(), colons);
        assert_eq!("ab".repeat(32).parse::<Fingerprint>().unwrap(), pin);
        let openssl_line = format!("sha256 Fingerprint={colons}");
        assert_eq!(openssl_line.parse::<Fingerprint>().unwrap(), pin);
        for bad in [
            "",
            "AB:CD",
            &"zz".repeat(32),
            &"é".repeat(32),
            &"+a".repeat(32),
        ] {
            assert!(bad.parse::<Fingerprint>().is_err(), "{bad:?}");
        }
    }
}
