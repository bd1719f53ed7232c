//! `cargo xtask dist`: Linux packages from the release build, with Debian's own tools:
//! `dpkg-deb` (dependencies from `dpkg-shlibdeps`) for .deb and `rpmbuild` (dependencies
//! from its ELF scan) for .rpm. Two packages each: `authdesk` (the window and the CLI,
//! with the desktop entry, icons and AppStream metainfo) and `authdesk-cli` (the CLI
//! alone, no WebKit). Both hold /usr/bin/authdesk, so the desktop package replaces the
//! CLI one (it is the same program plus the window). Every package is checked after it
//! is built: its files, its dependencies, and the programs in it run.
//!
//! Why not Tauri's bundler or cargo-deb: `cargo install tauri-cli` costs nine minutes
//! here and cargo-deb/cargo-generate-rpm another tool build each, while dpkg-deb,
//! dpkg-shlibdeps and rpmbuild are Debian packages that install in seconds and compute
//! the dependencies the distributions' own way.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, ensure, Context, Result};

use crate::{cargo, repo_root, run, setup};

/// Debian packages the packaging needs, each with a file that proves it is installed.
const TOOLS: &[(&str, &str)] = &[
    ("dpkg-dev", "/usr/bin/dpkg-shlibdeps"),
    ("rpm", "/usr/bin/rpmbuild"),
    ("imagemagick", "/usr/bin/convert"),
    ("appstream", "/usr/bin/appstreamcli"),
    ("desktop-file-utils", "/usr/bin/desktop-file-validate"),
];

const APP_ID: &str = "dev.authdesk.app";
const ICON_SIZES: &[u32] = &[16, 24, 32, 48, 64, 128, 256];
const SUMMARY: &str = "Get OAuth2 tokens from AWX and Ansible Automation Platform";
const DESCRIPTION: &str = "\
AuthDesk signs in to AWX and the Ansible Automation Platform gateway through the
browser (the OAuth2 authorization-code flow with a loopback redirect), keeps client
secrets and tokens in the OS keyring, and shows the tokens with copy, refresh and
revoke. Its command line hands tokens to scripts and tools: `authdesk token`,
`authdesk exec`.";

/// One package to build.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    /// `authdesk`: the window and the CLI.
    Desktop,
    /// `authdesk-cli`: the CLI alone.
    Cli,
}

impl Flavor {
    fn name(self) -> &'static str {
        match self {
            Flavor::Desktop => "authdesk",
            Flavor::Cli => "authdesk-cli",
        }
    }
}

pub fn dist() -> Result<Vec<PathBuf>> {
    setup::all()?;
    setup::install_packages(TOOLS)?;
    println!("==> cargo build --release (the executables packaged)");
    run(cargo().args(["build", "--release", "--locked", "--package", "authdesk"]))?;
    let version = version()?;
    let out = repo_root().join("target/dist");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out)?;
    let mut made = Vec::new();
    for flavor in [Flavor::Desktop, Flavor::Cli] {
        let stage = out.join(format!("stage-{}", flavor.name()));
        stage_files(flavor, &stage, &version)?;
        made.push(deb(flavor, &stage, &version, &out)?);
        made.push(rpm(flavor, &stage, &version, &out)?);
    }
    for package in &made {
        println!("==> built {}", package.display());
    }
    verify(&made, &version)?;
    Ok(made)
}

/// The version in Cargo.toml, as `authdesk --version` prints it.
fn version() -> Result<String> {
    let output = Command::new(repo_root().join("target/release/authdesk"))
        .arg("--version")
        .output()
        .context("running authdesk --version")?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim()
        .strip_prefix("authdesk ")
        .map(str::to_owned)
        .context("authdesk --version printed no version")
}

