//! Public and internal addresses (layer 0: no network).
//!
//! infokoll only ever talks to the public web. This module says which
//! addresses and hosts are internal: loopback, private, link-local (the
//! cloud metadata address among them), unique-local, multicast,
//! unspecified, documentation and other special-purpose ranges. The fetcher
//! ([`crate::fetch::address`]) refuses them before a request and after DNS
//! resolution; the registry refuses them as homepages.
//!
//! The classification uses the standard library's `Ipv4Addr`/`Ipv6Addr`
//! predicates plus the few special-purpose ranges they do not cover on
//! stable Rust (shared address space, benchmarking, reserved, IPv6
//! documentation, IPv4-mapped and NAT64 forms); no maintained crate adds
//! more than these few lines would.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// True when `ip` is an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let special = ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        // "this network" 0.0.0.0/8
        || a == 0
        // shared address space (carrier-grade NAT) 100.64.0.0/10
        || (a == 100 && (b & 0xC0) == 64)
        // IETF protocol assignments 192.0.0.0/24
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        // benchmarking 198.18.0.0/15
        || (a == 198 && (b & 0xFE) == 18)
        // reserved 240.0.0.0/4
        || a >= 240;
    !special
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let seg = ip.segments();
    // NAT64 64:ff9b::/96 carries an IPv4 address in its last 32 bits.
    if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [_, _, _, _, _, _, hi, lo] = seg;
        return is_public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    let special = ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        // deprecated IPv4-compatible ::a.b.c.d and other ::/96 forms
        || seg[..6] == [0; 6]
        // documentation 2001:db8::/32
        || (seg[0] == 0x2001 && seg[1] == 0x0db8)
        // site-local fec0::/10 (deprecated, still routed internally)
        || (seg[0] & 0xFFC0) == 0xFEC0;
    !special
}

/// The refused host when `url`'s host as written is internal: an IP
/// literal outside the public ranges, or `localhost` / `*.localhost`.
pub fn internal_host(url: &Url) -> Option<String> {
    match url.host()? {
        Host::Ipv4(ip) => (!is_public_v4(ip)).then(|| ip.to_string()),
        Host::Ipv6(ip) => (!is_public_v6(ip)).then(|| format!("[{ip}]")),
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let tld = name.rsplit('.').next().unwrap_or_default();
            let local = matches!(tld, "localhost" | "local" | "internal") || !name.contains('.');
            local.then_some(name)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_ranges_are_refused() {
        for s in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(!is_public(ip(s)), "{s} must be internal");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for s in [
            "8.8.8.8",
            "172.32.0.1",
            "193.10.1.1",
            "2a00:1450:400f::1",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip(s)), "{s} must be public");
        }
    }

    #[test]
    fn hosts_as_written() {
        let refused = |u: &str| internal_host(&Url::parse(u).unwrap());
        assert_eq!(
            refused("http://127.0.0.1:8080/x").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(refused("http://[::1]/").as_deref(), Some("[::1]"));
        assert_eq!(refused("http://LOCALHOST./").as_deref(), Some("localhost"));
        assert_eq!(
            refused("http://a.localhost/").as_deref(),
            Some("a.localhost")
        );
        assert_eq!(refused("http://intranet/").as_deref(), Some("intranet"));
        assert_eq!(refused("http://2130706433/").as_deref(), Some("127.0.0.1"));
        assert_eq!(refused("http://www.norrtalje.se/"), None);
        assert_eq!(refused("http://8.8.8.8/"), None);
    }
}
