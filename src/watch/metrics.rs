//! What the watcher has done, for `/metrics` (Prometheus' text format) and `/healthz`.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The watcher's figures. Times are seconds since the Unix epoch; `None` until it happens.
#[derive(Debug, Default)]
pub struct Metrics {
    /// The revision in force: the last valid one.
    pub revision_in_force: Option<String>,
    /// The last revision fetched.
    pub revision_seen: Option<String>,
    /// The last fetch that succeeded.
    pub last_fetch: Option<f64>,
    /// The last plan, and whether it could be made.
    pub last_plan: Option<(f64, bool)>,
    /// The changes of the last plan (pending until applied).
    pub pending_changes: usize,
    /// The last apply, and whether it succeeded.
    pub last_apply: Option<(f64, bool)>,
    /// The last drift check, and how many changes it found.
    pub last_drift_check: Option<(f64, usize)>,
    /// Revisions refused because their configuration is invalid.
    pub invalid_revisions: u64,
    /// Errors, by stage (`fetch`, `plan`, `apply`).
    pub errors: std::collections::BTreeMap<&'static str, u64>,
    /// Webhook deliveries, by outcome (`accepted`, `ignored`, `rejected`).
    pub webhooks: std::collections::BTreeMap<&'static str, u64>,
    /// When the loop last went round.
    pub last_tick: Option<f64>,
}

/// Now, in seconds since the Unix epoch.
pub fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64()
}

impl Metrics {
    /// Whether the loop went round within `stale`.
    pub fn healthy(&self, stale: Duration) -> bool {
        self.last_tick.is_some_and(|tick| now() - tick <= stale.as_secs_f64())
    }

    /// The figures in Prometheus' text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, samples: Vec<(String, f64)>| {
            let _ = writeln!(out, "# HELP isopod_watch_{name} {help}\n# TYPE isopod_watch_{name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "isopod_watch_{name}{labels} {value}");
            }
        };
        let revisions: Vec<(String, f64)> = [("in_force", &self.revision_in_force), ("seen", &self.revision_seen)]
            .into_iter()
            .filter_map(|(state, revision)| {
                Some((format!("{{state=\"{state}\",revision=\"{}\"}}", revision.as_ref()?), 1.0))
            })
            .collect();
        metric(
            "revision_info",
            "gauge",
            "The revision in force (the last valid one) and the last one fetched.",
            revisions,
        );
        let time = |at: Option<f64>| at.map(|at| vec![(String::new(), at)]).unwrap_or_default();
        let flag = |ok: bool| if ok { 1.0 } else { 0.0 };
        metric("last_fetch_timestamp_seconds", "gauge", "When the branch was last fetched.", time(self.last_fetch));
        metric(
            "last_plan_timestamp_seconds",
            "gauge",
            "When the last plan was made.",
            time(self.last_plan.map(|p| p.0)),
        );
        metric(
            "last_plan_success",
            "gauge",
            "Whether the last plan could be made.",
            self.last_plan.map(|p| vec![(String::new(), flag(p.1))]).unwrap_or_default(),
        );
        metric(
            "pending_changes",
            "gauge",
            "Changes of the last plan not applied yet.",
            vec![(String::new(), self.pending_changes as f64)],
        );
        metric(
            "last_apply_timestamp_seconds",
            "gauge",
            "When the last apply ended.",
            time(self.last_apply.map(|a| a.0)),
        );
        metric(
            "last_apply_success",
            "gauge",
            "Whether the last apply succeeded.",
            self.last_apply.map(|a| vec![(String::new(), flag(a.1))]).unwrap_or_default(),
        );
        metric(
            "last_drift_check_timestamp_seconds",
            "gauge",
            "When drift was last checked.",
            time(self.last_drift_check.map(|d| d.0)),
        );
        metric(
            "drift_changes",
            "gauge",
            "Changes the last drift check found.",
            self.last_drift_check.map(|d| vec![(String::new(), d.1 as f64)]).unwrap_or_default(),
        );
        metric(
            "invalid_revisions_total",
            "counter",
            "Revisions refused because their configuration is invalid.",
            vec![(String::new(), self.invalid_revisions as f64)],
        );
        let counted = |map: &std::collections::BTreeMap<&'static str, u64>, label: &str| -> Vec<(String, f64)> {
            map.iter().map(|(key, n)| (format!("{{{label}=\"{key}\"}}"), *n as f64)).collect()
        };
        metric("errors_total", "counter", "Errors, by stage.", counted(&self.errors, "stage"));
        metric("webhooks_total", "counter", "Webhook deliveries, by outcome.", counted(&self.webhooks, "outcome"));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_render_in_prometheus_text_format() {
        let mut metrics = Metrics { revision_in_force: Some("abc".into()), pending_changes: 3, ..Metrics::default() };
        metrics.last_apply = Some((1_700_000_000.0, false));
        *metrics.errors.entry("fetch").or_default() += 2;
        let text = metrics.render();
        assert!(text.contains("isopod_watch_revision_info{state=\"in_force\",revision=\"abc\"} 1\n"), "{text}");
        assert!(text.contains("isopod_watch_pending_changes 3\n"));
        assert!(text.contains("isopod_watch_last_apply_success 0\n"));
        assert!(
            text.contains("# TYPE isopod_watch_errors_total counter\nisopod_watch_errors_total{stage=\"fetch\"} 2\n")
        );
        assert!(!text.contains("\nisopod_watch_last_plan_success "), "no sample before the first plan");
        assert!(!metrics.healthy(Duration::from_secs(60)), "not healthy before the loop went round");
    }
}
