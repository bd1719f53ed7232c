//! A real AuthDesk window under Xvfb, driven through WebDriver: `tauri-driver` in front of
//! WebKitWebDriver, talked to with fantoccini. One display, one driver and one session
//! per window; everything is stopped when the window is dropped. [`Window`] has the
//! actions (click, fill, select…) and every wait a test needs: for an element's text or
//! value, for the clipboard, for a line in the app's log.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::{authdesk_bin, free_port, Desk};

/// Window tests share the machine's X displays and clipboard: one at a time.
pub static ONE_WINDOW_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub struct Window {
    pub client: Client,
    pub display: String,
    /// Where tauri-driver's output, and with it the app's log (at debug), goes.
    log: PathBuf,
    // Dropped after the client: the driver (and the app) before the display.
    driver: ProcessGroup,
    _xvfb: Xvfb,
}

/// Xvfb on a free display number, stopped with SIGTERM (it leaves its lock files behind
/// on SIGKILL).
pub struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// tauri-driver in its own process group with WebKitWebDriver and the app it starts:
/// stopping the group stops them all, so no app outlives its test.
struct ProcessGroup(Child);

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && self.0.try_wait().ok().flatten().is_none() {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

/// Where tauri-driver's output, and with it the app's log (at debug), goes.
fn app_log_path(desk: &Desk) -> PathBuf {
    desk.dir.path().join("tauri-driver.log")
}

/// How often the page and the clipboard are read while waiting on them.
const POLL: Duration = Duration::from_millis(100);

/// Reads with `read` every `every` until `done` accepts what it read, or `timeout` has
/// passed; the error is `still` of the last reading.
async fn poll_until<T, F: std::future::Future<Output = Result<T>>>(
    timeout: Duration,
    every: Duration,
    mut read: impl FnMut() -> F,
    done: impl Fn(&T) -> bool,
    still: impl Fn(&T) -> String,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        let now = read().await?;
        if done(&now) {
            return Ok(now);
        }
        if Instant::now() > deadline {
            bail!("{}", still(&now));
        }
        tokio::time::sleep(every).await;
    }
}

