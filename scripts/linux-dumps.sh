#!/usr/bin/env bash
# Regenerates fixtures/linux-dumps/* from the real tools (nft, iptables-save, ip) inside
# throw-away network namespaces, so the parsers are tested against genuine tool output.
# Needs root plus `apt-get install -y nftables iptables iproute2`. Only veth links are
# used (the CI sandbox has no dummy/bridge/vlan link types); bridge and VLAN JSON are
# covered by hand-written inputs in tests/parse_linux.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fixtures/linux-dumps
mkdir -p "$out/gw1" "$out/ipt1"
ns=sanso-dump-$$
ns2=sanso-dump2-$$
peer=sanso-peer-$$
cleanup() {
	for x in "$ns" "$ns2" "$peer"; do ip netns del "$x" 2>/dev/null || true; done
}
trap cleanup EXIT

# ---- gw1: an nftables router ------------------------------------------------------------
ip netns add "$ns"
ip netns add "$peer"
n() { ip -n "$ns" "$@"; }
# The far ends of the veth links live in a peer namespace, so the dump shows only gw1's.
for i in wan0 lan0 dmz0 spare0; do
	n link add "$i" type veth peer name "$i-p" netns "$peer"
	ip -n "$peer" link set "$i-p" up
done
for i in wan0 lan0 dmz0 lo; do n link set "$i" up; done
ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
n addr add 203.0.113.2/30 dev wan0
n addr add 10.10.0.1/24 dev lan0
n addr add 10.10.1.1/24 dev lan0
n addr add 10.20.0.1/24 dev dmz0
n addr add 10.30.0.1/24 dev spare0
n route add default via 203.0.113.1 dev wan0
n route add 192.168.100.0/24 via 10.10.0.254 dev lan0
n route add blackhole 10.99.0.0/16
n route add unreachable 10.98.0.0/16
n route add prohibit 10.97.0.0/16
ip netns exec "$ns" nft -f - <<'NFT'
define lan_if = "lan0"
define admin = { 10.10.0.10, 10.10.0.11 }

table inet filter {
	set mgmt_nets {
		type ipv4_addr
		flags interval
		elements = { 10.10.0.0/28, 10.10.1.0-10.10.1.15 }
	}

	map fwd_by_if {
		type ifname : verdict
		elements = { "lan0" : jump lan_out, "dmz0" : jump dmz_out }
	}

	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ct state established,related accept
		ct state invalid drop
		ip saddr $admin tcp dport 22 counter accept
		ip saddr @mgmt_nets tcp dport { 22, 443 } accept
		icmp type { echo-request, destination-unreachable } accept
		ip6 nexthdr ipv6-icmp accept
		udp dport 53 limit rate 10/second accept
		log prefix "in-drop " drop
	}

	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state vmap { established : accept, related : accept, invalid : drop }
		iifname $lan_if oifname "wan0" ip daddr != { 10.0.0.0/8, 192.168.0.0/16 } accept
		iifname vmap @fwd_by_if
		iifname "dmz0" ip saddr . tcp dport { 10.20.0.5 . 25, 10.20.0.6 . 80-81 } accept
		meta l4proto { tcp, udp } th dport 53 ip daddr 10.20.0.53 accept
		ether saddr 00:11:22:33:44:55 tcp sport 1024-65535 tcp dport 3389 accept
		tcp flags syn tcp dport 8080 drop
		oifname "wan*" icmp type echo-request icmp code 0 accept
		reject with icmp type admin-prohibited
	}

	chain lan_out {
		ip daddr 10.20.0.0/24 tcp dport { 80, 443 } accept
		ip protocol icmp accept
		goto common
	}

	chain dmz_out {
		tcp dport 25 ip daddr 203.0.113.0/24 accept
		return
	}

	chain common {
		meta l4proto udp udp dport 123 accept
		drop
	}

	chain output {
		type filter hook output priority filter; policy accept;
	}
}

table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "wan0" tcp dport 8443 dnat to 10.20.0.5:443
		iifname "wan0" tcp dport 2525 dnat to 10.20.0.6
		iifname "lan0" tcp dport 3128 redirect to :8080
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan0" ip saddr 10.10.0.0/16 masquerade
		oifname "wan0" ip saddr 10.20.0.0/24 snat to 203.0.113.2
		oifname "dmz0" meta l4proto tcp snat to 10.20.0.1-10.20.0.2:1024-2048
	}
}

