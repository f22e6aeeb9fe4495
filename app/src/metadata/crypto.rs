//! Sealing secrets with AES-256-GCM: member metadata values, workspace constants' values
//! and data sources' configurations.
//!
//! Each value gets a fresh random 96-bit nonce and is bound, through the associated
//! data, to where it belongs: a metadata value to its workspace, user and key
//! ([`Binding`]), a resource's secret to its workspace, resource and kind
//! ([`ResourceBinding`]). A ciphertext copied to another row, or between a metadata row
//! and a resource, doesn't open. The stored form is `base64(nonce ‖ ciphertext ‖ tag)`
//! next to the id of the master key that sealed it; older keys stay readable so that
//! keys can be rotated while the server runs.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::permissions::ResourceKind;

const NONCE_BYTES: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("a master key must be 64 hexadecimal characters (32 bytes)")]
    MalformedKey,
    #[error("no master key with id {0} is configured")]
    UnknownKey(String),
    #[error("a stored value could not be decrypted")]
    Undecryptable,
    #[error("the operating system's random number generator failed")]
    Random,
    #[error("the key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
}

/// Where a sealed value belongs, sealed into its ciphertext as associated data. Each
/// kind of binding starts with its own label, so no two kinds ever share a byte string.
pub trait AssociatedData: Copy {
    fn associated_data(&self) -> Vec<u8>;
}

/// Where a metadata value belongs.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    pub workspace_id: i64,
    pub user_id: i64,
    pub key: &'a str,
}

impl AssociatedData for Binding<'_> {
    /// These bytes are part of every stored metadata value: changing them would leave
    /// those values unreadable.
    fn associated_data(&self) -> Vec<u8> {
        // Lengths first, so that no two bindings share one byte string.
        format!(
            "gatehouse-metadata-v1:{}:{}:{}:{}",
            self.workspace_id,
            self.user_id,
            self.key.len(),
            self.key
        )
        .into_bytes()
    }
}

/// Where a resource's secret belongs: a workspace constant's value or a data source's
/// configuration, bound to that one resource (its id is never reused) and its kind.
#[derive(Debug, Clone, Copy)]
pub struct ResourceBinding {
    pub workspace_id: i64,
    pub resource_id: i64,
    pub kind: ResourceKind,
}

impl AssociatedData for ResourceBinding {
    fn associated_data(&self) -> Vec<u8> {
        format!(
            "gatehouse-resource-v1:{}:{}:{}",
            self.workspace_id,
            self.resource_id,
            self.kind.key()
        )
        .into_bytes()
    }
}

/// Where a mail body in the outbox belongs: its recipient. Bodies carry invitation
/// links, so they are sealed at rest like every other secret.
#[derive(Debug, Clone, Copy)]
pub struct OutboxBinding<'a> {
    pub recipient: &'a str,
}

impl AssociatedData for OutboxBinding<'_> {
    fn associated_data(&self) -> Vec<u8> {
        format!("gatehouse-outbox-v1:{}", self.recipient).into_bytes()
    }
}

/// A value as the database stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub ciphertext: String,
}

struct MasterKey {
    id: String,
    cipher: Aes256Gcm,
}

impl MasterKey {
    fn from_hex(hex_key: &str) -> Result<MasterKey, CryptoError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| CryptoError::MalformedKey)?;
        if bytes.len() != 32 {
            return Err(CryptoError::MalformedKey);
        }
        let id = Sha256::new()
            .chain_update(b"gatehouse-master-key-id:")
            .chain_update(&bytes)
            .finalize();
        Ok(MasterKey {
            id: hex::encode(&id[..8]),
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes)),
        })
    }
}

struct KeySet {
    current: Arc<MasterKey>,
    by_id: HashMap<String, Arc<MasterKey>>,
}

impl KeySet {
    /// The first key seals; all of them open.
    fn from_hex_keys<'a>(
        hex_keys: impl IntoIterator<Item = &'a str>,
    ) -> Result<KeySet, CryptoError> {
        let keys = hex_keys
            .into_iter()
            .map(|key| MasterKey::from_hex(key).map(Arc::new))
            .collect::<Result<Vec<_>, _>>()?;
        let current = keys.first().cloned().ok_or(CryptoError::MalformedKey)?;
        let by_id = keys.into_iter().map(|key| (key.id.clone(), key)).collect();
        Ok(KeySet { current, by_id })
    }
}