/// The last `lines` lines of what tauri-driver, WebKitWebDriver and the app logged.
fn log_tail(path: &Path, lines: usize) -> String {
    let log = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = log.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Waits until WebKitWebDriver, asked directly on its own port, answers `/status` with
/// `ready: true`.
async fn wait_until_ready(
    native_port: u16,
    deadline: Instant,
    driver: &mut ProcessGroup,
) -> Result<()> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()?;
    let url = format!("http://127.0.0.1:{native_port}/status");
    loop {
        let ready = match client.get(&url).send().await {
            Ok(answer) if answer.status().is_success() => answer
                .json::<serde_json::Value>()
                .await
                .is_ok_and(|status| status["value"]["ready"] == true),
            _ => false,
        };
        if ready {
            return Ok(());
        }
        if Instant::now() > deadline || driver.0.try_wait().ok().flatten().is_some() {
            bail!("WebKitWebDriver did not become ready on port {native_port}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return path.into();
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo")
        });
    home.join("bin/tauri-driver")
}

impl Xvfb {
    pub fn start() -> Result<Self> {
        let (child, display) = start_xvfb()?;
        Ok(Xvfb { child, display })
    }

    /// The `DISPLAY` value, `:N`.
    pub fn display(&self) -> &str {
        &self.display
    }
}

fn start_xvfb() -> Result<(Child, String)> {
    let number = (90..400)
        .find(|n| !std::path::Path::new(&format!("/tmp/.X{n}-lock")).exists())
        .context("no free X display number")?;
    let display = format!(":{number}");
    let mut xvfb = Command::new("Xvfb")
        .args([
            display.as_str(),
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting Xvfb")?;
    let socket = format!("/tmp/.X11-unix/X{number}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::path::Path::new(&socket).exists() {
        if Instant::now() > deadline || xvfb.try_wait().ok().flatten().is_some() {
            let _ = xvfb.kill();
            let _ = xvfb.wait();
            bail!("Xvfb did not start on {display}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((xvfb, display))
}

/// How long one step through the window may take, a sign-in through the scripted
/// browser included.
pub const STEP_WAIT: Duration = Duration::from_secs(60);

impl Window {
    /// Opens AuthDesk on `desk`'s folders, browser and keyring.
    pub async fn open(desk: &Desk) -> Result<Self> {
        let xvfb = Xvfb::start()?;
        let display = xvfb.display.clone();
        let port = free_port();
        let native_port = free_port();
        // The same environment as the CLI runs with, given to tauri-driver, which starts
        // WebKitWebDriver, which starts the app: all inherit it.
        let command = desk.command(&[]);
        let log = std::fs::File::create(app_log_path(desk))?;
        let mut driver = Command::new(tauri_driver());
        for (key, value) in command.get_envs() {
            match value {
                Some(value) => driver.env(key, value),
                None => driver.env_remove(key),
            };
        }
        driver
            .env("DISPLAY", &display)
            .env("AUTHDESK_LOG", "debug")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdin(Stdio::null())
            // tauri-driver says on stdout why it dropped a request ("Error serving
            // connection: …"); the app and WebKitWebDriver write to stderr.
            .stdout(log.try_clone()?)
            .stderr(log)
            // Its own process group, so the app it starts can be stopped with it.
            .process_group(0);
        let mut driver = ProcessGroup(
            driver
                .spawn()
                .context("starting tauri-driver (cargo xtask test installs it)")?,
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline || driver.0.try_wait().ok().flatten().is_some() {
                bail!("tauri-driver did not start on port {port}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // tauri-driver opens its port before the WebKitWebDriver it started listens (tens
        // of milliseconds later on a cold page cache), and answers a request it cannot
        // forward by closing the connection: the new-session request must wait for
        // WebKitWebDriver itself to say it is ready (tauri-apps/tauri#15156).
        wait_until_ready(native_port, deadline, &mut driver).await?;
        // Both of rustls's crypto back-ends are linked (fantoccini and reqwest differ): pick one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("wry"));
        capabilities.insert(
            "tauri:options".into(),
            json!({ "application": authdesk_bin() }),
        );
        let mut builder = ClientBuilder::rustls().context("WebDriver client")?;
        builder.capabilities(capabilities);
        // WebKitWebDriver never answers if the app dies while starting: bound the wait.
        let client = tokio::time::timeout(
            Duration::from_secs(90),
            builder.connect(&format!("http://127.0.0.1:{port}")),
        )
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "the new-session request got no answer in 90 s (did the app start?):\n{}",
                log_tail(&app_log_path(desk), 40)
            )
        })?
        .with_context(|| {
            format!(
                "opening a WebDriver session on the AuthDesk window:\n{}",
                log_tail(&app_log_path(desk), 40)
            )
        })?;
        let window = Window {
            client,
            display,
            log: app_log_path(desk),
            driver,
            _xvfb: xvfb,
        };
        window
            .element("profile-select")
            .await
            .context("the window's page did not load")?;
        Ok(window)
    }

    fn css(test_id: &str) -> String {
        format!("[data-testid=\"{test_id}\"]")
    }

    pub async fn element(&self, test_id: &str) -> Result<fantoccini::elements::Element> {
        Ok(self
            .client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(&Self::css(test_id)))
            .await?)
    }

    pub async fn click(&self, test_id: &str) -> Result<()> {
        self.interactable(test_id).await?.click().await?;
        Ok(())
    }

    /// The element once it is shown, enabled and still: WebDriver clicks at the point where
    /// the element was, so an element moving (content arriving above it) would take the
    /// click elsewhere, silently. Still means the same box twice, a frame or more apart.
    async fn interactable(&self, test_id: &str) -> Result<fantoccini::elements::Element> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut last_box = None;
        loop {
            let element = self.element(test_id).await?;
            if element.is_displayed().await? && element.is_enabled().await? {
                let now = element.rectangle().await?;
                if last_box == Some(now) {
                    return Ok(element);
                }
                last_box = Some(now);
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            last_box = None;
            if Instant::now() > deadline {
                bail!("{test_id} never became usable");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types into a field once it is shown and enabled (dialogs open after an IPC call).
    pub async fn fill(&self, test_id: &str, text: &str) -> Result<()> {
        let element = self.interactable(test_id).await?;
        element.clear().await?;
        element.send_keys(text).await?;
        Ok(())
    }

    /// Types keys into a field after what it holds.
    pub async fn type_keys(&self, test_id: &str, keys: &str) -> Result<()> {
        self.interactable(test_id).await?.send_keys(keys).await?;
        Ok(())
    }

    /// Empties a field as a user would (select all, delete), so the page sees the input.
    pub async fn clear(&self, test_id: &str) -> Result<()> {
        let element = self.interactable(test_id).await?;
        element.send_keys("\u{E009}a").await?;
        element.send_keys("\u{E003}").await?;
        Ok(())
    }

    /// Picks the option with `value` in a select, once it is usable.
    pub async fn select(&self, test_id: &str, value: &str) -> Result<()> {
        self.interactable(test_id)
            .await?
            .select_by_value(value)
            .await?;
        Ok(())
    }

    /// Whether the element is shown (in the page, not hidden, of some size).
    pub async fn is_shown(&self, test_id: &str) -> Result<bool> {
        Ok(self.element(test_id).await?.is_displayed().await?)
    }

    pub async fn is_enabled(&self, test_id: &str) -> Result<bool> {
        Ok(self.element(test_id).await?.is_enabled().await?)
    }

    /// Opens (or closes) a `<details>` element by clicking its summary, as a person does.
    pub async fn toggle_details(&self, test_id: &str) -> Result<()> {
        self.element(test_id)
            .await?
            .find(fantoccini::Locator::Css("summary"))
            .await?
            .click()
            .await?;
        Ok(())
    }

    pub async fn text(&self, test_id: &str) -> Result<String> {
        Ok(self.element(test_id).await?.text().await?)
    }

    /// Waits until the element's text passes `check`; returns that text.
    pub async fn wait_text(
        &self,
        test_id: &str,
        timeout: Duration,
        check: impl Fn(&str) -> bool,
    ) -> Result<String> {
        poll_until(
            timeout,
            POLL,
            || async { Ok(self.text(test_id).await.unwrap_or_default()) },
            |text| check(text),
            |text| format!("{test_id} still reads {text:?}"),
        )
        .await
    }

    /// Presses a button and waits until the notice holds `said`; returns the notice.
    pub async fn press(&self, test_id: &str, said: &str) -> Result<String> {
        self.click(test_id).await?;
        self.wait_text("status", STEP_WAIT, |t| t.contains(said))
            .await
    }

    /// Presses Get token and waits until the notice says `user` signed in; returns it.
    pub async fn get_token_as(&self, user: &str) -> Result<String> {
        self.click("get-token").await?;
        let signed_in = format!("Signed in as {user}");
        self.wait_text("status", STEP_WAIT, |t| t.contains(&signed_in))
            .await
    }

    /// Presses Get token and waits until the strip's badge reads Valid.
    pub async fn get_token_until_valid(&self) -> Result<()> {
        self.click("get-token").await?;
        self.wait_text("token-state", STEP_WAIT, |t| t == "Valid")
            .await
            .map(drop)
    }

    /// Presses Save in the profile form and waits until the profile is saved.
    pub async fn save_form(&self) -> Result<()> {
        self.click("save-profile").await?;
        self.wait_text("status", STEP_WAIT, |t| t.contains("Saved profile"))
            .await
            .map(drop)
    }

    /// Presses Save in the profile form where the server refuses the client secret (the
    /// made-up-code check); returns what is said under the secret field.
    pub async fn save_with_refused_secret(&self) -> Result<String> {
        self.click("save-profile").await?;
        self.wait_text("profile-client-secret-error", STEP_WAIT, |t| !t.is_empty())
            .await
    }

    /// The current value of a form field.
    pub async fn value(&self, test_id: &str) -> Result<String> {
        Ok(self
            .element(test_id)
            .await?
            .prop("value")
            .await?
            .unwrap_or_default())
    }

    /// Waits until a form field's value passes `check`; returns that value.
    pub async fn wait_value(
        &self,
        test_id: &str,
        timeout: Duration,
        check: impl Fn(&str) -> bool,
    ) -> Result<String> {
        poll_until(
            timeout,
            POLL,
            || async { Ok(self.value(test_id).await.unwrap_or_default()) },
            |value| check(value),
            |value| format!("{test_id} still holds {value:?}"),
        )
        .await
    }

    /// The shown buttons styled as the suggested action, outside dialogs (one per state).
    pub async fn primary_buttons(&self) -> Result<Vec<String>> {
        let value = self
            .client
            .execute(
                "return [...document.querySelectorAll('button.primary')] \
                   .filter(b => b.offsetParent !== null && !b.closest('dialog')) \
                   .map(b => b.dataset.testid || b.id);",
                vec![],
            )
            .await?;
        Ok(value
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect())
    }

    /// The page as the web view holds it: markup plus every form field's current value.
    pub async fn everything_in_the_dom(&self) -> Result<String> {
        let value = self
            .client
            .execute(
                "return document.documentElement.outerHTML + '\\n' + \
                 Array.from(document.querySelectorAll('input, select, textarea')).map(e => e.value).join('\\n');",
                vec![],
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// What the X clipboard holds now, read while the app owns it.
    pub fn clipboard(&self) -> Result<String> {
        let output = Command::new("xclip")
            .args(["-o", "-selection", "clipboard"])
            .env("DISPLAY", &self.display)
            .output()
            .context("running xclip")?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// The types the clipboard's owner offers (`TARGETS`), one per line.
    pub fn clipboard_targets(&self) -> Result<String> {
        let output = Command::new("xclip")
            .args(["-o", "-selection", "clipboard", "-t", "TARGETS"])
            .env("DISPLAY", &self.display)
            .output()
            .context("running xclip")?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Tells the app to stop as a logout or `kill` does (SIGTERM to `authdesk-window`).
    pub fn terminate_app(&self) -> Result<()> {
        let status = Command::new("pkill")
            .args([
                "-TERM",
                "-g",
                &self.driver_pid().to_string(),
                "-x",
                "authdesk-window",
            ])
            .status()
            .context("running pkill")?;
        if !status.success() {
            bail!("no authdesk-window process to stop");
        }
        Ok(())
    }

    /// Waits until the clipboard's content passes `check`; returns that content.
    pub async fn wait_clipboard(
        &self,
        timeout: Duration,
        check: impl Fn(&str) -> bool,
    ) -> Result<String> {
        poll_until(
            timeout,
            POLL,
            || async { self.clipboard() },
            |now| check(now),
            |now| format!("the clipboard stayed {now:?}"),
        )
        .await
    }

    /// Puts text on the X clipboard as another program would.
    pub fn set_clipboard(&self, text: &str) -> Result<()> {
        use std::io::Write;
        let mut child = Command::new("xclip")
            .args(["-i", "-selection", "clipboard"])
            .env("DISPLAY", &self.display)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("running xclip")?;
        child
            .stdin
            .take()
            .context("xclip stdin")?
            .write_all(text.as_bytes())?;
        child.wait()?;
        Ok(())
    }

    /// Saves a screenshot of the window (at the top left of the display).
    pub async fn screenshot(&self, path: &std::path::Path) -> Result<()> {
        let (_, _, width, height) = self.client.get_window_rect().await?;
        let status = Command::new("import")
            .args(["-window", "root", "-crop"])
            .arg(format!("{width}x{height}+0+0"))
            .arg("+repage")
            .arg(path)
            .env("DISPLAY", &self.display)
            .status()?;
        if !status.success() {
            bail!("import failed");
        }
        Ok(())
    }

    /// What the app has logged so far (at debug).
    pub fn app_log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The last `lines` lines the app logged, for a failure message.
    pub fn app_log_tail(&self, lines: usize) -> String {
        log_tail(&self.log, lines)
    }

    /// Sets the window's outer size, as a user resizing it would.
    pub async fn resize(&self, width: u32, height: u32) -> Result<()> {
        self.client.set_window_size(width, height).await?;
        // Let the page lay itself out again.
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok(())
    }

    /// Runs a script in the page and returns its answer.
    pub async fn script(&self, script: &str) -> Result<serde_json::Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// Waits until the app has logged `needle` at least `count` times.
    pub async fn wait_for_app_log(
        &self,
        needle: &str,
        count: usize,
        timeout: Duration,
    ) -> Result<()> {
        poll_until(
            timeout,
            Duration::from_millis(50),
            || async { Ok(self.app_log().matches(needle).count()) },
            |logged| *logged >= count,
            |_| format!("the app did not log {needle:?} {count} times"),
        )
        .await
        .map(|_| ())
    }

    /// The pid of tauri-driver, whose process tree holds WebKitWebDriver, the app and
    /// the app's WebKit processes.
    pub fn driver_pid(&self) -> u32 {
        self.driver.0.id()
    }

    /// Ends the WebDriver session, then stops the app, the driver and the display.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}
