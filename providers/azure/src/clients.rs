//! The SDK's clients of one subscription, made once from the provider's settings: the endpoint
//! (ARM's own, or an emulator's), the credentials (azure_identity's chain, or a fixed test token
//! against an emulator when no credentials are found), and one pipeline for everything:
//!
//! - azure_core's retries are off: the executor retries what
//!   [`classify`](crate::errors::classify) says is throttled or transient, so a call is never
//!   retried twice over;
//! - [`Precondition`] adds `If-None-Match: *` or `If-Match: ETAG` to the PUTs made inside
//!   [`create_only`] or [`matching`], so that a create never writes over a resource that exists
//!   (ARM's PUT is create-or-replace) and an update never over one changed since it was read.

use crate::AzureSettings;
use crate::errors::classify;
use azure_core::auth::{AccessToken, Secret, TokenCredential};
use azure_core::error::{Error, ErrorKind as CoreKind};
use azure_core::headers::HeaderName;
use azure_core::{ClientOptions, Context, Method, Pipeline, Request, RetryOptions, TransportOptions, Url};
use azure_core::{Policy, PolicyResult};
use isopod_provider::{ErrorKind, ProviderError};
use serde_json::Value as Json;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// The scope of ARM tokens is the endpoint's `/.default`.
const SCOPE_SUFFIX: &str = "/.default";

/// The token sent to an emulator when no credentials are found (emulators take any token).
pub const TEST_TOKEN: &str = "isopod-emulator-token";

/// Every client the provider calls, and the pipeline they share.
pub(crate) struct Clients {
    pub(crate) network: azure_mgmt_network::package_2024_03::Client,
    pub(crate) resources: azure_mgmt_resources::package_resources_2021_04::Client,
    pub(crate) dns: azure_mgmt_privatedns::package_2024_06::Client,
    /// For the URLs ARM gives back (operation statuses): the same pipeline as the clients'.
    pipeline: Pipeline,
    credential: Arc<dyn TokenCredential>,
    scope: String,
    endpoint: Url,
}

impl Clients {
    /// The clients `settings` describe.
    pub(crate) fn new(settings: &AzureSettings) -> Result<Clients, ProviderError> {
        let endpoint = match &settings.endpoint {
            Some(url) => Url::parse(url).map_err(|err| {
                ProviderError::new(ErrorKind::Invalid, format!("`endpoint = \"{url}\"` is not a URL: {err}"))
            })?,
            None => azure_core::resource_manager_endpoint::AZURE_PUBLIC_CLOUD.clone(),
        };
        let credential = credential(settings)?;
        let scope = format!("{}{SCOPE_SUFFIX}", endpoint.as_str().trim_end_matches('/'));
        let scopes = vec![scope.clone()];
        let options = || {
            ClientOptions::default()
                .retry(RetryOptions::none())
                .transport(TransportOptions::new(azure_core::new_http_client()))
                .per_call_policies(vec![Arc::new(Precondition) as Arc<dyn Policy>])
        };
        let pipeline = Pipeline::new(
            option_env!("CARGO_PKG_NAME"),
            option_env!("CARGO_PKG_VERSION"),
            options(),
            Vec::new(),
            Vec::new(),
        );
        Ok(Clients {
            network: azure_mgmt_network::package_2024_03::Client::new(
                endpoint.clone(),
                credential.clone(),
                scopes.clone(),
                options(),
            ),
            resources: azure_mgmt_resources::package_resources_2021_04::Client::new(
                endpoint.clone(),
                credential.clone(),
                scopes.clone(),
                options(),
            ),
            dns: azure_mgmt_privatedns::package_2024_06::Client::new(
                endpoint.clone(),
                credential.clone(),
                scopes,
                options(),
            ),
            pipeline,
            endpoint,
            credential,
            scope,
        })
    }

    /// ARM's endpoint, ending in `/`.
    pub(crate) fn endpoint(&self) -> &str {
        self.endpoint.as_str()
    }

    /// Every item of a list at `url`, following `nextLink`, read as JSON.
    pub(crate) async fn list_url(&self, what: &str, url: &str) -> Result<Vec<Json>, ProviderError> {
        let mut found = Vec::new();
        let mut next = Some(url.to_string());
        while let Some(url) = next.take() {
            let (status, _, body) = self.get_url(&url).await?;
            let page: Json = serde_json::from_slice(&body).map_err(|err| {
                ProviderError::new(ErrorKind::Invalid, format!("{what}: ARM's answer ({status}) is not JSON: {err}"))
            })?;
            found.extend(page["value"].as_array().into_iter().flatten().cloned());
            next = page["nextLink"].as_str().filter(|link| !link.is_empty()).map(String::from);
        }
        Ok(found)
    }

