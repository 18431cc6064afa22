//! Pre-shared keys: which secrets a plan needs, the rules each cloud sets for a key, and the
//! generation of the keys Isopod makes itself, from a CSPRNG the caller passes in.
//!
//! A plan refers to keys by name only ([`Value::Sensitive`]); the caller's secret store holds the
//! values. Names under `tunnel/` are Isopod's to generate; any other name comes from
//! `secret("NAME")` in the configuration and must be set by the user.
//!
//! Rules (CLOUD-FACTS.md): AWS takes 8 to 64 characters, letters, digits, `.` and `_`, not
//! starting with `0` (ModifyVpnTunnelOptionsSpecification.PreSharedKey); Azure printable ASCII, up
//! to 128 characters (VPN Gateway FAQ); GCP recommends 32 random characters (Cloud VPN, "Generate
//! a strong pre-shared key"); a host's key is written quoted into swanctl.conf. Generated keys
//! are 32 letters and digits, not starting with `0`, which every cloud accepts.

use crate::lower::Desired;
use crate::problem::{Problem, ProblemCode};
use isopod_catalog::{Cloud, Value};
use isopod_lang::Topology;
use rand_core::CryptoRng;
use std::collections::{BTreeMap, BTreeSet};

/// How long a generated key is: GCP's recommendation, within AWS's 64.
pub const GENERATED_LENGTH: usize = 32;

/// The prefix of the names of keys Isopod generates.
const GENERATED_PREFIX: &str = "tunnel/";

/// Whether Isopod generates the secret `name` (else the user sets it).
pub fn is_generated(name: &str) -> bool {
    name.starts_with(GENERATED_PREFIX)
}

/// The secrets the desired resources refer to, each with the clouds that will receive it.
pub fn needed(desired: &Desired) -> BTreeMap<String, BTreeSet<Cloud>> {
    let mut needed: BTreeMap<String, BTreeSet<Cloud>> = BTreeMap::new();
    for resource in desired.resources.values() {
        for value in resource.attrs.values() {
            if let Value::Sensitive(name) = value {
                needed.entry(name.clone()).or_default().insert(resource.id.kind.cloud());
            }
        }
    }
    needed
}

/// Why a key cannot be given to `cloud`; `None` when the cloud accepts it.
pub fn violation(cloud: Cloud, key: &str) -> Option<&'static str> {
    let printable = |c: char| c.is_ascii_graphic() || c == ' ';
    match cloud {
        Cloud::Aws => {
            if !(8..=64).contains(&key.len()) {
                Some("AWS takes 8 to 64 characters")
            } else if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') {
                Some("AWS takes only letters, digits, `.` and `_`")
            } else if key.starts_with('0') {
                Some("AWS refuses a key that starts with `0`")
            } else {
                None
            }
        }
        Cloud::Azure => {
            if key.is_empty() || key.len() > 128 {
                Some("Azure takes 1 to 128 characters")
            } else if !key.chars().all(printable) {
                Some("Azure takes only printable ASCII characters")
            } else {
                None
            }
        }
        Cloud::Gcp | Cloud::Host => {
            if key.is_empty() {
                Some("the key is empty")
            } else if !key.chars().all(printable) || key.contains(['"', '\\']) {
                Some("the key must be printable ASCII without `\"` or `\\`")
            } else {
                None
            }
        }
    }
}

/// A new key that every cloud accepts: [`GENERATED_LENGTH`] letters and digits, uniformly drawn
/// from `rng`, the first not `0`.
pub fn generate(rng: &mut impl CryptoRng) -> String {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut key = String::with_capacity(GENERATED_LENGTH);
    let mut bytes = [0u8; 64];
    while key.len() < GENERATED_LENGTH {
        rng.fill_bytes(&mut bytes);
        // Rejection sampling: 6 random bits, kept when below 62, so every character is uniform.
        for byte in bytes.iter().map(|b| usize::from(b & 63)).filter(|&b| b < ALPHABET.len()) {
            let c = char::from(ALPHABET[byte]);
            if key.len() < GENERATED_LENGTH && !(key.is_empty() && c == '0') {
                key.push(c);
            }
        }
    }
    key
}

/// What the store lacks for a plan, or holds that a cloud would refuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SecretProblem {
    /// A secret the configuration names with `secret("NAME")` is not set.
    #[error("secret `{0}` is not set")]
    Missing(String),
    /// A secret's value breaks a rule of a cloud that receives it.
    #[error("secret `{name}` cannot be used: {rule}")]
    Refused {
        /// The secret.
        name: String,
        /// The rule it breaks.
        rule: &'static str,
    },
}

impl SecretProblem {
    /// The problem as plans report it (a warning; `apply` makes it an error), at the first
    /// `secret("NAME")` of `topology` that names it.
    pub fn problem(&self, topology: &Topology) -> Problem {
        let (problem, name) = match self {
            SecretProblem::Missing(name) => (
                Problem::new(ProblemCode::SecretMissing, self.to_string())
                    .with_help(format!("set it with `isopod secret set {name}`")),
                name,
            ),
            SecretProblem::Refused { name, .. } => (
                Problem::new(ProblemCode::SecretRefused, self.to_string())
                    .with_help(format!("set another value with `isopod secret set {name}`")),
                name,
            ),
        };
        let named = topology.tunnels.iter().filter_map(|tunnel| tunnel.psk.as_ref()).find(|psk| psk.value == *name);
        match named {
            Some(psk) => problem.at(psk.span),
            None => problem,
        }
    }
}

/// What a store knows of one secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known<'a> {
    /// Not set.
    Unset,
    /// Set, but its value cannot be read here (no key).
    Sealed,
    /// Set to this value.
    Value(&'a str),
}

