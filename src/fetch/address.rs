//! Only the public web: which hosts and addresses may be fetched.
//!
//! A crawled page must never make infokoll talk to the machine it runs on
//! or to the network around it (loopback, private ranges, link-local and
//! the cloud metadata address, unique-local IPv6 …). Two checks keep it
//! out:
//!
//! - [`internal_host`] ([`crate::address`]): the URL's host *as written* —
//!   an IP literal in an internal range or a `localhost` name — is refused
//!   before any request. With a proxy this is the only check possible (the
//!   proxy resolves).
//! - [`PublicResolver`]: reqwest's DNS resolver. A name whose answer holds
//!   any non-public address is refused, and reqwest connects only to the
//!   addresses this resolver returned, so a DNS answer cannot change
//!   between the check and the connect.

use std::collections::HashSet;
use std::error::Error as StdError;
use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

pub use crate::address::{internal_host, is_public};

/// Why a host may not be fetched (the request is refused, never sent).
#[derive(Debug, Clone, thiserror::Error)]
#[error("internal address refused: {host}")]
pub struct InternalAddress {
    /// The host name or address that was refused.
    pub host: String,
}

/// True when `err` (a reqwest error or anything in its source chain) is
/// this module's refusal.
pub fn is_refusal<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a InternalAddress> {
    let mut current: Option<&'a (dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(refused) = e.downcast_ref::<InternalAddress>() {
            return Some(refused);
        }
        current = e.source();
    }
    None
}

/// reqwest's DNS resolver: the system resolver, with every answer that
/// holds a non-public address refused. The proxy hosts (which are
/// deliberately local, e.g. the fixture server) are the only exception.
#[derive(Debug, Clone, Default)]
pub struct PublicResolver {
    allowed: Arc<HashSet<String>>,
}

impl PublicResolver {
    /// A resolver that also lets the given host names (the proxies') through.
    pub fn allowing(hosts: impl IntoIterator<Item = String>) -> Self {
        Self {
            allowed: Arc::new(hosts.into_iter().map(|h| h.to_ascii_lowercase()).collect()),
        }
    }
}

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let allowed = self.allowed.contains(&host);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allowed && addrs.iter().any(|a| !is_public(a.ip())) {
                tracing::warn!(%host, "refused: the name resolves to an internal address");
                return Err(Box::new(InternalAddress { host }) as _);
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// The hosts of the proxies reqwest may use: the explicit one and those
/// of the standard proxy variables.
pub fn proxy_hosts(explicit: Option<&Url>) -> Vec<String> {
    let mut hosts: Vec<String> = explicit
        .and_then(Url::host_str)
        .map(str::to_owned)
        .into_iter()
        .collect();
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        let Ok(value) = std::env::var(var) else {
            continue;
        };
        let with_scheme = if value.contains("://") {
            value
        } else {
            format!("http://{value}")
        };
        if let Some(h) = Url::parse(&with_scheme)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
        {
            hosts.push(h);
        }
    }
    hosts
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[tokio::test]
    async fn resolver_refuses_local_names_but_allows_the_proxy() {
        // `localhost` is answered from /etc/hosts: no DNS query leaves the machine.
        let strict = PublicResolver::allowing(Vec::new());
        let err = strict
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .unwrap();
        assert!(is_refusal(err.as_ref()).is_some(), "{err}");
        let proxy = PublicResolver::allowing(["localhost".to_owned()]);
        assert!(proxy.resolve("localhost".parse().unwrap()).await.is_ok());
    }

    mod fetching {
        use std::time::Duration;

        use url::Url;

        use crate::fetch::client::test_server::{Reply, Server};
        use crate::fetch::{FetchConfig, FetchOutcome, Fetcher};

        fn config(proxy: Option<Url>) -> FetchConfig {
            FetchConfig {
                rate: 50.0,
                timeout: Duration::from_secs(5),
                proxy,
                ..FetchConfig::default()
            }
        }

        #[tokio::test]
        async fn loopback_is_never_asked_directly() {
            let canary = Server::start(|_, _, _| Reply::html("<p>hemligt</p>")).await;
            let f = Fetcher::new(config(None)).unwrap();
            let port = canary.base.port().unwrap();
            for u in [
                canary.url("/x").to_string(),
                format!("http://localhost:{port}/"),
                format!("http://[::1]:{port}/"),
                "http://169.254.169.254/latest/meta-data/".to_owned(),
            ] {
                let page = f.fetch(&Url::parse(&u).unwrap()).await;
                assert!(
                    matches!(page.outcome, FetchOutcome::Internal { .. }),
                    "{u}: {page:?}"
                );
                assert!(page
                    .outcome
                    .describe_sv()
                    .starts_with("intern adress – hämtas inte"));
            }
            let rules = f.robots(&canary.url("/")).await;
            assert!(matches!(
                rules.failure(),
                Some(FetchOutcome::Internal { .. })
            ));
            assert!(canary.hits().is_empty());
            assert_eq!(f.requests_sent(), 0);
        }

        #[tokio::test]
        async fn through_a_proxy_the_host_as_written_is_checked() {
            let canary = Server::start(|_, _, _| Reply::html("<p>hemligt</p>")).await;
            let target = canary.url("/hemlig");
            let proxy = Server::start(move |p, _, _| match p {
                "/robots.txt" => Reply::new(404, ""),
                "/till-intern" => Reply::redirect(302, target.as_str()),
                "/till-metadata" => Reply::redirect(301, "http://169.254.169.254/"),
                _ => Reply::html("<p>ok</p>"),
            })
            .await;
            let f = Fetcher::new(config(Some(proxy.base.clone()))).unwrap();
            let ok = f
                .fetch(&Url::parse("http://www.kommun.se/a").unwrap())
                .await;
            assert_eq!(ok.outcome.status(), Some(200), "{ok:?}");
            for p in ["/till-intern", "/till-metadata"] {
                let u = Url::parse("http://www.kommun.se").unwrap().join(p).unwrap();
                let page = f.fetch(&u).await;
                assert!(
                    matches!(page.outcome, FetchOutcome::Internal { .. }),
                    "{p}: {page:?}"
                );
                assert_eq!(page.redirects.len(), 1);
            }
            assert!(canary.hits().is_empty());
            assert_eq!(
                proxy.paths(),
                ["/robots.txt", "/a", "/till-intern", "/till-metadata"]
            );
        }
    }
}
