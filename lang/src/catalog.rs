//! The built-in catalog of each cloud's regions and zones, for checks that need no API call.
//!
//! Kept deliberately small and explicit: a region missing here is a one-line change. AWS zones
//! are the region's name plus a letter; Azure zones are `1` to `3`; GCP zones are the region plus
//! `-` and a letter (GCP subnetworks are regional, so zones only matter for AWS subnets).

use crate::topology::CloudKind;

/// AWS regions and the letters of their availability zones.
const AWS: &[(&str, &str)] = &[
    ("af-south-1", "abc"),
    ("ap-east-1", "abc"),
    ("ap-east-2", "abc"),
    ("ap-northeast-1", "acd"),
    ("ap-northeast-2", "abcd"),
    ("ap-northeast-3", "abc"),
    ("ap-south-1", "abc"),
    ("ap-south-2", "abc"),
    ("ap-southeast-1", "abc"),
    ("ap-southeast-2", "abc"),
    ("ap-southeast-3", "abc"),
    ("ap-southeast-4", "abc"),
    ("ap-southeast-5", "abc"),
    ("ap-southeast-7", "abc"),
    ("ca-central-1", "abd"),
    ("ca-west-1", "abc"),
    ("eu-central-1", "abc"),
    ("eu-central-2", "abc"),
    ("eu-north-1", "abc"),
    ("eu-south-1", "abc"),
    ("eu-south-2", "abc"),
    ("eu-west-1", "abc"),
    ("eu-west-2", "abc"),
    ("eu-west-3", "abc"),
    ("il-central-1", "abc"),
    ("me-central-1", "abc"),
    ("me-south-1", "abc"),
    ("mx-central-1", "abc"),
    ("sa-east-1", "abc"),
    ("us-east-1", "abcdef"),
    ("us-east-2", "abc"),
    ("us-gov-east-1", "abc"),
    ("us-gov-west-1", "abc"),
    ("us-west-1", "abc"),
    ("us-west-2", "abcd"),
];

/// Azure locations; `true` where the location has availability zones.
const AZURE: &[(&str, bool)] = &[
    ("australiaeast", true),
    ("australiasoutheast", false),
    ("brazilsouth", true),
    ("canadacentral", true),
    ("canadaeast", false),
    ("centralindia", true),
    ("centralus", true),
    ("eastasia", true),
    ("eastus", true),
    ("eastus2", true),
    ("francecentral", true),
    ("germanywestcentral", true),
    ("israelcentral", true),
    ("italynorth", true),
    ("japaneast", true),
    ("japanwest", true),
    ("koreacentral", true),
    ("mexicocentral", true),
    ("newzealandnorth", true),
    ("northcentralus", false),
    ("northeurope", true),
    ("norwayeast", true),
    ("polandcentral", true),
    ("qatarcentral", true),
    ("southafricanorth", true),
    ("southcentralus", true),
    ("southeastasia", true),
    ("southindia", false),
    ("spaincentral", true),
    ("swedencentral", true),
    ("switzerlandnorth", true),
    ("uaenorth", true),
    ("uksouth", true),
    ("ukwest", false),
    ("westcentralus", false),
    ("westeurope", true),
    ("westus", false),
    ("westus2", true),
    ("westus3", true),
];

/// GCP regions and the letters of their zones.
const GCP: &[(&str, &str)] = &[
    ("africa-south1", "abc"),
    ("asia-east1", "abc"),
    ("asia-east2", "abc"),
    ("asia-northeast1", "abc"),
    ("asia-northeast2", "abc"),
    ("asia-northeast3", "abc"),
    ("asia-south1", "abc"),
    ("asia-south2", "abc"),
    ("asia-southeast1", "abc"),
    ("asia-southeast2", "abc"),
    ("australia-southeast1", "abc"),
    ("australia-southeast2", "abc"),
    ("europe-central2", "abc"),
    ("europe-north1", "abc"),
    ("europe-north2", "abc"),
    ("europe-southwest1", "abc"),
    ("europe-west1", "bcd"),
    ("europe-west10", "abc"),
    ("europe-west12", "abc"),
    ("europe-west2", "abc"),
    ("europe-west3", "abc"),
    ("europe-west4", "abc"),
    ("europe-west6", "abc"),
    ("europe-west8", "abc"),
    ("europe-west9", "abc"),
    ("me-central1", "abc"),
    ("me-central2", "abc"),
    ("me-west1", "abc"),
    ("northamerica-northeast1", "abc"),
    ("northamerica-northeast2", "abc"),
    ("northamerica-south1", "abc"),
    ("southamerica-east1", "abc"),
    ("southamerica-west1", "abc"),
    ("us-central1", "abcf"),
    ("us-east1", "bcd"),
    ("us-east4", "abc"),
    ("us-east5", "abc"),
    ("us-south1", "abc"),
    ("us-west1", "abc"),
    ("us-west2", "abc"),
    ("us-west3", "abc"),
    ("us-west4", "abc"),
];

