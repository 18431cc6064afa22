//! Which continent a cloud region is on: the clouds price transfer between regions by continent
//! pairs, so the price book can name `@europe` instead of every European region.

use isopod_lang::topology::CloudKind;

/// The continents the clouds group regions by.
pub const CONTINENTS: [&str; 7] = ["northamerica", "southamerica", "europe", "asia", "oceania", "middleeast", "africa"];

/// The continent of `region` of `cloud`, as named in [`CONTINENTS`]; `None` for a region this
/// table does not know (the price book's `*` rows apply to it).
pub fn continent(cloud: CloudKind, region: &str) -> Option<&'static str> {
    match cloud {
        CloudKind::Aws => aws(region),
        CloudKind::Gcp => gcp(region),
        CloudKind::Azure => azure(region),
    }
}

fn aws(region: &str) -> Option<&'static str> {
    // Oceania's regions share Asia Pacific's prefix.
    if ["ap-southeast-2", "ap-southeast-4", "ap-southeast-6"].contains(&region) {
        return Some("oceania");
    }
    let prefix = region.split('-').next()?;
    Some(match prefix {
        "us" | "ca" | "mx" => "northamerica",
        "sa" => "southamerica",
        "eu" => "europe",
        "ap" => "asia",
        "me" | "il" => "middleeast",
        "af" => "africa",
        _ => return None,
    })
}

fn gcp(region: &str) -> Option<&'static str> {
    let prefix = region.split('-').next()?;
    Some(match prefix {
        "us" | "northamerica" => "northamerica",
        "southamerica" => "southamerica",
        "europe" => "europe",
        "asia" => "asia",
        "australia" => "oceania",
        "me" => "middleeast",
        "africa" => "africa",
        _ => return None,
    })
}

/// Azure's region names carry no continent prefix (`westeurope`, `eastus2`, `japaneast`): they
/// are matched by the place they name, the more particular places first (`australiaeast` holds
/// `us`).
fn azure(region: &str) -> Option<&'static str> {
    const BY_NAME: [(&str, &[&str]); 7] = [
        ("oceania", &["australia", "newzealand"]),
        ("southamerica", &["brazil", "chile"]),
        ("middleeast", &["uae", "qatar", "israel"]),
        ("africa", &["southafrica"]),
        (
            "europe",
            &[
                "europe",
                "uk",
                "france",
                "germany",
                "switzerland",
                "norway",
                "sweden",
                "poland",
                "italy",
                "spain",
                "austria",
                "belgium",
                "denmark",
                "finland",
                "greece",
            ],
        ),
        ("asia", &["asia", "japan", "korea", "india", "indonesia", "malaysia", "taiwan"]),
        ("northamerica", &["us", "canada", "mexico"]),
    ];
    let region = region.to_ascii_lowercase();
    BY_NAME.iter().find(|(_, names)| names.iter().any(|name| region.contains(name))).map(|(continent, _)| *continent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_placed_on_their_continent() {
        let cases = [
            (CloudKind::Aws, "us-east-1", Some("northamerica")),
            (CloudKind::Aws, "eu-west-1", Some("europe")),
            (CloudKind::Aws, "ap-southeast-2", Some("oceania")),
            (CloudKind::Aws, "ap-northeast-1", Some("asia")),
            (CloudKind::Gcp, "europe-west4", Some("europe")),
            (CloudKind::Gcp, "us-central1", Some("northamerica")),
            (CloudKind::Gcp, "australia-southeast1", Some("oceania")),
            (CloudKind::Azure, "westeurope", Some("europe")),
            (CloudKind::Azure, "uksouth", Some("europe")),
            (CloudKind::Azure, "eastus2", Some("northamerica")),
            (CloudKind::Azure, "southeastasia", Some("asia")),
            (CloudKind::Azure, "australiaeast", Some("oceania")),
            (CloudKind::Azure, "brazilsouth", Some("southamerica")),
            (CloudKind::Azure, "southafricanorth", Some("africa")),
            (CloudKind::Aws, "mars-1", None),
        ];
        for (cloud, region, expected) in cases {
            assert_eq!(continent(cloud, region), expected, "{region}");
        }
    }
}
