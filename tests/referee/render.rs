//! A [`Net`] as one bash script of real commands (ip, bridge, sysctl, nft,
//! iptables-restore). The same script builds the lab and is printed as the reproduction.

use super::net::*;
use std::fmt::Write;
use std::net::Ipv4Addr;

pub fn ns_name(prefix: &str, net: &Net, n: Node) -> String {
    format!("{prefix}{}", net.node_name(n))
}

fn cidr((a, l): (Ipv4Addr, u8)) -> String {
    if l == 32 {
        a.to_string()
    } else {
        format!("{a}/{l}")
    }
}

fn proto_name(p: u8) -> &'static str {
    match p {
        6 => "tcp",
        17 => "udp",
        1 => "icmp",
        _ => unreachable!("generator uses tcp/udp/icmp"),
    }
}

fn nft_ports(ps: &[(u16, u16)]) -> String {
    let one = |&(lo, hi): &(u16, u16)| {
        if lo == hi {
            lo.to_string()
        } else {
            format!("{lo}-{hi}")
        }
    };
    if ps.len() == 1 {
        one(&ps[0])
    } else {
        format!(
            "{{ {} }}",
            ps.iter().map(one).collect::<Vec<_>>().join(", ")
        )
    }
}

fn ipt_ports(ps: &[(u16, u16)]) -> String {
    ps.iter()
        .map(|&(lo, hi)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}:{hi}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn nft_cond(c: &Cond) -> String {
    let ne = |neg: bool| if neg { "!= " } else { "" };
    let nets = |v: &[(Ipv4Addr, u8)]| {
        if v.len() == 1 {
            cidr(v[0])
        } else {
            format!(
                "{{ {} }}",
                v.iter().map(|n| cidr(*n)).collect::<Vec<_>>().join(", ")
            )
        }
    };
    match c {
        Cond::Saddr { neg, nets: v } => format!("ip saddr {}{}", ne(*neg), nets(v)),
        Cond::Daddr { neg, nets: v } => format!("ip daddr {}{}", ne(*neg), nets(v)),
        Cond::SaddrSet => "ip saddr @trusted".into(),
        Cond::SrcRange(a, b) => format!("ip saddr {a}-{b}"),
        Cond::Proto(p) => format!("meta l4proto {}", proto_name(*p)),
        Cond::Dport { proto, ports } => {
            format!("{} dport {}", proto_name(*proto), nft_ports(ports))
        }
        Cond::Sport { proto, ports } => {
            format!("{} sport {}", proto_name(*proto), nft_ports(ports))
        }
        Cond::IcmpEcho => "icmp type echo-request".into(),
        Cond::Ct(s) => format!("ct state {}", s.join(",")),
        Cond::Iif { neg, name } => format!("iifname {}\"{name}\"", ne(*neg)),
        Cond::Oif { neg, name } => format!("oifname {}\"{name}\"", ne(*neg)),
        Cond::SrcMac(m) => format!("ether saddr {}", mac_str(m)),
    }
}

fn nft_verdict(v: &Verdict) -> String {
    match v {
        Verdict::Accept => "accept".into(),
        Verdict::Drop => "drop".into(),
        Verdict::Reject => "reject".into(),
        Verdict::Counter => "counter".into(),
        Verdict::Jump(c) => format!("jump {c}"),
        Verdict::Goto(c) => format!("goto {c}"),
        Verdict::Return => "return".into(),
    }
}

fn hook_name(h: Hook) -> &'static str {
    match h {
        Hook::Prerouting => "prerouting",
        Hook::Input => "input",
        Hook::Forward => "forward",
        Hook::Output => "output",
    }
}

