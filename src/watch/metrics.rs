//! What the watcher and each stack it follows have done: [`StackStatus`] (kept in the stack's
//! state for the API and the web view of any watcher) and [`Metrics`] (the watcher's own), for
//! `/metrics` (Prometheus' text format) and `/healthz`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

/// When something happened (seconds since the Unix epoch) and whether it went well.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// When it ended.
    pub at: f64,
    /// Whether it succeeded.
    pub ok: bool,
}

/// What a drift check found.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftCheck {
    /// When it was made.
    pub at: f64,
    /// The changes it found (drift).
    pub changes: usize,
}

/// The links of the stack's map, by status (`up`, `down`, `degraded`, `pending`...).
pub type LinkCounts = BTreeMap<String, usize>;

/// What the watcher following a stack last did. Times are seconds since the Unix epoch; `None`
/// until it happens.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StackStatus {
    /// The stack's name.
    pub stack: String,
    /// The watcher following it, as `PROCESS on HOST`.
    pub watcher: String,
    /// The repository, branch and folder it is read from.
    pub repository: String,
    /// The branch.
    pub branch: String,
    /// The folder in the repository.
    pub path: String,
    /// `auto` or `never`.
    pub apply: String,
    /// The revision in force: the last valid one.
    pub revision_in_force: Option<String>,
    /// The last revision fetched.
    pub revision_seen: Option<String>,
    /// The last fetch that succeeded.
    pub last_fetch: Option<f64>,
    /// The last plan, and whether it could be made.
    pub last_plan: Option<Outcome>,
    /// The changes of the last plan not applied yet (`ACTION KIND.ADDRESS`).
    pub pending_changes: Vec<String>,
    /// The last apply, and whether it succeeded.
    pub last_apply: Option<Outcome>,
    /// The last drift check.
    pub last_drift_check: Option<DriftCheck>,
    /// Revisions refused because their configuration is invalid.
    pub invalid_revisions: u64,
    /// The last of them.
    pub last_invalid_revision: Option<String>,
    /// The links of the last plan's map, by status.
    pub links: LinkCounts,
    /// Errors, by stage (`fetch`, `plan`, `apply`).
    pub errors: BTreeMap<String, u64>,
    /// When this was written.
    pub updated: f64,
}

/// The watcher's own figures.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Webhook deliveries, by outcome (`accepted`, `ignored`, `rejected`).
    pub webhooks: BTreeMap<&'static str, u64>,
}

/// Now, in seconds since the Unix epoch.
pub fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64()
}

