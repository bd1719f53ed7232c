//! The benchmark's floor window: a bare Tauri 2 app, one page, one IPC call once the page
//! is painted (`ready`, logged as AuthDesk's window logs it). With `FLOOR_IPC_STAGES`
//! (cumulative counts, `300,1200`), the page then makes that many no-op IPC calls in stages
//! and logs each stage, so the benchmark can sample memory growth per call.

use std::time::Instant;

struct Started(Instant);

/// Logs the ready line and returns the IPC stages the page is to make.
#[tauri::command]
fn ready(started: tauri::State<'_, Started>, page_ms: f64) -> Vec<u64> {
    eprintln!(
        "window ready for input {} ms after start (page ready at {page_ms:.0} ms)",
        started.0.elapsed().as_millis()
    );
    std::env::var("FLOOR_IPC_STAGES")
        .unwrap_or_default()
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect()
}

#[tauri::command]
fn noop(stage: Option<u64>) {
    if let Some(calls) = stage {
        eprintln!("floor stage done after {calls} calls");
    }
}

fn main() {
    let started = Started(Instant::now());
    if let Err(e) = tauri::Builder::default()
        .manage(started)
        .invoke_handler(tauri::generate_handler![ready, noop])
        .run(tauri::generate_context!())
    {
        eprintln!("the floor window failed: {e}");
        std::process::exit(1);
    }
}
