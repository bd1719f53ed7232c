//! The window's figures, on the release build under Xvfb:
//!
//! - start-up: from launching `authdesk` until the page reports its first frame with the
//!   profile list painted (the `window ready for input` log line), interleaved with the
//!   floor, a bare Tauri window (`tests/floor-window`) timed to the same point;
//! - memory: RSS and PSS of the app's whole process tree (the app, WebKit's web and
//!   network processes) ten seconds after start and after 10, 40 and 100 token flows,
//!   against the floor window's PSS at start and its growth per IPC call;
//! - scale: with 500 profiles and 1,000 tokens in the session history, how long the
//!   profile list and the history take to render and to filter, read from the User Timing
//!   measures the page records (from the action until the next frame is painted).

use std::io::BufRead;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use authdesk_e2e::window::{Window, Xvfb};
use authdesk_e2e::TestServer;
use serde_json::json;

use crate::{desk_with_profile, many_profiles_toml, median, ms, verdict, Row};

/// Token flows after which memory is sampled.
const MEMORY_STAGES: [usize; 3] = [10, 40, 100];
const HISTORY: usize = 1000;
const LIST_TARGET: Duration = Duration::from_millis(50);

/// Launches of each window for the start-up figures (interleaved, after one warm-up each).
const START_ROUNDS: usize = 30;
/// A launch this much slower than its window's median counts as stalled.
const STALL: Duration = Duration::from_millis(250);

/// The floor window's executable (`tests/floor-window`), built by `cargo xtask bench`.
fn floor_bin() -> std::path::PathBuf {
    std::env::var_os("AUTHDESK_FLOOR_WINDOW")
        .map(Into::into)
        .unwrap_or_else(|| authdesk_e2e::repo_root().join("target/release/floor-window"))
}

/// AuthDesk's window against the floor (a bare Tauri window), launched alternately under
/// one Xvfb and timed to the same point: the first painted frame, told over IPC. Stalls
/// (launches `STALL` over their window's median) are counted for each, and the medians
/// reported with and without them.
pub fn start_up(server: &TestServer) -> Result<Vec<Row>> {
    let (desk, _) = desk_with_profile(server)?;
    let xvfb = Xvfb::start()?;
    let floor = floor_bin();
    if !floor.exists() {
        bail!(
            "{} is missing (cargo xtask bench builds it)",
            floor.display()
        );
    }
    let authdesk_launch = || {
        let mut command = desk.command(&[]);
        command.env("AUTHDESK_LOG", "info");
        command
    };
    let floor_launch = || Command::new(&floor);
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    for round in 0..=START_ROUNDS {
        let (took, said) = launch_until_ready(authdesk_launch(), xvfb.display())?;
        let (floor_took, _) = launch_until_ready(floor_launch(), xvfb.display())?;
        if round > 0 {
            ours.push(took);
            bare.push(floor_took);
        }
        if round == START_ROUNDS {
            println!(
                "window start-up, last round: {} ms from launch; the app: {said}",
                took.as_millis()
            );
        }
    }
    let list = |samples: &[Duration]| {
        let mut sorted = samples.to_vec();
        sorted.sort();
        sorted
            .iter()
            .map(|d| d.as_millis().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!("start-up, AuthDesk (ms, sorted): {}", list(&ours));
    println!("start-up, bare Tauri window (ms, sorted): {}", list(&bare));
    let without_stalls = |samples: &[Duration]| {
        let typical = median(samples.to_vec());
        let steady: Vec<Duration> = samples
            .iter()
            .copied()
            .filter(|d| *d < typical + STALL)
            .collect();
        (samples.len() - steady.len(), median(steady))
    };
    let (ours_median, bare_median) = (median(ours.clone()), median(bare.clone()));
    let (ours_stalls, ours_steady) = without_stalls(&ours);
    let (bare_stalls, bare_steady) = without_stalls(&bare);
    let ratio = ours_median.as_secs_f64() / bare_median.as_secs_f64();
    Ok(vec![
        (
            "window start-up to first paint ready for input, AuthDesk".into(),
            ms(ours_median),
            String::new(),
            String::new(),
        ),
        (
            "window start-up to first paint, bare Tauri window (floor)".into(),
            ms(bare_median),
            String::new(),
            String::new(),
        ),
        (
            "window start-up (ratio)".into(),
            format!("{ratio:.3}"),
            "≤ 1.10".into(),
            verdict(ratio <= 1.10),
        ),
        (
            format!(
                "stalled launches (> median + {} ms), AuthDesk / floor",
                STALL.as_millis()
            ),
            format!("{ours_stalls} / {bare_stalls} of {START_ROUNDS}"),
            String::new(),
            String::new(),
        ),
        (
            "window start-up without stalls, AuthDesk / floor".into(),
            format!("{} / {}", ms(ours_steady), ms(bare_steady)),
            String::new(),
            String::new(),
        ),
    ])
}

/// Launches a window (`authdesk`, which execs `authdesk-window`, or the floor) as a user
/// does and times it until its ready line; then stops it and its WebKit processes.
fn launch_until_ready(mut command: Command, display: &str) -> Result<(Duration, String)> {
    command
        .env("DISPLAY", display)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    let started = Instant::now();
    let mut app = command.spawn().context("launching the window")?;
    let stderr = app.stderr.take().context("the app's stderr")?;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(at) = line.find("window ready for input") {
                let _ = ready_tx.send((started.elapsed(), line[at..].to_owned()));
            }
            seen.push(line);
        }
        seen
    });
    let ready = ready_rx.recv_timeout(Duration::from_secs(60));
    let group = format!("-{}", app.id());
    let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
    let _ = app.wait();
    let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    let log = reader.join().unwrap_or_default();
    ready.map_err(|_| {
        anyhow::anyhow!(
            "the window never said it was ready; its log:\n{}",
            log.join("\n")
        )
    })
}

