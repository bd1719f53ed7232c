//! Revocation (RFC 7009) as AWX and the gateway do it: a 2xx proves nothing, and
//! current gateways look tokens up hashed.

use super::OAuthClient;
use crate::error::{Result, ServerReply};
use crate::http::{reply_text, send};
use crate::profiles::ClientAuth;
use crate::secret::Secret;

use crate::http::rejected;

impl OAuthClient {
    /// Revokes one token at the revoke endpoint with the client's credentials. A 2xx
    /// proves nothing (unknown tokens get 200 too): callers verify with who-am-I.
    ///
    /// Written by hand because the `oauth2` crate refuses revocation over plain HTTP
    /// (RFC 7009), and AWX dev and demo servers often run on it.
    pub async fn revoke(&self, token: &Secret, token_type_hint: &str) -> Result<()> {
        const ACTION: &str = "revoke request";
        let url = &self.endpoints.revoke;
        let mut form = vec![
            ("token", token.expose()),
            ("token_type_hint", token_type_hint),
        ];
        let mut request = self.http.post(url.clone());
        match self.client_auth {
            ClientAuth::Basic => {
                // DOT url-decodes both halves, as RFC 6749 §2.3.1 asks.
                let encode = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                request = request.basic_auth(
                    encode(&self.client_id),
                    Some(encode(self.client_secret.expose())),
                );
            }
            ClientAuth::Post => {
                form.push(("client_id", &self.client_id));
                form.push(("client_secret", self.client_secret.expose()));
            }
        }
        let (status, body) = send(ACTION, url, request.form(&form)).await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(rejected(
                ACTION,
                ServerReply::new(status.as_u16(), reply_text(&body)).answering("POST", url),
            ))
        }
    }
}

/// How current gateways (django-ansible-base) store a token: `$sha256$<hex of sha256>`.
/// Their revoke endpoint looks the token up as sent, so only this form revokes there.
pub fn hashed_token_form(token: &Secret) -> Secret {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let digest = Sha256::digest(token.expose().as_bytes());
    let mut form = String::with_capacity(8 + 64);
    form.push_str("$sha256$");
    for byte in digest {
        let _ = write!(form, "{byte:02x}");
    }
    Secret::new(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_form_is_dab_sha256_hex() {
        // sha256("abc"), the FIPS 180-2 test vector.
        assert_eq!(
            hashed_token_form(&Secret::new("abc")).expose(),
            "$sha256$ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
