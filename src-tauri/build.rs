fn main() {
    // Every command the window may call is listed here, so the capability file can
    // grant each one by name and nothing else is reachable from the web view.
    let commands = tauri_build::AppManifest::new().commands(&[
        "list_profiles",
        "client_secret_stored",
        "preset_endpoints",
        "save_profile",
        "delete_profile",
        "begin_sign_in",
        "wait_sign_in",
        "cancel_sign_in",
        "current_tokens",
        "reveal_token",
        "copy_token",
        "refresh_tokens",
        "revoke_tokens",
        "session_history",
        "get_settings",
        "save_settings",
        "password_sign_in",
        "list_organizations",
        "set_up_application",
        "create_personal_token",
        "list_personal_tokens",
        "delete_personal_token",
        "reveal_personal_token",
        "window_ready",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(commands))
        .expect("tauri build script");
}
