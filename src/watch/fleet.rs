//! The stacks a watcher follows: one repository given on the command line, a fleet file
//! (`--fleet FILE`, TOML), or repeated `--stack` flags. Each stack has a name, which its
//! configuration's `stack` block must carry (leases, documents, runs and the API use it), and a
//! folder of its own under the watcher's workdir.

use crate::cli::{ApplyPolicy, WatchArgs, parse_duration};
use miette::{LabeledSpan, NamedSource};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One stack as the watcher follows it.
#[derive(Clone, Debug, PartialEq)]
pub struct StackSpec {
    /// Its name; `None` for a repository given on the command line without `--name`, whose name
    /// is read from its configuration.
    pub name: Option<String>,
    /// The repository.
    pub repository: String,
    /// The branch followed.
    pub branch: String,
    /// The configuration's folder in the repository.
    pub path: PathBuf,
    /// Whether it is applied.
    pub apply: ApplyPolicy,
    /// How often it is fetched.
    pub interval: Duration,
    /// How often the revision in force is planned again (`0`: never).
    pub drift_interval: Duration,
    /// Variables given to its configuration.
    pub vars: Vec<(String, String)>,
    /// Its clone.
    pub checkout: PathBuf,
    /// Its state folder (`ISOPOD_STATE_DIR` of its plans and applies).
    pub state_dir: PathBuf,
}

/// A stack as a fleet file or a `--stack` flag writes it: what is left out comes from the
/// command line's flags.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    repository: String,
    branch: Option<String>,
    path: Option<PathBuf>,
    apply: Option<String>,
    interval: Option<String>,
    drift_interval: Option<String>,
    #[serde(default)]
    vars: BTreeMap<String, String>,
}

/// A fleet file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetFile {
    #[serde(default, rename = "stack")]
    stacks: Vec<Entry>,
}

