//! `cargo xtask bench`: AuthDesk's costs against the floor, medians over repeated runs.
//! A benchmark, not a test: it prints figures and targets, and fails nothing.
//!
//! - exchange overhead: AuthDesk's code exchange + who-am-I against the same two requests
//!   from a bare reqwest client, both on warm connections to the AWX-like server;
//! - time to token: the whole `authdesk token` flow with the scripted browser, against
//!   the same requests driven by curl (and a bare listener) with the same browser;
//! - stored token: `authdesk token` handing out the stored access token (no request, no
//!   browser) against `secret-tool lookup` reading the same keyring item (libsecret's
//!   own CLI: the floor of one Secret Service read from a new process), and the same on
//!   the encrypted file where no Secret Service answers (its key in the session keyring);
//! - CLI start: `authdesk --help` and `authdesk profile list` (empty, and 500 profiles);
//! - size of the release executables;
//! - the window: start-up, memory, and lists at scale (see `window.rs`).
//!
//! Arguments pick parts: `cli` (all but the window) or one of its `exchange`, `flow`,
//! `stored`, `start-cli` and `sizes`; `window` or one of its `start`, `memory` and
//! `scale`; none runs everything.

mod window;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use authdesk_core::{Secret, StoredSecret};
use authdesk_e2e::fixtures::{OAuthClient, Preset, ProfileDraft};
use authdesk_e2e::{
    authdesk_bin, blocking_client, repo_root, unique, Browser, Desk, Flavor, TestServer,
};
use serde_json::json;

const ROUNDS: usize = 40;

fn main() -> Result<()> {
    let bin = authdesk_bin();
    let parts: Vec<String> = std::env::args().skip(1).collect();
    let wants = |part: &str| parts.is_empty() || parts.iter().any(|p| p == part);
    let window_part = |part: &str| wants("window") || parts.iter().any(|p| p == part);
    println!("AuthDesk benchmark ({})\n", bin.display());
    // A part that fails is reported after the table; the others still count.
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    let mut record = |part: &str, result: Result<Vec<Row>>| match result {
        Ok(more) => rows.extend(more),
        Err(e) => failed.push(format!("{part}: {e:#}")),
    };
    let cli_part = |part: &str| wants("cli") || parts.iter().any(|p| p == part);
    if cli_part("exchange") {
        record("exchange overhead", exchange_overhead());
    }
    if cli_part("flow") {
        record("time to token", time_to_token());
    }
    if cli_part("stored") {
        record("stored token", stored_token());
    }
    if cli_part("start-cli") {
        record("CLI start", cli_start(&bin));
    }
    if cli_part("sizes") {
        record("sizes", sizes(&bin));
    }
    if ["start", "memory", "scale"].into_iter().any(window_part) {
        let server = TestServer::start(Flavor::Awx)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        if window_part("start") {
            record("window start-up", window::start_up(&server));
        }
        if window_part("memory") {
            record("window memory", runtime.block_on(window::memory(&server)));
        }
        if window_part("scale") {
            record("window scale", runtime.block_on(window::scale(&server)));
        }
    }
    println!("| measure | median | target | verdict |\n|---|---|---|---|");
    for row in rows {
        println!("| {} | {} | {} | {} |", row.0, row.1, row.2, row.3);
    }
    if !failed.is_empty() {
        bail!("not measured:\n{}", failed.join("\n"));
    }
    Ok(())
}

type Row = (String, String, String, String);

