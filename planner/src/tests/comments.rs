//! Plans and problems rendered as pull-request comments.

use super::*;

#[test]
fn plans_render_as_pull_request_comments_split_under_the_limit() {
    let topology = topology(THREE_CLOUDS);
    let first = plan(&topology, &[]).unwrap();
    let heading = |title| render::Heading { key: "net/demo", title };
    let whole = render::markdown(&first, heading("Isopod plan for `demo` at abc1234"), "", "", render::COMMENT_LIMIT);
    assert_eq!(whole.len(), 1);
    insta::assert_snapshot!(whole[0]);

    // A small limit splits the same plan into several comments, each found by its marker and
    // under the limit, together holding every change.
    let mesh = plan(&self::topology(include_str!("../../../examples/three-cloud-mesh/main.iso")), &[]).unwrap();
    let parts = render::markdown(&mesh, heading("Isopod plan"), "", "", 10_000);
    assert!(parts.len() > 2, "{}", parts.len());
    for (n, part) in parts.iter().enumerate() {
        assert!(part.len() <= 10_000, "part {n}: {}", part.len());
        assert!(part.starts_with(&format!("{} part={}/{}", render::marker("net/demo"), n + 1, parts.len())));
    }
    let joined = parts.join("\n");
    for change in mesh.changes.iter().filter(|c| c.action != Action::NoOp) {
        assert!(joined.contains(&format!(" {} (", change.id)), "{} is in a part", change.id);
    }
    assert!(!joined.contains("Sw0rdfish"), "no key is ever in a plan");

    // Deletions are called out first.
    let live = applied(&first, &[]);
    let (emptied, _) = crate::plan(&self::topology("stack \"demo\" {}\n"), &live).unwrap();
    let comment = &render::markdown(&emptied, heading("Isopod plan"), "", "", render::COMMENT_LIMIT)[0];
    let warning = comment.find("[!WARNING]").expect("a warning");
    assert!(warning < comment.find("<details>").unwrap(), "{comment}");
}

#[test]
fn problems_render_as_comments_whose_text_cannot_escape_its_block() {
    let heading = render::Heading { key: "net", title: "Isopod plan" };
    // A report with a run of backticks (as a string in an .iso file may have) and long lines.
    let report = format!("error: bad\n  name = \"```\"\n{}\n", "x".repeat(5_000));
    let parts = render::markdown_problem(heading, "The configuration is invalid.", &report, 2_000);
    assert!(parts.len() > 2, "{}", parts.len());
    for part in &parts {
        assert!(part.len() <= 2_000, "{}", part.len());
        assert!(part.contains("````text\n"), "the fence is longer than the text's backticks: {part}");
    }
    assert!(parts[0].contains("> [!CAUTION]\n> The configuration is invalid."));
    let text: String = parts.iter().flat_map(|part| part.lines()).filter(|line| line.starts_with('x')).collect();
    assert_eq!(text.len(), 5_000, "every character of the report is in some part");
    // A key cannot end the hidden marker early.
    assert!(!render::marker("a--b").contains("--b"));
}
