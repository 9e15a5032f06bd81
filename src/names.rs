//! Names users give to what they keep in the workspace — views, working tables, saved
//! reports — are identifiers, checked before anything is stored: never a path, never
//! code. A name joined into a file name or an SQL header can then only be itself.

use crate::error::Error;

/// What a name is for, in messages.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    View,
    Table,
    Report,
}

impl Kind {
    fn what(self) -> &'static str {
        match self {
            Kind::View => "view",
            Kind::Table => "table",
            Kind::Report => "report",
        }
    }
}

/// `name` in lower case if it is a plain identifier: ASCII letters, digits and `_`, not
/// starting with a digit, at most 64 characters.
pub fn identifier(kind: Kind, name: &str) -> Result<String, Error> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(name.to_ascii_lowercase())
    } else {
        Err(Error::Usage(format!(
            "{} name {name:?}: use letters, digits and _ (at most 64, not starting with a digit), e.g. monthly_collections",
            kind.what()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_identifiers() {
        assert_eq!(identifier(Kind::View, "Big_Orders_2026").unwrap(), "big_orders_2026");
        for bad in ["", "../x", "a b", "9lives", "月报", "x\ncreate external table", "x;drop", "a\"b", &"a".repeat(65)]
        {
            assert!(identifier(Kind::Table, bad).is_err(), "{bad:?}");
        }
        let e = identifier(Kind::View, "x\n--").unwrap_err().to_string();
        assert!(e.contains("view name \"x\\n--\""), "{e}");
    }
}
