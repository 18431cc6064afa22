//! A client of GitHub's REST API (or GitHub Enterprise's), as much as `isopod comment` needs: an
//! issue's comments (every page), and creating, updating and deleting one. It uses the HTTP
//! client the AWS SDK already builds (hyper, rustls, the system's trusted roots). The token is
//! sent only to the API's own address and never appears in an error.

use anyhow::{Context as _, Result, bail};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use std::time::Duration;
use zeroize::Zeroizing;

/// GitHub's REST API at one address, with one token.
pub struct GitHub {
    /// The API's base address, without a trailing `/` (`https://api.github.com`).
    api: String,
    token: Zeroizing<String>,
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

/// A comment on an issue or pull request.
#[derive(Debug, Deserialize)]
pub struct Comment {
    /// Its id, by which it is updated or deleted.
    pub id: u64,
    /// Its Markdown.
    #[serde(default)]
    pub body: String,
    /// Where people see it.
    #[serde(default)]
    pub html_url: String,
}

/// The most attempts of one request that fails for a reason that may pass (a 5xx, a rate limit).
const ATTEMPTS: u32 = 4;

impl GitHub {
    /// A client of the API at `api` (e.g. `https://api.github.com` or
    /// `https://github.example.com/api/v3`), authenticated with `token`.
    pub fn new(api: &str, token: Zeroizing<String>) -> Result<GitHub> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())
            .context("cannot load the system's trusted certificates")?
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build(https);
        Ok(GitHub { api: api.trim_end_matches('/').to_string(), token, client })
    }

    /// Every comment of issue (or pull request) `number` of `repository` (`OWNER/NAME`), oldest
    /// first, following the pages.
    pub async fn comments(&self, repository: &str, number: u64) -> Result<Vec<Comment>> {
        let mut url = format!("{}/repos/{repository}/issues/{number}/comments?per_page=100", self.api);
        let mut comments = Vec::new();
        loop {
            let (body, next) = self.send(Method::GET, &url, None).await?;
            let page: Vec<Comment> = serde_json::from_slice(&body)
                .with_context(|| format!("GitHub's list of comments on #{number} is not what its API describes"))?;
            comments.extend(page);
            match next {
                // The token goes to the API only: a next page elsewhere is not followed.
                Some(next) if next.starts_with(&self.api) => url = next,
                Some(next) => bail!("GitHub's next page of comments is at another address ({next}); not following it"),
                None => return Ok(comments),
            }
        }
    }

    /// Posts a comment on issue (or pull request) `number`.
    pub async fn create_comment(&self, repository: &str, number: u64, body: &str) -> Result<Comment> {
        let url = format!("{}/repos/{repository}/issues/{number}/comments", self.api);
        self.send_comment(Method::POST, &url, body).await
    }

    /// Replaces the body of comment `id`.
    pub async fn update_comment(&self, repository: &str, id: u64, body: &str) -> Result<Comment> {
        let url = format!("{}/repos/{repository}/issues/comments/{id}", self.api);
        self.send_comment(Method::PATCH, &url, body).await
    }

    /// Deletes comment `id`.
    pub async fn delete_comment(&self, repository: &str, id: u64) -> Result<()> {
        let url = format!("{}/repos/{repository}/issues/comments/{id}", self.api);
        self.send(Method::DELETE, &url, None).await.map(|_| ())
    }

    async fn send_comment(&self, method: Method, url: &str, body: &str) -> Result<Comment> {
        let json = serde_json::json!({ "body": body }).to_string();
        let (reply, _) = self.send(method, url, Some(json)).await?;
        serde_json::from_slice(&reply).context("GitHub's reply is not the comment its API describes")
    }

    /// Sends one request, retried while it fails for a reason that may pass; the body of the
    /// reply and the address of the next page (`Link: <...>; rel="next"`), if any.
    async fn send(&self, method: Method, url: &str, body: Option<String>) -> Result<(Bytes, Option<String>)> {
        let what = format!("{method} {}", url.strip_prefix(&self.api).unwrap_or(url));
        let mut attempt = 1;
        loop {
            let request = Request::builder()
                .method(method.clone())
                .uri(url)
                .header("authorization", format!("Bearer {}", self.token.as_str()))
                .header("accept", "application/vnd.github+json")
                .header("x-github-api-version", "2022-11-28")
                .header("user-agent", concat!("isopod/", env!("CARGO_PKG_VERSION")))
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(body.clone().unwrap_or_default())))
                .with_context(|| format!("{what}: not a valid request"))?;
            let response = match tokio::time::timeout(Duration::from_secs(60), self.client.request(request)).await {
                Ok(Ok(response)) => response,
                Ok(Err(err)) if attempt < ATTEMPTS => {
                    tracing::debug!("{what}: {err}; trying again");
                    attempt += 1;
                    tokio::time::sleep(backoff(attempt, None)).await;
                    continue;
                }
                Ok(Err(err)) => return Err(anyhow::Error::new(err).context(format!("{what}: GitHub did not answer"))),
                Err(_) => bail!("{what}: GitHub did not answer within 60 s"),
            };
            let status = response.status();
            let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            let (retry_after, next) = (header("retry-after"), header("link").as_deref().and_then(next_page));
            let reply = response.into_body().collect().await.with_context(|| format!("{what}: reply cut short"))?;
            let reply = reply.to_bytes();
            if status.is_success() {
                return Ok((reply, next));
            }
            let passing = status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || retry_after.is_some();
            if passing && attempt < ATTEMPTS {
                attempt += 1;
                tokio::time::sleep(backoff(attempt, retry_after.as_deref())).await;
                continue;
            }
            bail!("{what}: GitHub answered {status}: {}{}", message(&reply), hint(status));
        }
    }
}