/// The router's ruleset in `nft -f` syntax (empty when it has no rules).
pub fn nft_text(rt: &Router) -> String {
    let mut s = String::new();
    for table in [0u8, 1] {
        let chains: Vec<&ChainSpec> = rt.chains.iter().filter(|c| c.table == table).collect();
        if chains.is_empty() {
            continue;
        }
        let (fam, name) = if table == 0 {
            (rt.family, "sanso_f")
        } else {
            ("ip", "sanso_f2")
        };
        writeln!(s, "table {fam} {name} {{").unwrap();
        if table == 0 && !rt.set.is_empty() {
            let el: Vec<String> = rt.set.iter().map(|n| cidr(*n)).collect();
            writeln!(
                s,
                "\tset trusted {{\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = {{ {} }}\n\t}}",
                el.join(", ")
            )
            .unwrap();
        }
        for c in chains {
            writeln!(s, "\tchain {} {{", c.name).unwrap();
            if let Some(h) = c.hook {
                let prio = match (h, table) {
                    (Hook::Prerouting, _) => -150,
                    (_, 1) => 10,
                    _ => 0,
                };
                writeln!(
                    s,
                    "\t\ttype filter hook {} priority {prio}; policy {};",
                    hook_name(h),
                    if c.policy_drop { "drop" } else { "accept" }
                )
                .unwrap();
            }
            for r in c.rules.iter().filter(|r| r.enabled) {
                let mut parts: Vec<String> = r.conds.iter().map(nft_cond).collect();
                parts.push(nft_verdict(&r.verdict));
                writeln!(s, "\t\t{}", parts.join(" ")).unwrap();
            }
            writeln!(s, "\t}}").unwrap();
        }
        writeln!(s, "}}").unwrap();
    }
    let nat: Vec<&NatRule> = rt.nat.iter().filter(|n| n.enabled).collect();
    if !nat.is_empty() {
        writeln!(s, "table ip sanso_n {{").unwrap();
        writeln!(
            s,
            "\tchain pre {{\n\t\ttype nat hook prerouting priority dstnat; policy accept;"
        )
        .unwrap();
        for n in &nat {
            if let NatKind::Dnat {
                vip,
                proto,
                port,
                to,
                to_port,
                ..
            } = &n.kind
            {
                let m = match port {
                    Some(p) => format!("{} dport {p}", proto_name(*proto)),
                    None => format!("ip protocol {}", proto_name(*proto)),
                };
                let t = match to_port {
                    Some(p) => format!("{to}:{p}"),
                    None => to.to_string(),
                };
                writeln!(s, "\t\tip daddr {vip} {m} dnat to {t}").unwrap();
            }
        }
        writeln!(
            s,
            "\t}}\n\tchain post {{\n\t\ttype nat hook postrouting priority srcnat; policy accept;"
        )
        .unwrap();
        for n in &nat {
            match &n.kind {
                NatKind::Masquerade { oif } => {
                    writeln!(s, "\t\toifname \"{oif}\" masquerade").unwrap()
                }
                NatKind::Snat { src, oif, to } => {
                    let o = oif
                        .as_ref()
                        .map(|o| format!(" oifname \"{o}\""))
                        .unwrap_or_default();
                    writeln!(s, "\t\tip saddr {}{o} snat to {to}", cidr(*src)).unwrap()
                }
                NatKind::Dnat { .. } => {}
            }
        }
        writeln!(s, "\t}}\n}}").unwrap();
    }
    s
}

