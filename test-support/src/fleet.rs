//! A repository of many stacks, one folder each (`stacks/sNN/main.iso`), as the fleet's tests and
//! benchmark follow it, and the fleet file that lists them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `git ARGS` in `dir` (as a test user, without signing).
///
/// # Panics
/// When git fails.
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The name of stack `n`: `s01`, `s02`...
pub fn stack_name(n: usize) -> String {
    format!("s{n:02}")
}

/// A repository of stacks `1..=stacks`.
pub struct FleetRepo {
    /// Its folder (a repository with a working tree, branch `main`).
    pub source: PathBuf,
    stacks: usize,
}

impl FleetRepo {
    /// Makes the repository in `root/source`, its first commit with `text(n)` for every stack.
    pub fn create(root: &Path, stacks: usize, text: impl Fn(usize) -> String) -> FleetRepo {
        let source = root.join("source");
        std::fs::create_dir_all(&source).unwrap();
        git(&source, &["init", "-q", "-b", "main"]);
        let repo = FleetRepo { source, stacks };
        repo.commit(1..=stacks, text, "the stacks");
        repo
    }

    /// The folder of stack `n`.
    pub fn folder(&self, n: usize) -> PathBuf {
        self.source.join("stacks").join(stack_name(n))
    }

    /// Writes `text(n)` for each stack of `stacks` and commits.
    pub fn commit(&self, stacks: impl IntoIterator<Item = usize>, text: impl Fn(usize) -> String, message: &str) {
        for n in stacks {
            std::fs::create_dir_all(self.folder(n)).unwrap();
            std::fs::write(self.folder(n).join("main.iso"), text(n)).unwrap();
        }
        git(&self.source, &["add", "-A"]);
        git(&self.source, &["commit", "-q", "-m", message]);
    }

    /// The commit `main` is at.
    pub fn head(&self) -> String {
        let out = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(&self.source).output().unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// Writes the fleet file of every stack at `path`.
    pub fn write_fleet(&self, path: &Path) {
        let mut fleet = String::from("# The stacks of the repository.\n");
        for n in 1..=self.stacks {
            let name = stack_name(n);
            fleet.push_str(&format!(
                "\n[[stack]]\nname = \"{name}\"\nrepository = \"{}\"\npath = \"stacks/{name}\"\n",
                self.source.display()
            ));
        }
        std::fs::write(path, fleet).unwrap();
    }
}

/// A stack of one AWS VPC with a subnet, named `sNN`, in `10.N.0.0/20`.
pub fn one_vpc(n: usize) -> String {
    format!(
        "stack \"{}\" {{}}\n\ncloud \"aws\" \"prod\" {{\n  region = \"us-east-1\"\n}}\n\n\
         network \"app\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.{n}.0.0/20\"\n\n  subnet \"a\" {{\n    \
         cidr = cidrsubnet(self.cidr, 4, 1)\n    zone = \"us-east-1a\"\n  }}\n}}\n",
        stack_name(n)
    )
}
