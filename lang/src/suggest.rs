//! "Did you mean" suggestions, shared by the checks and the command line.

/// The candidate closest to `typo`, if it is close enough to be a likely misspelling.
pub fn closest<'a>(typo: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (typo.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|candidate| *candidate != typo)
        .map(|candidate| (strsim::damerau_levenshtein(typo, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= limit || is_case_or_separator_variant(typo, candidate))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// A help line "did you mean `x`?" when a candidate is close.
pub fn did_you_mean<'a>(typo: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(typo, candidates).map(|candidate| format!("did you mean `{candidate}`?"))
}

fn is_case_or_separator_variant(a: &str, b: &str) -> bool {
    let normalize = |s: &str| s.to_ascii_lowercase().replace(['-', '_'], "");
    normalize(a) == normalize(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["network", "tunnel", "endpoint"];
        assert_eq!(closest("netwrok", names), Some("network"));
        assert_eq!(closest("tunel", names), Some("tunnel"));
        assert_eq!(closest("zzz", names), None);
        assert_eq!(closest("dh-groups", ["dh_groups"]), Some("dh_groups"));
    }
}