table ip6 filter6 {
	chain input {
		type filter hook input priority filter; policy drop;
		ip6 nexthdr ipv6-icmp accept
	}
}
NFT
d="$out/gw1"
ip netns exec "$ns" nft list ruleset > "$d/ruleset.nft"
ip netns exec "$ns" nft -j list ruleset > "$d/ruleset.json"
# `-p` pretty-prints, so every interface / route object has its own line for spans.
n -j -p addr > "$d/ip-addr.json"
n -j -p route > "$d/ip-route.json"
ip netns exec "$ns" sysctl net.ipv4.ip_forward > "$d/sysctl.txt"

# ---- ipt1: an iptables-save router --------------------------------------------------------
ip netns add "$ns2"
m() { ip -n "$ns2" "$@"; }
for i in eth0 eth1; do
	m link add "$i" type veth peer name "$i-p" netns "$peer"
	ip -n "$peer" link set "$i-p" up
done
for i in eth0 eth1 lo; do m link set "$i" up; done
m addr add 198.51.100.2/24 dev eth0
m addr add 10.40.0.1/24 dev eth1
m route add default via 198.51.100.1
ipt() { ip netns exec "$ns2" iptables "$@"; }
ipt -P FORWARD DROP
ipt -P INPUT DROP
ipt -N LAN_FWD
ipt -A INPUT -i lo -j ACCEPT
ipt -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ipt -A INPUT -s 10.40.0.0/24 -p tcp --dport 22 -j ACCEPT
ipt -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
ipt -A INPUT -p udp --dport 53 -m limit --limit 10/sec -j ACCEPT
ipt -A FORWARD -m state --state ESTABLISHED,RELATED -j ACCEPT
ipt -A FORWARD -i eth1 -o eth0 -j LAN_FWD
ipt -A FORWARD -i eth0 -o eth1 -p tcp -d 10.40.0.5 --dport 443 -j ACCEPT
ipt -A FORWARD -p tcp --syn --dport 25 -j DROP
ipt -A FORWARD -i eth+ -m mac --mac-source 00:11:22:33:44:55 -j ACCEPT
ipt -A FORWARD -j LOG --log-prefix "fwd-drop "
ipt -A FORWARD -j REJECT --reject-with icmp-admin-prohibited
ipt -A LAN_FWD ! -d 10.0.0.0/8 -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT
ipt -A LAN_FWD -p udp -m udp --sport 1024:65535 --dport 53 -j ACCEPT
ipt -A LAN_FWD -m iprange --src-range 10.40.0.100-10.40.0.120 -j DROP
ipt -A LAN_FWD -m comment --comment "lan default" -g LAN_FWD_END 2>/dev/null || true
ipt -N LAN_FWD_END
ipt -A LAN_FWD -m comment --comment "lan default" -g LAN_FWD_END
ipt -A LAN_FWD_END -j RETURN
ipt -t nat -A PREROUTING -i eth0 -p tcp --dport 8443 -j DNAT --to-destination 10.40.0.5:443
ipt -t nat -A PREROUTING -i eth1 -p tcp --dport 3128 -j REDIRECT --to-ports 8080
ipt -t nat -A POSTROUTING -o eth0 -s 10.40.0.0/25 -j MASQUERADE
ipt -t nat -A POSTROUTING -o eth0 -s 10.40.0.128/25 -p tcp -j SNAT --to-source 198.51.100.2-198.51.100.3:1024-2048
ipt -t mangle -A PREROUTING -i eth0 -j MARK --set-mark 1
ipt -t raw -A PREROUTING -p udp --dport 69 -j CT --notrack
d="$out/ipt1"
ip netns exec "$ns2" iptables-save | grep -v '^#' > "$d/iptables.rules"
m -j addr > "$d/ip-addr.json"
m -j route > "$d/ip-route.json"
ip netns exec "$ns2" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$ns2" sysctl net.ipv4.ip_forward > "$d/sysctl.txt"
echo "dumps written to $out"