/// IPC calls a sign-in through AuthDesk's window makes (begin_sign_in, wait_sign_in,
/// session_history): the floor's growth per call times this is its growth per flow.
const IPC_CALLS_PER_FLOW: f64 = 3.0;
/// Cumulative no-op IPC calls after which the floor's memory is sampled.
const FLOOR_STAGES: [u64; 3] = [0, 300, 1200];

/// The floor window's memory: PSS of its process tree ten seconds after start, and its
/// growth per IPC call between 300 and 1,200 no-op calls from the page.
pub fn floor_memory() -> Result<FloorMemory> {
    let xvfb = Xvfb::start()?;
    let stages = FLOOR_STAGES.map(|n| n.to_string()).join(",");
    let mut app = Command::new(floor_bin())
        .env("DISPLAY", xvfb.display())
        .env("FLOOR_IPC_STAGES", stages)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .context("launching the floor window")?;
    let stderr = app.stderr.take().context("the floor's stderr")?;
    let pid = app.id();
    let mut samples = Vec::new();
    for line in std::io::BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
    {
        if line.contains("floor stage done") {
            // The page idles three seconds after each stage.
            std::thread::sleep(Duration::from_secs(1));
            samples.push(tree_memory(pid)?);
            if samples.len() == FLOOR_STAGES.len() {
                break;
            }
        }
    }
    let group = format!("-{pid}");
    let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
    let _ = app.wait();
    let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    let [start, from, to] = samples.as_slice() else {
        bail!("the floor window reported {} of its stages", samples.len());
    };
    let calls = (FLOOR_STAGES[2] - FLOOR_STAGES[1]) as f64;
    Ok(FloorMemory {
        pss_kb_at_start: start.pss_kb,
        growth_per_call_kb: (to.pss_kb as f64 - from.pss_kb as f64) / calls,
    })
}

pub struct FloorMemory {
    pss_kb_at_start: u64,
    growth_per_call_kb: f64,
}

