//! Device state as input: `state/<device>/<command>.txt`, the output of a `show` command as
//! captured (docs/snapshot.md). This module only finds and reads the files; the readers of
//! each command's output live beside it, one file per family of commands.

pub mod arp;
pub mod mac;
pub mod neighbors;
pub mod topology;

use crate::ingest::source;
use crate::model::{Device, FileError, Scope, SourceFile, StateFile, Unrecognized};
use std::collections::BTreeMap;
use std::path::Path;

pub mod routes;

/// What a reader made of one state file: its entries, and every line it did not
/// understand (line, reason).
#[derive(Debug)]
pub struct Read<T> {
    pub items: Vec<T>,
    pub unrecognized: Vec<(u32, String)>,
}

impl<T> Default for Read<T> {
    fn default() -> Self {
        Read {
            items: vec![],
            unrecognized: vec![],
        }
    }
}

/// A captured prompt line with its command (`mn-core#show lldp neighbors detail`,
/// `fw-mn # diagnose lldprx neighbor summary`, `awplus> show arp`): skipped.
pub fn is_prompt(line: &str) -> bool {
    let t = line.trim();
    let Some(i) = t.find(['#', '>']) else {
        return false;
    };
    let (host, rest) = (t[..i].trim_end(), t[i + 1..].trim_start());
    !host.is_empty()
        && !host.contains(char::is_whitespace)
        && ["sh", "get", "diag", "show"]
            .iter()
            .any(|c| rest.starts_with(c))
}

/// A rule line of dashes, equals signs or plus signs (table or entry separators).
pub fn rule_line(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3
        && t.chars().all(|c| matches!(c, '-' | '=' | '+' | ' '))
        && t.chars().any(|c| c != ' ')
}

/// The entries of every state file the readers here understand, per device index.
#[derive(Default)]
pub struct Tables {
    pub neighbors: Vec<(usize, String, neighbors::Neighbor)>,
    pub arp: Vec<(usize, String, arp::ArpEntry)>,
    pub macs: Vec<(usize, String, mac::MacEntry)>,
}

/// Read the neighbour, ARP and MAC tables of `state` (files in `sources`). Each file read
/// becomes one of its device's input files (`extra_files`, so the report lists it) and
/// its lines not understood become the device's unrecognized lines, scope `None`: a table
/// line never changes forwarding; what it could have said (a link, a host's port) is
/// missing, and a missing link is already judged where it matters (a port leading nowhere).
pub fn read_tables(
    devices: &mut [Device],
    state: &BTreeMap<String, Vec<StateFile>>,
    sources: &BTreeMap<String, SourceFile>,
) -> Tables {
    let mut t = Tables::default();
    for (name, files) in state {
        let Some(di) = devices.iter().position(|d| &d.name == name) else {
            continue;
        };
        for f in files {
            let Some(src) = sources.get(&f.file) else {
                continue;
            };
            let text = src.text();
            let unrec: Vec<(u32, String)> = if let Some(r) = neighbors::read(&f.command, text) {
                t.neighbors
                    .extend(r.items.into_iter().map(|x| (di, f.file.clone(), x)));
                r.unrecognized
            } else if let Some(r) = arp::read(&f.command, text) {
                t.arp
                    .extend(r.items.into_iter().map(|x| (di, f.file.clone(), x)));
                r.unrecognized
            } else if let Some(r) = mac::read(&f.command, text) {
                t.macs
                    .extend(r.items.into_iter().map(|x| (di, f.file.clone(), x)));
                r.unrecognized
            } else {
                continue; // another reader's command (routes) or one nobody reads yet
            };
            let d = &mut devices[di];
            if !d.extra_files.iter().any(|(x, _)| x == &f.file) {
                d.extra_files
                    .push((f.file.clone(), src.line_count() as u32));
            }
            for (line, reason) in unrec {
                d.unrecognized.push(Unrecognized {
                    file: Some(f.file.clone()),
                    line,
                    text: src.line(line as usize).unwrap_or("").to_string(),
                    reason,
                    scope: Scope::None,
                });
            }
        }
    }
    t
}

/// What [`discover`] found under `root/state/`.
#[derive(Default)]
pub struct Found {
    /// Per device name (its hostname), its state files sorted by command.
    pub files: BTreeMap<String, Vec<StateFile>>,
    /// Every file read, by relative path (for the snapshot's sources and manifests).
    pub sources: Vec<(String, SourceFile)>,
    /// Folders or files that cannot be used (no such device, unreadable, not a file).
    pub errors: Vec<FileError>,
}

/// The command a state file holds: its file name without `.txt`, e.g. `show_ip_route`.
pub fn command_of(file_name: &str) -> Option<&str> {
    file_name.strip_suffix(".txt").filter(|s| !s.is_empty())
}

/// Find `state/<device>/<command>.txt` under `root`. `<device>` must be the hostname of a
/// device of the snapshot; anything else is reported, never silently skipped.
pub fn discover(root: &Path, devices: &[Device]) -> Found {
    let mut found = Found::default();
    let dir = root.join("state");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return found;
    };
    let mut dev_dirs: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    dev_dirs.sort();
    for d in dev_dirs {
        let name = d
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        let rel_dir = format!("state/{name}");
        if !d.is_dir() {
            found.errors.push(FileError {
                file: rel_dir,
                line: 1,
                message: "not a folder: state/ holds one folder per device (state/<hostname>/<command>.txt)".into(),
            });
            continue;
        }
        if !devices.iter().any(|x| x.name == name) {
            found.errors.push(FileError {
                file: rel_dir,
                line: 1,
                message: format!(
                    "no device has the hostname \"{name}\" (state/<hostname>/ must name a device of configs/)"
                ),
            });
            continue;
        }
        let mut paths: Vec<_> = match std::fs::read_dir(&d) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                found.errors.push(FileError {
                    file: rel_dir,
                    line: 1,
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        paths.sort();
        let mut list = Vec::new();
        for p in paths {
            let fname = p
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if fname.starts_with('.') {
                continue;
            }
            let rel = format!("{rel_dir}/{fname}");
            let Some(command) = command_of(&fname).filter(|_| p.is_file()) else {
                found.errors.push(FileError {
                    file: rel,
                    line: 1,
                    message: "not a state file: expected <command words joined by _>.txt, e.g. show_ip_route.txt".into(),
                });
                continue;
            };
            match source::read(&p) {
                Ok(src) => {
                    list.push(StateFile {
                        command: command.to_string(),
                        file: rel.clone(),
                    });
                    found.sources.push((rel, src));
                }
                Err(e) => found.errors.push(FileError {
                    file: rel,
                    line: 1,
                    message: format!("cannot read: {e}"),
                }),
            }
        }
        if !list.is_empty() {
            found.files.insert(name, list);
        }
    }
    found
}
