//! `isopod comment`: the plan of a pull request as comments on it, found again by their hidden
//! marker and updated in place on every push, never duplicated. In GitHub Actions it needs no
//! setup: `GITHUB_TOKEN`, `GITHUB_REPOSITORY`, `GITHUB_EVENT_PATH` and `GITHUB_API_URL` say
//! where to post.

use super::Status;
use crate::cli::CommentArgs;
use crate::config;
use crate::github::{Comment, GitHub};
use crate::stack::LiveStack;
use anyhow::{Context as _, Result, bail};
use isopod_planner::render::{self, Heading};
use zeroize::Zeroizing;

/// Runs `isopod comment`.
pub fn run(args: CommentArgs) -> Result<Status> {
    crate::state::select(args.stored.state.as_deref());
    let target = match args.dry_run {
        true => None,
        false => match Target::from_environment(&args) {
            Ok(target) => Some(target),
            Err(err) => {
                eprintln!("error: {err:#}");
                return Ok(Status::Failure);
            }
        },
    };
    let key = args.key.clone().unwrap_or_else(|| key_of(&args.config.dir));
    let revision = args.revision.clone().or_else(|| target.as_ref().and_then(|t| t.head.clone()));
    let title = match &revision {
        Some(revision) => format!("Isopod plan for `{key}` at {}", &revision[..revision.len().min(12)]),
        None => format!("Isopod plan for `{key}`"),
    };
    let heading = Heading { key: &key, title: &title };
    let (parts, status) = comments(&args, heading);
    let Some(target) = target else {
        for part in &parts {
            println!("{part}");
        }
        return Ok(status);
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let github = GitHub::new(&target.api, target.token)?;
    let marker = render::marker(&key);
    let posted = runtime.block_on(async {
        let existing = github.comments(&target.repository, target.number).await?;
        for edit in reconcile(&existing, &parts, &marker) {
            match edit {
                Edit::Keep { part, id } => eprintln!("comment {id} (part {part}) is up to date"),
                Edit::Update { part, id } => {
                    let comment = github.update_comment(&target.repository, id, &parts[part - 1]).await?;
                    eprintln!("updated comment {id} (part {part}): {}", comment.html_url);
                }
                Edit::Create { part } => {
                    let comment = github.create_comment(&target.repository, target.number, &parts[part - 1]).await?;
                    eprintln!("posted comment {} (part {part}): {}", comment.id, comment.html_url);
                }
                Edit::Delete { id } => {
                    github.delete_comment(&target.repository, id).await?;
                    eprintln!("deleted comment {id}, a part no longer needed");
                }
            }
        }
        anyhow::Ok(())
    });
    if let Err(err) = posted {
        eprintln!("error: {err:#}");
        return Ok(Status::Failure);
    }
    Ok(status)
}

/// The comments to post: the plan, or why there is none (then the status is a failure, so that
/// the pull request's check fails too).
fn comments(args: &CommentArgs, heading: Heading<'_>) -> (Vec<String>, Status) {
    let limit = render::COMMENT_LIMIT;
    let checked = config::check(&args.config, false);
    // The job's log has the problems too.
    eprint!("{}", checked.report);
    let Some((sources, topology)) = checked.topology else {
        let what = "The configuration is invalid: nothing was planned. Fix the problems below and push again.";
        return (render::markdown_problem(heading, what, &checked.report, limit), Status::Failure);
    };
    let failed = |what: &str| (render::markdown_problem(heading, what, "", limit), Status::Failure);
    let live = match LiveStack::discover(sources, topology, &args.config.dir, args.simulate) {
        Ok(Some(live)) => live,
        Ok(None) | Err(_) => return failed("Isopod could not discover the live resources; the job's log says why."),
    };
    match live.plan(&Default::default()) {
        Ok((plan, desired)) => {
            let mut problems = live.warnings(&desired, &plan, true);
            // A secret apply would lack belongs on the pull request before anyone merges.
            match crate::stack::secret_warnings(&args.config.dir, &live.topology, &desired) {
                Ok(secrets) => problems.extend(secrets),
                Err(err) => eprintln!("warning: cannot check the secret store: {err:#}"),
            }
            live.report(&problems);
            let warnings = checked.report + &crate::diagnostics::render_problems(&problems, &live.sources, false);
            let cost = super::cost::cost_change(&args.config, &args.traffic, &live.topology, &live.observed, &desired);
            let Ok(Some(cost)) = cost else {
                return failed("The cost of the change cannot be priced; the job's log says why.");
            };
            // A paragraph of its own (after the summary's table), a line each.
            let notes = format!("\n{}\n", cost.lines().replace('\n', "  \n"));
            (render::markdown(&plan, heading, &notes, &warnings, limit), Status::Success)
        }
        Err(problems) => {
            live.report(&problems);
            let what = "Isopod could not plan this configuration: nothing was planned.";
            (
                render::markdown_problem(
                    heading,
                    what,
                    &crate::diagnostics::render_problems(&problems, &live.sources, false),
                    limit,
                ),
                Status::Failure,
            )
        }
    }
}

/// Where the comments go.
struct Target {
    /// The API's address.
    api: String,
    token: Zeroizing<String>,
    /// `OWNER/NAME`.
    repository: String,
    /// The pull request's number.
    number: u64,
    /// The commit planned (the pull request's head), when the event says.
    head: Option<String>,
}

impl Target {
    /// From the flags, then the variables GitHub Actions sets.
    fn from_environment(args: &CommentArgs) -> Result<Target> {
        let token = std::env::var("GITHUB_TOKEN")
            .ok()
            .filter(|token| !token.is_empty())
            .context("GITHUB_TOKEN is not set: `isopod comment` needs a token that may comment on pull requests\nhint: in GitHub Actions, pass `GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` in `env`; to see the comments without posting them, pass `--dry-run`")?;
        let repository = match &args.repository {
            Some(repository) => repository.clone(),
            None => std::env::var("GITHUB_REPOSITORY")
                .context("GITHUB_REPOSITORY is not set\nhint: pass `--repository OWNER/NAME`")?,
        };
        if repository.split('/').filter(|part| !part.is_empty()).count() != 2 {
            bail!("`{repository}` is not a repository: expected OWNER/NAME");
        }
        let event = match std::env::var_os("GITHUB_EVENT_PATH") {
            Some(path) => Some(Event::read(std::path::Path::new(&path))?),
            None => None,
        };
        let number = match (args.pull_request, &event) {
            (Some(number), _) => number,
            (None, Some(event)) => event.number.context(
                "the event that started this job is not about a pull request\nhint: run it on `pull_request` events, or pass `--pull-request N`",
            )?,
            (None, None) => bail!("cannot tell which pull request: GITHUB_EVENT_PATH is not set\nhint: pass `--pull-request N`"),
        };
        let api = std::env::var("GITHUB_API_URL").unwrap_or_else(|_| "https://api.github.com".into());
        Ok(Target { api, token: Zeroizing::new(token), repository, number, head: event.and_then(|e| e.head) })
    }
}

/// What Isopod reads of the event that started a GitHub Actions job.
struct Event {
    /// The pull request's number (`pull_request` events, and comments on pull requests).
    number: Option<u64>,
    /// The head commit of the pull request.
    head: Option<String>,
}

impl Event {
    fn read(path: &std::path::Path) -> Result<Event> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read the event {}", path.display()))?;
        let event: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
        let pull_request = &event["pull_request"];
        let on_pull_request = !event["issue"]["pull_request"].is_null();
        let number = pull_request["number"]
            .as_u64()
            .or_else(|| on_pull_request.then(|| event["issue"]["number"].as_u64()).flatten());
        let head = pull_request["head"]["sha"].as_str().map(str::to_string);
        Ok(Event { number, head })
    }
}

