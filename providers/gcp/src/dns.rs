//! Cloud DNS private zones, visible to networks, and their record sets (owned through their
//! zone, found by their natural key `ZONE:NAME:TYPE`). Cloud DNS answers at once: no operation
//! to wait for.

use crate::errors::classify;
use crate::operation::last_segment;
use crate::project::{Project, created, every_page};
use crate::{labels, ownership};
use google_cloud_dns_v1::model::{
    ManagedZone, ManagedZonePrivateVisibilityConfig, ManagedZonePrivateVisibilityConfigNetwork, ResourceRecordSet,
};
use isopod_catalog::{Attrs, ObservedResource, Ownership, ResourceKind};
use isopod_provider::attrs::{Found, integer32, natural_created, string_list, strings, text, untagged};
use isopod_provider::{Created, ErrorKind, ProviderError};

/// The zone `attrs` describe, marked as `owner`'s.
fn zone(p: &Project<'_>, owner: &Ownership, attrs: &Attrs) -> ManagedZone {
    let networks = strings(attrs, "networks").into_iter().map(|network| {
        let url = format!("https://www.googleapis.com/compute/v1/{}", p.global_path("networks", &network));
        ManagedZonePrivateVisibilityConfigNetwork::new().set_network_url(url)
    });
    ManagedZone::new()
        .set_name(text(attrs, "name").unwrap_or_default())
        .set_dns_name(text(attrs, "dns_name").unwrap_or_default())
        .set_visibility(text(attrs, "visibility").unwrap_or("private"))
        .set_private_visibility_config(ManagedZonePrivateVisibilityConfig::new().set_networks(networks))
        .set_description(p.description(owner, text(attrs, "description")))
        .set_labels(labels::created(owner, attrs))
}

pub(crate) async fn create_zone(p: &Project<'_>, owner: &Ownership, attrs: &Attrs) -> Result<Created, ProviderError> {
    let name = text(attrs, "name").unwrap_or_default();
    let path = format!("projects/{}/managedZones/{name}", p.id);
    match p.clients.managed_zones.create().set_project(p.id).set_body(zone(p, owner, attrs)).send().await {
        Ok(_) => Ok(created(path)),
        Err(err) => {
            let err = classify(err);
            if err.kind != ErrorKind::Conflict {
                return Err(err);
            }
            // Taken: ours if its marker says so (an earlier answer was lost).
            let live = p.clients.managed_zones.get().set_project(p.id).set_managed_zone(name).send().await;
            match live.map_err(classify)? {
                live if p.owner(live.description.as_deref()) == Some(Some(owner.clone())) => Ok(created(path)),
                _ => Err(ProviderError::new(ErrorKind::Conflict, format!("{path} exists and is not Isopod's"))),
            }
        }
    }
}

/// Changes which networks see the zone, its description and labels (the whole zone is written).
pub(crate) async fn update_zone(p: &Project<'_>, path: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let name = last_segment(path).unwrap_or_default();
    let live = p.clients.managed_zones.get().set_project(p.id).set_managed_zone(name).send().await.map_err(classify)?;
    let owner = p.owner(live.description.as_deref()).flatten().ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Conflict,
            format!("{path} carries no marker of this cloud block: it is not changed"),
        )
    })?;
    // An update, not a patch: a patch leaves out what is empty (the last label removed).
    let request = p.clients.managed_zones.update().set_project(p.id).set_managed_zone(name);
    request.set_body(zone(p, &owner, attrs)).send().await.map(drop).map_err(classify)
}

pub(crate) async fn delete_zone(p: &Project<'_>, path: &str) -> Result<(), ProviderError> {
    let name = last_segment(path).unwrap_or_default();
    p.clients.managed_zones.delete().set_project(p.id).set_managed_zone(name).send().await.map_err(classify)
}

/// Every managed zone of the project.
pub(crate) async fn zones(p: &Project<'_>) -> Result<Vec<ManagedZone>, ProviderError> {
    let request = p.clients.managed_zones.list().set_project(p.id);
    Ok(every_page!(request, |page| page.managed_zones))
}