/// The region names of a cloud.
pub fn regions(kind: CloudKind) -> Vec<&'static str> {
    match kind {
        CloudKind::Aws => AWS.iter().map(|(r, _)| *r).collect(),
        CloudKind::Azure => AZURE.iter().map(|(r, _)| *r).collect(),
        CloudKind::Gcp => GCP.iter().map(|(r, _)| *r).collect(),
    }
}

/// Whether the cloud has this region.
pub fn has_region(kind: CloudKind, region: &str) -> bool {
    regions(kind).contains(&region)
}

/// The zone names of a region (empty for unknown regions).
pub fn zones(kind: CloudKind, region: &str) -> Vec<String> {
    match kind {
        CloudKind::Aws => letters(AWS, region).map(|l| format!("{region}{l}")).collect(),
        CloudKind::Gcp => letters(GCP, region).map(|l| format!("{region}-{l}")).collect(),
        CloudKind::Azure => match AZURE.iter().find(|(r, _)| *r == region) {
            Some((_, true)) => vec!["1".into(), "2".into(), "3".into()],
            _ => Vec::new(),
        },
    }
}

/// Whether `zone` is one of [`zones`]`(kind, region)`, found without listing them.
pub fn has_zone(kind: CloudKind, region: &str, zone: &str) -> bool {
    let letter_of = |table, rest: &str| {
        let mut chars = rest.chars();
        matches!((chars.next(), chars.next()), (Some(letter), None) if letters(table, region).any(|l| l == letter))
    };
    match kind {
        CloudKind::Aws => zone.strip_prefix(region).is_some_and(|rest| letter_of(AWS, rest)),
        CloudKind::Gcp => {
            zone.strip_prefix(region).and_then(|rest| rest.strip_prefix('-')).is_some_and(|rest| letter_of(GCP, rest))
        }
        CloudKind::Azure => zones(kind, region).iter().any(|known| known == zone),
    }
}

fn letters(table: &'static [(&str, &str)], region: &str) -> impl Iterator<Item = char> {
    table.iter().find(|(r, _)| *r == region).map_or("", |(_, l)| l).chars()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_is_found_as_the_list_of_its_region_has_it() {
        for kind in [CloudKind::Aws, CloudKind::Azure, CloudKind::Gcp] {
            for region in regions(kind) {
                let listed = zones(kind, region);
                for zone in &listed {
                    assert!(has_zone(kind, region, zone), "{kind:?} {zone}");
                }
                let near =
                    [format!("{region}z"), format!("{region}-z"), format!("{region}aa"), region.into(), "4".into()];
                let shorter = listed.iter().map(|zone| zone[..zone.len() - 1].to_string());
                for candidate in near.into_iter().chain(shorter) {
                    assert_eq!(has_zone(kind, region, &candidate), listed.contains(&candidate), "{kind:?} {candidate}");
                }
            }
        }
    }

    #[test]
    fn tables_are_sorted_and_unique() {
        for kind in [CloudKind::Aws, CloudKind::Azure, CloudKind::Gcp] {
            let names = regions(kind);
            let mut sorted = names.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(names, sorted, "{kind:?}");
        }
    }

    #[test]
    fn zones_follow_each_clouds_naming() {
        assert!(zones(CloudKind::Aws, "us-east-1").contains(&"us-east-1f".to_string()));
        assert_eq!(zones(CloudKind::Gcp, "europe-west1")[0], "europe-west1-b");
        assert_eq!(zones(CloudKind::Azure, "westeurope"), ["1", "2", "3"]);
        assert!(zones(CloudKind::Azure, "westus").is_empty());
    }
}