impl Metrics {
    /// The figures of the watcher and of the stacks it follows (`following`: whether it follows
    /// each now), in Prometheus' text exposition format.
    pub fn render(&self, stacks: &[(StackStatus, bool)]) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, samples: Vec<(String, f64)>| {
            let _ = writeln!(out, "# HELP isopod_watch_{name} {help}\n# TYPE isopod_watch_{name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "isopod_watch_{name}{labels} {value}");
            }
        };
        let flag = |ok: bool| if ok { 1.0 } else { 0.0 };
        let per_stack = |sample: &dyn Fn(&StackStatus) -> Vec<(String, f64)>| -> Vec<(String, f64)> {
            let mut samples = Vec::new();
            for (status, following) in stacks {
                if !following {
                    continue;
                }
                for (labels, value) in sample(status) {
                    samples.push((format!("{{stack=\"{}\"{labels}}}", status.stack), value));
                }
            }
            samples
        };
        let one = |value: Option<f64>| value.map(|value| vec![(String::new(), value)]).unwrap_or_default();
        metric(
            "following",
            "gauge",
            "Whether this watcher follows the stack now (another watcher may).",
            stacks.iter().map(|(s, following)| (format!("{{stack=\"{}\"}}", s.stack), flag(*following))).collect(),
        );
        metric(
            "revision_info",
            "gauge",
            "The revision in force (the last valid one) and the last one fetched.",
            per_stack(&|s| {
                [("in_force", &s.revision_in_force), ("seen", &s.revision_seen)]
                    .into_iter()
                    .filter_map(|(state, revision)| {
                        Some((format!(",state=\"{state}\",revision=\"{}\"", revision.as_ref()?), 1.0))
                    })
                    .collect()
            }),
        );
        metric(
            "last_fetch_timestamp_seconds",
            "gauge",
            "When the branch was last fetched.",
            per_stack(&|s| one(s.last_fetch)),
        );
        metric(
            "last_plan_timestamp_seconds",
            "gauge",
            "When the last plan was made.",
            per_stack(&|s| one(s.last_plan.map(|p| p.at))),
        );
        metric(
            "last_plan_success",
            "gauge",
            "Whether the last plan could be made.",
            per_stack(&|s| one(s.last_plan.map(|p| flag(p.ok)))),
        );
        metric(
            "pending_changes",
            "gauge",
            "Changes of the last plan not applied yet.",
            per_stack(&|s| one(Some(s.pending_changes.len() as f64))),
        );
        metric(
            "last_apply_timestamp_seconds",
            "gauge",
            "When the last apply ended.",
            per_stack(&|s| one(s.last_apply.map(|a| a.at))),
        );
        metric(
            "last_apply_success",
            "gauge",
            "Whether the last apply succeeded.",
            per_stack(&|s| one(s.last_apply.map(|a| flag(a.ok)))),
        );
        metric(
            "last_drift_check_timestamp_seconds",
            "gauge",
            "When drift was last checked.",
            per_stack(&|s| one(s.last_drift_check.map(|d| d.at))),
        );
        metric(
            "drift_changes",
            "gauge",
            "Changes the last drift check found.",
            per_stack(&|s| one(s.last_drift_check.map(|d| d.changes as f64))),
        );
        metric(
            "links",
            "gauge",
            "The links of the stack's map (tunnels, peerings, relays), by status.",
            per_stack(&|s| s.links.iter().map(|(status, n)| (format!(",status=\"{status}\""), *n as f64)).collect()),
        );
        metric(
            "invalid_revisions_total",
            "counter",
            "Revisions refused because their configuration is invalid.",
            per_stack(&|s| one(Some(s.invalid_revisions as f64))),
        );
        metric(
            "errors_total",
            "counter",
            "Errors, by stage.",
            per_stack(&|s| s.errors.iter().map(|(stage, n)| (format!(",stage=\"{stage}\""), *n as f64)).collect()),
        );
        let webhooks = self.webhooks.iter().map(|(key, n)| (format!("{{outcome=\"{key}\"}}"), *n as f64)).collect();
        metric("webhooks_total", "counter", "Webhook deliveries, by outcome.", webhooks);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_render_in_prometheus_text_format() {
        let mut status = StackStatus {
            stack: "core".into(),
            revision_in_force: Some("abc".into()),
            pending_changes: vec!["create aws_vpc.app".into(); 3],
            last_apply: Some(Outcome { at: 1_700_000_000.0, ok: false }),
            ..StackStatus::default()
        };
        status.errors.insert("fetch".into(), 2);
        let other = StackStatus { stack: "edge".into(), ..StackStatus::default() };
        let mut metrics = Metrics::default();
        metrics.webhooks.insert("accepted", 1);
        let text = metrics.render(&[(status, true), (other, false)]);
        assert!(
            text.contains("isopod_watch_revision_info{stack=\"core\",state=\"in_force\",revision=\"abc\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("isopod_watch_pending_changes{stack=\"core\"} 3\n"));
        assert!(text.contains("isopod_watch_last_apply_success{stack=\"core\"} 0\n"));
        assert!(text.contains("isopod_watch_following{stack=\"edge\"} 0\n"));
        assert!(!text.contains("isopod_watch_pending_changes{stack=\"edge\"}"), "only the stacks followed here");
        assert!(text.contains(
            "# TYPE isopod_watch_errors_total counter\nisopod_watch_errors_total{stack=\"core\",stage=\"fetch\"} 2\n"
        ));
        assert!(text.contains("isopod_watch_webhooks_total{outcome=\"accepted\"} 1\n"));
        assert!(!text.contains("\nisopod_watch_last_plan_success{"), "no sample before the first plan");
    }
}
