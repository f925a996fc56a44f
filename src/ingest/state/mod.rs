//! Device state as input: `state/<device>/<command>.txt`, the output of a `show` command as
//! captured (docs/snapshot.md). This module only finds and reads the files; the readers of
//! each command's output live beside it, one file per family of commands.

use crate::ingest::source;
use crate::model::{Device, FileError, SourceFile, StateFile};
use std::collections::BTreeMap;
use std::path::Path;

pub mod routes;

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