pub async fn memory(server: &TestServer) -> Result<Vec<Row>> {
    let floor = tokio::task::block_in_place(floor_memory)?;
    let (desk, _) = tokio::task::block_in_place(|| desk_with_profile(server))?;
    let window = Window::open(&desk).await?;
    let app = app_pid(window.driver_pid()).context("the app's process")?;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let mut samples = vec![(0, tree_memory(app)?)];
    // Samples after 10 flows (the issue's), then after warm-up and a long run: growth is
    // judged over the last stretch, once caches and the JS heap have settled.
    let mut done = 0;
    for stage in MEMORY_STAGES {
        for flow in done + 1..=stage {
            token_flow(&window, flow).await?;
        }
        done = stage;
        samples.push((stage, tree_memory(app)?));
    }
    window.close().await;

    let mib = |kb: u64| format!("{:.1} MiB", kb as f64 / 1024.0);
    let pss_target = 260 * 1024;
    let mut rows = Vec::new();
    for (flows, sample) in &samples {
        let when = match flows {
            0 => "10 s after start".to_owned(),
            n => format!("after {n} token flows"),
        };
        println!("window memory {when}: {}", sample.breakdown.join(", "));
        rows.push((
            format!(
                "window memory {when}: RSS / PSS ({} processes)",
                sample.processes
            ),
            format!("{} / {}", mib(sample.rss_kb), mib(sample.pss_kb)),
            "PSS < 260 MiB".into(),
            verdict(sample.pss_kb < pss_target),
        ));
    }
    let at_start = samples.first().map_or(0, |(_, sample)| sample.pss_kb);
    rows.push((
        "window PSS 10 s after start, bare Tauri window (floor)".into(),
        mib(floor.pss_kb_at_start),
        "AuthDesk's below it".into(),
        verdict(at_start < floor.pss_kb_at_start),
    ));
    let floor_per_flow = floor.growth_per_call_kb * IPC_CALLS_PER_FLOW;
    rows.push((
        format!(
            "floor PSS growth per IPC call (calls {}–{}), × {IPC_CALLS_PER_FLOW} calls a flow",
            FLOOR_STAGES[1] + 1,
            FLOOR_STAGES[2]
        ),
        format!(
            "{:+.2} KiB, {floor_per_flow:+.1} KiB",
            floor.growth_per_call_kb
        ),
        String::new(),
        String::new(),
    ));
    if let [.., (from, before), (to, after)] = samples.as_slice() {
        let per_flow = (after.pss_kb as f64 - before.pss_kb as f64) / (to - from) as f64;
        rows.push((
            format!("window PSS growth per flow, flows {}–{to}", from + 1),
            format!("{per_flow:+.1} KiB"),
            "≤ the floor's for the same calls".into(),
            verdict(per_flow <= floor_per_flow.max(0.0)),
        ));
    }
    Ok(rows)
}

/// One sign-in through the window and the scripted browser, finished when the app has
/// logged its `count`th code exchange. Watching the log rather than the page keeps the
/// WebDriver's own scripts out of the web process being measured.
async fn token_flow(window: &Window, count: usize) -> Result<()> {
    window.click("get-token").await?;
    // A profile holding a working token asks first (the dialog opens within the click):
    // keep it valid and continue, as the flows before that question did.
    if window
        .element("confirm-other")
        .await?
        .is_displayed()
        .await?
    {
        window.click("confirm-other").await?;
    }
    if let Err(e) = window
        .wait_for_app_log("code exchanged", count, Duration::from_secs(60))
        .await
    {
        bail!(
            "flow {count} did not finish ({e}): {}",
            window.text("status").await.unwrap_or_default()
        );
    }
    Ok(())
}

struct TreeMemory {
    rss_kb: u64,
    pss_kb: u64,
    processes: usize,
    /// `name RSS/PSS` of each process, for the log.
    breakdown: Vec<String>,
}