/// The package's files under `stage`, laid out as installed.
fn stage_files(flavor: Flavor, stage: &Path, version: &str) -> Result<()> {
    let root = repo_root();
    let release = root.join("target/release");
    let _ = std::fs::remove_dir_all(stage);
    let bin = stage.join("usr/bin");
    std::fs::create_dir_all(&bin)?;
    install(&release.join("authdesk"), &bin.join("authdesk"), 0o755)?;
    if flavor == Flavor::Desktop {
        install(
            &release.join("authdesk-window"),
            &bin.join("authdesk-window"),
            0o755,
        )?;
    }
    // The man page and completions, from the CLI's own definition.
    let authdesk = release.join("authdesk");
    let man = stage.join("usr/share/man/man1");
    std::fs::create_dir_all(&man)?;
    let page = capture(Command::new(&authdesk).arg("man"))?;
    std::fs::write(man.join("authdesk.1"), page)?;
    run(Command::new("gzip")
        .args(["-9n"])
        .arg(man.join("authdesk.1")))?;
    set_mode(&man.join("authdesk.1.gz"), 0o644)?;
    for (shell, path) in [
        ("bash", "usr/share/bash-completion/completions/authdesk"),
        ("zsh", "usr/share/zsh/vendor-completions/_authdesk"),
        ("fish", "usr/share/fish/vendor_completions.d/authdesk.fish"),
    ] {
        let script = capture(Command::new(&authdesk).args(["completions", shell]))?;
        write(&stage.join(path), &script, 0o644)?;
    }
    // The documents, with Debian's copyright file.
    let doc = stage.join(format!("usr/share/doc/{}", flavor.name()));
    for file in ["README.md", "SECURITY.md", "LICENSE-MIT", "LICENSE-APACHE"] {
        install(&root.join(file), &doc.join(file), 0o644)?;
    }
    // The pages a user of the programs reads, where the README's links find them.
    for page in [
        "docs/guide.md",
        "docs/install.md",
        "docs/awx-and-gateway.md",
    ] {
        install(&root.join(page), &doc.join(page), 0o644)?;
    }
    install(
        &root.join("packaging/debian-copyright"),
        &doc.join("copyright"),
        0o644,
    )?;
    if flavor == Flavor::Desktop {
        stage_desktop(stage, version)?;
    }
    Ok(())
}

/// The desktop entry, the icon in the hicolor sizes, and the AppStream metainfo.
fn stage_desktop(stage: &Path, version: &str) -> Result<()> {
    let root = repo_root();
    let entry = stage.join(format!("usr/share/applications/{APP_ID}.desktop"));
    install(
        &root.join(format!("packaging/{APP_ID}.desktop")),
        &entry,
        0o644,
    )?;
    run(Command::new("desktop-file-validate").arg(&entry))?;
    for size in ICON_SIZES {
        let icon = stage.join(format!(
            "usr/share/icons/hicolor/{size}x{size}/apps/{APP_ID}.png"
        ));
        if let Some(dir) = icon.parent() {
            std::fs::create_dir_all(dir)?;
        }
        run(Command::new("convert")
            .arg(root.join("icons/icon.png"))
            .args(["-resize", &format!("{size}x{size}"), "-strip"])
            .arg(format!("PNG32:{}", icon.display())))?;
        set_mode(&icon, 0o644)?;
    }
    let template =
        std::fs::read_to_string(root.join(format!("packaging/{APP_ID}.metainfo.xml.in")))
            .context("reading the metainfo template")?;
    let date = capture(Command::new("date").args(["-u", "+%Y-%m-%d"]))?;
    let metainfo = template
        .replace("@VERSION@", version)
        .replace("@DATE@", String::from_utf8_lossy(&date).trim());
    let path = stage.join(format!("usr/share/metainfo/{APP_ID}.metainfo.xml"));
    write(&path, metainfo.as_bytes(), 0o644)?;
    run(Command::new("appstreamcli")
        .args(["validate", "--no-net", "--explain"])
        .arg(&path))?;
    Ok(())
}

/// A .deb with `dpkg-deb`, its dependencies computed by `dpkg-shlibdeps` from the
/// executables it holds.
fn deb(flavor: Flavor, stage: &Path, version: &str, out: &Path) -> Result<PathBuf> {
    let arch = String::from_utf8(capture(Command::new("dpkg").arg("--print-architecture"))?)?
        .trim()
        .to_owned();
    let mut binaries = vec![stage.join("usr/bin/authdesk")];
    if flavor == Flavor::Desktop {
        binaries.push(stage.join("usr/bin/authdesk-window"));
    }
    let depends = shlib_depends(&binaries, out)?;
    let installed_kib = du_kib(stage)?;
    let relation = match flavor {
        // Same /usr/bin/authdesk: the desktop package takes the CLI package's place.
        Flavor::Desktop => {
            "Provides: authdesk-cli\nConflicts: authdesk-cli\nReplaces: authdesk-cli\n"
        }
        Flavor::Cli => "",
    };
    let description = DESCRIPTION
        .lines()
        .map(|line| format!(" {line}"))
        .collect::<Vec<_>>()
        .join("\n");
    let control = format!(
        "Package: {name}\nVersion: {version}\nArchitecture: {arch}\nMaintainer: AuthDesk developers <authdesk@users.noreply.github.com>\nInstalled-Size: {installed_kib}\nDepends: {depends}\nRecommends: xdg-utils\nSuggests: gnome-keyring\n{relation}Section: {section}\nPriority: optional\nHomepage: https://github.com/authdesk/authdesk\nDescription: {SUMMARY}{suffix}\n{description}\n",
        name = flavor.name(),
        section = if flavor == Flavor::Desktop { "devel" } else { "utils" },
        suffix = if flavor == Flavor::Cli { " (command line)" } else { "" },
    );
    let debian = stage.join("DEBIAN");
    write(&debian.join("md5sums"), &md5sums(stage)?, 0o644)?;
    write(&debian.join("control"), control.as_bytes(), 0o644)?;
    let package = out.join(format!("{}_{version}_{arch}.deb", flavor.name()));
    run(Command::new("dpkg-deb")
        .args(["--root-owner-group", "-Zxz", "--build"])
        .arg(stage)
        .arg(&package))?;
    std::fs::remove_dir_all(&debian)?;
    Ok(package)
}

