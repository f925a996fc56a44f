#!/usr/bin/env bash
# Regenerates fixtures/sample-mailgw/configs/mail-gw/* — the Linux mail sanitiser between
# LGWAN接続系 and インターネット接続系 — from the real tools in a throw-away namespace.
# Needs root and `apt-get install -y nftables iproute2`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fixtures/sample-mailgw/configs/mail-gw
mkdir -p "$out"
ns=sanso-mailgw-$$
peer=sanso-mailgw-peer-$$
cleanup() { for x in "$ns" "$peer"; do ip netns del "$x" 2>/dev/null || true; done; }
trap cleanup EXIT
ip netns add "$ns"
ip netns add "$peer"
n() { ip -n "$ns" "$@"; }
for i in eth0 eth1; do
	n link add "$i" type veth peer name "$i-p" netns "$peer"
	ip -n "$peer" link set "$i-p" up
	n link set "$i" up
done
n link set lo up
n addr add 10.30.20.25/24 dev eth0   # インターネット接続系 DMZ side
n addr add 10.20.20.25/24 dev eth1   # LGWAN接続系 server side
n route add default via 10.30.20.1 dev eth0
n route add 172.20.0.0/16 via 10.20.20.1 dev eth1
ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$ns" nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ct state established,related accept
		iifname "eth0" ip saddr 10.30.20.10 tcp dport 25 accept comment "インターネット側メール中継から受信"
		iifname "eth1" ip saddr 10.20.20.40 tcp dport 22 accept comment "LGWAN側運用端末からの保守"
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "eth0" oifname "eth1" ip saddr 10.30.20.10 ip daddr 10.20.20.30 tcp dport 25 accept comment "無害化済みメールの転送 (SMTP のみ)"
	}
	chain output {
		type filter hook output priority filter; policy drop;
		oif "lo" accept
		ct state established,related accept
		oifname "eth1" ip saddr 10.20.20.25 ip daddr 10.20.20.30 tcp dport 25 accept comment "無害化後のメールを LGWAN メールサーバへ"
		oifname "eth0" ip saddr 10.30.20.25 udp dport 53 ip daddr 10.30.20.53 accept
	}
}
NFT
ip netns exec "$ns" nft list ruleset >"$out/ruleset.nft"
ip -n "$ns" -j -p addr >"$out/ip-addr.json"
ip -n "$ns" -j -p route >"$out/ip-route.json"
echo "net.ipv4.ip_forward = $(ip netns exec "$ns" sysctl -n net.ipv4.ip_forward)" >"$out/sysctl.txt"
echo "wrote $out"
