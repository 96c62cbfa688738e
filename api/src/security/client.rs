//! The client's address: the peer's, unless the peer is a configured
//! reverse proxy, in which case the last `X-Forwarded-For` entry that no
//! trusted proxy added. Anyone can write `X-Forwarded-For`, so it counts
//! only when a trusted proxy passed it on.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::web;
use ipnet::IpNet;

use super::{Security, split_list};

/// The networks whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses or networks (`10.0.0.0/8`).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for entry in split_list(list) {
            let net = entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!(
                        "security.trusted_proxies: `{entry}` is neither an address nor a network such as 10.0.0.0/8"
                    )
                })?;
            nets.push(net);
        }
        Ok(Self(nets))
    }

    fn trusts(&self, address: &IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(address))
    }

    /// The client behind `peer`, given the request's `X-Forwarded-For`
    /// values in order.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        if !self.trusts(&peer) {
            return peer;
        }
        let mut client = peer;
        let hops = forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .rev();
        for hop in hops {
            match parse_hop(hop) {
                Some(address) => {
                    client = address;
                    if !self.trusts(&address) {
                        break;
                    }
                }
                // Garbage before a trusted hop: the last good one stands.
                None => break,
            }
        }
        client
    }
}

/// `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(address) = hop.parse::<IpAddr>() {
        return Some(address);
    }
    hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip())
}

/// The client's address for `req`, or `None` if the connection has none
/// (a test request).
pub fn client_address(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    Some(match req.app_data::<web::Data<Security>>() {
        Some(security) => security.proxies.client(peer, &forwarded),
        None => peer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();

        assert_eq!(
            proxies.client(ip("198.51.100.9"), &["1.2.3.4"]),
            ip("198.51.100.9")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_last_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.1").unwrap();

        // The client spoofed 1.2.3.4; the first proxy appended the real one.
        let forwarded = ["1.2.3.4, 203.0.113.7", "192.168.1.1"];
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &forwarded),
            ip("203.0.113.7")
        );
        assert_eq!(proxies.client(ip("10.1.2.3"), &[]), ip("10.1.2.3"));
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &["[2001:db8::1]:4711"]),
            ip("2001:db8::1")
        );
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &["203.0.113.7, junk"]),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn a_bad_entry_is_named() {
        let error = TrustedProxies::parse("10.0.0.0/8, proxy.local").unwrap_err();

        assert!(error.contains("`proxy.local`"), "{error}");
    }
}