/// `dpkg-shlibdeps` wants a source package around it: a scratch `debian/control`.
fn shlib_depends(binaries: &[PathBuf], out: &Path) -> Result<String> {
    let scratch = out.join("shlibdeps");
    std::fs::create_dir_all(scratch.join("debian"))?;
    std::fs::write(
        scratch.join("debian/control"),
        "Source: authdesk\nMaintainer: AuthDesk developers <authdesk@users.noreply.github.com>\n\nPackage: authdesk\nArchitecture: any\n",
    )?;
    let printed = capture(
        Command::new("dpkg-shlibdeps")
            .current_dir(&scratch)
            .args(["-O", "--ignore-missing-info"])
            .arg("-e")
            .args(binaries),
    )?;
    let text = String::from_utf8(printed)?;
    let depends = text
        .lines()
        .find_map(|line| line.strip_prefix("shlibs:Depends="))
        .context("dpkg-shlibdeps printed no shlibs:Depends")?
        .to_owned();
    std::fs::remove_dir_all(&scratch)?;
    Ok(depends)
}

/// An .rpm with `rpmbuild` from the staged files; rpmbuild finds the libraries they need.
fn rpm(flavor: Flavor, stage: &Path, version: &str, out: &Path) -> Result<PathBuf> {
    let top = out.join(format!("rpmbuild-{}", flavor.name()));
    std::fs::create_dir_all(&top)?;
    let mut files = Vec::new();
    collect_files(stage, stage, &mut files)?;
    files.sort();
    let relation = match flavor {
        // No Obsoletes: `dnf upgrade` would then swap a chosen CLI-only install for this.
        Flavor::Desktop => {
            "Provides: authdesk-cli = %{version}-%{release}\nConflicts: authdesk-cli\n"
        }
        Flavor::Cli => "",
    };
    let spec = format!(
        "Name: {name}\nVersion: {version}\nRelease: 1\nSummary: {SUMMARY}\nLicense: MIT OR Apache-2.0\nURL: https://github.com/authdesk/authdesk\n{relation}\n%define _build_id_links none\n%define debug_package %{{nil}}\n%define __os_install_post %{{nil}}\n%define _binary_payload w9.xzdio\n\n%description\n{DESCRIPTION}\n\n%install\ncp -a {stage}/. %{{buildroot}}/\n\n%files\n{files}\n",
        name = flavor.name(),
        stage = stage.display(),
        files = files
            .iter()
            .map(|f| format!("/{f}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let spec_path = top.join(format!("{}.spec", flavor.name()));
    std::fs::write(&spec_path, spec)?;
    run(Command::new("rpmbuild")
        .args(["-bb", "--quiet", "--nodeps", "--target", "x86_64"])
        .arg("--define")
        .arg(format!("_topdir {}", top.display()))
        .arg(&spec_path))?;
    let built = top.join(format!(
        "RPMS/x86_64/{}-{version}-1.x86_64.rpm",
        flavor.name()
    ));
    ensure!(built.exists(), "rpmbuild made no {}", built.display());
    let package = out.join(built.file_name().context("rpm name")?);
    std::fs::rename(&built, &package)?;
    std::fs::remove_dir_all(&top)?;
    Ok(package)
}

/// Checks what was built: the files each package holds, its dependencies (WebKit only
/// for the desktop one), and that the programs in the .deb run.
fn verify(packages: &[PathBuf], version: &str) -> Result<()> {
    for package in packages {
        let name = package
            .file_name()
            .and_then(|n| n.to_str())
            .context("package name")?;
        let desktop =
            name.starts_with("authdesk_") || name.starts_with(&format!("authdesk-{version}"));
        let is_deb = name.ends_with(".deb");
        let mut list = if is_deb {
            Command::new("dpkg-deb")
        } else {
            Command::new("rpm")
        };
        list.arg(if is_deb { "-c" } else { "-qpl" }).arg(package);
        let listing = String::from_utf8(capture(&mut list)?)?;
        let mut wanted = vec![
            "/usr/bin/authdesk",
            "/usr/share/man/man1/authdesk.1.gz",
            "/usr/share/bash-completion/completions/authdesk",
            "/usr/share/zsh/vendor-completions/_authdesk",
            "/usr/share/fish/vendor_completions.d/authdesk.fish",
            "/copyright",
            "/LICENSE-APACHE",
        ];
        let desktop_files = [
            "/usr/bin/authdesk-window",
            "/usr/share/applications/dev.authdesk.app.desktop",
            "/usr/share/icons/hicolor/256x256/apps/dev.authdesk.app.png",
            "/usr/share/icons/hicolor/16x16/apps/dev.authdesk.app.png",
            "/usr/share/metainfo/dev.authdesk.app.metainfo.xml",
        ];
        if desktop {
            wanted.extend(desktop_files);
        } else {
            for file in desktop_files {
                ensure!(!listing.contains(file), "{name} holds {file}");
            }
        }
        for file in wanted {
            ensure!(listing.contains(file), "{name} lacks {file}:\n{listing}");
        }
        let mut requires = if is_deb {
            let mut command = Command::new("dpkg-deb");
            command.arg("-f").arg(package).arg("Depends");
            command
        } else {
            let mut command = Command::new("rpm");
            command.arg("-qpR").arg(package);
            command
        };
        let depends = String::from_utf8(capture(&mut requires)?)?;
        let webkit = depends.contains("webkit2gtk-4.1") || depends.contains("libwebkit2gtk");
        ensure!(
            webkit == desktop,
            "{name}: WebKit dependency {} expected: {depends}",
            if desktop { "is" } else { "is not" }
        );
        ensure!(
            depends.contains("libc"),
            "{name} depends on no libc: {depends}"
        );
        // The metadata: name, version from Cargo.toml, licence.
        let mut info = if is_deb {
            let mut command = Command::new("dpkg-deb");
            command.arg("-I").arg(package);
            command
        } else {
            let mut command = Command::new("rpm");
            command.arg("-qpi").arg(package);
            command
        };
        let info = String::from_utf8(capture(&mut info)?)?;
        let field = |key: &str| {
            info.lines()
                .find_map(|line| {
                    let (k, v) = line.split_once(':')?;
                    (k.trim() == key).then(|| v.trim().to_owned())
                })
                .unwrap_or_default()
        };
        let expected_name = if desktop { "authdesk" } else { "authdesk-cli" };
        ensure!(
            field(if is_deb { "Package" } else { "Name" }) == expected_name,
            "{name}: wrong package name:\n{info}"
        );
        ensure!(
            field("Version") == version,
            "{name}: wrong version:\n{info}"
        );
        if !is_deb {
            ensure!(
                field("License") == "MIT OR Apache-2.0",
                "{name}: wrong licence:\n{info}"
            );
        }
        if is_deb {
            let root = package.with_extension("extracted");
            let _ = std::fs::remove_dir_all(&root);
            run(Command::new("dpkg-deb").arg("-x").arg(package).arg(&root))?;
            let shown = String::from_utf8(capture(
                Command::new(root.join("usr/bin/authdesk")).arg("--version"),
            )?)?;
            ensure!(
                shown.trim() == format!("authdesk {version}"),
                "{name}: --version says {shown}"
            );
            if !desktop {
                // With no window beside it, one sentence naming the package that has it.
                let output = Command::new(root.join("usr/bin/authdesk"))
                    .env("DISPLAY", ":0")
                    .output()?;
                let said = String::from_utf8_lossy(&output.stderr);
                ensure!(
                    !output.status.success() && said.contains("install the `authdesk` package"),
                    "{name}: with no window: {said}"
                );
            }
            std::fs::remove_dir_all(&root)?;
        }
        println!("==> checked {name}");
    }
    Ok(())
}

/// `DEBIAN/md5sums`: each file's digest and path, as dpkg checks them (`dpkg --verify`).
fn md5sums(stage: &Path) -> Result<Vec<u8>> {
    let mut files = Vec::new();
    collect_files(stage, stage, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Ok(Vec::new());
    }
    capture(Command::new("md5sum").current_dir(stage).args(&files))
}

fn collect_files(root: &Path, dir: &Path, into: &mut Vec<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(root, &path, into)?;
        } else {
            let relative = path.strip_prefix(root)?.to_string_lossy().into_owned();
            if !relative.starts_with("DEBIAN") {
                into.push(relative);
            }
        }
    }
    Ok(())
}

fn du_kib(dir: &Path) -> Result<u64> {
    let printed = String::from_utf8(capture(Command::new("du").args(["-sk"]).arg(dir))?)?;
    printed
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .context("du printed no size")
}

fn install(from: &Path, to: &Path, mode: u32) -> Result<()> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::copy(from, to).with_context(|| format!("copying {}", from.display()))?;
    set_mode(to, mode)
}

fn write(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, bytes)?;
    set_mode(path, mode)
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("setting the mode of {}", path.display()))
}

/// Runs a command and returns its stdout; a failure is an error with its stderr.
fn capture(command: &mut Command) -> Result<Vec<u8>> {
    let output = command
        .output()
        .with_context(|| format!("could not start {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output.stdout)
}