/// The key of a configuration's comments: its folder as given, without `./` or a trailing `/`.
fn key_of(dir: &std::path::Path) -> String {
    let text = dir.to_string_lossy();
    let key = text.trim_start_matches("./").trim_end_matches('/');
    if key.is_empty() { ".".into() } else { key.to_string() }
}

/// One step toward the comments wanted.
#[derive(Debug, PartialEq)]
enum Edit {
    /// Part `part` (from 1) is already comment `id`, as it should read.
    Keep { part: usize, id: u64 },
    /// Comment `id` becomes part `part`.
    Update { part: usize, id: u64 },
    /// Part `part` is posted.
    Create { part: usize },
    /// Comment `id` is a part no longer needed, or a duplicate.
    Delete { id: u64 },
}

/// The edits that turn the comments carrying `marker` among `existing` into `parts`: the
/// earliest comment of each part number is reused in order; the others are deleted.
fn reconcile(existing: &[Comment], parts: &[String], marker: &str) -> Vec<Edit> {
    let prefix = format!("{marker} part=");
    let mut ours: Vec<(usize, u64, &str)> = existing
        .iter()
        .filter_map(|comment| {
            let rest = comment.body.strip_prefix(&prefix)?;
            let part = rest.split('/').next()?.parse().ok()?;
            Some((part, comment.id, comment.body.as_str()))
        })
        .collect();
    ours.sort();
    let mut reused = ours.iter();
    let mut edits = Vec::new();
    for (index, wanted) in parts.iter().enumerate() {
        let part = index + 1;
        edits.push(match reused.next() {
            Some(&(_, id, body)) if body == wanted => Edit::Keep { part, id },
            Some(&(_, id, _)) => Edit::Update { part, id },
            None => Edit::Create { part },
        });
    }
    edits.extend(reused.map(|&(_, id, _)| Edit::Delete { id }));
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: u64, body: &str) -> Comment {
        Comment { id, body: body.into(), html_url: String::new() }
    }

    #[test]
    fn comments_are_updated_in_place_created_when_missing_and_deleted_when_surplus() {
        let marker = render::marker("net");
        let part = |n: usize, of: usize, text: &str| format!("{marker} part={n}/{of} -->\n{text}");
        let existing = [
            comment(1, "LGTM"),
            comment(2, &part(1, 2, "old")),
            comment(3, &part(2, 2, "same")),
            // Another configuration's comment is never touched.
            comment(4, &format!("{} part=1/1 -->\nx", render::marker("other"))),
        ];
        let wanted = [part(1, 3, "new"), part(2, 2, "same"), part(3, 3, "more")];
        assert_eq!(
            reconcile(&existing, &wanted, &marker),
            [Edit::Update { part: 1, id: 2 }, Edit::Keep { part: 2, id: 3 }, Edit::Create { part: 3 }]
        );
        // Fewer parts: the surplus (and any duplicate of a part) is deleted.
        let existing = [comment(5, &part(1, 2, "a")), comment(6, &part(1, 2, "dup")), comment(7, &part(2, 2, "b"))];
        assert_eq!(
            reconcile(&existing, &[part(1, 1, "a")], &marker),
            [Edit::Update { part: 1, id: 5 }, Edit::Delete { id: 6 }, Edit::Delete { id: 7 }]
        );
    }

    #[test]
    fn the_pull_request_is_read_from_the_event() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("event.json");
        std::fs::write(
            &path,
            r#"{"action":"synchronize","number":7,"pull_request":{"number":7,"head":{"sha":"abc123"}}}"#,
        )
        .unwrap();
        let event = Event::read(&path).unwrap();
        assert_eq!((event.number, event.head.as_deref()), (Some(7), Some("abc123")));
        std::fs::write(&path, r#"{"issue":{"number":9,"pull_request":{"url":"u"}},"comment":{"body":"plan"}}"#)
            .unwrap();
        assert_eq!(Event::read(&path).unwrap().number, Some(9));
        std::fs::write(&path, r#"{"issue":{"number":9},"comment":{}}"#).unwrap();
        assert_eq!(Event::read(&path).unwrap().number, None, "a comment on an issue is not a pull request");
        assert_eq!(key_of(std::path::Path::new("./net/prod/")), "net/prod");
        assert_eq!(key_of(std::path::Path::new(".")), ".");
    }
}