/// Every named secret of `needed` that is not set, and every readable value that a cloud
/// receiving it would refuse. Missing `tunnel/` keys are not problems: apply generates them.
pub fn problems<'a>(
    needed: &BTreeMap<String, BTreeSet<Cloud>>,
    known: impl Fn(&str) -> Known<'a>,
) -> Vec<SecretProblem> {
    let mut problems = Vec::new();
    for (name, clouds) in needed {
        match known(name) {
            Known::Unset if !is_generated(name) => problems.push(SecretProblem::Missing(name.clone())),
            Known::Unset | Known::Sealed => {}
            Known::Value(key) => {
                if let Some(rule) = clouds.iter().find_map(|&cloud| violation(cloud, key)) {
                    problems.push(SecretProblem::Refused { name: name.clone(), rule });
                }
            }
        }
    }
    problems
}

/// Completes `store` for the secrets `needed`: generates each missing `tunnel/` key from `rng`
/// (returned by name). When a named secret is missing or a cloud would refuse a key, nothing is
/// generated and every such problem is listed. Existing keys are never replaced.
pub fn complete(
    needed: &BTreeMap<String, BTreeSet<Cloud>>,
    store: &mut BTreeMap<String, String>,
    rng: &mut impl CryptoRng,
) -> Result<Vec<String>, Vec<SecretProblem>> {
    let problems = problems(needed, |name| store.get(name).map_or(Known::Unset, |value| Known::Value(value)));
    if !problems.is_empty() {
        return Err(problems);
    }
    let missing: Vec<String> = needed.keys().filter(|name| !store.contains_key(*name)).cloned().collect();
    for name in &missing {
        store.insert(name.clone(), generate(rng));
    }
    Ok(missing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng as _;
    use rand::rngs::StdRng;

    fn clouds(list: &[Cloud]) -> BTreeSet<Cloud> {
        list.iter().copied().collect()
    }

    #[test]
    fn generated_keys_satisfy_every_cloud_and_differ() {
        let mut rng = StdRng::seed_from_u64(7);
        let keys: BTreeSet<String> = (0..500).map(|_| generate(&mut rng)).collect();
        assert_eq!(keys.len(), 500, "keys repeat");
        for key in &keys {
            assert_eq!(key.len(), GENERATED_LENGTH);
            for cloud in [Cloud::Aws, Cloud::Azure, Cloud::Gcp, Cloud::Host] {
                assert_eq!(violation(cloud, key), None, "{cloud:?} refuses {key}");
            }
        }
        // Every character of the alphabet shows up: the draw is not stuck on a subset.
        let used: BTreeSet<char> = keys.iter().flat_map(|k| k.chars()).collect();
        assert_eq!(used.len(), 62);
    }

    #[test]
    fn aws_rules_are_enforced() {
        assert!(violation(Cloud::Aws, "short").is_some());
        assert!(violation(Cloud::Aws, "0abcdefgh").is_some());
        assert!(violation(Cloud::Aws, "abc-defgh").is_some());
        assert!(violation(Cloud::Aws, &"a".repeat(65)).is_some());
        assert_eq!(violation(Cloud::Aws, "abc.def_gh"), None);
        assert_eq!(violation(Cloud::Azure, "abc-def gh!"), None);
        assert!(violation(Cloud::Azure, &"a".repeat(129)).is_some());
        assert!(violation(Cloud::Host, "a\"b").is_some());
    }

    #[test]
    fn complete_generates_only_missing_tunnel_keys_and_reports_named_ones() {
        let needed = BTreeMap::from([
            ("tunnel/a-b/0".to_string(), clouds(&[Cloud::Aws, Cloud::Gcp])),
            ("tunnel/a-b/1".to_string(), clouds(&[Cloud::Aws, Cloud::Gcp])),
            ("corp-psk".to_string(), clouds(&[Cloud::Azure])),
        ]);
        let mut store = BTreeMap::from([("tunnel/a-b/1".to_string(), "Existing1".to_string())]);
        let mut rng = StdRng::seed_from_u64(1);
        let problems = complete(&needed, &mut store, &mut rng).unwrap_err();
        assert_eq!(problems, vec![SecretProblem::Missing("corp-psk".into())]);
        assert_eq!(store.len(), 1, "nothing is generated while a named secret is missing");

        store.insert("corp-psk".into(), "ok for azure".into());
        let generated = complete(&needed, &mut store, &mut rng).unwrap();
        assert_eq!(generated, vec!["tunnel/a-b/0".to_string()]);
        assert_eq!(store["tunnel/a-b/1"], "Existing1", "an existing key is kept");

        let mut fresh = BTreeMap::from([("corp-psk".to_string(), "ok for azure".to_string())]);
        let generated = complete(&needed, &mut fresh, &mut rng).unwrap();
        assert_eq!(generated, vec!["tunnel/a-b/0".to_string(), "tunnel/a-b/1".to_string()]);
        assert_ne!(fresh["tunnel/a-b/0"], fresh["tunnel/a-b/1"]);
    }

    #[test]
    fn a_key_one_cloud_refuses_is_reported_with_the_rule() {
        let needed = BTreeMap::from([("shared".into(), clouds(&[Cloud::Azure, Cloud::Aws]))]);
        let mut store = BTreeMap::from([("shared".into(), "has-dash-1".to_string())]);
        let problems = complete(&needed, &mut store, &mut StdRng::seed_from_u64(1)).unwrap_err();
        assert_eq!(
            problems,
            vec![SecretProblem::Refused { name: "shared".into(), rule: "AWS takes only letters, digits, `.` and `_`" }]
        );
    }
}
