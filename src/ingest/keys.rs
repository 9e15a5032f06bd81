//! The natural keys already stored in a table, read from the key column of its Parquet
//! files, so an import can skip rows the workspace holds already and say which import
//! holds them.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::path::Path;

use datafusion::arrow::array::{Array, FixedSizeBinaryArray, Int64Array};
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::errors::ParquetError;

use crate::schema::KEY_COLUMN;

/// A 128-bit natural-key hash, stored as two words so a map entry takes 24 bytes, not
/// the 32 a 16-byte-aligned `u128` would.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Key(u64, u64);

impl From<u128> for Key {
    fn from(v: u128) -> Key {
        Key((v >> 64) as u64, v as u64)
    }
}

impl Hash for Key {
    /// The key is a hash already: one word of it is as good as hashing it again.
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.1);
    }
}

#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// Key → the import that stored it.
pub type KeyMap = HashMap<Key, u32, BuildHasherDefault<KeyHasher>>;

pub fn load_keys(files: &[impl AsRef<Path>], keys: &mut KeyMap) -> Result<(), ParquetError> {
    for path in files {
        let file = File::open(path.as_ref())?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
        let schema = builder.parquet_schema();
        let wanted: Vec<usize> = builder
            .schema()
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name() == KEY_COLUMN || f.name() == "import_id")
            .map(|(i, _)| i)
            .collect();
        let mask = ProjectionMask::roots(schema, wanted);
        let reader = builder.with_projection(mask).with_batch_size(65536).build()?;
        for batch in reader {
            let batch = batch?;
            let key_col = batch
                .column_by_name(KEY_COLUMN)
                .and_then(|c| c.as_any().downcast_ref::<FixedSizeBinaryArray>())
                .ok_or_else(|| ParquetError::General(format!("{}: no key column", path.as_ref().display())))?;
            let import_col =
                batch.column_by_name("import_id").and_then(|c| c.as_any().downcast_ref::<Int64Array>().cloned());
            keys.reserve(key_col.len());
            for i in 0..key_col.len() {
                let k = u128::from_be_bytes(key_col.value(i).try_into().expect("16-byte keys"));
                let origin = import_col.as_ref().map_or(0, |c| c.value(i) as u32);
                keys.insert(Key::from(k), origin);
            }
        }
    }
    Ok(())
}