/// NIST SP 800-38D §8.3: with random 96-bit nonces, at most 2^32 encryptions under one
/// key keep the chance of a repeated nonce within 2^-32.
pub const ENCRYPTIONS_PER_KEY_LIMIT: u64 = 1 << 32;

/// How worn a master key is by the values it has sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyWear {
    Fresh,
    /// A quarter of the way to the limit: rotate, with room to spare.
    RotateSoon,
    /// Half the way: rotate now.
    RotateNow,
}

impl KeyWear {
    pub fn of(encryptions: u64) -> KeyWear {
        if encryptions >= ENCRYPTIONS_PER_KEY_LIMIT / 2 {
            KeyWear::RotateNow
        } else if encryptions >= ENCRYPTIONS_PER_KEY_LIMIT / 4 {
            KeyWear::RotateSoon
        } else {
            KeyWear::Fresh
        }
    }
}

/// The master keys this server holds.
pub struct Keyring {
    keys: RwLock<KeySet>,
    /// Values each key sealed here since the counts were last added to the database's.
    sealed_since_counted: std::sync::Mutex<HashMap<String, u64>>,
    /// Set when the keys come from a key file, which `rotate-key` may extend while the
    /// server runs: a changed file, or a value sealed under a key not yet seen, sends us
    /// back to it.
    key_file: Option<PathBuf>,
    /// The key file as of our last reading.
    key_file_version: RwLock<Option<FileVersion>>,
}

/// How the keyring came to be, for the start-up log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    Environment,
    KeyFile { path: PathBuf, generated: bool },
}

impl Keyring {
    /// Keys given directly: the current one first, then older ones kept for reading.
    pub fn from_keys(
        current: &SecretString,
        previous: &[SecretString],
    ) -> Result<Keyring, CryptoError> {
        let keys = std::iter::once(current)
            .chain(previous)
            .map(|key| key.expose_secret());
        Ok(Keyring {
            keys: RwLock::new(KeySet::from_hex_keys(keys)?),
            sealed_since_counted: Default::default(),
            key_file: None,
            key_file_version: RwLock::new(None),
        })
    }

    /// The key file at `path`, created with a new random key (readable by this user only)
    /// when there is none yet.
    pub fn from_key_file(path: &Path) -> Result<(Keyring, KeyOrigin), CryptoError> {
        let path = path.to_path_buf();
        let generated = if path.exists() {
            false
        } else {
            write_key_file(&path, &[random_hex_key()?], true)?;
            true
        };
        let keyring = Keyring {
            keys: RwLock::new(read_key_file(&path)?),
            sealed_since_counted: Default::default(),
            key_file: Some(path.clone()),
            key_file_version: RwLock::new(key_file_version(&path)),
        };
        Ok((keyring, KeyOrigin::KeyFile { path, generated }))
    }

    /// The configured keys if there are any, else the key file.
    pub fn from_config(
        config: &crate::config::Config,
    ) -> Result<(Keyring, KeyOrigin), CryptoError> {
        match &config.master_key {
            Some(current) => Ok((
                Keyring::from_keys(current, &config.previous_master_keys)?,
                KeyOrigin::Environment,
            )),
            None => Keyring::from_key_file(&config.master_key_file),
        }
    }

    pub fn current_key_id(&self) -> String {
        self.read().current.id.clone()
    }

    pub fn seal<B: AssociatedData>(&self, binding: B, value: &str) -> Result<Sealed, CryptoError> {
        let mut sealed = self.seal_many(&[(binding, value)])?;
        sealed.pop().ok_or(CryptoError::Random)
    }

    /// Seals several values at once, as when a member's metadata is saved: one call to
    /// the operating system fetches every value's fresh random nonce.
    pub fn seal_many<B: AssociatedData>(
        &self,
        values: &[(B, &str)],
    ) -> Result<Vec<Sealed>, CryptoError> {
        self.reload_if_key_file_changed()?;
        let key = self.read().current.clone();
        let mut nonces = vec![0u8; NONCE_BYTES * values.len()];
        getrandom::fill(&mut nonces).map_err(|_| CryptoError::Random)?;
        *self
            .sealed_since_counted
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(key.id.clone())
            .or_default() += values.len() as u64;
        values
            .iter()
            .zip(nonces.chunks_exact(NONCE_BYTES))
            .map(|((binding, value), nonce)| seal_with(&key, *binding, value, nonce))
            .collect()
    }

