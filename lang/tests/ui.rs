//! The diagnostics suite: every `ui/**/*.iso` fixture starts with `# expect: CODE`, must produce a
//! diagnostic with that code, and is snapshotted with all its diagnostics rendered.
//! Update with `cargo insta review` (or `INSTA_UPDATE=always cargo test -p isopod-lang --test ui`).

mod common;

use isopod_lang::Code;

#[test]
fn diagnostics() {
    insta::glob!("ui/**/*.iso", |path| {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let expected = text.lines().next().and_then(|line| line.strip_prefix("# expect: ")).unwrap_or_else(|| {
            panic!("{} must start with `# expect: CODE`", path.display());
        });
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let sources = common::sources(&name, &bytes);
        let checked = common::load(&sources);
        assert!(
            checked.diagnostics.iter().any(|d| d.code.as_str() == expected),
            "{}: expected {expected}, got {:#?}",
            path.display(),
            checked.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()
        );
        assert!(checked.topology.is_none(), "a configuration with errors yields no topology");
        let mut out = String::new();
        for diagnostic in &checked.diagnostics {
            out.push_str(&common::summary(diagnostic, &sources));
            out.push('\n');
        }
        out.push('\n');
        for diagnostic in &checked.diagnostics {
            out.push_str(&common::render(diagnostic, &sources));
        }
        insta::assert_snapshot!(out);
    });
}

/// Every code has at least one fixture, so every code is proven reachable and has an example in
/// the book.
#[test]
fn every_code_has_a_fixture() {
    let mut fixtures = String::new();
    insta::glob!("ui/**/*.iso", |path| fixtures
        .push_str(String::from_utf8_lossy(&std::fs::read(path).unwrap()).lines().next().unwrap()));
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|code| !fixtures.contains(&format!("expect: {code}")))
        .collect();
    assert!(missing.is_empty(), "codes without a ui fixture: {missing:?}");
}
