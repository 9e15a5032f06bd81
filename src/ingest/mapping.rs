//! The mapping file (TOML) for layouts recon cannot guess: which row is the header,
//! which header feeds which field, the kind, and values for the whole file.
//!
//! ```toml
//! kind = "bank"               # orders | settlements | bank
//! header_row = 7              # line (text) or row (sheet) of the header, 1-based
//! sheet = "明细"
//! delimiter = ";"
//! encoding = "gbk"
//! date_format = "%d.%m.%Y"    # chrono format, when dates are not in a usual spelling
//! negate = true               # amounts are written money-out positive (a credit card's bill)
//! [defaults]
//! platform = "tmall"
//! shop = "云帆旗舰店"
//! account = "1202020009000123456"
//! currency = "CNY"
//! [columns]
//! txn_time = "Buchungstag"
//! amount = "Betrag"
//! memo = ["Verwendungszweck", "Buchungstext"]   # several: non-empty values joined
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::fields::Field;
use crate::schema::Kind;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    pub kind: Option<String>,
    /// The file writes money out positive (a credit card's bill): turn every amount round.
    #[serde(default)]
    pub negate: bool,
    pub header_row: Option<u64>,
    pub sheet: Option<String>,
    pub delimiter: Option<String>,
    pub encoding: Option<String>,
    pub date_format: Option<String>,
    #[serde(default)]
    pub defaults: Defaults,
    #[serde(default)]
    pub columns: BTreeMap<String, OneOrMany>,
}

/// Values for the whole file, where the rows do not say.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub platform: Option<String>,
    pub shop: Option<String>,
    pub account: Option<String>,
    pub currency: Option<String>,
}

impl Defaults {
    /// Fills what `self` lacks from `other`.
    pub fn or(self, other: &Defaults) -> Defaults {
        Defaults {
            platform: self.platform.or_else(|| other.platform.clone()),
            shop: self.shop.or_else(|| other.shop.clone()),
            account: self.account.or_else(|| other.account.clone()),
            currency: self.currency.or_else(|| other.currency.clone()),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn headers(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("mapping file {0}: {1}")]
    Read(String, std::io::Error),
    #[error("mapping file {0}: {1}")]
    Parse(String, String),
}

impl MappingFile {
    pub fn load(path: &Path) -> Result<MappingFile, MappingError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| MappingError::Read(name.clone(), e))?;
        let file: MappingFile = toml::from_str(&text).map_err(|e| MappingError::Parse(name.clone(), e.to_string()))?;
        file.validate().map_err(|e| MappingError::Parse(name, e))?;
        Ok(file)
    }

    fn validate(&self) -> Result<(), String> {
        if let Some(k) = &self.kind {
            k.parse::<Kind>().map_err(|e| e.to_string())?;
        }
        for name in self.columns.keys() {
            name.parse::<Field>()?;
        }
        if let Some(d) = &self.delimiter
            && self.delimiter_byte().is_none()
        {
            return Err(format!("delimiter '{d}' must be one character such as ',', ';', '|' or '\\t'"));
        }
        if self.header_row == Some(0) {
            return Err("header_row counts from 1".into());
        }
        Ok(())
    }

    pub fn kind(&self) -> Option<Kind> {
        self.kind.as_deref().and_then(|k| k.parse().ok())
    }

    pub fn delimiter_byte(&self) -> Option<u8> {
        match self.delimiter.as_deref()? {
            "\\t" | "\t" | "tab" => Some(b'\t'),
            d if d.len() == 1 => Some(d.as_bytes()[0]),
            _ => None,
        }
    }

    /// The fields the file maps explicitly, with their header texts.
    pub fn column_fields(&self) -> Vec<(Field, Vec<&str>)> {
        self.columns.iter().filter_map(|(k, v)| Some((k.parse::<Field>().ok()?, v.headers()))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_unknown_fields() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.toml");
        std::fs::write(&p, "kind = \"bank\"\nheader_row = 3\n[defaults]\naccount = \"A1\"\n[columns]\namount = \"Betrag\"\nmemo = [\"a\", \"b\"]\n").unwrap();
        let m = MappingFile::load(&p).unwrap();
        assert_eq!(m.kind(), Some(Kind::Bank));
        assert_eq!(m.defaults.account.as_deref(), Some("A1"));
        assert_eq!(m.column_fields().len(), 2);
        std::fs::write(&p, "[columns]\namout = \"Betrag\"\n").unwrap();
        let err = MappingFile::load(&p).unwrap_err().to_string();
        assert!(err.contains("unknown field 'amout'"), "{err}");
        std::fs::write(&p, "kind = \"bank\"\nheader_rw = 3\n").unwrap();
        let err = MappingFile::load(&p).unwrap_err().to_string();
        assert!(err.contains("header_rw"), "{err}");
    }
}