    /// The values each key sealed since the last call, by key id, for the database's
    /// counts. What the counts couldn't take is handed back with [`Keyring::recount`].
    pub fn take_sealed_counts(&self) -> Vec<(String, u64)> {
        std::mem::take(
            &mut *self
                .sealed_since_counted
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
        .into_iter()
        .collect()
    }

    /// Puts counts taken with [`Keyring::take_sealed_counts`] back, to be counted later.
    pub fn recount(&self, counts: Vec<(String, u64)>) {
        let mut sealed = self
            .sealed_since_counted
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for (key_id, count) in counts {
            *sealed.entry(key_id).or_default() += count;
        }
    }

    pub fn open<B: AssociatedData>(
        &self,
        binding: B,
        sealed: &Sealed,
    ) -> Result<String, CryptoError> {
        let key = match self.key(&sealed.key_id) {
            Some(key) => key,
            None => {
                self.reload_key_file()?;
                self.key(&sealed.key_id)
                    .ok_or_else(|| CryptoError::UnknownKey(sealed.key_id.clone()))?
            }
        };
        let stored = STANDARD
            .decode(&sealed.ciphertext)
            .map_err(|_| CryptoError::Undecryptable)?;
        if stored.len() < NONCE_BYTES {
            return Err(CryptoError::Undecryptable);
        }
        let (nonce, ciphertext) = stored.split_at(NONCE_BYTES);
        let aad = binding.associated_data();
        let plaintext = key
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Undecryptable)?;
        String::from_utf8(plaintext).map_err(|_| CryptoError::Undecryptable)
    }

    /// Puts a new random key at the head of the key file, keeping the old ones for
    /// reading, and starts sealing with it. Only for keyrings read from a key file.
    pub fn add_key_to_file(&self) -> Result<Option<String>, CryptoError> {
        let Some(path) = &self.key_file else {
            return Ok(None);
        };
        let mut lines = vec![random_hex_key()?];
        lines.extend(read_key_lines(path)?);
        write_key_file(path, &lines, false)?;
        self.reload_key_file()?;
        Ok(Some(self.current_key_id()))
    }

    fn key(&self, id: &str) -> Option<Arc<MasterKey>> {
        self.read().by_id.get(id).cloned()
    }

    fn reload_key_file(&self) -> Result<(), CryptoError> {
        if let Some(path) = &self.key_file {
            let modified = key_file_version(path);
            let keys = read_key_file(path)?;
            *self
                .keys
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = keys;
            *self
                .key_file_version
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = modified;
        }
        Ok(())
    }

    /// A rotation replaces the key file: from then on, new values are sealed under the
    /// new key here too.
    fn reload_if_key_file_changed(&self) -> Result<(), CryptoError> {
        let Some(path) = &self.key_file else {
            return Ok(());
        };
        let known = *self
            .key_file_version
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if key_file_version(path) != known {
            self.reload_key_file()?;
        }
        Ok(())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, KeySet> {
        // A panic while holding the lock can't leave a half-written key set: writers
        // replace it whole.
        self.keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn seal_with<B: AssociatedData>(
    key: &MasterKey,
    binding: B,
    value: &str,
    nonce: &[u8],
) -> Result<Sealed, CryptoError> {
    let aad = binding.associated_data();
    let ciphertext = key
        .cipher
        .encrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: value.as_bytes(),
                aad: &aad,
            },
        )
        .map_err(|_| CryptoError::Undecryptable)?;
    let mut stored = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
    stored.extend_from_slice(nonce);
    stored.extend_from_slice(&ciphertext);
    Ok(Sealed {
        key_id: key.id.clone(),
        ciphertext: STANDARD.encode(stored),
    })
}

/// Enough to tell one version of the key file from the next: a rotation writes a new file
/// (a new inode, on Unix) one line longer, possibly within the clock's resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileVersion {
    modified: Option<SystemTime>,
    length: u64,
    inode: u64,
}

