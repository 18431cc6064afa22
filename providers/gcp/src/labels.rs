//! Labels, on the Compute kinds that take them (HA VPN and external VPN gateways, VPN tunnels,
//! addresses, forwarding rules) and Cloud DNS zones: the configuration's labels and Isopod's
//! `isopod-stack`, written in the insert; read back without Isopod's own; changed with
//! `setLabels`, which replaces the whole set and takes the resource's current fingerprint, read
//! just before (GCP refuses a stale one, changed by someone in between, with 412
//! `conditionNotMet`: a conflict, which the next plan and apply read afresh).

use crate::errors::classify;
use crate::ownership::{self, STACK_LABEL};
use crate::project::{Project, parts};
use google_cloud_compute_v1::model::{GlobalSetLabelsRequest, RegionSetLabelsRequest};
use isopod_catalog::{Attrs, Ownership, ResourceKind, Value};
use isopod_provider::attrs::text_map;
use isopod_provider::{ErrorKind, ProviderError};
use std::collections::HashMap;

/// The labels a resource of `owner` with `attrs` is created with.
pub(crate) fn created(owner: &Ownership, attrs: &Attrs) -> HashMap<String, String> {
    let mut labels: HashMap<String, String> = text_map(attrs, "labels").into_iter().collect();
    labels.extend(ownership::labels(owner));
    labels
}

/// The `labels` attribute of a resource whose live labels are `live`: all but Isopod's own.
pub(crate) fn found(live: &HashMap<String, String>) -> Value {
    let user = live.iter().filter(|(key, _)| *key != STACK_LABEL);
    Value::Map(user.map(|(key, value)| (key.clone(), Value::string(value))).collect())
}

/// The labels to set on a resource whose live labels are `live`: the wanted ones of `attrs`,
/// and Isopod's own as it is.
pub(crate) fn wanted(attrs: &Attrs, live: &HashMap<String, String>) -> HashMap<String, String> {
    let mut labels: HashMap<String, String> = text_map(attrs, "labels").into_iter().collect();
    labels.extend(live.get_key_value(STACK_LABEL).map(|(key, value)| (key.clone(), value.clone())));
    labels
}

/// Reads a regional resource's labels and fingerprint with `$client.get()`, then sets the wanted
/// labels with `$client.set_labels()`.
macro_rules! set_regional {
    ($p:expr, $path:expr, $attrs:expr, $client:ident, $setter:ident) => {{
        let (region, _, name) = parts($path)?;
        let request = $p.clients.$client.get().set_project($p.id).set_region(region).$setter(name);
        let live = request.send().await.map_err(classify)?;
        let body = RegionSetLabelsRequest::new()
            .set_labels(wanted($attrs, &live.labels))
            .set_or_clear_label_fingerprint(live.label_fingerprint);
        let request = $p.clients.$client.set_labels().set_project($p.id).set_region(region).set_resource(name);
        $p.done(&format!("labelling {}", $path), request.set_body(body).send().await).await
    }};
}

/// Sets the labels of the resource at `path`, a `kind` that takes them, to those of `attrs`.
pub(crate) async fn update(
    p: &Project<'_>,
    kind: ResourceKind,
    path: &str,
    attrs: &Attrs,
) -> Result<(), ProviderError> {
    match kind {
        ResourceKind::GcpHaVpnGateway => set_regional!(p, path, attrs, vpn_gateways, set_vpn_gateway),
        ResourceKind::GcpVpnTunnel => set_regional!(p, path, attrs, vpn_tunnels, set_vpn_tunnel),
        ResourceKind::GcpAddress => set_regional!(p, path, attrs, addresses, set_address),
        ResourceKind::GcpForwardingRule => set_regional!(p, path, attrs, forwarding_rules, set_forwarding_rule),
        ResourceKind::GcpExternalVpnGateway => {
            let (_, _, name) = parts(path)?;
            let request = p.clients.external_vpn_gateways.get().set_project(p.id).set_external_vpn_gateway(name);
            let live = request.send().await.map_err(classify)?;
            let body = GlobalSetLabelsRequest::new()
                .set_labels(wanted(attrs, &live.labels))
                .set_or_clear_label_fingerprint(live.label_fingerprint);
            let request = p.clients.external_vpn_gateways.set_labels().set_project(p.id).set_resource(name);
            p.done(&format!("labelling {path}"), request.set_body(body).send().await).await
        }
        other => Err(ProviderError::new(
            ErrorKind::Invalid,
            format!("{other} cannot change in place on GCP ({path}): it must be replaced"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isopods_label_is_kept_apart_from_the_configurations() {
        let attrs: Attrs = [("labels".into(), Value::Map([("team".into(), Value::string("net"))].into()))].into();
        let live = HashMap::from([(STACK_LABEL.to_string(), "prod".to_string()), ("old".into(), String::new())]);
        let set = wanted(&attrs, &live);
        assert_eq!(set, HashMap::from([(STACK_LABEL.into(), "prod".into()), ("team".into(), "net".into())]));
        assert_eq!(found(&live), Value::Map([("old".into(), Value::string(""))].into()));
    }
}