/// How long to wait before `attempt`: what `Retry-After` says (at most a minute), or 1, 2, 4 s.
fn backoff(attempt: u32, retry_after: Option<&str>) -> Duration {
    match retry_after.and_then(|seconds| seconds.trim().parse::<u64>().ok()) {
        Some(seconds) => Duration::from_secs(seconds.min(60)),
        None => Duration::from_secs(1 << (attempt - 2).min(5)),
    }
}

/// The `message` of GitHub's JSON error, or the start of the reply.
fn message(reply: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Error {
        message: String,
    }
    match serde_json::from_slice::<Error>(reply) {
        Ok(error) => error.message,
        Err(_) => String::from_utf8_lossy(&reply[..reply.len().min(200)]).into_owned(),
    }
}

fn hint(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNAUTHORIZED => "\nhint: check GITHUB_TOKEN (in Actions: `secrets.GITHUB_TOKEN`)",
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => {
            "\nhint: the token needs `pull-requests: write` (or `issues: write`) on the repository"
        }
        _ => "",
    }
}

/// The address of the next page in a `Link` header.
fn next_page(link: &str) -> Option<String> {
    link.split(',').find_map(|entry| {
        let (target, params) = entry.split_once(';')?;
        let next = params.split(';').any(|param| param.trim().replace(' ', "") == "rel=\"next\"");
        next.then(|| target.trim().trim_start_matches('<').trim_end_matches('>').to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_is_read_from_the_link_header() {
        let link = r#"<https://api.github.com/repositories/1/issues/7/comments?page=3>; rel="next", <https://api.github.com/repositories/1/issues/7/comments?page=9>; rel="last""#;
        assert_eq!(next_page(link).as_deref(), Some("https://api.github.com/repositories/1/issues/7/comments?page=3"));
        assert_eq!(next_page(r#"<https://x/?page=1>; rel="prev""#), None);
    }

    #[test]
    fn waits_follow_retry_after_within_a_minute() {
        assert_eq!(backoff(2, Some("7")), Duration::from_secs(7));
        assert_eq!(backoff(2, Some("3600")), Duration::from_secs(60));
        assert_eq!((backoff(2, None), backoff(4, None)), (Duration::from_secs(1), Duration::from_secs(4)));
    }
}