fn key_file_version(path: &Path) -> Option<FileVersion> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some(FileVersion {
        modified: meta.modified().ok(),
        length: meta.len(),
        inode,
    })
}

fn random_hex_key() -> Result<String, CryptoError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| CryptoError::Random)?;
    Ok(hex::encode(bytes))
}

fn key_file_error(path: &Path) -> impl FnOnce(std::io::Error) -> CryptoError + '_ {
    move |source| CryptoError::KeyFile {
        path: path.display().to_string(),
        source,
    }
}

fn read_key_lines(path: &Path) -> Result<Vec<String>, CryptoError> {
    let text = std::fs::read_to_string(path).map_err(key_file_error(path))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(String::from)
        .collect())
}

fn read_key_file(path: &Path) -> Result<KeySet, CryptoError> {
    let lines = read_key_lines(path)?;
    KeySet::from_hex_keys(lines.iter().map(String::as_str))
}

/// Writes the whole file next to its final place and renames it over, so a reader never
/// sees half a file. Mode 0600: the keys are for this user only.
fn write_key_file(path: &Path, keys: &[String], must_be_new: bool) -> Result<(), CryptoError> {
    let staging = path.with_extension("key.new");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&staging).map_err(key_file_error(&staging))?;
    let mut text = String::from(
        "# Gatehouse master keys. The first seals new values; the others only open old ones.\n",
    );
    for key in keys {
        text.push_str(key);
        text.push('\n');
    }
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(key_file_error(&staging))?;
    if must_be_new && path.exists() {
        let _ = std::fs::remove_file(&staging);
        return Ok(());
    }
    std::fs::rename(&staging, path).map_err(key_file_error(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const KEY_B: &str = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

    fn keyring(current: &str, previous: &[&str]) -> Keyring {
        let previous: Vec<SecretString> = previous.iter().map(|key| (*key).into()).collect();
        Keyring::from_keys(&current.into(), &previous).unwrap()
    }

    fn ada(key: &str) -> Binding<'_> {
        Binding {
            workspace_id: 1,
            user_id: 7,
            key,
        }
    }

    #[test]
    fn values_round_trip() {
        let keys = keyring(KEY_A, &[]);
        let sealed = keys.seal(ada("region"), "eu-west ✓").unwrap();
        assert_eq!(keys.open(ada("region"), &sealed).unwrap(), "eu-west ✓");
        assert!(!sealed.ciphertext.contains("eu-west"));
    }

    #[test]
    fn the_same_value_seals_differently_each_time() {
        let keys = keyring(KEY_A, &[]);
        let first = keys.seal(ada("region"), "eu").unwrap();
        let second = keys.seal(ada("region"), "eu").unwrap();
        assert_ne!(first.ciphertext, second.ciphertext);
        let nonce = |sealed: &Sealed| STANDARD.decode(&sealed.ciphertext).unwrap()[..12].to_vec();
        assert_ne!(nonce(&first), nonce(&second));
    }

    #[test]
    fn sealing_many_values_gives_each_its_own_nonce() {
        let keys = keyring(KEY_A, &[]);
        let values = [(ada("a"), "same"), (ada("b"), "same"), (ada("c"), "same")];
        let sealed = keys.seal_many(&values).unwrap();
        let nonces: std::collections::HashSet<Vec<u8>> = sealed
            .iter()
            .map(|sealed| STANDARD.decode(&sealed.ciphertext).unwrap()[..12].to_vec())
            .collect();
        assert_eq!(nonces.len(), 3);
        for ((binding, value), sealed) in values.iter().zip(&sealed) {
            assert_eq!(keys.open(*binding, sealed).unwrap(), *value);
        }
    }

    #[test]
    fn nonces_do_not_repeat_over_many_seals() {
        let keys = keyring(KEY_A, &[]);
        let nonces: std::collections::HashSet<Vec<u8>> = (0..100_000)
            .map(|_| {
                let sealed = keys.seal(ada("k"), "v").unwrap();
                STANDARD.decode(&sealed.ciphertext).unwrap()[..12].to_vec()
            })
            .collect();
        assert_eq!(nonces.len(), 100_000);
    }

    #[test]
    fn a_value_moved_to_another_user_workspace_or_key_does_not_open() {
        let keys = keyring(KEY_A, &[]);
        let sealed = keys.seal(ada("region"), "eu").unwrap();
        let elsewhere = [
            Binding {
                workspace_id: 1,
                user_id: 8,
                key: "region",
            },
            Binding {
                workspace_id: 2,
                user_id: 7,
                key: "region",
            },
            ada("tier"),
        ];
        for binding in elsewhere {
            assert!(matches!(
                keys.open(binding, &sealed),
                Err(CryptoError::Undecryptable)
            ));
        }
    }

    #[test]
    fn a_wrong_key_or_a_flipped_bit_does_not_open() {
        let sealed = keyring(KEY_A, &[]).seal(ada("region"), "eu").unwrap();
        // Same id, different key material: as if the key file had been swapped.
        let wrong = Sealed {
            key_id: keyring(KEY_B, &[]).current_key_id(),
            ..sealed.clone()
        };
        assert!(keyring(KEY_B, &[]).open(ada("region"), &wrong).is_err());
        let mut bytes = STANDARD.decode(&sealed.ciphertext).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = Sealed {
            ciphertext: STANDARD.encode(bytes),
            ..sealed
        };
        assert!(keyring(KEY_A, &[]).open(ada("region"), &tampered).is_err());
    }

    #[test]
    fn an_unknown_key_id_is_named() {
        let sealed = keyring(KEY_A, &[]).seal(ada("region"), "eu").unwrap();
        assert!(matches!(
            keyring(KEY_B, &[]).open(ada("region"), &sealed),
            Err(CryptoError::UnknownKey(_))
        ));
    }

    #[test]
    fn previous_keys_still_open_what_they_sealed() {
        let sealed = keyring(KEY_A, &[]).seal(ada("region"), "eu").unwrap();
        let rotated = keyring(KEY_B, &[KEY_A]);
        assert_eq!(rotated.open(ada("region"), &sealed).unwrap(), "eu");
        assert_ne!(rotated.current_key_id(), sealed.key_id);
        assert_eq!(
            rotated.seal(ada("region"), "eu").unwrap().key_id,
            rotated.current_key_id()
        );
    }

    #[test]
    fn every_seal_is_counted_for_its_key() {
        let keys = keyring(KEY_A, &[]);
        keys.seal(ada("a"), "1").unwrap();
        keys.seal_many(&[(ada("b"), "2"), (ada("c"), "3")]).unwrap();
        assert_eq!(keys.take_sealed_counts(), vec![(keys.current_key_id(), 3)]);
        assert_eq!(keys.take_sealed_counts(), vec![]);
        keys.recount(vec![(keys.current_key_id(), 3)]);
        keys.seal(ada("d"), "4").unwrap();
        assert_eq!(keys.take_sealed_counts(), vec![(keys.current_key_id(), 4)]);
    }

    #[test]
    fn a_key_wears_well_before_the_nist_limit() {
        assert_eq!(KeyWear::of(0), KeyWear::Fresh);
        assert_eq!(KeyWear::of((1 << 30) - 1), KeyWear::Fresh);
        assert_eq!(KeyWear::of(1 << 30), KeyWear::RotateSoon);
        assert_eq!(KeyWear::of(1 << 31), KeyWear::RotateNow);
        assert!(KeyWear::of(ENCRYPTIONS_PER_KEY_LIMIT - 1) == KeyWear::RotateNow);
    }

    #[test]
    fn keys_must_be_32_bytes_of_hex() {
        for bad in [
            "",
            "00",
            &KEY_A[..62],
            &format!("{KEY_A}00"),
            &KEY_A.replace('0', "g"),
        ] {
            assert!(matches!(
                Keyring::from_keys(&bad.into(), &[]),
                Err(CryptoError::MalformedKey)
            ));
        }
    }

    #[test]
    fn aes_256_gcm_matches_a_published_test_vector() {
        // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 13:
        // a zero key, a zero nonce and nothing to encrypt give this tag.
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&[0u8; 32]));
        let tag = cipher
            .encrypt(Nonce::from_slice(&[0u8; 12]), b"".as_ref())
            .unwrap();
        assert_eq!(hex::encode(tag), "530f8afbc74536b9a963b4f1c4cb738b");
    }

    #[test]
    fn a_generated_key_file_is_private_and_kept() {
        let dir = tempfile_dir();
        let (first, origin) = Keyring::from_key_file(&dir.path().join("master.key")).unwrap();
        assert!(matches!(
            origin,
            KeyOrigin::KeyFile {
                generated: true,
                ..
            }
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("master.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (again, origin) = Keyring::from_key_file(&dir.path().join("master.key")).unwrap();
        assert!(matches!(
            origin,
            KeyOrigin::KeyFile {
                generated: false,
                ..
            }
        ));
        assert_eq!(first.current_key_id(), again.current_key_id());
    }

    #[test]
    fn a_key_added_to_the_file_reaches_a_running_keyring() {
        let dir = tempfile_dir();
        let (running, _) = Keyring::from_key_file(&dir.path().join("master.key")).unwrap();
        let (rotating, _) = Keyring::from_key_file(&dir.path().join("master.key")).unwrap();
        let old = running.seal(ada("region"), "eu").unwrap();
        let new_id = rotating.add_key_to_file().unwrap().unwrap();
        // New values the running server seals go under the new key at once.
        assert_eq!(running.seal(ada("tier"), "gold").unwrap().key_id, new_id);
        let resealed = rotating.seal(ada("region"), "eu").unwrap();
        assert_eq!(resealed.key_id, new_id);
        assert_eq!(running.open(ada("region"), &resealed).unwrap(), "eu");
        assert_eq!(rotating.open(ada("region"), &old).unwrap(), "eu");
    }

    #[test]
    fn metadata_sealed_before_resources_had_secrets_still_opens() {
        // Sealed outside Gatehouse (Python's `cryptography`) with KEY_A, nonce 00..0b and
        // the metadata associated data "gatehouse-metadata-v1:1:7:6:region": the bytes
        // every stored metadata value depends on.
        assert_eq!(
            ada("region").associated_data(),
            b"gatehouse-metadata-v1:1:7:6:region"
        );
        let stored = Sealed {
            key_id: "389bf730f591d415".into(),
            ciphertext: "AAECAwQFBgcICQoLInf7bKCWtjtv3QSyQNuVQHrrAhYz5f1bxLjJ".into(),
        };
        let keys = keyring(KEY_A, &[]);
        assert_eq!(keys.current_key_id(), stored.key_id);
        assert_eq!(keys.open(ada("region"), &stored).unwrap(), "eu-west ✓");
    }

    fn constant(resource_id: i64) -> ResourceBinding {
        ResourceBinding {
            workspace_id: 1,
            resource_id,
            kind: ResourceKind::Constant,
        }
    }

    #[test]
    fn a_resource_secret_opens_only_for_its_own_resource() {
        let keys = keyring(KEY_A, &[]);
        let sealed = keys.seal(constant(7), "sk-live-123").unwrap();
        assert_eq!(keys.open(constant(7), &sealed).unwrap(), "sk-live-123");
        let elsewhere = [
            constant(8),
            ResourceBinding {
                workspace_id: 2,
                ..constant(7)
            },
            ResourceBinding {
                kind: ResourceKind::DataSource,
                ..constant(7)
            },
        ];
        for binding in elsewhere {
            assert!(
                matches!(keys.open(binding, &sealed), Err(CryptoError::Undecryptable)),
                "{binding:?}"
            );
        }
    }

    #[test]
    fn secrets_do_not_move_between_metadata_and_resources() {
        let keys = keyring(KEY_A, &[]);
        // The same numbers in both: only the kind of binding tells them apart.
        let member = Binding {
            workspace_id: 1,
            user_id: 7,
            key: "constant",
        };
        let from_metadata = keys.seal(member, "v").unwrap();
        assert!(keys.open(constant(7), &from_metadata).is_err());
        let from_resource = keys.seal(constant(7), "v").unwrap();
        assert!(keys.open(member, &from_resource).is_err());
        assert_ne!(
            member.associated_data(),
            constant(7).associated_data(),
            "distinct associated data"
        );
    }

    fn tempfile_dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }
}
