//! Every example's plans, text and JSON, kept as snapshots: what creating it plans, what a plan
//! after applying it lists (no-ops, in their order), and what removing everything plans. How
//! plans are made may change (the representation of resources, the diff, the ordering); what
//! they say must not, byte for byte.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `isopod ARGS DIR` against the simulator kept in `dir`, with a secret key of its own there;
/// its standard output, after checking that it exited with one of `codes`.
fn isopod(args: &[&str], dir: &Path, codes: &[i32]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_isopod"))
        .args(args)
        .arg(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .env_remove("ISOPOD_SECRET_KEY")
        .env("ISOPOD_SECRET_KEY_FILE", dir.join("test-secret.key"))
        .env_remove("ISOPOD_SIMULATOR")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.code().is_some_and(|code| codes.contains(&code)),
        "isopod {args:?}: {:?}\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The secrets the files name (`secret("NAME")`), which the user sets before applying.
fn named_secrets(files: &[(PathBuf, String)]) -> Vec<String> {
    let mut names: Vec<String> = files
        .iter()
        .flat_map(|(_, text)| text.split("secret(\"").skip(1))
        .filter_map(|rest| Some(rest.split_once('"')?.0.to_string()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `isopod secret set NAME --dir DIR`, given a value AWS, GCP and Azure all accept.
fn set_secret(name: &str, dir: &Path) {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_isopod"))
        .args(["secret", "set", name, "--dir"])
        .arg(dir)
        .env_remove("ISOPOD_SECRET_KEY")
        .env("ISOPOD_SECRET_KEY_FILE", dir.join("test-secret.key"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().unwrap().write_all(b"Sw0rdfish1234abcd\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "secret set {name}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The examples that are configurations: their names and their `.iso` files' texts.
fn examples() -> Vec<(String, Vec<(PathBuf, String)>)> {
    let mut examples: Vec<(String, Vec<(PathBuf, String)>)> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter_map(|dir| {
            let mut files: Vec<(PathBuf, String)> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "iso"))
                .map(|path| (PathBuf::from(path.file_name().unwrap()), std::fs::read_to_string(&path).unwrap()))
                .collect();
            files.sort();
            let name = dir.file_name()?.to_string_lossy().into_owned();
            (!files.is_empty()).then_some((name, files))
        })
        .collect();
    examples.sort();
    examples
}

/// The blocks of a configuration's files that hold no resources (the stack, its clouds and
/// hosts, its variables): all that is left when everything else is removed. Top-level blocks are found by
/// counting braces, which the examples' strings keep balanced.
fn without_resources(files: &[(PathBuf, String)]) -> String {
    let mut kept = String::new();
    for (_, text) in files {
        let (mut depth, mut block) = (0usize, String::new());
        for line in text.lines() {
            block.push_str(line);
            block.push('\n');
            depth += line.matches('{').count();
            depth -= line.matches('}').count();
            if depth == 0 {
                let head = block.trim_start();
                if ["stack ", "cloud ", "host ", "variable "].iter().any(|keyword| head.starts_with(keyword)) {
                    kept.push_str(head);
                }
                block.clear();
            }
        }
    }
    kept
}

#[test]
fn every_examples_plans_stay_as_they_were() {
    let examples = examples();
    assert!(examples.len() >= 5, "the examples are found: {examples:?}");
    for (name, files) in examples {
        let dir = tempfile::tempdir().unwrap();
        for (file, text) in &files {
            std::fs::write(dir.path().join(file), text).unwrap();
        }
        let path = dir.path();
        for secret in named_secrets(&files) {
            set_secret(&secret, path);
        }
        // Creating everything (exit code 2: changes).
        insta::assert_snapshot!(
            format!("{name}-create"),
            isopod(&["plan", "--simulate", "--detailed-exitcode"], path, &[2])
        );
        insta::assert_snapshot!(format!("{name}-create-json"), isopod(&["plan", "--simulate", "--json"], path, &[0]));
        isopod(&["apply", "--simulate", "--yes"], path, &[0]);
        // Applied: every change a no-op, listed in the plan's order.
        insta::assert_snapshot!(format!("{name}-applied-json"), isopod(&["plan", "--simulate", "--json"], path, &[0]));
        // Everything but the stack, its clouds, hosts and variables removed: every resource deleted.
        for (file, _) in &files {
            std::fs::remove_file(path.join(file)).unwrap();
        }
        std::fs::write(path.join("main.iso"), without_resources(&files)).unwrap();
        insta::assert_snapshot!(
            format!("{name}-remove"),
            isopod(&["plan", "--simulate", "--detailed-exitcode"], path, &[2])
        );
        insta::assert_snapshot!(format!("{name}-remove-json"), isopod(&["plan", "--simulate", "--json"], path, &[0]));
    }
}
