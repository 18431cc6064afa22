//! One subscription as a cloud block uses it: creating, reading, updating and deleting each
//! kind through [`wire`], with ownership written in the PUT itself, PUTs conditional
//! ([`create_only`], [`matching`]), and operations awaited within bounds where the executor
//! does not wait itself.

use crate::arm::{At, Found, json, merged, metadata, read_metadata, read_tags, tags};
use crate::clients::{Clients, create_only, matching};
use crate::operation::{self, Polling};
use crate::{dns, endpoint, flow_log, network, vpn, wire};
use isopod_catalog::{Attrs, ObservedResource, Ownership, ResourceKind as K, Scope, Value};
use isopod_provider::{Created, ErrorKind, ProviderError, Provisioning};
use serde_json::Value as Json;

/// The region of Azure's global resources (private DNS zones and their links and records).
pub(crate) const GLOBAL: &str = "global";

/// A subscription, as one cloud block reaches it.
pub(crate) struct Sub<'a> {
    pub(crate) clients: &'a Clients,
    /// The subscription id.
    pub(crate) id: &'a str,
    /// The cloud block (`azure.corp`), the `cloud` of every scope.
    pub(crate) cloud: &'a str,
    pub(crate) polling: &'a Polling,
}

/// Whether the executor waits for a kind's operations itself (polling
/// [`provisioning`](isopod_provider::Provider::provisioning)): those that take minutes, so that
/// a call never holds its place in the executor's gate for the length of a gateway's build.
fn executor_waits(kind: K) -> bool {
    kind.provisioning_seconds() >= 120
}

/// Whether a kind carries tags (the others are owned through their parent, or by metadata).
fn tagged(kind: K) -> bool {
    !matches!(kind, K::AzureSubnet | K::AzureVirtualNetworkPeering | K::AzurePrivateDnsARecord)
}

