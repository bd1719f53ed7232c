//! Ten keyring calls in one process, for the load test (`keyring::many_processes_at_once`):
//! `keyring_load CONFIG_DIR PROFILE` writes, reads, asks and deletes its own profile's
//! client secret and exits 0 only if every call answered as expected.

use authdesk_core::{Secret, SecretStore, StoredSecret};

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(profile)) = (args.next(), args.next()) else {
        eprintln!("usage: keyring_load CONFIG_DIR PROFILE");
        return std::process::ExitCode::from(2);
    };
    match ten_calls(std::path::Path::new(&dir), &profile) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{profile}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn ten_calls(dir: &std::path::Path, profile: &str) -> Result<(), String> {
    let keyring = SecretStore::for_config_dir(dir).map_err(|e| e.to_string())?;
    let mut calls = 0;
    for round in 0..3 {
        let secret = format!("secret-{profile}-{round}");
        keyring
            .set_client_secret(profile, &StoredSecret::unbound(Secret::new(secret.clone())))
            .map_err(|e| e.to_string())?;
        let read = keyring.client_secret(profile).map_err(|e| e.to_string())?;
        if read.as_ref().map(|r| r.secret.expose()) != Some(secret.as_str()) {
            return Err(format!("round {round}: read back something else"));
        }
        calls += 2;
    }
    if !keyring
        .has_client_secret(profile)
        .map_err(|e| e.to_string())?
    {
        return Err("the secret is not found by its attributes".into());
    }
    keyring
        .delete_client_secret(profile)
        .map_err(|e| e.to_string())?;
    let gone = keyring.client_secret(profile).map_err(|e| e.to_string())?;
    let found = keyring
        .has_client_secret(profile)
        .map_err(|e| e.to_string())?;
    calls += 4;
    if gone.is_some() || found {
        return Err("the secret outlived its deletion".into());
    }
    assert_eq!(calls, 10);
    Ok(())
}