    /// GETs a URL ARM gave (an operation's status), with the clients' credentials: its status,
    /// its `retry-after` (as azure_core reads it) and its body, or the error it answered.
    pub(crate) async fn get_url(&self, url: &str) -> Result<(u16, Option<Duration>, Vec<u8>), ProviderError> {
        let what = "reading what ARM pointed to";
        let url = Url::parse(url)
            .map_err(|err| ProviderError::new(ErrorKind::Invalid, format!("{what}: `{url}` is not a URL: {err}")))?;
        let token = self.credential.get_token(&[self.scope.as_str()]).await.map_err(|err| classify(what, err))?;
        let mut request = Request::new(url, Method::Get);
        request.insert_header(azure_core::headers::AUTHORIZATION, format!("Bearer {}", token.token.secret()));
        let response =
            self.pipeline.send(&Context::default(), &mut request).await.map_err(|err| classify(what, err))?;
        let status = response.status() as u16;
        let retry_after = crate::operation::retry_after(response.headers());
        let body = response.into_body().collect().await.map_err(|err| classify(what, err))?;
        Ok((status, retry_after, body.to_vec()))
    }
}

/// The credentials: with an `endpoint` (an emulator) and no credentials configured on this
/// machine, the fixed [`TEST_TOKEN`]; with the block's `tenant` and a service principal's
/// secret in the environment, that principal in that tenant; otherwise azure_identity's chain: the environment (a
/// workload identity's federated token, or a client secret), a managed identity (App Service,
/// then the VM's), then the Azure CLI.
fn credential(settings: &AzureSettings) -> Result<Arc<dyn TokenCredential>, ProviderError> {
    if settings.endpoint.is_some() && !credentials_configured() {
        return Ok(Arc::new(TestToken));
    }
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let (Some(tenant), Some(id), Some(secret)) =
        (&settings.tenant, env("AZURE_CLIENT_ID"), env("AZURE_CLIENT_SECRET"))
    {
        let options = azure_identity::TokenCredentialOptions::default();
        let authority = options.authority_host().map_err(|err| {
            ProviderError::new(ErrorKind::Invalid, format!("AZURE_AUTHORITY_HOST is not a URL: {}", first_line(&err)))
        })?;
        let credential =
            azure_identity::ClientSecretCredential::new(options.http_client(), authority, tenant.clone(), id, secret);
        return Ok(Arc::new(credential));
    }
    let chain = azure_identity::DefaultAzureCredentialBuilder::new().build().map_err(|err| {
        ProviderError::new(ErrorKind::Permission, format!("cannot load Azure credentials: {}", first_line(&err)))
    })?;
    Ok(Arc::new(chain))
}

/// Whether credentials are configured where azure_identity looks without a network call: the
/// environment's service principal or federated token, App Service's managed identity, or the
/// Azure CLI's login.
fn credentials_configured() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("AZURE_CLIENT_ID") || set("AZURE_FEDERATED_TOKEN_FILE") || set("IDENTITY_ENDPOINT") || set("MSI_ENDPOINT") {
        return true;
    }
    let config = std::env::var_os("AZURE_CONFIG_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".azure")));
    config.is_some_and(|dir| dir.join("msal_token_cache.json").exists() || dir.join("accessTokens.json").exists())
}

fn first_line(err: &Error) -> String {
    err.to_string().lines().next().unwrap_or_default().to_string()
}

/// The fixed token of an emulator.
#[derive(Debug)]
struct TestToken;

#[async_trait::async_trait]
impl TokenCredential for TestToken {
    async fn get_token(&self, _scopes: &[&str]) -> azure_core::Result<AccessToken> {
        let expires = time::OffsetDateTime::now_utc() + Duration::from_secs(3600);
        Ok(AccessToken::new(Secret::new(TEST_TOKEN), expires))
    }

    async fn clear_cache(&self) -> azure_core::Result<()> {
        Ok(())
    }
}

/// What the PUTs of a task must find.
#[derive(Clone, Debug)]
enum Condition {
    /// Nothing of the name: `If-None-Match: *`.
    Absent,
    /// The resource as it was read: `If-Match: ETAG`.
    Unchanged(String),
}

tokio::task_local! {
    static CONDITION: Condition;
}

/// Runs `call` with every PUT it makes conditional on nothing existing at its URL.
pub(crate) async fn create_only<F: Future>(call: F) -> F::Output {
    CONDITION.scope(Condition::Absent, call).await
}

/// Runs `call` with every PUT it makes conditional on the resource's ETag still being `etag`.
pub(crate) async fn matching<F: Future>(etag: Option<String>, call: F) -> F::Output {
    match etag {
        Some(etag) => CONDITION.scope(Condition::Unchanged(etag), call).await,
        None => call.await,
    }
}

/// Adds the task's [`Condition`] to its PUTs.
#[derive(Debug)]
struct Precondition;

#[async_trait::async_trait]
impl Policy for Precondition {
    async fn send(&self, ctx: &Context, request: &mut Request, next: &[Arc<dyn Policy>]) -> PolicyResult {
        if *request.method() == Method::Put {
            match CONDITION.try_with(Condition::clone) {
                Ok(Condition::Absent) => request.insert_header(HeaderName::from_static("if-none-match"), "*"),
                Ok(Condition::Unchanged(etag)) => request.insert_header(HeaderName::from_static("if-match"), etag),
                Err(_) => {}
            }
        }
        let Some((first, rest)) = next.split_first() else {
            return Err(Error::message(CoreKind::Other, "the pipeline has no transport"));
        };
        first.send(ctx, request, rest).await
    }
}
