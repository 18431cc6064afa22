//! What the simulator injects to behave like a real cloud under load: latency per call, a rate
//! limit, throttling and transient faults at chosen rates, and asynchronous provisioning with the
//! clouds' relative durations. For the executor's tests and benchmarks; all off by default.
//!
//! The CLI reads them from `ISOPOD_SIMULATOR`, as comma-separated `key=value` pairs:
//! `latency=50ms,rate=20,throttle=0.1,faults=0.1,seed=7,minute=10ms`.

use std::time::Duration;

/// The simulator's knobs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Knobs {
    /// Added to every API call.
    pub latency: Duration,
    /// Calls per second each cloud accepts before it throttles; `None` for no limit.
    pub rate_limit: Option<u32>,
    /// The share of calls refused as throttled, from 0 to 1.
    pub throttle_rate: f64,
    /// The share of calls that fail as transient (a server error or a timeout), from 0 to 1.
    /// Half of the failed changes fail after the change was made, as when a reply is lost.
    pub fault_rate: f64,
    /// The seed of the draws of throttling and faults, for repeatable runs.
    pub seed: u64,
    /// The real time one simulated minute of provisioning takes; zero makes every resource
    /// ready at once.
    pub provisioning_minute: Duration,
}

/// Why a knobs description is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("ISOPOD_SIMULATOR: {0}")]
pub struct KnobsError(String);

impl std::str::FromStr for Knobs {
    type Err = KnobsError;

    /// Parses `key=value` pairs separated by commas (see the module's documentation).
    fn from_str(text: &str) -> Result<Knobs, KnobsError> {
        let mut knobs = Knobs::default();
        for pair in text.split(',').map(str::trim).filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').ok_or_else(|| KnobsError(format!("`{pair}` is not KEY=VALUE")))?;
            let bad = || KnobsError(format!("`{value}` is not a valid value for `{key}`"));
            match key.trim() {
                "latency" => knobs.latency = duration(value).ok_or_else(bad)?,
                "minute" => knobs.provisioning_minute = duration(value).ok_or_else(bad)?,
                "rate" => knobs.rate_limit = Some(value.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?),
                "throttle" => knobs.throttle_rate = share(value).ok_or_else(bad)?,
                "faults" => knobs.fault_rate = share(value).ok_or_else(bad)?,
                "seed" => knobs.seed = value.parse().map_err(|_| bad())?,
                other => {
                    return Err(KnobsError(format!(
                        "unknown knob `{other}` (expected latency, rate, throttle, faults, seed or minute)"
                    )));
                }
            }
        }
        Ok(knobs)
    }
}

/// `50ms`, `2s` or `0`.
fn duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text == "0" {
        return Some(Duration::ZERO);
    }
    if let Some(ms) = text.strip_suffix("ms") {
        return ms.parse().ok().map(Duration::from_millis);
    }
    text.strip_suffix('s')?.parse::<f64>().ok().and_then(|s| Duration::try_from_secs_f64(s).ok())
}

/// A share from 0 to 1.
fn share(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|share| (0.0..=1.0).contains(share))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knobs_parse_and_refuse_with_the_key() {
        let knobs: Knobs = "latency=50ms, rate=20,throttle=0.1,faults=0.05,seed=7,minute=1.5s".parse().unwrap();
        assert_eq!(
            knobs,
            Knobs {
                latency: Duration::from_millis(50),
                rate_limit: Some(20),
                throttle_rate: 0.1,
                fault_rate: 0.05,
                seed: 7,
                provisioning_minute: Duration::from_millis(1500),
            }
        );
        assert_eq!("".parse::<Knobs>().unwrap(), Knobs::default());
        assert_eq!(
            "throttle=2".parse::<Knobs>().unwrap_err().to_string(),
            "ISOPOD_SIMULATOR: `2` is not a valid value for `throttle`"
        );
        assert!("latncy=5ms".parse::<Knobs>().unwrap_err().to_string().contains("unknown knob `latncy`"));
        assert!("latency".parse::<Knobs>().is_err());
        for absurd in ["latency=infs", "minute=1e30s", "latency=-1s", "latency=NaNs"] {
            assert!(absurd.parse::<Knobs>().is_err(), "{absurd}");
        }
    }
}
