//! Which redirect URIs the listener can catch, and on which addresses and port: the
//! loopback rules of RFC 8252 as AWX and the gateway apply them (fact 4).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Where the redirect lands, as the listener sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectKind {
    /// `http` on 127.0.0.1, [::1] or localhost: the listener can catch it.
    Loopback {
        addresses: Vec<IpAddr>,
        port: Option<u16>,
    },
    /// Anything else: the user pastes the redirect URL by hand.
    External,
}

/// Classifies a registered redirect URI. A port-less 127.0.0.1 or [::1] URI gets any
/// port from the server (RFC 8252 §7.3, AWX ≥ 22.3); `localhost` never does.
pub fn redirect_kind(uri: &Url) -> RedirectKind {
    if uri.scheme() != "http" {
        return RedirectKind::External;
    }
    let explicit_port = uri.port();
    match uri.host() {
        // Only 127.0.0.1 and ::1 get any port; another 127/8 address is matched exactly.
        Some(Host::Ipv4(ip)) if ip.is_loopback() => RedirectKind::Loopback {
            addresses: vec![ip.into()],
            port: explicit_port.or((ip != Ipv4Addr::LOCALHOST).then_some(80)),
        },
        Some(Host::Ipv6(ip)) if ip.is_loopback() => RedirectKind::Loopback {
            addresses: vec![ip.into()],
            port: explicit_port,
        },
        Some(Host::Domain(name)) if name.eq_ignore_ascii_case("localhost") => {
            RedirectKind::Loopback {
                addresses: vec![Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()],
                port: Some(explicit_port.unwrap_or(80)),
            }
        }
        _ => RedirectKind::External,
    }
}
