use super::*;

fn passphrase() -> Secret {
    Secret::new("correct horse battery")
}

/// A file whose key this process keeps (minutes 0: nothing reaches the session keyring).
fn new_store(dir: &Path) -> EncryptedFile {
    EncryptedFile::new(dir, 0)
}

#[test]
fn entries_round_trip_and_nothing_is_plaintext_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    assert!(matches!(store.state().unwrap(), FileState::New));
    assert!(store.unlock(&passphrase()).unwrap().created);
    store.set("prod/client-secret", "s3cr3t-value").unwrap();
    store
        .set("prod/tokens", "{\"access_token\":\"tok-123\"}")
        .unwrap();
    assert_eq!(
        store.get("prod/client-secret").unwrap().unwrap().expose(),
        "s3cr3t-value"
    );
    store.delete("prod/tokens").unwrap();
    assert!(store.get("prod/tokens").unwrap().is_none());

    let text = std::fs::read_to_string(store.path()).unwrap();
    for plain in ["s3cr3t-value", "tok-123", "prod", "AGE-SECRET-KEY"] {
        assert!(!text.contains(plain), "{plain} is on disk in plaintext");
    }
    assert!(text.starts_with("# AuthDesk's"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Another process, with the passphrase, reads what this one wrote.
    let other = new_store(dir.path());
    assert!(matches!(other.state().unwrap(), FileState::Locked));
    assert!(matches!(
        other.get("prod/client-secret"),
        Err(Error::SecretFileLocked { .. })
    ));
    assert!(!other.unlock(&passphrase()).unwrap().created);
    assert_eq!(
        other.get("prod/client-secret").unwrap().unwrap().expose(),
        "s3cr3t-value"
    );
}

#[test]
fn a_wrong_passphrase_is_one_sentence_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    store.unlock(&passphrase()).unwrap();
    store.set("a/client-secret", "x").unwrap();
    let before = std::fs::read(store.path()).unwrap();

    let other = new_store(dir.path());
    let error = other
        .unlock(&Secret::new("not the passphrase"))
        .unwrap_err();
    assert!(matches!(error, Error::WrongPassphrase { .. }), "{error:?}");
    assert!(error
        .to_string()
        .starts_with("That passphrase does not open"));
    // The sentence is all there is: a prompt asks again, a descriptor gave the wrong one.
    assert_eq!(error.hint(), None);
    assert_eq!(std::fs::read(store.path()).unwrap(), before);
}

#[test]
fn a_short_new_passphrase_is_refused_and_no_file_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    let error = store.unlock(&Secret::new("short")).unwrap_err();
    assert!(
        error.to_string().contains("at least 8 characters"),
        "{error}"
    );
    assert!(!store.path().exists());
}

#[test]
fn cut_or_damaged_files_are_refused_and_left_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    store.unlock(&passphrase()).unwrap();
    store.set("a/client-secret", "kept").unwrap();
    let whole = std::fs::read_to_string(store.path()).unwrap();

    let cut = &whole[..whole.len() * 2 / 3];
    let mut flipped = whole.clone().into_bytes();
    // A character inside the second block's base64, changed.
    let at = whole.rfind(END).unwrap() - 10;
    flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    for (what, damaged) in [
        ("cut", cut.to_owned()),
        ("flipped", flipped),
        ("empty", String::new()),
        ("foreign", "hello\n".to_owned()),
    ] {
        std::fs::write(store.path(), &damaged).unwrap();
        let read = store.get("a/client-secret");
        assert!(
            matches!(read, Err(Error::SecretFileDamaged { .. })),
            "{what}: {read:?}"
        );
        let write = store.set("b/client-secret", "new");
        assert!(
            matches!(write, Err(Error::SecretFileDamaged { .. })),
            "{what}: {write:?}"
        );
        let unlock = new_store(dir.path()).unlock(&passphrase());
        assert!(
            matches!(unlock, Err(Error::SecretFileDamaged { .. })),
            "{what}: {unlock:?}"
        );
        assert_eq!(
            std::fs::read_to_string(store.path()).unwrap(),
            damaged,
            "{what}: the damaged file was written over"
        );
    }
    std::fs::write(store.path(), &whole).unwrap();
    assert_eq!(
        store.get("a/client-secret").unwrap().unwrap().expose(),
        "kept"
    );
}

#[test]
fn writers_at_once_keep_each_others_entries() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    store.unlock(&passphrase()).unwrap();
    let identity = store.memory().clone();
    std::thread::scope(|scope| {
        for writer in 0..4 {
            let path = dir.path();
            let identity = identity.clone();
            scope.spawn(move || {
                let mine = new_store(path);
                *mine.memory() = identity;
                for n in 0..5 {
                    mine.set(&format!("w{writer}-{n}/tokens"), "t").unwrap();
                }
            });
        }
    });
    for writer in 0..4 {
        for n in 0..5 {
            assert!(store
                .get(&format!("w{writer}-{n}/tokens"))
                .unwrap()
                .is_some());
        }
    }
}

#[test]
fn blocks_are_found_only_in_the_expected_shape() {
    let block = format!("{BEGIN}\nYWJj\n{END}");
    let two = format!("# note\n{block}\n{block}\n");
    assert!(blocks(&two).is_ok());
    assert!(blocks(&format!("{block}\n")).is_err());
    assert!(blocks(&format!("{two}{block}\n")).is_err());
    assert!(blocks(&format!("junk\n{two}")).is_err());
    assert!(blocks(&format!("{two}junk\n")).is_err());
    assert!(blocks(&format!("{block}\n{BEGIN}\nYWJj\n")).is_err());
}

/// The entries block's header changed (its stanza no longer opens with the file's own
/// key): with the right passphrase that is damage, never "locked" again and again.
#[test]
fn a_damaged_entries_header_is_damage_after_the_right_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    store.unlock(&passphrase()).unwrap();
    store.set("a/client-secret", "kept").unwrap();
    let whole = std::fs::read_to_string(store.path()).unwrap();
    let second = whole.rfind(BEGIN).unwrap() + BEGIN.len() + 1;
    let mut bytes = whole.into_bytes();
    let at = second + 52;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let damaged = String::from_utf8(bytes).unwrap();
    std::fs::write(store.path(), &damaged).unwrap();
    let unlock = new_store(dir.path()).unlock(&passphrase());
    assert!(
        matches!(unlock, Err(Error::SecretFileDamaged { .. })),
        "{unlock:?}"
    );
    assert_eq!(std::fs::read_to_string(store.path()).unwrap(), damaged);
}
