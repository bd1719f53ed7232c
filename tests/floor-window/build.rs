//! Grants the floor's page its one command, as AuthDesk's build script grants its own.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&["ready", "noop"]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build script");
}