fn verdict(ok: bool) -> String {
    if ok { "met" } else { "MISSED" }.to_owned()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A browser session on the AWX-like server, minting codes without a consent screen
/// (the application skips authorization), so only the exchange is timed.
struct CodeMinter {
    http: reqwest::blocking::Client,
    cookies: String,
    authorize: String,
}

impl CodeMinter {
    fn new(server: &TestServer, client_id: &str, redirect_uri: &str) -> Result<Self> {
        let http = blocking_client();
        let login = server.url("/api/login/");
        let page = http.get(&login).send()?;
        let mut cookies = cookies_of(&page);
        let html = page.text()?;
        let csrf = html
            .split("name=\"csrfmiddlewaretoken\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .context("the login page has no CSRF token")?
            .to_owned();
        let answer = http
            .post(&login)
            .header("Cookie", &cookies)
            .header("Referer", &login)
            .form(&[
                ("csrfmiddlewaretoken", csrf.as_str()),
                ("username", server.seed.username.as_str()),
                ("password", server.seed.password.as_str()),
                ("next", "/api/"),
            ])
            .send()?;
        if !answer.status().is_redirection() {
            bail!("login failed: {}", answer.status());
        }
        cookies = format!("{cookies}; {}", cookies_of(&answer));
        let authorize = format!(
            "{}?response_type=code&client_id={client_id}&redirect_uri={}&scope=read&state=bench",
            server.url("/api/o/authorize/"),
            url::form_urlencoded::byte_serialize(redirect_uri.as_bytes()).collect::<String>()
        );
        Ok(CodeMinter {
            http,
            cookies,
            authorize,
        })
    }

    fn code(&self) -> Result<String> {
        let answer = self
            .http
            .get(&self.authorize)
            .header("Cookie", &self.cookies)
            .send()?;
        let location = answer
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .context("authorize did not redirect")?;
        let url = url::Url::parse(location)?;
        url.query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .context("no code in the redirect")
    }
}

fn cookies_of(response: &reqwest::blocking::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

fn exchange_overhead() -> Result<Vec<Row>> {
    let server = TestServer::start(Flavor::Awx)?;
    let redirect_uri = "http://127.0.0.1:9/callback";
    let created: serde_json::Value = blocking_client()
        .post(server.url("/api/v2/applications/"))
        .basic_auth(&server.seed.username, Some(&server.seed.password))
        .json(
            &json!({"name": "bench", "organization": server.seed.organization_id,
            "client_type": "confidential", "redirect_uris": redirect_uri,
            "authorization_grant_type": "authorization-code", "skip_authorization": true}),
        )
        .send()?
        .json()?;
    let client_id = created["client_id"]
        .as_str()
        .context("client_id")?
        .to_owned();
    let client_secret = created["client_secret"]
        .as_str()
        .context("client_secret")?
        .to_owned();
    let minter = CodeMinter::new(&server, &client_id, redirect_uri)?;

    let profile = ProfileDraft {
        name: "bench".into(),
        preset: Preset::Awx,
        base_url: server.seed.base_url.clone(),
        client_id: client_id.clone(),
        grant: Default::default(),
        redirect_uri: redirect_uri.into(),
        scope: "read".into(),
        ca_file: None,
        pkce: false,
        client_auth: Default::default(),
        pin_sha256: None,
        request_timeout_secs: None,
        endpoints: None,
    }
    .build()?;
    let authdesk = OAuthClient::new(
        &profile,
        &StoredSecret::entered_for(Secret::new(client_secret.clone()), &profile)?,
    )?;
    let bare = reqwest::Client::new();
    let redirect = url::Url::parse(redirect_uri)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    // One warm-up round each, then interleaved rounds so drift hits both alike.
    for round in 0..=ROUNDS {
        let code = minter.code()?;
        let started = Instant::now();
        runtime.block_on(async {
            let tokens = authdesk.exchange_code(&code, &redirect, None).await?;
            authdesk.whoami(&tokens.access_token).await
        })?;
        let took = started.elapsed();
        let code = minter.code()?;
        let started = Instant::now();
        runtime.block_on(async {
            let tokens: serde_json::Value = bare
                .post(server.url("/api/o/token/"))
                .basic_auth(&client_id, Some(&client_secret))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", redirect_uri),
                ])
                .send()
                .await?
                .json()
                .await?;
            let access = tokens["access_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            bare.get(server.url("/api/v2/me/"))
                .bearer_auth(access)
                .send()
                .await?
                .bytes()
                .await
        })?;
        let bare_took = started.elapsed();
        if round > 0 {
            ours.push(took);
            floor.push(bare_took);
        }
    }
    let (ours, floor) = (median(ours), median(floor));
    let ratio = ours.as_secs_f64() / floor.as_secs_f64();
    Ok(vec![
        (
            "code exchange + who-am-I, AuthDesk".into(),
            ms(ours),
            String::new(),
            String::new(),
        ),
        (
            "code exchange + who-am-I, bare reqwest".into(),
            ms(floor),
            String::new(),
            String::new(),
        ),
        (
            "exchange overhead (ratio)".into(),
            format!("{ratio:.3}"),
            "≤ 1.05".into(),
            verdict(ratio <= 1.05),
        ),
    ])
}

/// A desk with one working profile (the seeded application) on the AWX-like server.
fn desk_with_profile(server: &TestServer) -> Result<(Desk, String)> {
    let desk = Desk::new(Browser::Approve);
    let name = unique("bench");
    let added = desk.add_profile(&name, server, &server.seeded_app(), &[]);
    if added.status != Some(0) {
        bail!("profile add failed: {}", added.stderr);
    }
    Ok((desk, name))
}

/// Rounds of the whole flow: each includes the scripted browser's login and consent.
const FLOW_ROUNDS: usize = 15;

fn time_to_token() -> Result<Vec<Row>> {
    let server = TestServer::start(Flavor::Awx)?;
    let app = server.seeded_app();
    let (desk, name) = desk_with_profile(&server)?;
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for round in 0..=FLOW_ROUNDS {
        let started = Instant::now();
        let output = desk
            .command(&[
                "token",
                &name,
                "--fresh",
                "--format",
                "plain",
                "--timeout",
                "60",
            ])
            .output()?;
        let took = started.elapsed();
        if !output.status.success() {
            bail!(
                "authdesk token failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let started = Instant::now();
        curl_flow(&server, &app.client_id, &app.client_secret)?;
        let curl_took = started.elapsed();
        if round > 0 {
            ours.push(took);
            floor.push(curl_took);
        }
    }
    let (ours, floor) = (median(ours), median(floor));
    let ratio = ours.as_secs_f64() / floor.as_secs_f64();
    Ok(vec![
        (
            "time to token, `authdesk token` (scripted browser)".into(),
            ms(ours),
            String::new(),
            String::new(),
        ),
        (
            "time to token, curl + listener (same browser)".into(),
            ms(floor),
            String::new(),
            String::new(),
        ),
        (
            "time to token (ratio)".into(),
            format!("{ratio:.3}"),
            "≤ 1.05".into(),
            verdict(ratio <= 1.05),
        ),
    ])
}

/// `authdesk token` on the stored path against `secret-tool lookup` of the same item,
/// interleaved round by round.
fn stored_token() -> Result<Vec<Row>> {
    let server = TestServer::start(Flavor::Awx)?;
    let (desk, name) = desk_with_profile(&server)?;
    let got = desk.run(&["token", &name, "--timeout", "60"]);
    if got.status != Some(0) {
        bail!("authdesk token failed: {}", got.stderr);
    }
    // The item `authdesk` reads: its service for this config folder, the profile's tokens.
    let service = authdesk_e2e::fixtures::keyring_service_for(&desk.config_dir());
    let account = format!("{name}/tokens");
    // The same profile on a desk with no session bus: the encrypted file, unlocked once
    // (the key then comes from the session keyring, as for every later command).
    let mut file_desk = Desk::new(Browser::Approve);
    file_desk
        .env
        .push(("AUTHDESK_SECRET_STORE".into(), "file".into()));
    let app = server.seeded_app();
    std::fs::write(file_desk.dir.path().join("pass"), "bench passphrase\n")?;
    let added = file_desk.shell(
        &format!(
            "authdesk --passphrase-fd 3 profile add {name} --preset awx --base-url {} --client-id {} --redirect-uri {} --client-secret-stdin 3<\"$HOME/../pass\" && authdesk token {name} >/dev/null",
            server.seed.base_url, app.client_id, app.redirect_uri
        ),
        &format!("{}\n", app.client_secret),
    );
    if added.status != Some(0) {
        bail!("the encrypted file's profile failed: {}", added.stderr);
    }
    let (mut ours, mut floor, mut file) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..=ROUNDS {
        let started = Instant::now();
        let output = file_desk
            .command(&["token", &name, "--format", "plain"])
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .output()?;
        let file_took = started.elapsed();
        if !output.status.success() || output.stdout.is_empty() {
            bail!(
                "authdesk token on the encrypted file failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let started = Instant::now();
        let output = desk
            .command(&["token", &name, "--format", "plain"])
            .output()?;
        let took = started.elapsed();
        if !output.status.success() || output.stdout.is_empty() {
            bail!(
                "authdesk token failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let started = Instant::now();
        let lookup = Command::new("secret-tool")
            .args(["lookup", "service", &service, "username", &account])
            .stderr(Stdio::null())
            .output()
            .context("running secret-tool (Debian: libsecret-tools)")?;
        let lookup_took = started.elapsed();
        if !lookup.status.success() || lookup.stdout.is_empty() {
            bail!("secret-tool found no item for service {service}, username {account}");
        }
        if round > 0 {
            ours.push(took);
            floor.push(lookup_took);
            file.push(file_took);
        }
    }
    let _ = file_desk.run(&["lock"]);
    let (ours, floor, file) = (median(ours), median(floor), median(file));
    let ratio = ours.as_secs_f64() / floor.as_secs_f64();
    let file_ratio = file.as_secs_f64() / ours.as_secs_f64();
    Ok(vec![
        (
            "stored token, `authdesk token`, encrypted file (key in the session keyring)".into(),
            ms(file),
            String::new(),
            String::new(),
        ),
        (
            "stored token, encrypted file / Secret Service (ratio)".into(),
            format!("{file_ratio:.3}"),
            "≤ 1.20".into(),
            verdict(file_ratio <= 1.20),
        ),
        (
            "stored token, `authdesk token` (no request, no browser)".into(),
            ms(ours),
            String::new(),
            String::new(),
        ),
        (
            "stored token, `secret-tool lookup` of the same item".into(),
            ms(floor),
            String::new(),
            String::new(),
        ),
        (
            "stored token (ratio)".into(),
            format!("{ratio:.3}"),
            "≤ 1.20".into(),
            verdict(ratio <= 1.20),
        ),
    ])
}

/// The floor: a bare loopback listener, the same scripted browser, and curl for the
/// token request and who-am-I.
fn curl_flow(server: &TestServer, client_id: &str, client_secret: &str) -> Result<()> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let redirect_uri = format!(
        "http://127.0.0.1:{}/callback",
        listener.local_addr()?.port()
    );
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let authorize = format!(
        "{}?response_type=code&client_id={}&redirect_uri={}&scope=read+write&state=floor",
        server.url("/api/o/authorize/"),
        encode(client_id),
        encode(&redirect_uri)
    );
    let status = Command::new(repo_root().join("tests/browser/xdg-open"))
        .arg(&authorize)
        .env("AUTHDESK_BROWSER_MODE", "approve")
        .status()?;
    if !status.success() {
        bail!("the scripted browser failed");
    }
    let (mut stream, _) = listener.accept()?;
    let mut head = [0u8; 4096];
    let read = stream.read(&mut head)?;
    stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")?;
    let head = String::from_utf8_lossy(&head[..read]).into_owned();
    let target = head.split(' ').nth(1).context("no request line")?;
    let code = url::Url::parse(&format!("http://x{target}"))?
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .context("no code in the callback")?;
    let token = Command::new("curl")
        .args([
            "-sS",
            "--fail",
            "-u",
            &format!("{client_id}:{client_secret}"),
        ])
        .args(["-d", "grant_type=authorization_code"])
        .args(["--data-urlencode", &format!("code={code}")])
        .args(["--data-urlencode", &format!("redirect_uri={redirect_uri}")])
        .arg(server.url("/api/o/token/"))
        .output()?;
    let tokens: serde_json::Value = serde_json::from_slice(&token.stdout)?;
    let access = tokens["access_token"].as_str().context("no access token")?;
    let me = Command::new("curl")
        .args([
            "-sS",
            "--fail",
            "-H",
            &format!("Authorization: Bearer {access}"),
        ])
        .arg(server.url("/api/v2/me/"))
        .output()?;
    if !me.status.success() {
        bail!("who-am-I failed");
    }
    Ok(())
}

fn time_command(bin: &Path, args: &[&str], config: &Path) -> Result<Duration> {
    let mut samples = Vec::new();
    for round in 0..=ROUNDS {
        let started = Instant::now();
        let status = Command::new(bin)
            .args(args)
            .env("AUTHDESK_CONFIG_DIR", config)
            .env_remove("DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        let took = started.elapsed();
        if !status.success() {
            bail!("{} {args:?} failed", bin.display());
        }
        if round > 0 {
            samples.push(took);
        }
    }
    Ok(median(samples))
}

fn cli_start(bin: &Path) -> Result<Vec<Row>> {
    let empty = tempfile::tempdir()?;
    let many = tempfile::tempdir()?;
    std::fs::write(many.path().join("profiles.toml"), many_profiles_toml(500))?;
    let mut rows = Vec::new();
    for (what, args, config, target) in [
        ("`authdesk --help`", vec!["--help"], empty.path(), 20),
        (
            "`authdesk profile list`",
            vec!["profile", "list"],
            empty.path(),
            20,
        ),
        (
            "`authdesk profile list`, 500 profiles",
            vec!["profile", "list"],
            many.path(),
            10,
        ),
    ] {
        let took = time_command(bin, &args, config)?;
        rows.push((
            what.to_owned(),
            ms(took),
            format!("≤ {target} ms"),
            verdict(took <= Duration::from_millis(target)),
        ));
    }
    Ok(rows)
}

/// `count` profiles `profile-000`… on servers `awx0.example.com`…, as `profiles.toml` text.
fn many_profiles_toml(count: usize) -> String {
    let mut toml = String::new();
    for i in 0..count {
        toml.push_str(&format!(
            "[[profile]]\nname = \"profile-{i:03}\"\npreset = \"awx\"\nbase_url = \"https://awx{i}.example.com/\"\nclient_id = \"client-{i}\"\nredirect_uri = \"http://127.0.0.1/callback\"\nscope = \"read\"\n\n"
        ));
    }
    toml
}

fn sizes(bin: &Path) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    let window = bin.with_file_name("authdesk-window");
    for path in [bin.to_path_buf(), window] {
        let bytes = std::fs::metadata(&path)
            .with_context(|| format!("{}", path.display()))?
            .len();
        let mib = bytes as f64 / (1024.0 * 1024.0);
        rows.push((
            format!(
                "size of {}",
                path.file_name().and_then(|n| n.to_str()).unwrap_or("?")
            ),
            format!("{mib:.2} MiB"),
            "< 12 MiB".into(),
            verdict(mib < 12.0),
        ));
    }
    Ok(rows)
}
