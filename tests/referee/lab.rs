//! A built network: its namespaces (deleted on drop, also when a case panics), the dump
//! made with the real tools, and the sanso snapshot around it.

use super::net::*;
use super::render;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Prefix of every namespace this test creates: `sref-<pid>-`.
pub const NS_PREFIX: &str = "sref-";

pub struct Lab {
    pub prefix: String,
    pub namespaces: Vec<String>,
    pub script: String,
    pub keep: bool,
}

impl Drop for Lab {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("referee: keeping namespaces {:?}", self.namespaces);
            return;
        }
        for n in &self.namespaces {
            let _ = Command::new("ip")
                .args(["netns", "del", n])
                .stderr(Stdio::null())
                .status();
        }
    }
}

pub fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{cmd:?}: cannot run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn sh(script: &str) -> Result<(), String> {
    use std::io::Write;
    let mut child = Command::new("bash")
        .arg("-s")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("bash: {e}"))?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(script.as_bytes())
        .map_err(|e| format!("bash stdin: {e}"))?;
    let out = child.wait_with_output().map_err(|e| format!("bash: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "setup script failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// Delete namespaces left by earlier runs whose process is gone (an aborted run cannot
/// clean up after itself). Only names with this test's prefix are touched.
pub fn sweep_stale() {
    let Ok(list) = run(Command::new("ip").args(["netns", "list"])) else {
        return;
    };
    for line in list.lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        let Some(rest) = name.strip_prefix(NS_PREFIX) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or("");
        if pid.parse::<u32>().is_ok() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

impl Lab {
    /// Build `net` in fresh namespaces named `sref-<pid>-<tag>-<node>`.
    pub fn build(net: &Net, tag: &str, keep: bool) -> Result<Lab, String> {
        let prefix = format!("{NS_PREFIX}{}-{tag}-", std::process::id());
        let script = render::setup_script(&prefix, net);
        let lab = Lab {
            namespaces: render::namespaces(&prefix, net),
            prefix,
            script,
            keep,
        };
        sh(&lab.script)?;
        lab.wait_ready(net)?;
        Ok(lab)
    }

    /// Carrier changes reach operstate and bridge port states asynchronously (linkwatch):
    /// wait until every link is up and every bridge port forwards, so neither the dump nor
    /// the first probes see a transient state.
    fn wait_ready(&self, net: &Net) -> Result<(), String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let mut pending = vec![];
            for n in net.nodes() {
                let ns = self.ns(net, n);
                let links = run(Command::new("ip").args(["-n", &ns, "-j", "link"]))?;
                let v: serde_json::Value =
                    serde_json::from_str(&links).map_err(|e| e.to_string())?;
                for l in v.as_array().into_iter().flatten() {
                    let name = l["ifname"].as_str().unwrap_or("");
                    if name != "lo" && l["operstate"].as_str() != Some("UP") {
                        pending.push(format!("{ns}:{name}"));
                    }
                }
                if let Node::Switch(_) = n {
                    let ports = run(
                        Command::new("ip").args(["netns", "exec", &ns, "bridge", "-j", "link"])
                    )?;
                    let v: serde_json::Value =
                        serde_json::from_str(&ports).map_err(|e| e.to_string())?;
                    for l in v.as_array().into_iter().flatten() {
                        if l["state"].as_str() != Some("forwarding") {
                            pending.push(format!("{ns}:{} (bridge port)", l["ifname"]));
                        }
                    }
                }
            }
            if pending.is_empty() {
                return Ok(());
            }
            if std::time::Instant::now() > deadline {
                return Err(format!("links not ready after 10 s: {pending:?}"));
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    pub fn ns(&self, net: &Net, n: Node) -> String {
        render::ns_name(&self.prefix, net, n)
    }

    /// Dump every router and switch with the real tools into `root/configs/<dev>/` and
    /// write `sanso.toml` and `topology.toml` around it.
    pub fn dump(&self, net: &Net, root: &Path) -> Result<(), String> {
        let _ = std::fs::remove_dir_all(root);
        let cfg = root.join("configs");
        let exec = |ns: &str, args: &[&str]| -> Result<String, String> {
            run(Command::new("ip")
                .args(["netns", "exec", ns])
                .args(args)
                .env("LC_ALL", "C"))
        };
        let write = |dir: &PathBuf, f: &str, text: String| -> Result<(), String> {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            std::fs::write(dir.join(f), text).map_err(|e| format!("{f}: {e}"))
        };
        for (ri, rt) in net.routers.iter().enumerate() {
            let ns = self.ns(net, Node::Router(ri));
            let dir = cfg.join(&rt.name);
            write(&dir, "ip-addr.json", exec(&ns, &["ip", "-j", "addr"])?)?;
            write(&dir, "ip-route.json", exec(&ns, &["ip", "-j", "route"])?)?;
            write(
                &dir,
                "sysctl.txt",
                exec(&ns, &["sysctl", "net.ipv4.ip_forward"])?,
            )?;
            match rt.fw {
                Fw::Nft => write(&dir, "ruleset.nft", exec(&ns, &["nft", "list", "ruleset"])?)?,
                Fw::Ipt { legacy } => {
                    let tool = if legacy {
                        "iptables-legacy-save"
                    } else {
                        "iptables-nft-save"
                    };
                    write(&dir, "iptables.rules", exec(&ns, &[tool])?)?
                }
            }
        }
        for (si, sw) in net.switches.iter().enumerate() {
            let ns = self.ns(net, Node::Switch(si));
            let dir = cfg.join(&sw.name);
            write(&dir, "ip-addr.json", exec(&ns, &["ip", "-j", "addr"])?)?;
            write(&dir, "ip-route.json", exec(&ns, &["ip", "-j", "route"])?)?;
            write(
                &dir,
                "bridge-link.json",
                exec(&ns, &["bridge", "-j", "link"])?,
            )?;
            if sw.vlans.is_some() {
                write(
                    &dir,
                    "bridge-vlan.json",
                    exec(&ns, &["bridge", "-j", "vlan"])?,
                )?;
            }
            write(
                &dir,
                "sysctl.txt",
                exec(&ns, &["sysctl", "net.ipv4.ip_forward"])?,
            )?;
            write(&dir, "ruleset.nft", exec(&ns, &["nft", "list", "ruleset"])?)?;
        }
        std::fs::write(root.join("sanso.toml"), inventory(net)).map_err(|e| e.to_string())?;
        std::fs::write(root.join("topology.toml"), topology(net)).map_err(|e| e.to_string())?;
        Ok(())
    }
}

/// One zone per host subnet, of the tier [`super::net::tiers`] gives it (routers and
/// switches are declared as nothing); every host declared with its address and MAC.
pub fn inventory(net: &Net) -> String {
    let mut s = format!(
        "[organization]\nname = \"kernel referee {:#018x}\"\nmodel = \"alpha\"\n",
        net.seed
    );
    let tiers = super::net::tiers(net);
    for (i, (a, l)) in net.segments.iter().enumerate() {
        writeln!(
            s,
            "\n[[zone]]\nname = \"seg{}\"\ntier = \"{}\"\nkind = \"terminals\"\nsubnets = [\"{a}/{l}\"]",
            i + 1,
            tiers[i]
        )
        .unwrap();
    }
    for h in &net.hosts {
        let (ip, _) = h.iface.addr.expect("hosts are addressed");
        let seg = net
            .segments
            .iter()
            .position(|n| in_net(ip, *n))
            .expect("host in a segment");
        writeln!(
            s,
            "\n[[host]]\nname = \"{}\"\nip = \"{ip}\"\nmac = \"{}\"\nzone = \"seg{}\"",
            h.name,
            mac_str(&h.iface.mac),
            seg + 1
        )
        .unwrap();
    }
    s
}

pub fn topology(net: &Net) -> String {
    let mut s = String::new();
    let end = |(n, i): (Node, usize)| match n {
        Node::Host(h) => net.hosts[h].name.clone(),
        _ => format!("{}:{}", net.node_name(n), net.iface((n, i)).name),
    };
    for w in &net.wires {
        writeln!(s, "[[link]]\na = \"{}\"\nb = \"{}\"\n", end(w.a), end(w.b)).unwrap();
    }
    s
}
