//! Probes and what the kernel did with them. A probe is the FIRST packet of a new flow,
//! sent by a real socket in the source host's namespace (TCP SYN via a non-blocking
//! connect, UDP datagram, ICMP echo on a raw socket) or as a crafted Ethernet frame
//! (spoofed source MAC/IP) on a packet socket. The verdict is one-way: did the packet
//! arrive on the destination host's interface (packet socket in that namespace)?
//! Each probe carries a tag that survives NAT: a unique TCP source port, or the probe id
//! in the UDP payload / ICMP echo identifier and payload.

use super::net::*;
use super::rng::Rng;
use pnet_base::MacAddr;
use pnet_datalink::{Channel, DataLinkReceiver, DataLinkSender, NetworkInterface};
use pnet_packet::ethernet::{EtherTypes, EthernetPacket, MutableEthernetPacket};
use pnet_packet::icmp::echo_request::{EchoRequestPacket, MutableEchoRequestPacket};
use pnet_packet::icmp::{IcmpCode, IcmpPacket, IcmpTypes};
use pnet_packet::ip::{IpNextHeaderProtocol, IpNextHeaderProtocols};
use pnet_packet::ipv4::{self, Ipv4Packet, MutableIpv4Packet};
use pnet_packet::tcp::{self, MutableTcpPacket, TcpFlags, TcpPacket};
use pnet_packet::udp::{self, MutableUdpPacket, UdpPacket};
use pnet_packet::Packet as _;
use sanso::hs::Packet;
use std::collections::HashSet;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Probe {
    pub id: u32,
    pub src_host: usize,
    /// The host the packet is meant for (the DNAT target when sent to a router address).
    pub target_host: usize,
    pub crafted: bool,
    pub proto: u8,
    pub src_ip: Ipv4Addr,
    pub dst_ip: Ipv4Addr,
    pub src_mac: MacBytes,
    pub dst_mac: MacBytes,
    pub sport: u16,
    pub dport: u16,
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.proto {
            6 => format!(
                "tcp SYN {}:{} -> {}:{}",
                self.src_ip, self.sport, self.dst_ip, self.dport
            ),
            17 => format!(
                "udp {}:{} -> {}:{}",
                self.src_ip, self.sport, self.dst_ip, self.dport
            ),
            _ => format!(
                "icmp echo {} -> {} id {}",
                self.src_ip, self.dst_ip, self.id as u16
            ),
        };
        write!(
            f,
            "#{} {} from h{} ({}; src mac {}, dst mac {}) for h{}",
            self.id,
            what,
            self.src_host + 1,
            if self.crafted {
                "crafted frame"
            } else {
                "socket"
            },
            mac_str(&self.src_mac),
            mac_str(&self.dst_mac),
            self.target_host + 1
        )
    }
}

impl Probe {
    /// The header as it leaves the source host (what the model is asked about).
    pub fn packet(&self) -> Packet {
        let mut p = Packet::zero();
        p.src_mac = mac(&self.src_mac);
        p.dst_mac = mac(&self.dst_mac);
        p.src_ip = self.src_ip;
        p.dst_ip = self.dst_ip;
        p.proto = self.proto;
        if self.proto == 1 {
            p.icmp_type = 8;
        } else {
            p.src_port = self.sport;
            p.dst_port = self.dport;
        }
        p
    }

    /// The same probe with a fresh tag (for a re-check).
    pub fn retagged(&self, id: u32, sport: u16) -> Probe {
        Probe {
            id,
            sport,
            ..self.clone()
        }
    }
}

pub fn mac(m: &MacBytes) -> MacAddr {
    MacAddr::new(m[0], m[1], m[2], m[3], m[4], m[5])
}

fn host_ip(net: &Net, h: usize) -> Ipv4Addr {
    net.hosts[h].iface.addr.expect("hosts are addressed").0
}

pub fn fresh_sport(r: &mut Rng, used: &mut HashSet<u16>) -> u16 {
    loop {
        let p = r.range(1024, 60999) as u16;
        if used.insert(p) {
            return p;
        }
    }
}

