//! Input files as read at load time: bytes hashed once, text kept once (see
//! [`crate::model::SourceFile`]). Manifests and quoted lines come from here, never from a
//! second read of the snapshot folder.

use crate::model::SourceFile;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The file's bytes hashed and decoded (lossily, as UTF-8) into a [`SourceFile`].
/// Its redaction context is computed here, once: key blocks span lines.
pub fn from_bytes(bytes: &[u8]) -> SourceFile {
    let mut f = SourceFile::new(
        String::from_utf8_lossy(bytes).into_owned(),
        sha256_hex(bytes),
        bytes.len() as u64,
    );
    f.redaction = super::redact::FileRedaction::new(f.text().lines()).to_bytes();
    f
}

/// Read `path` into a [`SourceFile`].
pub fn read(path: &Path) -> std::io::Result<SourceFile> {
    std::fs::read(path).map(|b| from_bytes(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_inputs() {
        // FIPS 180-2 test vectors.
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hash_and_length_are_of_the_bytes_not_the_decoded_text() {
        let f = from_bytes(b"a\xffb\n");
        assert_eq!(f.len, 4);
        assert_eq!(f.sha256, sha256_hex(b"a\xffb\n"));
        assert_eq!(f.line(1), Some("a\u{fffd}b"));
    }
}
