//! Errors from parsing package databases. Every variant says which format
//! failed and where, so a finding can explain why a layer's packages are
//! unknown; none of them carries more than a short excerpt of the input.

/// A package database could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PackagesError {
    /// A line-oriented text database (dpkg status, apk installed) is malformed.
    #[error("{format}: line {line}: {reason}")]
    Syntax {
        format: &'static str,
        line: usize,
        reason: String,
    },
    /// A binary structure (rpm header, Berkeley DB page, ndb slot) is
    /// malformed or points outside the input.
    #[error("{format}: {reason}")]
    Corrupt {
        format: &'static str,
        reason: String,
    },
    /// Output would outgrow the bound derived from the input's size.
    #[error("{format}: {what} would exceed {limit} bytes")]
    TooLarge {
        format: &'static str,
        what: &'static str,
        limit: u64,
    },
    /// One record of a database failed; `record` is its key or index there.
    #[error("{format} record {record}: {source}")]
    Record {
        format: &'static str,
        record: u64,
        #[source]
        source: Box<PackagesError>,
    },
    /// SQLite refused the rpmdb.sqlite image or a query on it.
    #[error("rpm sqlite: {context}: {source}")]
    Sqlite {
        context: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// The private temporary copy that SQLite reads could not be written.
    #[error("rpm sqlite: {context}: {source}")]
    Io {
        context: &'static str,
        #[source]
        source: std::io::Error,
    },
}

impl PackagesError {
    pub(crate) fn corrupt(format: &'static str, reason: impl Into<String>) -> Self {
        PackagesError::Corrupt {
            format,
            reason: reason.into(),
        }
    }

    pub(crate) fn syntax(format: &'static str, line: usize, reason: impl Into<String>) -> Self {
        PackagesError::Syntax {
            format,
            line,
            reason: reason.into(),
        }
    }

    pub(crate) fn in_record(self, format: &'static str, record: u64) -> Self {
        PackagesError::Record {
            format,
            record,
            source: Box::new(self),
        }
    }
}

/// Caps the bytes of file paths a parser may produce. Databases share
/// directory names between many files (rpm DIRNAMES, apk `F:` lines), so a
/// hostile one could expand a small input into a huge list; real ones expand
/// by well under 16 times.
pub(crate) struct PathBudget {
    format: &'static str,
    left: u64,
    limit: u64,
}

impl PathBudget {
    pub(crate) fn for_input(format: &'static str, input_len: usize) -> Self {
        let limit = (input_len as u64).saturating_mul(16).max(1 << 20);
        PathBudget {
            format,
            left: limit,
            limit,
        }
    }

    pub(crate) fn take(&mut self, bytes: usize) -> Result<(), PackagesError> {
        match self.left.checked_sub(bytes as u64) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(PackagesError::TooLarge {
                format: self.format,
                what: "file paths",
                limit: self.limit,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_scales_with_input_and_refuses_overdraw() {
        let mut b = PathBudget::for_input("t", 1 << 20);
        assert!(b.take(16 << 20).is_ok());
        let err = b.take(1).unwrap_err();
        assert!(err.to_string().contains("exceed 16777216"), "{err}");
        let mut small = PathBudget::for_input("t", 10);
        assert!(small.take(1 << 20).is_ok(), "1 MiB floor");
    }

    #[test]
    fn record_errors_name_the_record() {
        let e = PackagesError::corrupt("rpm header", "bad").in_record("rpm bdb", 7);
        assert_eq!(e.to_string(), "rpm bdb record 7: rpm header: bad");
    }
}
