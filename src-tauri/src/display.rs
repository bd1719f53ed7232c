//! Whether there is a display to open the window on: checked by `authdesk` before it
//! execs the window and by `authdesk-window` itself, since GTK panics without one.

/// The sentence to print when there is no display, or `None` when there is one. An empty
/// variable counts as unset, as GTK sees it.
pub fn missing() -> Option<&'static str> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    (cfg!(target_os = "linux") && !set("DISPLAY") && !set("WAYLAND_DISPLAY")).then_some(
        "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset or empty); use the CLI, see `authdesk --help`.",
    )
}