/// `n` random probes between the hosts of `net`.
pub fn generate(
    r: &mut Rng,
    net: &Net,
    n: usize,
    next_id: &mut u32,
    used: &mut HashSet<u16>,
) -> Vec<Probe> {
    let dnats: Vec<(Ipv4Addr, u8, Option<u16>, usize)> = net
        .routers
        .iter()
        .flat_map(|rt| rt.nat.iter())
        .filter_map(|n| match &n.kind {
            NatKind::Dnat {
                vip,
                proto,
                port,
                target_host,
                ..
            } => Some((*vip, *proto, *port, *target_host)),
            _ => None,
        })
        .collect();
    let mut out = vec![];
    while out.len() < n {
        let s = r.below(net.hosts.len() as u64) as usize;
        let mut proto = *r.pick(&[6u8, 17, 6, 17, 1]);
        let mut dport = if r.chance(20) {
            r.range(1000, 9000) as u16
        } else {
            *r.pick(&PORTS)
        };
        let (dst_ip, target) = if !dnats.is_empty() && r.chance(30) {
            let (vip, p, port, t) = *r.pick(&dnats);
            if r.chance(80) {
                proto = p;
            }
            if let (Some(port), true) = (port, r.chance(75)) {
                dport = port;
            }
            (vip, t)
        } else {
            let t = r.below(net.hosts.len() as u64) as usize;
            (host_ip(net, t), t)
        };
        if target == s {
            continue;
        }
        let own = net.hosts[s].iface.clone();
        let crafted = r.chance(35);
        let mut src_ip = own.addr.unwrap().0;
        let mut src_mac = own.mac;
        if crafted && r.chance(60) {
            let mut pool: Vec<Ipv4Addr> = (0..net.hosts.len()).map(|h| host_ip(net, h)).collect();
            pool.extend(OUTSIDE);
            let o = own.addr.unwrap().0.octets();
            pool.push(Ipv4Addr::new(o[0], o[1], o[2], 77));
            src_ip = *r.pick(&pool);
        }
        if crafted && r.chance(50) {
            let mut pool: Vec<MacBytes> = net.hosts.iter().map(|h| h.iface.mac).collect();
            pool.extend(SPOOF_MACS);
            src_mac = *r.pick(&pool);
        }
        // Next hop as the source host's kernel would pick it: on-link or the gateway.
        let nh = if in_net(dst_ip, own.addr.unwrap()) {
            dst_ip
        } else {
            net.hosts[s].gw
        };
        let Some(dst_mac) = net.mac_in_domain(net.host_ifref(s), nh) else {
            continue;
        };
        *next_id += 1;
        out.push(Probe {
            id: *next_id,
            src_host: s,
            target_host: target,
            crafted,
            proto,
            src_ip,
            dst_ip,
            src_mac,
            dst_mac,
            sport: if proto == 1 { 0 } else { fresh_sport(r, used) },
            dport: if proto == 1 { 0 } else { dport },
        });
    }
    out
}

const TAG: &[u8; 8] = b"SANSOREF";

fn tag(id: u32) -> Vec<u8> {
    let mut v = TAG.to_vec();
    v.extend_from_slice(&id.to_be_bytes());
    v
}

/// The transport header and payload (checksummed) of a probe.
fn l4(p: &Probe) -> Vec<u8> {
    let payload = tag(p.id);
    match p.proto {
        17 => {
            let mut b = vec![0u8; 8 + payload.len()];
            let mut u = MutableUdpPacket::new(&mut b).expect("size");
            u.set_source(p.sport);
            u.set_destination(p.dport);
            u.set_length((8 + payload.len()) as u16);
            u.set_payload(&payload);
            let c = udp::ipv4_checksum(&u.to_immutable(), &p.src_ip, &p.dst_ip);
            u.set_checksum(c);
            b
        }
        6 => {
            let mut b = vec![0u8; 20];
            let mut t = MutableTcpPacket::new(&mut b).expect("size");
            t.set_source(p.sport);
            t.set_destination(p.dport);
            t.set_sequence(p.id);
            t.set_data_offset(5);
            t.set_flags(TcpFlags::SYN);
            t.set_window(64240);
            let c = tcp::ipv4_checksum(&t.to_immutable(), &p.src_ip, &p.dst_ip);
            t.set_checksum(c);
            b
        }
        _ => {
            let mut b = vec![0u8; 8 + payload.len()];
            let mut e = MutableEchoRequestPacket::new(&mut b).expect("size");
            e.set_icmp_type(IcmpTypes::EchoRequest);
            e.set_icmp_code(IcmpCode(0));
            e.set_identifier(p.id as u16);
            e.set_sequence_number(1);
            e.set_payload(&payload);
            let c = pnet_packet::icmp::checksum(&IcmpPacket::new(&b).expect("size"));
            MutableEchoRequestPacket::new(&mut b)
                .expect("size")
                .set_checksum(c);
            b
        }
    }
}

/// A complete Ethernet frame for a crafted probe.
pub fn frame(p: &Probe) -> Vec<u8> {
    let l4 = l4(p);
    let mut b = vec![0u8; 14 + 20 + l4.len()];
    {
        let mut e = MutableEthernetPacket::new(&mut b).expect("size");
        e.set_destination(mac(&p.dst_mac));
        e.set_source(mac(&p.src_mac));
        e.set_ethertype(EtherTypes::Ipv4);
    }
    let mut ip = MutableIpv4Packet::new(&mut b[14..]).expect("size");
    ip.set_version(4);
    ip.set_header_length(5);
    ip.set_total_length((20 + l4.len()) as u16);
    ip.set_identification(p.id as u16);
    ip.set_flags(2);
    ip.set_ttl(64);
    ip.set_next_level_protocol(IpNextHeaderProtocol(p.proto));
    ip.set_source(p.src_ip);
    ip.set_destination(p.dst_ip);
    ip.set_payload(&l4);
    let c = ipv4::checksum(&ip.to_immutable());
    ip.set_checksum(c);
    b
}

