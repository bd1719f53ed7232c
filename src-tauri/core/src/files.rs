//! The file helpers every file AuthDesk writes goes through (the profiles, the window's
//! settings, the locks): folders private to their owner, writes that a crash never leaves
//! half done, and locks across processes. They speak `std::io`; callers say which file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Creates the folder (and its parents), private to its owner when new (on Unix).
pub fn private_folder(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Options that create a file readable by its owner only (on Unix).
pub(crate) fn private_file_options() -> fs::OpenOptions {
    #[allow(unused_mut)]
    let mut options = fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Replaces `path` with `contents`: written to a new file beside it, flushed to disk, then
/// renamed over it, so a reader sees the old file or the new one, never a part. A new
/// file is its owner's alone; a mode the user set on the old one is kept. The folder is
/// created (private) when missing.
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_folder(dir)?;
    }
    let temp = temp_path(path);
    let mode = existing_mode(path);
    let result = (|| {
        let mut out = private_file_options()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        if let Some(mode) = mode {
            set_mode(&out, mode)?;
        }
        out.write_all(contents)?;
        out.sync_all()?;
        fs::rename(&temp, path)?;
        sync_folder_of(path);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// An exclusive lock on a file, across processes, released on drop. Where the file
/// system cannot lock (some network and FUSE ones), the guard holds no lock: the work
/// still gets done, without the guard against a simultaneous one.
#[derive(Debug)]
pub struct FileLock {
    _file: fs::File,
}

impl FileLock {
    /// Waits for the lock on `path`, creating the file (and its private folder).
    pub fn exclusive(path: &Path) -> std::io::Result<FileLock> {
        let file = open_lock_file(path)?;
        match file.lock() {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {
                tracing::debug!("{} cannot be locked here: {e}", path.display());
            }
            Err(e) => return Err(e),
        }
        Ok(FileLock { _file: file })
    }
}

/// A lock file, opened (and created private, with its folder) for `File::lock` or
/// `File::try_lock`. Its contents are never read or written.
pub fn open_lock_file(path: &Path) -> std::io::Result<fs::File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_folder(dir)?;
    }
    private_file_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

/// After a rename, the folder's entry reaches the disk too (POSIX leaves it to the
/// folder's own fsync). Best effort: not every system can open a folder for that.
fn sync_folder_of(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(folder) = fs::File::open(dir) {
            let _ = folder.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(unix)]
fn existing_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn existing_mode(_path: &Path) -> Option<u32> {
    None
}

#[cfg(unix)]
fn set_mode(file: &fs::File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &fs::File, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// A temporary name beside `path`, unique per write: two saves at once (a window and a
/// CLI) never share a temporary file.
fn temp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    let unique = crate::secret::random_urlsafe(8).unwrap_or_default();
    name.push(format!(".tmp-{}-{unique}", std::process::id()));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_replaces_the_whole_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deeper/settings.toml");
        write_atomically(&path, b"first = 1\n").unwrap();
        write_atomically(&path, b"second = 2\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "second = 2\n");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["settings.toml"]);
    }

    #[cfg(unix)]
    #[test]
    fn new_files_and_folders_are_private_and_a_users_mode_is_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("config");
        let path = folder.join("file");
        write_atomically(&path, b"x").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&path), 0o600);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, b"y").unwrap();
        assert_eq!(mode(&path), 0o640);
    }

    #[test]
    fn a_lock_is_held_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locks/a.lock");
        let held = FileLock::exclusive(&path).unwrap();
        let other = open_lock_file(&path).unwrap();
        assert!(matches!(
            other.try_lock(),
            Err(fs::TryLockError::WouldBlock)
        ));
        drop(held);
        assert!(other.try_lock().is_ok());
    }
}