impl Sub<'_> {
    /// Where a desired resource goes.
    fn at(&self, kind: K, attrs: &Attrs) -> At {
        match kind {
            K::AzurePrivateDnsZone | K::AzurePrivateDnsZoneLink | K::AzurePrivateDnsARecord => dns::at(kind, attrs),
            _ => network::at(kind, attrs),
        }
    }

    /// Its body, without tags.
    fn body(&self, kind: K, at: &At, attrs: &Attrs) -> Json {
        match kind {
            K::AzureResourceGroup | K::AzureVirtualNetwork | K::AzureSubnet | K::AzureVirtualNetworkPeering => {
                network::body(kind, attrs)
            }
            K::AzurePrivateEndpoint => endpoint::body(at, attrs),
            K::AzureFlowLog => flow_log::body(attrs),
            K::AzurePrivateDnsZone | K::AzurePrivateDnsZoneLink | K::AzurePrivateDnsARecord => dns::body(kind, attrs),
            _ => vpn::body(self, kind, at, attrs),
        }
    }

    /// Its body with `owner`'s tags (or metadata) and the resource's own.
    fn owned_body(&self, kind: K, at: &At, attrs: &Attrs, owner: &Ownership) -> Json {
        let mut body = self.body(kind, at, attrs);
        if kind == K::AzurePrivateDnsARecord {
            body["properties"]["metadata"] = metadata(owner);
        } else if tagged(kind) {
            body["tags"] = tags(owner, attrs);
            if kind == K::AzurePrivateEndpoint {
                for (key, value) in endpoint::extra_tags(attrs) {
                    body["tags"][key] = value;
                }
            }
        }
        body
    }

    /// Creates a resource, never over one that exists: one of `owner`'s (a create repeated
    /// after an answer was lost) is taken as it is; anyone else's is a conflict.
    pub(crate) async fn create(&self, kind: K, attrs: &Attrs, owner: &Ownership) -> Result<Created, ProviderError> {
        let at = match kind {
            K::AzureFlowLog => flow_log::at(self.clients, self.id, attrs).await?,
            _ => self.at(kind, attrs),
        };
        let body = self.owned_body(kind, &at, attrs, owner);
        let what = wire::what("creating", kind, &at);
        let put = match create_only(wire::put(self.clients, self.id, kind, &at, body)).await {
            Err(err) if is_precondition_failed(&err) => {
                let live = wire::get(self.clients, self.id, kind, &at).await?;
                if self.owner_of(kind, &live).as_ref() != Some(owner) {
                    let message = format!("{what}: a resource of that name exists and is not {}'s", owner.id);
                    return Err(ProviderError::new(ErrorKind::Conflict, message));
                }
                wire::Put { operation: None, body: live }
            }
            other => other?,
        };
        let live = match &put.operation {
            Some(url) if !executor_waits(kind) => {
                operation::wait(self.clients, self.polling, &what, url).await?;
                wire::get(self.clients, self.id, kind, &at).await?
            }
            _ => put.body,
        };
        let provider_id = live["id"].as_str().unwrap_or_default().to_string();
        if provider_id.is_empty() {
            return Err(ProviderError::new(ErrorKind::Invalid, format!("{what}: ARM's answer has no id")));
        }
        Ok(Created { provider_id, outputs: self.outputs(kind, &at, &live).await? })
    }

    /// The outputs the catalogue lists for a live resource.
    async fn outputs(&self, kind: K, at: &At, live: &Json) -> Result<Attrs, ProviderError> {
        let mut outputs: Attrs = vpn::outputs(kind, live).into_iter().collect();
        if kind == K::AzurePrivateEndpoint {
            let address = match endpoint::dns_address(live) {
                Some(address) => Some(address.to_string()),
                None => self.interface_address(at, live).await?,
            };
            if let Some(address) = address {
                outputs.insert("ip_address".into(), Value::string(address));
            }
        }
        Ok(outputs)
    }

    /// A private endpoint's address, from its network interface.
    async fn interface_address(&self, at: &At, live: &Json) -> Result<Option<String>, ProviderError> {
        let Some(nic) = endpoint::interface(live) else { return Ok(None) };
        let nic_at = At::parse(nic)?;
        let what = format!("reading the network interface of private endpoint {}", at.name(0));
        let client = self.clients.network.network_interfaces_client();
        let found = client
            .get(nic_at.group.clone(), nic_at.name(0), self.id)
            .await
            .map_err(|err| crate::errors::classify(&what, err))?;
        let found = json(&found);
        Ok(found
            .pointer("/properties/ipConfigurations/0/properties/privateIPAddress")
            .and_then(Json::as_str)
            .map(String::from))
    }

    /// Changes a live resource to what `attrs` say: read, changed, written back if unchanged
    /// meanwhile (`If-Match`), keeping what the configuration does not say (a network's
    /// subnets) and Isopod's tags.
    pub(crate) async fn update(&self, kind: K, provider_id: &str, attrs: &Attrs) -> Result<(), ProviderError> {
        let at = At::parse(provider_id)?;
        let live = wire::get(self.clients, self.id, kind, &at).await?;
        let etag = live["etag"].as_str().map(String::from);
        let mut body = merged(live.clone(), self.body(kind, &at, attrs));
        if kind == K::AzurePrivateDnsARecord {
            body["properties"]["metadata"] = live["properties"]["metadata"].clone();
        } else if tagged(kind) {
            let mut written: serde_json::Map<String, Json> =
                crate::arm::text_map(attrs, "tags").into_iter().map(|(k, v)| (k, Json::String(v))).collect();
            for (key, value) in live["tags"].as_object().into_iter().flatten().filter(|(k, _)| k.starts_with("isopod:"))
            {
                written.insert(key.clone(), value.clone());
            }
            if kind == K::AzurePrivateEndpoint {
                written.extend(endpoint::extra_tags(attrs).into_iter().map(|(k, v)| (k.to_string(), v)));
            }
            body["tags"] = Json::Object(written);
        }
        let what = wire::what("updating", kind, &at);
        let put = matching(etag, wire::put(self.clients, self.id, kind, &at, body)).await.map_err(|err| {
            // Changed since it was read: reading again may succeed.
            if is_precondition_failed(&err) { ProviderError { kind: ErrorKind::Transient, ..err } } else { err }
        })?;
        match &put.operation {
            Some(url) if !executor_waits(kind) => operation::wait(self.clients, self.polling, &what, url).await,
            _ => Ok(()),
        }
    }

    /// Deletes a live resource, waiting for the deletion unless the executor waits for it. A
    /// resource group is deleted only once it holds nothing: deleting a group deletes what is
    /// in it, which may be someone else's.
    pub(crate) async fn delete(&self, kind: K, provider_id: &str) -> Result<(), ProviderError> {
        let at = At::parse(provider_id)?;
        let what = wire::what("deleting", kind, &at);
        if kind == K::AzureResourceGroup {
            self.refuse_unless_empty(&at.group, &what).await?;
        }
        let deleted = wire::delete(self.clients, self.id, kind, &at).await?;
        match &deleted.operation {
            Some(url) if deleted.status == 202 && !executor_waits(kind) => {
                operation::wait(self.clients, self.polling, &what, url).await
            }
            _ => Ok(()),
        }
    }

    async fn refuse_unless_empty(&self, group: &str, what: &str) -> Result<(), ProviderError> {
        let listed = self.clients.resources.resources_client().list_by_resource_group(group, self.id).into_stream();
        let held = crate::wire::all_items(what, listed).await?;
        if held.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = held.iter().filter_map(|r| r["id"].as_str()).take(3).collect();
        let message = format!(
            "{what}: it still holds {} resource(s) ({}): deleting the group would delete them; remove them or \
             move them out of the group",
            held.len(),
            names.join(", ")
        );
        Err(ProviderError::new(ErrorKind::Conflict, message))
    }

    /// Where a resource is in its provisioning: one GET.
    pub(crate) async fn provisioning(&self, kind: K, provider_id: &str) -> Result<Provisioning, ProviderError> {
        let at = At::parse(provider_id)?;
        let live = wire::get(self.clients, self.id, kind, &at).await?;
        Ok(match live.pointer("/properties/provisioningState").and_then(Json::as_str) {
            None | Some("Succeeded") => Provisioning::Ready,
            Some("Failed") => {
                Provisioning::Failed(format!("{} is in state Failed", wire::what("provisioning", kind, &at)))
            }
            Some(_) => Provisioning::Pending,
        })
    }

    /// The owner a live resource names.
    fn owner_of(&self, kind: K, live: &Json) -> Option<Ownership> {
        if kind == K::AzurePrivateDnsARecord {
            read_metadata(&live["properties"]["metadata"])
        } else {
            read_tags(&live["tags"]).0
        }
    }

    /// The scope of a live regional resource.
    pub(crate) fn scope_of(&self, live: &Json) -> Scope {
        let region = crate::arm::location(live["location"].as_str().unwrap_or(GLOBAL));
        Scope { cloud: self.cloud.to_string(), region }
    }

    /// A discovered resource.
    pub(crate) fn observed(
        &self,
        kind: K,
        live: &Json,
        owner: Option<Ownership>,
        found: Found,
        scope: Scope,
    ) -> ObservedResource {
        ObservedResource {
            provider_id: live["id"].as_str().unwrap_or_default().to_string(),
            kind,
            scope,
            attrs: found.0,
            owner,
        }
    }

    /// A live resource of a tracked kind in `group` (not a network's child, not a group; a flow
    /// log is its Network Watcher's child, in the watcher's group).
    pub(crate) fn observe(&self, kind: K, group: &str, zone: &str, live: &Json) -> ObservedResource {
        let found = match kind {
            K::AzurePrivateEndpoint => endpoint::attrs(group, live),
            K::AzureFlowLog => flow_log::attrs(live),
            K::AzurePrivateDnsZone | K::AzurePrivateDnsZoneLink | K::AzurePrivateDnsARecord => {
                dns::attrs(kind, group, zone, live)
            }
            _ => vpn::attrs(kind, group, live),
        };
        let scope = match kind {
            K::AzurePrivateDnsZone | K::AzurePrivateDnsZoneLink | K::AzurePrivateDnsARecord => {
                Scope { cloud: self.cloud.to_string(), region: GLOBAL.into() }
            }
            _ => self.scope_of(live),
        };
        self.observed(kind, live, self.owner_of(kind, live), found, scope)
    }
}

/// Whether ARM refused a conditional PUT (`412 PreconditionFailed`).
fn is_precondition_failed(err: &ProviderError) -> bool {
    err.kind == ErrorKind::Conflict && err.message.contains("(412 ")
}
