//! What a change of the configuration does to the bill: the fixed costs of the live resources
//! against the configuration's, and, with flow logs, the observed traffic priced on the
//! configuration before the change (when it is given) and after it. The line plans and
//! pull-request comments end with.

use crate::fixed::FixedChange;
use crate::render::usd;
use serde::Serialize;

/// The observed traffic priced on the configuration before and after a change.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TrafficChange {
    /// On the configuration before the change, when it was given.
    pub before_monthly_usd: Option<f64>,
    /// On the configuration planned.
    pub after_monthly_usd: f64,
    /// Gigabytes a month of it the configuration planned gives no path (traffic to places it
    /// no longer connects): not priced, so the figures after leave it out.
    pub unconnected_after_monthly_gb: f64,
    /// The hours of flow logs the figures are scaled from.
    pub window_hours: f64,
}

/// What a plan does to the monthly bill.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CostChange {
    /// The fixed costs.
    pub fixed: FixedChange,
    /// The traffic, with flow logs.
    pub traffic: Option<TrafficChange>,
}

impl CostChange {
    /// The change of the whole monthly bill, when both sides of it are known.
    pub fn delta_monthly_usd(&self) -> Option<f64> {
        match self.traffic {
            None => Some(self.fixed.delta_monthly_usd),
            Some(TrafficChange { before_monthly_usd: Some(before), after_monthly_usd, .. }) => {
                Some(self.fixed.delta_monthly_usd + after_monthly_usd - before)
            }
            Some(_) => None,
        }
    }

    /// The lines for plans: the fixed costs' line, then with flow logs the traffic's, and the
    /// change's sum when both are known (`This change: -$420.00/month.`).
    pub fn lines(&self) -> String {
        let mut out = self.fixed.line();
        let Some(traffic) = self.traffic else { return out };
        let mut window = format!("{:.1} hours of flow logs, scaled to a month", traffic.window_hours);
        if traffic.unconnected_after_monthly_gb >= 0.05 {
            window.push_str(&format!(
                "; {:.1} GB a month of it has no path on this configuration and is not priced",
                traffic.unconnected_after_monthly_gb
            ));
        }
        match traffic.before_monthly_usd {
            Some(before) => {
                let delta = traffic.after_monthly_usd - before;
                out.push_str(&format!(
                    "\nCost: observed traffic {}/month on the configuration before, {}/month after ({}/month; {window}).",
                    usd(before),
                    usd(traffic.after_monthly_usd),
                    signed(delta)
                ));
                let total = self.delta_monthly_usd().expect("both sides are known");
                out.push_str(&format!("\nThis change: {}/month.", signed(total)));
            }
            None => out.push_str(&format!(
                "\nCost: observed traffic {}/month on this configuration ({window}); give the configuration before the change with --base to price the difference.",
                usd(traffic.after_monthly_usd)
            )),
        }
        out
    }
}

/// `+$36.50`, `-$420.00`, `$0.00`.
fn signed(amount: f64) -> String {
    if amount >= 0.005 { format!("+{}", usd(amount)) } else { usd(amount) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(now: f64, after: f64) -> FixedChange {
        FixedChange { now_monthly_usd: now, after_monthly_usd: after, delta_monthly_usd: after - now }
    }

    #[test]
    fn the_change_adds_the_fixed_and_the_traffic_differences() {
        let traffic = TrafficChange {
            before_monthly_usd: Some(500.0),
            after_monthly_usd: 80.0,
            unconnected_after_monthly_gb: 0.0,
            window_hours: 24.0,
        };
        let change = CostChange { fixed: fixed(100.0, 100.0), traffic: Some(traffic) };
        assert_eq!(change.delta_monthly_usd(), Some(-420.0));
        assert!(change.lines().ends_with("This change: -$420.00/month."), "{}", change.lines());
        let unknown = CostChange { traffic: Some(TrafficChange { before_monthly_usd: None, ..traffic }), ..change };
        assert_eq!(unknown.delta_monthly_usd(), None);
        assert!(unknown.lines().contains("--base"), "{}", unknown.lines());
        let same = CostChange {
            fixed: fixed(10.0, 10.0),
            traffic: Some(TrafficChange { before_monthly_usd: Some(80.0), ..traffic }),
        };
        assert!(same.lines().ends_with("This change: $0.00/month."), "{}", same.lines());
    }
}