/// Does this captured frame carry probe `p` addressed to `target`?
pub fn is_probe(frame: &[u8], p: &Probe, target: Ipv4Addr) -> bool {
    let Some(e) = EthernetPacket::new(frame) else {
        return false;
    };
    if e.get_ethertype() != EtherTypes::Ipv4 {
        return false;
    }
    let Some(ip) = Ipv4Packet::new(e.payload()) else {
        return false;
    };
    if ip.get_destination() != target {
        return false;
    }
    let body = ip.payload();
    match ip.get_next_level_protocol() {
        IpNextHeaderProtocols::Tcp if p.proto == 6 => TcpPacket::new(body)
            .is_some_and(|t| t.get_source() == p.sport && t.get_flags() & TcpFlags::SYN != 0),
        IpNextHeaderProtocols::Udp if p.proto == 17 => {
            UdpPacket::new(body).is_some_and(|u| u.payload().starts_with(&tag(p.id)))
        }
        IpNextHeaderProtocols::Icmp if p.proto == 1 => {
            EchoRequestPacket::new(body).is_some_and(|x| {
                x.get_icmp_type() == IcmpTypes::EchoRequest
                    && x.get_identifier() == p.id as u16
                    && x.payload().starts_with(&tag(p.id))
            })
        }
        _ => false,
    }
}

/// Run `f` on a fresh thread that has joined network namespace `ns`; sockets it creates
/// stay in that namespace wherever they are used afterwards.
pub fn in_ns<T: Send + 'static>(
    ns: &str,
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    let file = std::fs::File::open(format!("/run/netns/{ns}"))?;
    std::thread::spawn(move || {
        // SAFETY: setns on a valid fd; it changes only this (fresh, short-lived) thread.
        if unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            return Err(io::Error::last_os_error());
        }
        f()
    })
    .join()
    .map_err(|_| io::Error::other("netns thread panicked"))?
}

/// A packet socket on one host interface: crafted frames out, captured frames in.
pub struct Tap {
    tx: Box<dyn DataLinkSender>,
    rx: Box<dyn DataLinkReceiver>,
}

impl Tap {
    pub fn open(ns: &str, ifname: &str) -> io::Result<Tap> {
        let ifname = ifname.to_string();
        in_ns(ns, move || {
            let c = std::ffi::CString::new(ifname.clone()).map_err(io::Error::other)?;
            // SAFETY: NUL-terminated name; the lookup runs in this thread's namespace.
            let index = unsafe { libc::if_nametoindex(c.as_ptr()) };
            if index == 0 {
                return Err(io::Error::last_os_error());
            }
            let iface = NetworkInterface {
                name: ifname,
                description: String::new(),
                index,
                mac: None,
                ips: vec![],
                flags: 0,
            };
            let cfg = pnet_datalink::Config {
                read_timeout: Some(Duration::from_millis(5)),
                promiscuous: false,
                ..Default::default()
            };
            match pnet_datalink::channel(&iface, cfg)? {
                Channel::Ethernet(tx, rx) => Ok(Tap { tx, rx }),
                _ => Err(io::Error::other("not an Ethernet channel")),
            }
        })
    }

    /// Discard what was captured so far.
    pub fn drain(&mut self) {
        while self.rx.next().is_ok() {}
    }

    /// Wait up to `wait` for a frame that `want` accepts.
    pub fn wait_for(&mut self, wait: Duration, want: impl Fn(&[u8]) -> bool) -> io::Result<bool> {
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            match self.rx.next() {
                Ok(f) => {
                    if want(f) {
                        return Ok(true);
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                    ) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(false)
    }

    pub fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        self.tx
            .send_to(frame, None)
            .unwrap_or_else(|| Err(io::Error::other("no send")))
    }
}

/// Something to keep alive until the verdict is in (a connecting TCP socket).
pub type Keep = Option<socket2::Socket>;

/// Send the probe from the source host's namespace.
pub fn send(p: &Probe, src_ns: &str, src_tap: &mut Tap) -> io::Result<Keep> {
    use socket2::{Domain, Protocol, Socket, Type};
    if p.crafted {
        src_tap.send(&frame(p))?;
        return Ok(None);
    }
    let p = p.clone();
    in_ns(src_ns, move || {
        let src = SocketAddrV4::new(p.src_ip, p.sport);
        let dst = SocketAddrV4::new(p.dst_ip, p.dport);
        match p.proto {
            17 => {
                let s = std::net::UdpSocket::bind(src)?;
                s.send_to(&tag(p.id), dst)?;
                Ok(None)
            }
            6 => {
                let s = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
                s.bind(&src.into())?;
                s.set_nonblocking(true)?;
                match s.connect(&dst.into()) {
                    Ok(()) => {}
                    Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
                    Err(e) => return Err(e),
                }
                Ok(Some(s))
            }
            _ => {
                let s = Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4))?;
                s.send_to(&l4(&p), &SocketAddrV4::new(p.dst_ip, 0).into())?;
                Ok(None)
            }
        }
    })
}
