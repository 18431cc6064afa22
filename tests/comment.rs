//! `isopod comment` as a process against a GitHub API fake on 127.0.0.1 that checks every
//! request against GitHub's OpenAPI description: the first push posts the plan, later pushes
//! update it in place, a huge plan is split (and shrinks back), an invalid configuration is
//! commented with its diagnostics, and no secret is in any request.

use isopod_test_support::GitHubFake;
use std::path::Path;
use std::process::{Command, Output};

const TOKEN: &str = "ghs_test-token-0123456789";
const SECRET: &str = "Sw0rdfish-never-posted-42";

fn isopod(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_isopod"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("ISOPOD_SECRET_KEY")
        .env("ISOPOD_SECRET_KEY_FILE", dir.join("test-secret.key"))
        .stdin(std::process::Stdio::null());
    command
}

/// `isopod comment --simulate net` in `repo`, as GitHub Actions runs it on a push to pull
/// request #7 whose head is `head`.
fn comment(repo: &Path, fake: &GitHubFake, head: &str) -> Output {
    let event = repo.join("event.json");
    let json =
        format!(r#"{{"action":"synchronize","number":7,"pull_request":{{"number":7,"head":{{"sha":"{head}"}}}}}}"#);
    std::fs::write(&event, json).unwrap();
    isopod(repo, &["comment", "--simulate", "net"])
        .env("GITHUB_TOKEN", &fake.token)
        .env("GITHUB_REPOSITORY", "acme/net")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_API_URL", &fake.url)
        .output()
        .unwrap()
}

/// The requests of `operation` the fake received, with their bodies.
fn bodies(fake: &GitHubFake, operation: &str) -> Vec<String> {
    fake.requests()
        .iter()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|request| request["operation"] == operation)
        .map(|request| request["body"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn network(name: &str, n: usize) -> String {
    format!(
        "network \"{name}\" {{\n  cloud = cloud.aws.main\n  cidr  = \"10.{n}.0.0/16\"\n\n  subnet \"a\" {{\n    cidr = cidrsubnet(self.cidr, 8, 1)\n    zone = \"us-east-1a\"\n  }}\n}}\n\n"
    )
}

fn write_config(repo: &Path, networks: usize, extra: &str) {
    let mut text = String::from("stack \"acme\" {}\n\ncloud \"aws\" \"main\" {\n  region = \"us-east-1\"\n}\n\n");
    for n in 0..networks {
        text.push_str(&network(&format!("site-{n}"), n));
    }
    text.push_str(extra);
    std::fs::create_dir_all(repo.join("net")).unwrap();
    std::fs::write(repo.join("net/main.iso"), text).unwrap();
}

fn assert_ok(output: &Output) {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn the_first_push_posts_the_plan_and_later_pushes_update_it_in_place() {
    let fake = GitHubFake::start(TOKEN, 100);
    let repo = tempfile::tempdir().unwrap();
    // A tunnel keyed by a secret the store holds: its value must never be posted.
    let tunnel = "host \"dc\" {\n  address = \"203.0.113.10\"\n  cidrs   = [\"192.168.10.0/24\"]\n}\n\ntunnel \"dc\" {\n  between = [network.site-0, host.dc]\n  routing = \"static\"\n  psk     = secret(\"dc-psk\")\n}\n";
    write_config(repo.path(), 1, tunnel);
    let mut set = isopod(repo.path(), &["secret", "set", "dc-psk", "--dir", "net"]);
    let mut child = set.stdin(std::process::Stdio::piped()).spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), SECRET.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());

    assert_ok(&comment(repo.path(), &fake, "1111111aaaaaaa"));
    let created = bodies(&fake, "create");
    assert_eq!(created.len(), 1, "one comment");
    assert!(created[0].starts_with("<!-- isopod-plan key=net part=1/1 -->"), "{}", created[0]);
    assert!(created[0].contains("Isopod plan for `net` at 1111111aaaaa"));
    assert!(created[0].contains("network.site-0"));

    // The second push adds a network: the same comment is updated, none is added.
    write_config(repo.path(), 2, tunnel);
    let output = comment(repo.path(), &fake, "2222222bbbbbbb");
    assert_ok(&output);
    assert!(String::from_utf8_lossy(&output.stderr).contains("updated comment 1000"));
    let updated = bodies(&fake, "update");
    assert_eq!((bodies(&fake, "create").len(), updated.len()), (1, 1));
    assert!(updated[0].contains("at 2222222bbbbb") && updated[0].contains("network.site-1"));

    // The same plan again: nothing to send.
    assert_ok(&comment(repo.path(), &fake, "2222222bbbbbbb"));
    assert_eq!((bodies(&fake, "create").len(), bodies(&fake, "update").len()), (1, 1));

    // The key is never in a request, though the plan has the tunnel keyed by it.
    assert!(updated[0].contains("psk") && updated[0].contains("(sensitive)"), "{}", updated[0]);
    // The summary says what the change does to the fixed cost (nothing is live yet).
    assert!(updated[0].contains("Cost: fixed $0.00/month now, $"), "{}", updated[0]);
    for line in fake.requests() {
        assert!(!line.contains(SECRET), "a secret was sent: {line}");
    }
}

#[test]
fn a_huge_plan_is_split_into_several_comments_and_shrinks_back_to_one() {
    // Two comments per page: reading the comments back follows GitHub's pagination.
    let fake = GitHubFake::start(TOKEN, 2);
    let repo = tempfile::tempdir().unwrap();
    write_config(repo.path(), 150, "");
    assert_ok(&comment(repo.path(), &fake, "3333333ccccccc"));
    let created = bodies(&fake, "create");
    assert!(created.len() >= 2, "the plan is split: {} comment(s)", created.len());
    for (n, body) in created.iter().enumerate() {
        assert!(body.chars().count() <= 65_536, "part {} has {} characters", n + 1, body.chars().count());
        assert!(body.starts_with(&format!("<!-- isopod-plan key=net part={}/{} -->", n + 1, created.len())));
    }
    let all = created.join("\n");
    for n in 0..150 {
        assert!(all.contains(&format!("network.site-{n}</code>")), "site-{n} is in some part");
    }

    // Pushed again unchanged: every part is found again (across pages), none posted twice.
    assert_ok(&comment(repo.path(), &fake, "3333333ccccccc"));
    assert_eq!(bodies(&fake, "create").len(), created.len());

    // A small plan again: part 1 is updated, the other parts are deleted.
    write_config(repo.path(), 1, "");
    assert_ok(&comment(repo.path(), &fake, "4444444ddddddd"));
    assert_eq!(bodies(&fake, "update").len(), 1, "part 1 only");
    assert_eq!(bodies(&fake, "delete").len(), created.len() - 1);
}

#[test]
fn an_invalid_configuration_is_commented_with_its_diagnostics_and_fails_the_check() {
    let fake = GitHubFake::start(TOKEN, 100);
    let repo = tempfile::tempdir().unwrap();
    let bad = format!(
        "network \"dc\" {{\n  cloud = cloud.aws.main\n  cidr  = \"10.200.0.0/33\"\n}}\n\ntunnel \"dc\" {{\n  between = [network.site-0, network.dc]\n  psk     = \"{SECRET}\"\n}}\n"
    );
    write_config(repo.path(), 1, &bad);
    let output = comment(repo.path(), &fake, "5555555eeeeeee");
    assert_eq!(output.status.code(), Some(1), "the job fails: {}", String::from_utf8_lossy(&output.stderr));
    let created = bodies(&fake, "create");
    assert_eq!(created.len(), 1);
    assert!(created[0].contains("> [!CAUTION]\n> The configuration is invalid"), "{}", created[0]);
    assert!(created[0].contains("10.200.0.0/33"), "the diagnostic shows the span: {}", created[0]);
    assert!(created[0].contains("written in plain text"), "{}", created[0]);
    for line in fake.requests() {
        assert!(!line.contains(SECRET), "a secret was sent: {line}");
    }
    assert!(!String::from_utf8_lossy(&output.stderr).contains(SECRET));
}

#[test]
fn a_refused_token_is_reported_and_nothing_is_posted() {
    let fake = GitHubFake::start(TOKEN, 100);
    let repo = tempfile::tempdir().unwrap();
    write_config(repo.path(), 1, "");
    let mut run =
        isopod(repo.path(), &["comment", "--simulate", "--pull-request", "7", "--repository", "acme/net", "net"]);
    let output = run.env("GITHUB_TOKEN", "wrong-token").env("GITHUB_API_URL", &fake.url).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("401") && stderr.contains("Bad credentials") && stderr.contains("hint: check GITHUB_TOKEN"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong-token"), "the token is not in the error: {stderr}");
    assert!(bodies(&fake, "create").is_empty());
}
