//! Names of cloud resources: deterministic, within each cloud's length and character rules, and
//! stable when the topology grows (a name depends only on the stack and its own object).

/// The rules of one cloud's resource names.
#[derive(Clone, Copy, Debug)]
pub struct NameRules {
    /// The longest name allowed.
    pub max_len: usize,
    /// Whether upper-case letters are allowed (names are lower-cased otherwise).
    pub upper_case: bool,
}

/// GCP resource names: `[a-z]([-a-z0-9]{0,61}[a-z0-9])?`.
pub const GCP: NameRules = NameRules { max_len: 63, upper_case: false };
/// Azure network resource names: letters, digits, `-`, at most 64 for virtual networks.
pub const AZURE: NameRules = NameRules { max_len: 64, upper_case: true };
/// AWS `Name` tags (up to 256 characters); kept short to stay readable in the console.
pub const AWS: NameRules = NameRules { max_len: 128, upper_case: true };

/// The name of a resource of `stack` for the object whose parts are `parts`: the parts joined
/// with `-`, every other character replaced by `-`, starting with a letter, and cut to the
/// cloud's length with a stable hash of the full name appended when too long.
pub fn resource_name(rules: NameRules, stack: &str, parts: &[&str]) -> String {
    let full = std::iter::once(stack).chain(parts.iter().copied()).collect::<Vec<_>>().join("-");
    let mut name = String::with_capacity(full.len());
    for c in full.chars() {
        let c = if rules.upper_case { c } else { c.to_ascii_lowercase() };
        let keep = c.is_ascii_alphanumeric() && (rules.upper_case || !c.is_ascii_uppercase());
        let c = if keep { c } else { '-' };
        if !(c == '-' && name.ends_with('-')) {
            name.push(c);
        }
    }
    let mut name = name.trim_matches('-').to_string();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "i-");
    }
    if name.len() > rules.max_len {
        let suffix = format!("-{:08x}", fnv1a(full.as_bytes()) as u32);
        name.truncate(rules.max_len - suffix.len());
        let trimmed = name.trim_end_matches('-').len();
        name.truncate(trimmed);
        name.push_str(&suffix);
    }
    name
}

/// FNV-1a, 64 bits: a hash whose value never changes between versions or platforms.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| (hash ^ byte as u64).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_each_clouds_rules() {
        assert_eq!(resource_name(GCP, "Acme", &["app[eu]", "a"]), "acme-app-eu-a");
        assert_eq!(resource_name(AZURE, "Acme", &["app[eu]"]), "Acme-app-eu");
        assert_eq!(resource_name(GCP, "1st", &["x"]), "i-1st-x");
        let long = resource_name(GCP, "stack", &[&"n".repeat(100)]);
        assert_eq!(long.len(), 63);
        assert!(long.ends_with(&format!("-{:08x}", fnv1a(format!("stack-{}", "n".repeat(100)).as_bytes()) as u32)));
        assert_ne!(long, resource_name(GCP, "stack", &[&"n".repeat(101)]), "cut names stay distinct");
    }
}