/// The zones among `zones` (the project's, listed once per discovery).
pub(crate) fn discover_zones(p: &Project<'_>, zones: &[ManagedZone]) -> Vec<ObservedResource> {
    let found = zones.iter().filter_map(|zone| {
        let name = zone.name.clone().unwrap_or_default();
        let (_, own) = ownership::read(zone.description.as_deref());
        let networks = zone.private_visibility_config.as_ref().map(|c| c.networks.as_slice()).unwrap_or_default();
        let networks = networks.iter().filter_map(|n| n.network_url.as_deref().and_then(last_segment));
        let mut attrs = Found::default();
        attrs
            .text("name", Some(&name))
            .text("dns_name", zone.dns_name.as_deref())
            .text("visibility", zone.visibility.as_ref().and_then(|v| v.name()))
            .value("networks", string_list(networks))
            .text("description", own.as_deref())
            .value("labels", labels::found(&zone.labels));
        let path = format!("projects/{}/managedZones/{name}", p.id);
        p.observed(ResourceKind::GcpDnsManagedZone, path, p.scope("global"), zone.description.as_deref(), attrs.0)
    });
    found.collect()
}

/// The record sets of the zones some Isopod stack owns (Cloud DNS lists them per zone); the
/// SOA and NS sets every zone has are Cloud DNS's own.
pub(crate) async fn discover_records(
    p: &Project<'_>,
    zones: &[ManagedZone],
) -> Result<Vec<ObservedResource>, ProviderError> {
    let mut found = Vec::new();
    for zone in zones {
        let Some(Some(owner)) = p.owner(zone.description.as_deref()) else { continue };
        let zone_name = zone.name.clone().unwrap_or_default();
        let request = p.clients.record_sets.list().set_project(p.id).set_managed_zone(&zone_name);
        let sets: Vec<ResourceRecordSet> = every_page!(request, |page| page.rrsets);
        for set in sets.into_iter().filter(|set| !matches!(set.r#type.as_deref(), Some("SOA" | "NS"))) {
            let mut attrs = Found::default();
            attrs
                .text("managed_zone", Some(&zone_name))
                .text("name", set.name.as_deref())
                .text("type", set.r#type.as_deref())
                .integer("ttl", set.ttl)
                .value("records", string_list(set.rrdatas.iter().map(String::as_str)));
            found.extend(untagged(ResourceKind::GcpDnsRecordSet, &p.scope("global"), Some(&owner.stack), attrs.0));
        }
    }
    Ok(found)
}

fn record(attrs: &Attrs) -> ResourceRecordSet {
    ResourceRecordSet::new()
        .set_name(text(attrs, "name").unwrap_or_default())
        .set_type(text(attrs, "type").unwrap_or("A"))
        .set_ttl(integer32(attrs, "ttl").unwrap_or(300))
        .set_rrdatas(strings(attrs, "records"))
}

pub(crate) async fn create_record(p: &Project<'_>, attrs: &Attrs) -> Result<Created, ProviderError> {
    let zone = text(attrs, "managed_zone").unwrap_or_default();
    let request = p.clients.record_sets.create().set_project(p.id).set_managed_zone(zone).set_body(record(attrs));
    match request.send().await.map_err(classify) {
        // Already there (an earlier answer was lost): made what it should be.
        Err(err) if err.kind == ErrorKind::Conflict => {
            let id = ResourceKind::GcpDnsRecordSet.natural_address(attrs).unwrap_or_default();
            update_record(p, &id, attrs).await?;
        }
        other => other.map(drop)?,
    }
    natural_created(ResourceKind::GcpDnsRecordSet, attrs)
}

/// `ZONE:NAME:TYPE` in its parts.
fn record_parts(id: &str) -> Result<(&str, &str, &str), ProviderError> {
    let mut parts = id.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(zone), Some(name), Some(kind)) => Ok((zone, name, kind)),
        _ => Err(ProviderError::new(ErrorKind::Invalid, format!("`{id}` is not ZONE:NAME:TYPE"))),
    }
}

pub(crate) async fn update_record(p: &Project<'_>, id: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let (zone, name, kind) = record_parts(id)?;
    let request = p.clients.record_sets.patch().set_project(p.id).set_managed_zone(zone).set_name(name);
    request.set_type(kind).set_body(record(attrs)).send().await.map(drop).map_err(classify)
}

pub(crate) async fn delete_record(p: &Project<'_>, id: &str) -> Result<(), ProviderError> {
    let (zone, name, kind) = record_parts(id)?;
    let request = p.clients.record_sets.delete().set_project(p.id).set_managed_zone(zone).set_name(name);
    request.set_type(kind).send().await.map(drop).map_err(classify)
}
