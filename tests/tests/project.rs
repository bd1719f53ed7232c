//! The project itself, as a newcomer meets it: every relative link in the documents
//! resolves (to a heading, where it names one), every page in `docs/` is linked from the
//! README, every shell block marked `sh runnable` runs against a test server, and the
//! window's page modules import each other without a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use authdesk_e2e::{repo_root, Browser, Desk, Flavor, TestServer};

/// The documents a person reads: the README, the pages it links, and the top-level guides.
fn documents() -> Vec<PathBuf> {
    let root = repo_root();
    let mut found = vec![
        root.join("README.md"),
        root.join("CONTRIBUTING.md"),
        root.join("SECURITY.md"),
    ];
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    found.extend(pages);
    found
}

/// The targets of a Markdown text's inline links and images, outside code.
fn links(markdown: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        // Inline code spans may hold `](` that is no link.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            found.push(after[..end].trim().to_owned());
            rest = &after[end..];
        }
    }
    found
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut in_fence = false;
    let mut found = BTreeSet::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with('#') {
            found.insert(slug(line.trim_start_matches('#')));
        }
    }
    found
}

#[test]
fn every_link_in_the_documents_resolves() {
    let mut broken = Vec::new();
    for document in documents() {
        let text = std::fs::read_to_string(&document).unwrap();
        let dir = document.parent().unwrap();
        for link in links(&text) {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            let (file, anchor) = match link.split_once('#') {
                Some((file, anchor)) => (file, Some(anchor)),
                None => (link.as_str(), None),
            };
            let target = if file.is_empty() {
                document.clone()
            } else {
                dir.join(file)
            };
            let name = document
                .strip_prefix(repo_root())
                .unwrap_or(&document)
                .display()
                .to_string();
            if !target.exists() {
                broken.push(format!("{name}: {link} (no such file)"));
                continue;
            }
            if let Some(anchor) = anchor {
                let heads = anchors(&std::fs::read_to_string(&target).unwrap_or_default());
                if !heads.contains(anchor) {
                    broken.push(format!("{name}: {link} (no such heading)"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_page_in_docs_is_linked_from_the_readme_which_stays_short() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let linked: BTreeSet<String> = links(&readme)
        .into_iter()
        .map(|l| l.split('#').next().unwrap_or_default().to_owned())
        .collect();
    for page in documents()
        .iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("docs")))
    {
        let name = format!("docs/{}", page.file_name().unwrap().to_string_lossy());
        assert!(linked.contains(&name), "the README links no {name}");
    }
    let lines = readme.lines().count();
    assert!(
        lines <= 200,
        "the README has {lines} lines; details go in docs/"
    );
}

/// The `sh runnable` blocks of a document, each with the line it starts on.
fn runnable_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, Vec<&str>)> = None;
    for (number, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut current, fence) {
            (None, Some(info)) if info.trim() == "sh runnable" => {
                current = Some((number + 1, Vec::new()))
            }
            (Some(_), Some(_)) => {
                if let Some((start, lines)) = current.take() {
                    blocks.push((start, lines.join("\n")));
                }
            }
            (Some((_, lines)), None) => lines.push(line),
            _ => {}
        }
    }
    blocks
}

#[test]
fn runnable_commands_in_the_documents_run() {
    let mut ran = 0;
    let mut failed = Vec::new();
    for document in documents() {
        let text = std::fs::read_to_string(&document).unwrap();
        for (line, block) in runnable_blocks(&text) {
            let name = format!(
                "{}:{line}",
                document
                    .strip_prefix(repo_root())
                    .unwrap_or(&document)
                    .display()
            );
            let (flavor, host) = if block.contains("https://aap.example.com") {
                (Flavor::Gateway, "https://aap.example.com")
            } else {
                (Flavor::Awx, "https://awx.example.com")
            };
            let server = TestServer::start(flavor).unwrap();
            let app = server.seeded_app();
            let script = block
                .replace(host, &server.seed.base_url)
                .replace("CLIENT_ID", &app.client_id);
            let desk = Desk::new(Browser::Approve);
            let run = desk.shell(&script, &format!("{}\n", app.client_secret));
            ran += 1;
            if run.status != Some(0) {
                failed.push(format!("{name} ({flavor:?}): {run:?}"));
            }
        }
    }
    assert!(
        ran >= 2,
        "the README's quick start and the guide's gateway block are runnable"
    );
    assert!(
        failed.is_empty(),
        "runnable blocks failed:\n{}",
        failed.join("\n\n")
    );
}

/// `import { a, b } from './module.js'` lines of a page module, as (module, names).
fn imports(source: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("import {") {
        let after = &rest[at + "import {".len()..];
        let Some(close) = after.find('}') else { break };
        let names = after[..close]
            .split(',')
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        let tail = &after[close..];
        let module = tail
            .split_once("from '")
            .and_then(|(_, m)| m.split_once('\''))
            .map(|(m, _)| m.trim_start_matches("./").to_owned())
            .unwrap_or_default();
        found.push((module, names));
        rest = tail;
    }
    found
}

/// The names a page module exports (`export function f`, `export const { a } = …`, …).
fn exports(source: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in source.lines() {
        let Some(rest) = line.strip_prefix("export ") else {
            continue;
        };
        let rest = rest.trim_start_matches("async ");
        let rest = ["function ", "const ", "let ", "class "]
            .iter()
            .find_map(|kind| rest.strip_prefix(kind))
            .unwrap_or_default();
        if let Some(group) = rest.strip_prefix('{') {
            let inside = group.split('}').next().unwrap_or_default();
            found.extend(
                inside
                    .split(',')
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty()),
            );
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

#[test]
fn the_pages_modules_import_without_cycles_and_are_preloaded() {
    let ui = repo_root().join("ui");
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut sources = BTreeMap::new();
    for entry in std::fs::read_dir(&ui).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "js") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            sources.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    let mut wrong = Vec::new();
    for (name, source) in &sources {
        for (module, names) in imports(source) {
            let Some(theirs) = sources.get(&module) else {
                wrong.push(format!("{name} imports {module}, which is not in ui/"));
                continue;
            };
            let exported = exports(theirs);
            for imported in names.iter().filter(|n| !exported.contains(*n)) {
                wrong.push(format!(
                    "{name} imports {imported}, which {module} does not export"
                ));
            }
            graph.entry(name.clone()).or_default().push(module);
        }
    }
    // A cycle shows as a module reached again while its own imports are being walked.
    fn walk(
        module: &str,
        graph: &BTreeMap<String, Vec<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        wrong: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|m| m == module) {
            wrong.push(format!(
                "import cycle: {} → {module}",
                path[at..].join(" → ")
            ));
            return;
        }
        if !done.insert(module.to_owned()) {
            return;
        }
        path.push(module.to_owned());
        for next in graph.get(module).into_iter().flatten() {
            walk(next, graph, path, done, wrong);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for module in sources.keys() {
        walk(module, &graph, &mut Vec::new(), &mut done, &mut wrong);
    }
    // index.html fetches every module at once instead of one import level after another.
    let html = std::fs::read_to_string(ui.join("index.html")).unwrap();
    for module in sources.keys().filter(|m| *m != "app.js") {
        if !html.contains(&format!("<link rel=\"modulepreload\" href=\"{module}\">")) {
            wrong.push(format!("index.html does not preload {module}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_checks_here_see_what_they_look_for() {
    assert_eq!(
        links("See [a](docs/a.md#x) and ![b](b.png), not `[c](d)`.\n```\n[e](f)\n```"),
        ["docs/a.md#x", "b.png"]
    );
    assert_eq!(
        slug(" Tokens for everyday work: scripts, `exec` and more"),
        "tokens-for-everyday-work-scripts-exec-and-more"
    );
    assert_eq!(
        runnable_blocks("x\n```sh runnable\na\nb\n```\n```sh\nc\n```"),
        [(2, "a\nb".to_owned())]
    );
    assert_eq!(
        imports("import {\n  a, b,\n} from './page.js';\nimport { c } from './x.js';"),
        [
            ("page.js".to_owned(), vec!["a".to_owned(), "b".to_owned()]),
            ("x.js".to_owned(), vec!["c".to_owned()])
        ]
    );
    assert_eq!(
        exports("export const { invoke } = x;\nexport async function go() {}\nexport const $ = 1;"),
        ["$", "go", "invoke"]
            .map(String::from)
            .into_iter()
            .collect()
    );
}