/// The stacks `args` name; a diagnostic (rendered) when they are wrong.
pub fn stacks(args: &WatchArgs) -> Result<Vec<StackSpec>, String> {
    let mut entries = Vec::new();
    if let Some(path) = &args.fleet {
        let text = std::fs::read_to_string(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        entries.extend(read_fleet(path, &text)?);
    }
    for flag in &args.stacks {
        entries.push(read_flag(flag)?);
    }
    if let Some(repository) = &args.repository {
        if !entries.is_empty() {
            return Err("a repository is given with --fleet or --stack: name it as a stack there".into());
        }
        if let Some(name) = &args.name {
            check_name(name)?;
        }
        let state_dir = args.state_dir.clone().unwrap_or_else(|| args.workdir.join("state"));
        return Ok(vec![StackSpec {
            name: args.name.clone(),
            repository: repository.clone(),
            branch: args.branch.clone(),
            path: args.path.clone(),
            apply: args.apply,
            interval: args.interval,
            drift_interval: args.drift_interval,
            vars: args.vars.clone(),
            checkout: args.workdir.join("checkout"),
            state_dir,
        }]);
    }
    if entries.is_empty() {
        return Err("nothing to watch: give a repository, --fleet FILE or --stack".into());
    }
    let mut seen = std::collections::BTreeSet::new();
    entries
        .into_iter()
        .map(|entry| {
            check_name(&entry.name)?;
            if !seen.insert(entry.name.clone()) {
                return Err(format!("stack `{}` is named twice", entry.name));
            }
            resolve(entry, args)
        })
        .collect()
}

/// A repository's URL as it can be shown (logs, the API, the web view): credentials in it
/// (`https://TOKEN@host/...`, `scheme://user:password@host/...`) replaced by `***`.
pub fn shown(url: &str) -> String {
    // A query may carry a token (`?access_token=`): never shown.
    if let Some((base, _)) = url.split_once('?') {
        return format!("{}?***", shown(base));
    }
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else { return url.to_string() };
    let userinfo = &rest[..at];
    let hidden = match userinfo.split_once(':') {
        Some((user, _)) => format!("{user}:***"),
        None if scheme.to_ascii_lowercase().starts_with("http") => "***".to_string(),
        None => userinfo.to_string(),
    };
    format!("{scheme}://{hidden}{}", &rest[at..])
}

/// A stack's name: a name the configuration's `stack` block can carry (a letter or `_` first),
/// and a folder's name.
fn check_name(name: &str) -> Result<(), String> {
    let fits = name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if fits {
        Ok(())
    } else {
        Err(format!("`{name}` is not a stack name: a letter or `_`, then letters, digits, `-` and `_`, at most 63"))
    }
}

fn resolve(entry: Entry, args: &WatchArgs) -> Result<StackSpec, String> {
    let duration = |text: Option<String>, default: Duration, what: &str| match text {
        Some(text) => parse_duration(&text).map_err(|err| format!("stack `{}`: {what}: {err}", entry.name)),
        None => Ok(default),
    };
    let apply = match entry.apply.as_deref() {
        None => args.apply,
        Some("auto") => ApplyPolicy::Auto,
        Some("never") => ApplyPolicy::Never,
        Some(other) => return Err(format!("stack `{}`: apply is `auto` or `never`, not `{other}`", entry.name)),
    };
    let folder = args.workdir.join("stacks").join(&entry.name);
    let state_dir = match &args.state_dir {
        Some(root) => root.join(&entry.name),
        None => folder.join("state"),
    };
    let mut vars = args.vars.clone();
    vars.extend(entry.vars.iter().map(|(name, value)| (name.clone(), value.clone())));
    Ok(StackSpec {
        interval: duration(entry.interval.clone(), args.interval, "interval")?,
        drift_interval: duration(entry.drift_interval.clone(), args.drift_interval, "drift_interval")?,
        name: Some(entry.name),
        repository: entry.repository,
        branch: entry.branch.unwrap_or_else(|| args.branch.clone()),
        path: entry.path.unwrap_or_else(|| args.path.clone()),
        apply,
        vars,
        checkout: folder.join("checkout"),
        state_dir,
    })
}

/// The stacks of a fleet file; its errors shown with the file and the span.
fn read_fleet(path: &Path, text: &str) -> Result<Vec<Entry>, String> {
    toml::from_str::<FleetFile>(text).map(|file| file.stacks).map_err(|err| {
        let labels = err.span().map(|span| LabeledSpan::at(span, "here")).into_iter();
        let report =
            miette::miette!(code = "iso::watch::fleet", labels = labels.collect::<Vec<_>>(), "{}", err.message())
                .with_source_code(NamedSource::new(path.display().to_string(), text.to_string()));
        format!("{report:?}")
    })
}

/// A `--stack name=N,repository=URL[,branch=B][,path=P][,apply=auto][,interval=30s]
/// [,drift_interval=10m][,var.NAME=VALUE]` flag.
fn read_flag(flag: &str) -> Result<Entry, String> {
    let mut entry = Entry::default();
    for field in flag.split(',') {
        let (key, value) =
            field.split_once('=').ok_or_else(|| format!("--stack {flag}: `{field}` is not KEY=VALUE"))?;
        let value = value.to_string();
        match key {
            "name" => entry.name = value,
            "repository" => entry.repository = value,
            "branch" => entry.branch = Some(value),
            "path" => entry.path = Some(value.into()),
            "apply" => entry.apply = Some(value),
            "interval" => entry.interval = Some(value),
            "drift_interval" => entry.drift_interval = Some(value),
            _ => match key.strip_prefix("var.") {
                Some(name) if !name.is_empty() => {
                    entry.vars.insert(name.to_string(), value);
                }
                _ => return Err(format!("--stack {flag}: unknown key `{key}`")),
            },
        }
    }
    if entry.name.is_empty() || entry.repository.is_empty() {
        return Err(format!("--stack {flag}: `name` and `repository` are required"));
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn args(line: &[&str]) -> WatchArgs {
        match crate::cli::Cli::parse_from([&["isopod", "watch"], line].concat()).command {
            crate::cli::Command::Watch(args) => args,
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_fleet_file_and_flags_name_stacks_with_the_command_line_s_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let fleet = dir.path().join("fleet.toml");
        std::fs::write(
            &fleet,
            "[[stack]]\nname = \"core\"\nrepository = \"https://git.example/net\"\npath = \"core\"\n\
             interval = \"30s\"\nvars = { region = \"eu-west-1\" }\n\n\
             [[stack]]\nname = \"edge\"\nrepository = \"https://git.example/net\"\nbranch = \"prod\"\napply = \"never\"\n",
        )
        .unwrap();
        let flag = "name=lab,repository=/srv/lab,var.size=2,drift_interval=0";
        let fleet_arg = fleet.display().to_string();
        let parsed = args(&["--fleet", &fleet_arg, "--stack", flag, "--apply", "auto", "--workdir", "/w"]);
        let stacks = stacks(&parsed).unwrap();
        let names: Vec<_> = stacks.iter().map(|s| s.name.clone().unwrap()).collect();
        assert_eq!(names, ["core", "edge", "lab"]);
        let (core, edge, lab) = (&stacks[0], &stacks[1], &stacks[2]);
        assert_eq!(
            (core.interval, core.apply, core.branch.as_str()),
            (Duration::from_secs(30), ApplyPolicy::Auto, "main")
        );
        assert_eq!(core.vars, [("region".into(), "eu-west-1".to_string())]);
        assert_eq!(core.checkout, Path::new("/w/stacks/core/checkout"));
        assert_eq!(core.state_dir, Path::new("/w/stacks/core/state"));
        assert_eq!(
            (edge.apply, edge.branch.as_str(), edge.path.as_path()),
            (ApplyPolicy::Never, "prod", Path::new("."))
        );
        assert_eq!((lab.drift_interval, lab.vars.len()), (Duration::ZERO, 1));
        // One repository on the command line keeps the workdir's layout of a single stack.
        let single = stacks_of(&["/srv/net", "--workdir", "/w", "--state-dir", "/s"]);
        assert_eq!((single[0].name.as_deref(), single[0].state_dir.as_path()), (None, Path::new("/s")));
        assert_eq!(single[0].checkout, Path::new("/w/checkout"));
    }

    #[test]
    fn credentials_in_repository_urls_are_never_shown() {
        assert_eq!(shown("https://ghp_abc@github.com/acme/net"), "https://***@github.com/acme/net");
        assert_eq!(shown("https://bot:ghp_abc@github.com/a/b.git"), "https://bot:***@github.com/a/b.git");
        assert_eq!(shown("ssh://git@github.com/acme/net.git"), "ssh://git@github.com/acme/net.git");
        assert_eq!(shown("git@github.com:acme/net.git"), "git@github.com:acme/net.git");
        assert_eq!(shown("/srv/net"), "/srv/net");
        assert_eq!(shown("https://github.com/a@b"), "https://github.com/a@b", "an @ in the path is not a user");
        assert_eq!(shown("HTTPS://ghp_abc@github.com/a/b"), "HTTPS://***@github.com/a/b");
        assert_eq!(shown("https://github.com/a/b?access_token=ghp_abc"), "https://github.com/a/b?***");
    }

    #[test]
    fn the_example_fleet_file_is_read() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gitops/fleet.toml");
        let stacks = stacks(&args(&["--fleet", example.to_str().unwrap()])).unwrap();
        let names: Vec<_> = stacks.iter().filter_map(|s| s.name.as_deref()).collect();
        assert_eq!(names, ["gitops", "edge", "lab"]);
        assert_eq!((stacks[2].branch.as_str(), stacks[2].drift_interval), ("develop", Duration::ZERO));
    }

    fn stacks_of(line: &[&str]) -> Vec<StackSpec> {
        stacks(&args(line)).unwrap()
    }

    #[test]
    fn wrong_fleets_are_refused_with_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let fleet = dir.path().join("fleet.toml");
        std::fs::write(&fleet, "[[stack]]\nname = \"core\"\nrepo = \"x\"\n").unwrap();
        let err = stacks(&args(&["--fleet", &fleet.display().to_string()])).unwrap_err();
        assert!(err.contains("unknown field `repo`") && err.contains("fleet.toml:3:1"), "{err}");
        let wrong = |line: &[&str]| stacks(&args(line)).unwrap_err();
        assert!(wrong(&["--stack", "name=a,repository=x", "--stack", "name=a,repository=y"]).contains("named twice"));
        assert!(wrong(&["--stack", "name=a b,repository=x"]).contains("not a stack name"));
        assert!(wrong(&["--stack", "name=1st,repository=x"]).contains("not a stack name"));
        assert!(wrong(&["/srv/net", "--name=1x"]).contains("not a stack name"));
        assert!(wrong(&["--stack", "name=a"]).contains("required"));
        assert!(wrong(&["--stack", "name=a,repository=x,apply=sometimes"]).contains("`auto` or `never`"));
        assert!(wrong(&["--stack", "name=a,repository=x,colour=red"]).contains("unknown key `colour`"));
        assert!(wrong(&[]).contains("nothing to watch"));
        assert!(wrong(&["/srv/net", "--stack", "name=a,repository=x"]).contains("name it as a stack"));
    }
}
