//! Starts a program as a fresh login on a server does, for the encrypted-file tests
//! (`secret_file`): a session of its own with no controlling terminal, so nothing can
//! prompt. `login_session [--revoked-keyring] [--fd3 FILE] PROGRAM ARGS…`:
//! `--revoked-keyring` joins a new session keyring and revokes it, so the kernel keeps
//! nothing (as in a container whose seccomp profile refuses the key system calls);
//! `--fd3 FILE` opens FILE as descriptor 3, as a shell's `3<FILE` does.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::process::ExitCode;

const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;
const KEYCTL_REVOKE: libc::c_long = 3;

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let mut revoke = false;
    let mut fd3 = None;
    loop {
        match args.first().and_then(|a| a.to_str()) {
            Some("--revoked-keyring") => {
                revoke = true;
                args.remove(0);
            }
            Some("--fd3") if args.len() > 1 => {
                fd3 = Some(args.remove(1));
                args.remove(0);
            }
            _ => break,
        }
    }
    if args.is_empty() {
        eprintln!("usage: login_session [--revoked-keyring] [--fd3 FILE] PROGRAM ARGS…");
        return ExitCode::from(125);
    }
    // SAFETY: setsid takes no pointers; it fails only for a group leader, which a spawned
    // child is not.
    unsafe { libc::setsid() };
    if revoke {
        // SAFETY: a NULL name asks for a new anonymous session keyring; no memory is shared.
        let ring = unsafe {
            libc::syscall(
                libc::SYS_keyctl,
                KEYCTL_JOIN_SESSION_KEYRING,
                std::ptr::null::<libc::c_char>(),
            )
        };
        // SAFETY: revokes the keyring id the kernel just returned.
        if ring < 0 || unsafe { libc::syscall(libc::SYS_keyctl, KEYCTL_REVOKE, ring) } < 0 {
            eprintln!("login_session: could not revoke a session keyring");
            return ExitCode::from(125);
        }
    }
    if let Some(file) = fd3 {
        let Ok(path) = CString::new(file.as_bytes()) else {
            return ExitCode::from(125);
        };
        // SAFETY: a valid C string; the descriptor is moved to 3 for the program.
        let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY) };
        if fd < 0 || unsafe { libc::dup2(fd, 3) } < 0 {
            eprintln!("login_session: could not open {}", file.to_string_lossy());
            return ExitCode::from(125);
        }
    }
    let error = std::process::Command::new(&args[0]).args(&args[1..]).exec();
    eprintln!(
        "login_session: could not start {}: {error}",
        args[0].to_string_lossy()
    );
    ExitCode::from(127)
}