fn ipt_cond(c: &Cond) -> String {
    let ne = |neg: bool| if neg { "! " } else { "" };
    let ifn = |n: &str| n.replace('*', "+");
    let nets = |v: &[(Ipv4Addr, u8)]| {
        v.iter()
            .map(|&(a, l)| format!("{a}/{l}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    match c {
        Cond::Saddr { neg, nets: v } => format!("{}-s {}", ne(*neg), nets(v)),
        Cond::Daddr { neg, nets: v } => format!("{}-d {}", ne(*neg), nets(v)),
        Cond::SaddrSet => unreachable!("named sets only on nft routers"),
        Cond::SrcRange(a, b) => format!("-m iprange --src-range {a}-{b}"),
        Cond::Proto(p) => format!("-p {}", proto_name(*p)),
        Cond::Dport { proto, ports } if ports.len() > 1 => format!(
            "-p {} -m multiport --dports {}",
            proto_name(*proto),
            ipt_ports(ports)
        ),
        Cond::Dport { proto, ports } => {
            format!("-p {} --dport {}", proto_name(*proto), ipt_ports(ports))
        }
        Cond::Sport { proto, ports } => {
            format!("-p {} --sport {}", proto_name(*proto), ipt_ports(ports))
        }
        Cond::IcmpEcho => "-p icmp --icmp-type echo-request".into(),
        Cond::Ct(s) => format!(
            "-m conntrack --ctstate {}",
            s.iter()
                .map(|x| x.to_ascii_uppercase())
                .collect::<Vec<_>>()
                .join(",")
        ),
        Cond::Iif { neg, name } => format!("{}-i {}", ne(*neg), ifn(name)),
        Cond::Oif { neg, name } => format!("{}-o {}", ne(*neg), ifn(name)),
        Cond::SrcMac(m) => format!("-m mac --mac-source {}", mac_str(m)),
    }
}

fn ipt_rule(chain: &str, r: &RuleSpec) -> String {
    // iptables wants the protocol before its port matches; keep interface and address
    // matches first, then the rest in generation order.
    let mut conds: Vec<&Cond> = r.conds.iter().collect();
    conds.sort_by_key(|c| match c {
        Cond::Iif { .. } | Cond::Oif { .. } => 0,
        Cond::Saddr { .. } | Cond::Daddr { .. } => 1,
        Cond::Proto(_) | Cond::Dport { .. } | Cond::Sport { .. } | Cond::IcmpEcho => 2,
        _ => 3,
    });
    let mut parts = vec![format!("-A {chain}")];
    parts.extend(conds.into_iter().map(ipt_cond));
    match &r.verdict {
        Verdict::Accept => parts.push("-j ACCEPT".into()),
        Verdict::Drop => parts.push("-j DROP".into()),
        Verdict::Reject => parts.push("-j REJECT".into()),
        Verdict::Counter => {}
        Verdict::Jump(c) => parts.push(format!("-j {c}")),
        Verdict::Goto(c) => parts.push(format!("-g {c}")),
        Verdict::Return => parts.push("-j RETURN".into()),
    }
    parts.join(" ")
}

/// The router's ruleset in `iptables-restore` syntax (empty when it has no rules).
pub fn ipt_text(rt: &Router) -> String {
    let mut s = String::new();
    let pol = |c: Option<&&ChainSpec>| {
        if c.is_some_and(|c| c.policy_drop) {
            "DROP"
        } else {
            "ACCEPT"
        }
    };
    let filter: Vec<&ChainSpec> = rt
        .chains
        .iter()
        .filter(|c| c.hook != Some(Hook::Prerouting))
        .collect();
    if !filter.is_empty() {
        s.push_str("*filter\n");
        for (h, n) in [
            (Hook::Input, "INPUT"),
            (Hook::Forward, "FORWARD"),
            (Hook::Output, "OUTPUT"),
        ] {
            let c = filter.iter().find(|c| c.hook == Some(h));
            writeln!(s, ":{n} {} [0:0]", pol(c)).unwrap();
        }
        for c in filter.iter().filter(|c| c.hook.is_none()) {
            writeln!(s, ":{} - [0:0]", c.name).unwrap();
        }
        for c in &filter {
            let name = match c.hook {
                Some(Hook::Input) => "INPUT".to_string(),
                Some(Hook::Forward) => "FORWARD".to_string(),
                Some(Hook::Output) => "OUTPUT".to_string(),
                _ => c.name.clone(),
            };
            for r in c.rules.iter().filter(|r| r.enabled) {
                writeln!(s, "{}", ipt_rule(&name, r)).unwrap();
            }
        }
        s.push_str("COMMIT\n");
    }
    if let Some(c) = rt.chains.iter().find(|c| c.hook == Some(Hook::Prerouting)) {
        s.push_str("*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
        for r in c.rules.iter().filter(|r| r.enabled) {
            writeln!(s, "{}", ipt_rule("PREROUTING", r)).unwrap();
        }
        s.push_str("COMMIT\n");
    }
    let nat: Vec<&NatRule> = rt.nat.iter().filter(|n| n.enabled).collect();
    if !nat.is_empty() {
        s.push_str("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
        for n in &nat {
            let line = match &n.kind {
                NatKind::Dnat {
                    vip,
                    proto,
                    port,
                    to,
                    to_port,
                    ..
                } => {
                    let m = match port {
                        Some(p) => format!("-p {} --dport {p}", proto_name(*proto)),
                        None => format!("-p {}", proto_name(*proto)),
                    };
                    let t = match to_port {
                        Some(p) => format!("{to}:{p}"),
                        None => to.to_string(),
                    };
                    format!("-A PREROUTING -d {vip}/32 {m} -j DNAT --to-destination {t}")
                }
                NatKind::Masquerade { oif } => format!("-A POSTROUTING -o {oif} -j MASQUERADE"),
                NatKind::Snat { src, oif, to } => {
                    let o = oif.as_ref().map(|o| format!(" -o {o}")).unwrap_or_default();
                    format!(
                        "-A POSTROUTING -s {}/{}{o} -j SNAT --to-source {to}",
                        src.0, src.1
                    )
                }
            };
            writeln!(s, "{line}").unwrap();
        }
        s.push_str("COMMIT\n");
    }
    s
}

/// Every namespace the network needs.
pub fn namespaces(prefix: &str, net: &Net) -> Vec<String> {
    net.nodes()
        .into_iter()
        .map(|n| ns_name(prefix, net, n))
        .collect()
}

/// The whole lab as a bash script (`set -eu`).
pub fn setup_script(prefix: &str, net: &Net) -> String {
    let mut s = String::from("set -eu\n");
    let ns = |n: Node| ns_name(prefix, net, n);
    for n in net.nodes() {
        writeln!(s, "ip netns add {}", ns(n)).unwrap();
    }
    // sysctls first: interfaces created later inherit the `default` values.
    for n in net.nodes() {
        let v6 = matches!(n, Node::Router(r) if net.routers[r].ipv6);
        if !v6 {
            writeln!(
                s,
                "ip netns exec {} sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
                ns(n)
            )
            .unwrap();
        }
        if let Node::Router(r) = n {
            writeln!(
                s,
                "ip netns exec {} sysctl -qw net.ipv4.ip_forward={} net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0",
                ns(n),
                net.routers[r].forward as u8
            )
            .unwrap();
        }
        writeln!(s, "ip -n {} link set lo up", ns(n)).unwrap();
    }
    for (si, sw) in net.switches.iter().enumerate() {
        let n = ns(Node::Switch(si));
        let vf = if sw.vlans.is_some() {
            " vlan_filtering 1"
        } else {
            ""
        };
        writeln!(s, "ip -n {n} link add br0 type bridge{vf}").unwrap();
        writeln!(s, "ip -n {n} link set br0 up").unwrap();
    }
    for w in &net.wires {
        let (ia, ib) = (net.iface(w.a), net.iface(w.b));
        writeln!(
            s,
            "ip -n {} link add {} address {} type veth peer name {} address {} netns {}",
            ns(w.a.0),
            ia.name,
            mac_str(&ia.mac),
            ib.name,
            mac_str(&ib.mac),
            ns(w.b.0)
        )
        .unwrap();
    }
    for n in net.nodes() {
        let ifaces: Vec<&Iface> = match n {
            Node::Router(r) => net.routers[r].ifaces.iter().collect(),
            Node::Switch(sw) => net.switches[sw].ports.iter().collect(),
            Node::Host(h) => vec![&net.hosts[h].iface],
        };
        for (k, i) in ifaces.iter().enumerate() {
            if let Some((a, l)) = i.addr {
                writeln!(s, "ip -n {} addr add {a}/{l} dev {}", ns(n), i.name).unwrap();
            }
            if let Node::Switch(sw) = n {
                writeln!(s, "ip -n {} link set {} master br0", ns(n), i.name).unwrap();
                writeln!(
                    s,
                    "ip netns exec {} bridge link set dev {} learning off",
                    ns(n),
                    i.name
                )
                .unwrap();
                if let Some(v) = &net.switches[sw].vlans {
                    writeln!(
                        s,
                        "ip netns exec {0} bridge vlan del vid 1 dev {1}\nip netns exec {0} bridge vlan add vid {2} dev {1} pvid untagged",
                        ns(n),
                        i.name,
                        v[k]
                    )
                    .unwrap();
                }
            }
            writeln!(s, "ip -n {} link set {} up", ns(n), i.name).unwrap();
        }
    }
    // Static FDB (learning is off) so bridges never flood known unicast: what a frame
    // reaches does not depend on earlier traffic.
    for (si, sw) in net.switches.iter().enumerate() {
        for w in &net.wires {
            for (x, y) in [(w.a, w.b), (w.b, w.a)] {
                if x.0 == Node::Switch(si) {
                    writeln!(
                        s,
                        "ip netns exec {} bridge fdb replace {} dev {} master static",
                        ns(x.0),
                        mac_str(&net.iface(y).mac),
                        sw.ports[x.1].name
                    )
                    .unwrap();
                }
            }
        }
    }
    // Static neighbours: no ARP on the wire, nothing timing-dependent.
    for d in net.l2_domains() {
        for &a in &d {
            for &b in &d {
                if a == b {
                    continue;
                }
                if let Some((ip, _)) = net.iface(b).addr {
                    writeln!(
                        s,
                        "ip -n {} neigh replace {ip} lladdr {} dev {} nud permanent",
                        ns(a.0),
                        mac_str(&net.iface(b).mac),
                        net.iface(a).name
                    )
                    .unwrap();
                }
            }
        }
    }
    for (ri, rt) in net.routers.iter().enumerate() {
        let n = ns(Node::Router(ri));
        for r in &rt.routes {
            match r.kind {
                RouteKind::Via(nh) => {
                    writeln!(s, "ip -n {n} route add {}/{} via {nh}", r.prefix, r.len).unwrap()
                }
                RouteKind::Blackhole => {
                    writeln!(s, "ip -n {n} route add blackhole {}/{}", r.prefix, r.len).unwrap()
                }
            }
        }
        let (tool, text) = match rt.fw {
            Fw::Nft => ("nft -f -", nft_text(rt)),
            Fw::Ipt { legacy: false } => ("iptables-nft-restore", ipt_text(rt)),
            Fw::Ipt { legacy: true } => ("iptables-legacy-restore", ipt_text(rt)),
        };
        if !text.is_empty() {
            writeln!(s, "ip netns exec {n} {tool} <<'EOF'\n{text}EOF").unwrap();
        }
    }
    for (hi, h) in net.hosts.iter().enumerate() {
        writeln!(
            s,
            "ip -n {} route add default via {}",
            ns(Node::Host(hi)),
            h.gw
        )
        .unwrap();
    }
    s
}
