//! Fuzz the snapshot loader's inventory: `sanso.toml` and `topology.toml`.
//!
//! Input: sanso.toml, then a NUL byte, then topology.toml (no NUL: no topology.toml).
//! They are written into a per-process temporary snapshot folder whose `configs/` holds a
//! small fixed Cisco IOS switch (`sw1`), then `Snapshot::load` reads the folder.
//! The folder is left behind in /dev/shm (or the temp dir) when the run ends.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

const SW1: &str = "\
hostname sw1
!
vlan 10
vlan 20
!
interface GigabitEthernet0/1
 switchport mode access
 switchport access vlan 10
!
interface GigabitEthernet0/2
 switchport mode trunk
 switchport trunk allowed vlan 10,20
!
interface Vlan10
 ip address 10.0.10.1 255.255.255.0
!
interface Vlan20
 ip address 10.0.20.1 255.255.255.0
!
ip route 0.0.0.0 0.0.0.0 10.0.20.254
!
end
";

fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        // One worker: the loader parses configs with rayon, and thread hand-offs cost
        // more than the one small file. Files in tmpfs when there is one (3x faster).
        std::env::set_var("RAYON_NUM_THREADS", "1");
        let shm = std::path::Path::new("/dev/shm");
        let tmp = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = tmp.join(format!("sanso-fuzz-inventory-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("configs")).unwrap();
        std::fs::write(dir.join("configs/sw1.cfg"), SW1).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let root = root();
    let (inv, topo) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    std::fs::write(root.join("sanso.toml"), inv).unwrap();
    let topo_path = root.join("topology.toml");
    match topo {
        Some(t) => std::fs::write(&topo_path, t).unwrap(),
        None => {
            let _ = std::fs::remove_file(&topo_path);
        }
    }
    let _ = sanso::model::Snapshot::load(root);
});
