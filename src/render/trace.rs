//! `sanso trace` as text: the packet, where it enters, each delivery hop by hop with the
//! config lines that let it through, and the verdict (or where it was stopped).

use crate::hs::Packet;
use crate::net::path::Hop;
use crate::query::trace::{Blocked, Trace};
use crate::report::Lang;

fn proto_name(p: u8) -> String {
    match p {
        6 => "tcp".into(),
        17 => "udp".into(),
        1 => "icmp".into(),
        n => format!("proto {n}"),
    }
}

/// `tcp 10.0.0.1:49152 → 10.0.0.2:443`.
pub fn packet_text(p: &Packet) -> String {
    if p.has_ports() {
        format!(
            "{} {}:{} → {}:{}",
            proto_name(p.proto),
            p.src_ip,
            p.src_port,
            p.dst_ip,
            p.dst_port
        )
    } else {
        format!("{} {} → {}", proto_name(p.proto), p.src_ip, p.dst_ip)
    }
}

fn blocked_text(out: &mut String, blocked: &[Blocked], ja: bool) {
    if blocked.is_empty() {
        out.push_str(if ja {
            "遮断箇所: なし（宛先へ向かう転送経路が設定上ありません）\n"
        } else {
            "Stopped at: nowhere (no forwarding path towards the destination is configured)\n"
        });
    }
    for b in blocked {
        out.push_str(&format!(
            "{}: {} [{} → {}]\n",
            if ja { "遮断箇所" } else { "Stopped at" },
            b.device,
            b.in_if.as_deref().unwrap_or("-"),
            b.out_if.as_deref().unwrap_or("-")
        ));
    }
}

fn hop_text(out: &mut String, hops: &[Hop]) {
    for (i, h) in hops.iter().enumerate() {
        out.push_str(&format!(
            "    {}. {} [{} → {}]\n",
            i + 1,
            h.device,
            h.in_if.as_deref().unwrap_or("-"),
            h.out.as_deref().unwrap_or("-")
        ));
        for l in &h.lines {
            out.push_str(&format!("         {l}\n"));
        }
    }
}

/// A hop as compared when collapsing flooding: device, in, out, lines.
type HopKey = (String, Option<String>, Option<String>, Vec<String>);

/// The trace as terminal text in `lang`.
pub fn text(t: &Trace, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    let mut out = String::new();
    out.push_str(&format!(
        "{}: {}\n",
        if ja { "パケット" } else { "Packet" },
        packet_text(&t.packet)
    ));
    out.push_str(&format!(
        "{}: {}\n",
        if ja { "送信元" } else { "Source" },
        t.src_points.join(", ")
    ));
    // Deliveries that differ only in the port the last device floods the packet out of
    // (a VLAN with the destination's MAC unknown) are one path plus "flooded to N ports".
    let flood_key = |d: &crate::query::trace::Delivery| {
        let mut path: Vec<HopKey> = d
            .path
            .iter()
            .map(|h| {
                (
                    h.device.clone(),
                    h.in_if.clone(),
                    h.out.clone(),
                    h.lines.clone(),
                )
            })
            .collect();
        if let Some(last) = path.last_mut() {
            last.2 = None;
        }
        (
            d.destination,
            d.src_point.clone(),
            d.zones.clone(),
            path,
            d.arrives_as.is_some(),
        )
    };
    let mut groups: Vec<(usize, Vec<&str>)> = vec![];
    for (i, d) in t.deliveries.iter().enumerate() {
        match groups.last_mut() {
            Some((first, ports))
                if d.path.len() > 1 && flood_key(&t.deliveries[*first]) == flood_key(d) =>
            {
                ports.push(&d.point)
            }
            _ => groups.push((i, vec![&d.point])),
        }
    }
    for (first, ports) in &groups {
        let d = &t.deliveries[*first];
        let label = match (d.destination, ja) {
            (true, true) => "宛先に到達",
            (true, false) => "Reaches destination",
            (false, true) => "宛先以外に到達",
            (false, false) => "Also reaches",
        };
        out.push_str(&format!(
            "\n{label}: {} ({})\n",
            d.point,
            d.zones.join(", ")
        ));
        if let Some(s) = &d.src_point {
            out.push_str(&format!("  {}: {s}\n", if ja { "入口" } else { "from" }));
        }
        hop_text(&mut out, &d.path);
        if ports.len() > 1 {
            let last = d.path.last().map_or("", |h| h.device.as_str());
            let names: Vec<&str> = ports
                .iter()
                .map(|p| {
                    p.strip_prefix(last)
                        .and_then(|r| r.strip_prefix(':'))
                        .unwrap_or(p)
                })
                .collect();
            out.push_str(&match ja {
                true => format!(
                    "  {} ポートにフラッディング（{last}）: {}\n",
                    ports.len(),
                    names.join(", ")
                ),
                false => format!(
                    "  flooded to {} ports of {last}: {}\n",
                    ports.len(),
                    names.join(", ")
                ),
            });
        }
        for r in &d.rewrites {
            out.push_str(&match ja {
                true => format!(
                    "  {} で NAT、送出時のパケット: {}\n",
                    r.device,
                    packet_text(&r.leaves_as)
                ),
                false => format!(
                    "  NAT at {}, leaves as: {}\n",
                    r.device,
                    packet_text(&r.leaves_as)
                ),
            });
        }
        if let Some(a) = &d.arrives_as {
            out.push_str(&format!(
                "  {}: {}\n",
                if ja {
                    "到達時のパケット（NAT 後）"
                } else {
                    "arrives as (after NAT)"
                },
                packet_text(a)
            ));
        }
    }
    out.push('\n');
    match t.deliveries.iter().find(|d| d.destination) {
        Some(d) => out.push_str(&format!(
            "{}: {} {} ({})\n",
            if ja { "判定" } else { "Verdict" },
            if ja { "到達" } else { "delivered to" },
            d.point,
            d.zones.join(", ")
        )),
        None => {
            if ja {
                blocked_text(&mut out, &t.blocked_at, ja);
                out.push_str(&format!(
                    "到達した機器: {}\n判定: 破棄（宛先 {} に到達しない）\n",
                    if t.devices_reached.is_empty() {
                        "なし".to_string()
                    } else {
                        t.devices_reached.join(", ")
                    },
                    t.dst_zone.as_deref().unwrap_or("?")
                ));
            } else {
                blocked_text(&mut out, &t.blocked_at, ja);
                out.push_str(&format!(
                    "Devices reached: {}\nVerdict: dropped (does not reach {})\n",
                    if t.devices_reached.is_empty() {
                        "none".to_string()
                    } else {
                        t.devices_reached.join(", ")
                    },
                    t.dst_zone.as_deref().unwrap_or("?")
                ));
            }
        }
    }
    out
}
