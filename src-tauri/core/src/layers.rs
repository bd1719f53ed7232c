//! The layer order written in `lib.rs`, checked against the sources: a module may use
//! (through `crate::`) only the modules on lines above its own. Run it alone with
//! `cargo test -p authdesk-core layers`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers as `lib.rs`'s doc lists them, top line first: the module names that start
/// each line of its `text` block, before the description.
fn layers(lib: &str) -> Vec<Vec<String>> {
    let block = lib
        .split("//! ```text")
        .nth(1)
        .and_then(|rest| rest.split("//! ```").next())
        .expect("lib.rs's doc has a ```text block of layers");
    block
        .lines()
        .map(|line| line.trim_start_matches("//!").trim())
        .filter(|line| !line.is_empty())
        .map(|line| {
            let names = line.split("  ").next().unwrap_or_default();
            names
                .split(',')
                .map(|name| name.trim().to_owned())
                .collect()
        })
        .collect()
}

/// The top-level module a source file belongs to (`listener/wire.rs` → `listener`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("a file under src/");
    let first = relative
        .components()
        .next()
        .expect("a path")
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.trim_end_matches(".rs").to_owned()
}

/// The modules a source names through `crate::` paths, `use crate::{a, b::c}` included.
fn crate_paths(source: &str) -> Vec<String> {
    let mut used = Vec::new();
    for (at, _) in source.match_indices("crate::") {
        let rest = &source[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Only the first segment of each path in the group names a module of the crate.
            let mut depth = 0;
            let mut start = true;
            let mut word = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        start = true;
                        continue;
                    }
                    _ => {}
                }
                if start {
                    if c.is_alphanumeric() || c == '_' {
                        word.push(c);
                    } else if !word.is_empty() {
                        used.push(std::mem::take(&mut word));
                        start = false;
                    }
                }
            }
            if !word.is_empty() {
                used.push(word);
            }
        } else {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            used.push(word);
        }
    }
    used
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn layers_only_look_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let order = layers(&lib);
    let level: BTreeMap<&str, usize> = order
        .iter()
        .enumerate()
        .flat_map(|(line, names)| names.iter().map(move |name| (name.as_str(), line)))
        .collect();
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        if matches!(module.as_str(), "lib" | "layers") {
            continue;
        }
        let Some(&own) = level.get(module.as_str()) else {
            wrong.push(format!(
                "module `{module}` is on no line of lib.rs's layers"
            ));
            continue;
        };
        let source = std::fs::read_to_string(file).expect("a source file");
        for used in crate_paths(&source) {
            if used == module {
                continue;
            }
            match level.get(used.as_str()) {
                Some(&theirs) if theirs < own => {}
                Some(_) => wrong.push(format!(
                    "{} uses `crate::{used}`, which is not on a line above `{module}`",
                    file.strip_prefix(&src).unwrap_or(file).display()
                )),
                None => wrong.push(format!(
                    "{} uses `crate::{used}`, which is on no line of lib.rs's layers",
                    file.strip_prefix(&src).unwrap_or(file).display()
                )),
            }
        }
    }
    // Every module of the crate is on exactly one line.
    let mut seen = BTreeMap::new();
    for name in order.iter().flatten() {
        *seen.entry(name.as_str()).or_insert(0) += 1;
    }
    wrong.extend(
        seen.iter()
            .filter(|(_, count)| **count > 1)
            .map(|(name, _)| format!("`{name}` is on more than one line")),
    );
    assert!(wrong.is_empty(), "layers broken:\n{}", wrong.join("\n"));
}

#[test]
fn paths_in_use_groups_are_read() {
    assert_eq!(
        crate_paths("use crate::{error::Error, http::{a, b}, text};\nlet x = crate::tokens::f();"),
        ["error", "http", "text", "tokens"]
    );
}
