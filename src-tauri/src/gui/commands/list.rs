// Every command the web view may call, in one list: the handler (`gui::run`), the build
// manifest and the capability file (`build.rs` writes `capabilities/main.json` from it)
// all read this, so a command is granted exactly when it exists. `build.rs` includes
// this file as text, so it holds nothing but the macro.

/// Calls `$then!` with every window command as `module::command`.
macro_rules! with_window_commands {
    ($then:ident) => {
        $then! {
            profiles::list_profiles,
            profiles::client_secret_stored,
            profiles::preset_endpoints,
            profiles::form_defaults,
            profiles::save_profile,
            profiles::keeps_client_secret,
            profiles::turn_on_pkce,
            profiles::detect_server,
            profiles::check_profile,
            profiles::delete_profile,
            tokens::begin_sign_in,
            tokens::wait_sign_in,
            tokens::cancel_sign_in,
            tokens::reopen_browser,
            tokens::current_tokens,
            tokens::reveal_token,
            tokens::copy_token,
            tokens::copy_text,
            tokens::refresh_tokens,
            tokens::next_token_news,
            tokens::revoke_tokens,
            tokens::session_history,
            tokens::next_store_change,
            tokens::token_marks,
            tokens::sign_in_timeline,
            settings::get_settings,
            settings::save_settings,
            settings::remember_profile,
            server_setup::password_sign_in,
            server_setup::list_organizations,
            server_setup::set_up_application,
            server_setup::create_personal_token,
            server_setup::list_personal_tokens,
            server_setup::delete_personal_token,
            server_setup::reveal_personal_token,
            secret_store::secret_store_state,
            secret_store::unlock_secret_store,
            window::window_ready,
        }
    };
}