/// `(pid, parent pid, command name)` of every process.
fn processes() -> Vec<(u32, u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `pid (comm) state ppid ...`: comm may hold spaces and parentheses.
            let open = stat.find('(')?;
            let close = stat.rfind(')')?;
            let comm = stat[open + 1..close].to_owned();
            let ppid = stat[close + 2..].split(' ').nth(1)?.parse().ok()?;
            Some((pid, ppid, comm))
        })
        .collect()
}

fn descendants(root: u32, all: &[(u32, u32, String)]) -> Vec<u32> {
    let mut tree = vec![root];
    let mut index = 0;
    while index < tree.len() {
        let parent = tree[index];
        tree.extend(all.iter().filter(|p| p.1 == parent).map(|p| p.0));
        index += 1;
    }
    tree
}

/// The window process under tauri-driver (WebKitWebDriver starts it).
fn app_pid(driver: u32) -> Result<u32> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let all = processes();
        if let Some(pid) = descendants(driver, &all).into_iter().find(|pid| {
            all.iter()
                .any(|p| p.0 == *pid && p.2.starts_with("authdesk-window"))
        }) {
            return Ok(pid);
        }
        if Instant::now() > deadline {
            bail!("no authdesk-window process under tauri-driver");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Sums `Rss` and `Pss` from `smaps_rollup` over the app and every process it started.
fn tree_memory(app: u32) -> Result<TreeMemory> {
    let all = processes();
    let tree = descendants(app, &all);
    let mut total = TreeMemory {
        rss_kb: 0,
        pss_kb: 0,
        processes: 0,
        breakdown: Vec::new(),
    };
    for pid in tree {
        let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue;
        };
        let field = |name: &str| {
            rollup
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let (rss, pss) = (field("Rss:"), field("Pss:"));
        let name = all
            .iter()
            .find(|p| p.0 == pid)
            .map_or("?", |p| p.2.as_str());
        total.breakdown.push(format!("{name} {rss} kB / {pss} kB"));
        total.rss_kb += rss;
        total.pss_kb += pss;
        total.processes += 1;
    }
    if total.processes == 0 {
        bail!("could not read the memory of process {app}");
    }
    Ok(total)
}

pub async fn scale(server: &TestServer) -> Result<Vec<Row>> {
    let (desk, name) = tokio::task::block_in_place(|| desk_with_profile(server))?;
    let profiles = desk.config_dir().join("profiles.toml");
    let mut toml = std::fs::read_to_string(&profiles)?;
    toml.push('\n');
    toml.push_str(&many_profiles_toml(499));
    std::fs::write(&profiles, toml)?;

    let window = Window::open(&desk).await?;
    let app = app_pid(window.driver_pid()).context("the app's process")?;
    window.select("profile-select", &name).await?;
    token_flow(&window, 1).await?;
    let before = tree_memory(app)?;
    // The other 999 tokens of the history: refreshes, each a real exchange with the
    // server and a keyring write, asked for from the page as the Refresh button does.
    let mut timeouts = window.client.get_timeouts().await?;
    timeouts.set_script(Some(Duration::from_secs(900)));
    window.client.update_timeouts(timeouts).await?;
    let refreshed = window
        .client
        .execute_async(
            "const [name, count, done] = arguments;
             (async () => {
               let shown = (await window.__TAURI__.core.invoke('current_tokens', { name })).fingerprint;
               for (let i = 0; i < count; i++) {
                 shown = (await window.__TAURI__.core.invoke('refresh_tokens', { name, shown })).view.fingerprint;
               }
             })().then(() => done('ok'), (e) => done(String(e && e.message || e)));",
            vec![json!(name), json!(HISTORY - 1)],
        )
        .await?;
    if refreshed.as_str() != Some("ok") {
        bail!("refreshing from the page failed: {refreshed}");
    }
    // What 999 commands alone (no redraws) do to memory: tells the page's share of any
    // growth per flow from the IPC's.
    let after = tree_memory(app)?;
    println!(
        "window memory around {} refreshes from the page: before {}; after {}",
        HISTORY - 1,
        before.breakdown.join(", "),
        after.breakdown.join(", ")
    );

    // Render: the history, each time another profile is chosen (the page redraws it).
    let mut history = Vec::new();
    for (round, profile) in ["profile-001", "profile-002"]
        .iter()
        .cycle()
        .take(START_ROUNDS + 1)
        .enumerate()
    {
        clear_measures(&window).await?;
        window.select("profile-select", profile).await?;
        let took = latest_measure(&window, "history").await?;
        if round > 0 {
            history.push(took);
        }
    }
    let listed = window
        .client
        .execute_async(
            "const done = arguments[0];
             window.__TAURI__.core.invoke('session_history').then((h) => done(h.length), () => done(-1));",
            vec![],
        )
        .await?;
    if listed.as_u64() != Some(HISTORY as u64) {
        bail!("the session history holds {listed} tokens, not {HISTORY}");
    }
    // Filter: every keystroke of a few searches, then clearing.
    let history_filter = keystroke_measures(
        &window,
        "history-filter",
        "filter history",
        &["refreshed", "profile-001 active", "#0"],
    )
    .await?;
    let profile_filter = keystroke_measures(
        &window,
        "profile-filter",
        "filter profiles",
        &["profile-4", "awx123.example", "bench"],
    )
    .await?;
    // Render: the profile list, on each start of the page.
    let mut profiles = Vec::new();
    for round in 0..=START_ROUNDS {
        window
            .client
            .execute("performance.clearMeasures(); location.reload();", vec![])
            .await?;
        let took = latest_measure(&window, "profiles").await?;
        if round > 0 {
            profiles.push(took);
        }
    }
    window.close().await;

    let row = |what: &str, samples: Vec<Duration>| {
        let count = samples.len();
        let took = median(samples);
        (
            format!("{what} (median of {count})"),
            ms(took),
            "< 50 ms".to_owned(),
            verdict(took < LIST_TARGET),
        )
    };
    Ok(vec![
        row("window: 500 profiles listed", profiles),
        row("window: profile filter, per keystroke", profile_filter),
        row("window: 1,000 history entries listed", history),
        row("window: history filter, per keystroke", history_filter),
    ])
}

async fn clear_measures(window: &Window) -> Result<()> {
    window
        .client
        .execute("performance.clearMeasures();", vec![])
        .await?;
    Ok(())
}

/// Waits for the page's User Timing measure called `name` (the caller cleared them all
/// before its action) and returns its duration.
async fn latest_measure(window: &Window, name: &str) -> Result<Duration> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let value = window
            .client
            .execute(
                "const entries = performance.getEntriesByName(arguments[0]);
                 if (entries.length === 0) return null;
                 const last = entries[entries.length - 1].duration;
                 performance.clearMeasures(arguments[0]);
                 return last;",
                vec![json!(name)],
            )
            .await
            // A reload under way answers with an error: ask again.
            .ok()
            .and_then(|v| v.as_f64());
        if let Some(ms) = value {
            return Ok(Duration::from_secs_f64(ms / 1000.0));
        }
        if Instant::now() > deadline {
            bail!("the page recorded no {name:?} measure");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Types each search into a filter field key by key, then empties it; returns the
/// page's measure of every keystroke.
async fn keystroke_measures(
    window: &Window,
    field: &str,
    name: &str,
    searches: &[&str],
) -> Result<Vec<Duration>> {
    let mut samples = Vec::new();
    for search in searches {
        for key in search.chars() {
            clear_measures(window).await?;
            window.type_keys(field, &key.to_string()).await?;
            samples.push(latest_measure(window, name).await?);
        }
        clear_measures(window).await?;
        window.clear(field).await?;
        samples.push(latest_measure(window, name).await?);
    }
    Ok(samples)
}
