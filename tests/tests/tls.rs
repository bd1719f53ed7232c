//! HTTPS with a private CA: untrusted by default (one sentence naming the host and the
//! CA-file option), trusted through the profile's CA file or a pinned certificate
//! fingerprint, for every request of the profile; a wrong pin is refused, and so is a
//! server presenting the pinned certificate without its key.

use std::path::Path;
use std::process::Command;

use authdesk_e2e::{unique, Browser, Desk, Flavor, TestServer};

fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A CA and a server certificate for 127.0.0.1 signed by it; returns the server
/// certificate's SHA-256 fingerprint as openssl prints it.
fn make_certificates(dir: &Path) -> String {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec![
        "req",
        "-x509",
        "-days",
        "2",
        "-subj",
        "/CN=AuthDesk Test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ];
    ca.extend(ec);
    ca.extend([
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, &ca);
    let mut csr = vec![
        "req",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ];
    csr.extend(ec);
    openssl(dir, &csr);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
    );
    let printed = openssl(
        dir,
        &[
            "x509",
            "-in",
            "server.pem",
            "-noout",
            "-fingerprint",
            "-sha256",
        ],
    );
    printed
        .trim()
        .split_once('=')
        .map(|(_, fp)| fp.to_owned())
        .unwrap()
}

#[test]
fn private_ca_is_trusted_only_through_the_ca_file_or_a_pin() {
    let certs = tempfile::tempdir().unwrap();
    let fingerprint = make_certificates(certs.path());
    let cert = certs.path().join("server.pem");
    let key = certs.path().join("server.key");
    let ca = certs.path().join("ca.pem").to_string_lossy().into_owned();
    let server = TestServer::start_with(
        Flavor::Awx,
        &[
            ("FAKEAWX_TLS_CERT", cert.to_str().unwrap()),
            ("FAKEAWX_TLS_KEY", key.to_str().unwrap()),
        ],
    )
    .unwrap();
    assert!(server.seed.base_url.starts_with("https://127.0.0.1:"));
    let desk = Desk::new(Browser::Ignore);
    let app = server.password_app();
    let password = format!("{}\n", server.seed.password);
    let get_token = |name: &str| {
        desk.run_with_input(
            &[
                "token",
                name,
                "-u",
                "demo",
                "--password-stdin",
                "--format",
                "plain",
            ],
            &password,
        )
    };

    // The system's trust store does not know the test CA: one sentence, exit 6.
    let untrusted = unique("tls-none");
    assert_eq!(
        desk.add_profile(&untrusted, &server, &app, &[]).status,
        Some(0)
    );
    let refused = get_token(&untrusted);
    assert_eq!(refused.status, Some(6), "{refused:?}");
    assert!(
        refused.stderr.contains("Could not reach 127.0.0.1")
            && refused.stderr.contains("not trusted")
            && refused.stderr.contains("--ca-file"),
        "{refused:?}"
    );
    assert_eq!(refused.stderr.trim().lines().count(), 1, "{refused:?}");
    // The browser sign-in says so before a browser opens (and before anyone logs in).
    let browser_profile = unique("tls-browser");
    assert_eq!(
        desk.add_profile(&browser_profile, &server, &server.seeded_app(), &[])
            .status,
        Some(0)
    );
    let refused = desk.run(&["token", &browser_profile, "--timeout", "30"]);
    assert_eq!(refused.status, Some(6), "{refused:?}");
    assert!(refused.stderr.contains("not trusted"), "{refused:?}");
    assert!(desk.browser_events().is_empty(), "no browser opened");

    // The profile's CA file: the token, and the REST API (personal tokens) too.
    let with_ca = unique("tls-ca");
    assert_eq!(
        desk.add_profile(&with_ca, &server, &app, &["--ca-file", &ca])
            .status,
        Some(0)
    );
    let got = get_token(&with_ca);
    assert_eq!(got.status, Some(0), "{got:?}");
    assert_eq!(desk.run(&["whoami", &with_ca]).stdout.trim(), "demo");
    let listed = desk.run_with_input(
        &["pat", "list", &with_ca, "-u", "demo", "--password-stdin"],
        &password,
    );
    assert_eq!(listed.status, Some(0), "{listed:?}");

    // A pinned fingerprint instead of a CA file.
    let pinned = unique("tls-pin");
    assert_eq!(
        desk.add_profile(&pinned, &server, &app, &["--pin-sha256", &fingerprint])
            .status,
        Some(0)
    );
    let got = get_token(&pinned);
    assert_eq!(got.status, Some(0), "{got:?}");
    assert_eq!(desk.run(&["whoami", &pinned]).stdout.trim(), "demo");
    let listed = desk.run_with_input(
        &["pat", "list", &pinned, "-u", "demo", "--password-stdin"],
        &password,
    );
    assert_eq!(listed.status, Some(0), "{listed:?}");
    let shown = desk.run(&["profile", "show", &pinned]);
    assert!(shown.stdout.contains(&fingerprint), "{shown:?}");

    // A wrong pin is refused, and says so.
    let wrong = unique("tls-wrong-pin");
    let other_pin = "00:".repeat(31) + "00";
    assert_eq!(
        desk.add_profile(&wrong, &server, &app, &["--pin-sha256", &other_pin])
            .status,
        Some(0)
    );
    let refused = get_token(&wrong);
    assert_eq!(refused.status, Some(6), "{refused:?}");
    assert!(
        refused.stderr.contains("pinned SHA-256 fingerprint"),
        "{refused:?}"
    );
    assert_eq!(refused.stderr.trim().lines().count(), 1, "{refused:?}");

    // Not a fingerprint, or both ways at once: refused before anything is stored.
    let bad = desk.add_profile(
        &unique("tls-bad"),
        &server,
        &app,
        &["--pin-sha256", "not-a-fingerprint"],
    );
    assert_eq!(bad.status, Some(2), "{bad:?}");
    assert!(bad.stderr.contains("not a SHA-256 fingerprint"), "{bad:?}");
    let both = desk.add_profile(
        &unique("tls-both"),
        &server,
        &app,
        &["--ca-file", &ca, "--pin-sha256", &fingerprint],
    );
    assert_eq!(both.status, Some(2), "{both:?}");
}

/// Presents a certificate with a private key that is not its own: the signature a TLS
/// handshake carries cannot match the certificate.
#[derive(Debug)]
struct Impostor(std::sync::Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for Impostor {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<std::sync::Arc<rustls::sign::CertifiedKey>> {
        Some(std::sync::Arc::clone(&self.0))
    }
}

/// A server that presents the pinned certificate without holding its key (a copy of the
/// certificate is public; the key is not): the pin matches, the handshake must not.
#[tokio::test]
async fn the_pinned_certificate_without_its_key_is_refused() {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use std::io::Read;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let certs = tempfile::tempdir().unwrap();
    let fingerprint = make_certificates(certs.path());
    openssl(
        certs.path(),
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-out",
            "impostor.key",
        ],
    );
    let certificate = CertificateDer::from_pem_file(certs.path().join("server.pem")).unwrap();
    let wrong_key = PrivateKeyDer::from_pem_file(certs.path().join("impostor.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let signer = provider.key_provider.load_private_key(wrong_key).unwrap();
    let presented = rustls::sign::CertifiedKey::new(vec![certificate], signer);
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Impostor(Arc::new(presented)))),
    );

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let got_request = Arc::new(AtomicBool::new(false));
    {
        let (handshakes, got_request) = (Arc::clone(&handshakes), Arc::clone(&got_request));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                handshakes.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
                let connection = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
                let mut tls = rustls::StreamOwned::new(connection, stream);
                let mut byte = [0u8; 1];
                // Any application data would be the request, credentials and all.
                if matches!(tls.read(&mut byte), Ok(n) if n > 0) {
                    got_request.store(true, Ordering::SeqCst);
                }
            }
        });
    }

    let trust = authdesk_core::Trust::typed(None, Some(&fingerprint)).unwrap();
    // The login itself is the first request: it must fail before anything is sent.
    let error = authdesk_core::ServerApi::connect(
        authdesk_core::Preset::Awx,
        &format!("https://127.0.0.1:{port}").parse().unwrap(),
        &trust,
        Some(std::time::Duration::from_secs(10)),
        authdesk_core::ApiLogin::Password(
            authdesk_core::Credentials::new("admin", authdesk_core::Secret::new("admin-password"))
                .unwrap(),
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(error.kind(), authdesk_core::ErrorKind::Network, "{error}");
    assert!(
        handshakes.load(Ordering::SeqCst) >= 1,
        "the client never connected"
    );
    assert!(
        !got_request.load(Ordering::SeqCst),
        "the request (with the password) reached a server without the pinned key"
    );
    assert!(!error.to_string().contains("admin-password"), "{error}");
}
