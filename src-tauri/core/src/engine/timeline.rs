//! A sign-in's timeline: each step as it happens (which request went where, what came
//! back), redacted for a tester's eyes and bug reports: the state as its first 6
//! characters, the code, challenge and tokens masked, the client secret never. The CLI
//! prints it with `-v` and writes it as JSON lines with `--trace FILE`; the window shows it.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;
use url::Url;

/// How a masked value is written.
pub const MASK: &str = "••••";

/// One step of a sign-in.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub at: DateTime<Utc>,
    /// `logout`, `authorize`, `browser`, `callback`, `token request`, `token answer`,
    /// `who-am-I`.
    pub step: &'static str,
    pub detail: String,
}

impl Step {
    /// `12:00:01.234  authorize  GET https://…`
    pub fn line(&self) -> String {
        format!(
            "{}  {}  {}",
            self.at.format("%H:%M:%S%.3f"),
            self.step,
            self.detail
        )
    }
}

/// Called with each step as it is recorded (the CLI's `-v` and `--trace`).
pub type StepWatcher = Arc<dyn Fn(&Step) + Send + Sync>;

/// The steps of one sign-in; clones share them.
#[derive(Clone, Default)]
pub struct Timeline {
    steps: Arc<Mutex<Vec<Step>>>,
    watcher: Arc<Mutex<Option<StepWatcher>>>,
}

impl std::fmt::Debug for Timeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timeline")
            .field("steps", &self.steps().len())
            .finish_non_exhaustive()
    }
}

impl Timeline {
    /// Hands every step to `watcher`: those recorded so far at once, the rest as they come.
    pub fn follow(&self, watcher: StepWatcher) {
        for step in self.steps() {
            watcher(&step);
        }
        if let Ok(mut slot) = self.watcher.lock() {
            *slot = Some(watcher);
        }
    }

    pub(crate) fn record(&self, step: &'static str, detail: impl Into<String>) {
        let step = Step {
            at: Utc::now(),
            step,
            detail: detail.into(),
        };
        let watcher = self.watcher.lock().ok().and_then(|w| w.clone());
        if let Some(watcher) = watcher {
            watcher(&step);
        }
        if let Ok(mut steps) = self.steps.lock() {
            steps.push(step);
        }
    }

    pub fn steps(&self) -> Vec<Step> {
        self.steps.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The steps as lines, for the window's Timeline and its Copy.
    pub fn lines(&self) -> Vec<String> {
        self.steps().iter().map(Step::line).collect()
    }
}

/// A request URL as the timeline shows it: `GET` and the address without its query, then
/// each parameter, the state cut to its first 6 characters and challenges masked.
pub(crate) fn describe_request(method: &str, url: &Url) -> String {
    let mut bare = url.clone();
    bare.set_query(None);
    let mut text = format!("{method} {bare}");
    for (name, value) in url.query_pairs() {
        let shown = match name.as_ref() {
            "state" => format!(
                "{}… (matched on return)",
                value.chars().take(6).collect::<String>()
            ),
            "code_challenge" => MASK.to_owned(),
            "next" => describe_next(&value),
            _ => value.into_owned(),
        };
        text.push_str(&format!(" · {name}={shown}"));
    }
    text
}

/// A logout's `next`: the authorize path it leads to, without the parameters shown in
/// the authorize step (the state among them).
fn describe_next(next: &str) -> String {
    let path = next.split('?').next().unwrap_or_default();
    format!("{path}?… (the authorize request below)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_is_cut_and_the_challenge_masked() {
        let url = Url::parse(
            "https://aap.example.com/o/authorize/?response_type=code&client_id=abc&state=SECRETSTATE123&code_challenge=xyz&code_challenge_method=S256&scope=read",
        )
        .unwrap();
        let text = describe_request("GET", &url);
        assert!(text.starts_with("GET https://aap.example.com/o/authorize/ · response_type=code"));
        assert!(
            text.contains("state=SECRET…") && !text.contains("SECRETSTATE123"),
            "{text}"
        );
        assert!(
            text.contains("code_challenge=••••") && !text.contains("xyz"),
            "{text}"
        );
        assert!(
            text.contains("code_challenge_method=S256 · scope=read"),
            "{text}"
        );
    }

    #[test]
    fn a_watcher_gets_the_steps_so_far_then_each_new_one() {
        let timeline = Timeline::default();
        timeline.record("authorize", "one");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let into = Arc::clone(&seen);
        timeline.follow(Arc::new(move |step: &Step| {
            into.lock().unwrap().push(step.detail.clone());
        }));
        timeline.record("browser", "two");
        assert_eq!(*seen.lock().unwrap(), ["one", "two"]);
        assert_eq!(timeline.lines().len(), 2);
    }
}
