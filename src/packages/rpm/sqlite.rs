//! rpm's SQLite database, `rpmdb.sqlite`: table `Packages (hnum INTEGER
//! PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)`; the other tables are
//! indexes rpm can rebuild and are not read.
//!
//! SQLite reads files, and this crate builds rusqlite without its
//! `serialize` feature (no `sqlite3_deserialize` without unsafe FFI), so the
//! bytes are copied to a private temporary file: created with O_EXCL and
//! mode 0600 under the system temp dir, opened read-only with `immutable=1`
//! (no locks, no -wal/-shm side files, a WAL-mode database reads fine) and
//! removed on every path out. The image's file is untrusted, so the schema
//! is checked before the one query runs: `Packages` must be a plain table
//! (not a view, no generated columns), which makes the query a bounded scan
//! of stored rows; `trusted_schema` is off so the schema can call nothing.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::{in_record_order, push_header};
use crate::packages::purl::Distro;
use crate::packages::{Package, PackagesError};

const FORMAT: &str = "rpm sqlite";

fn sql(context: &'static str) -> impl FnOnce(rusqlite::Error) -> PackagesError {
    move |source| PackagesError::Sqlite { context, source }
}

/// A temporary file that is removed when dropped.
struct TempCopy(PathBuf);

impl TempCopy {
    fn write(bytes: &[u8]) -> Result<Self, PackagesError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let io = |context| move |source| PackagesError::Io { context, source };
        let mut attempt = 0;
        let (path, mut file): (PathBuf, File) = loop {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!(
                "fipscan-rpmdb-{}-{n}-{nanos}.sqlite",
                std::process::id()
            ));
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
                Ok(f) => break (path, f),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => {
                    attempt += 1
                }
                Err(e) => return Err(io("creating a temporary copy")(e)),
            }
        };
        let copy = TempCopy(path);
        file.write_all(bytes)
            .map_err(io("writing the temporary copy"))?;
        Ok(copy)
    }

    /// A `file:` URI for the path (percent-encoded) with `immutable=1`.
    fn uri(&self) -> String {
        let mut uri = String::from("file:");
        for b in self.0.as_os_str().as_encoded_bytes() {
            if b.is_ascii_alphanumeric() || b"/._-~".contains(b) {
                uri.push(char::from(*b));
            } else {
                uri.push_str(&format!("%{b:02X}"));
            }
        }
        uri.push_str("?immutable=1");
        uri
    }
}

impl Drop for TempCopy {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Parses an `rpmdb.sqlite` image.
pub fn parse_rpm_sqlite(bytes: &[u8], distro: &Distro) -> Result<Vec<Package>, PackagesError> {
    if !bytes.starts_with(b"SQLite format 3\0") {
        return Err(PackagesError::corrupt(FORMAT, "not an SQLite 3 database"));
    }
    let copy = TempCopy::write(bytes)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let db = Connection::open_with_flags(copy.uri(), flags).map_err(sql("opening"))?;
    db.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;")
        .map_err(sql("setting pragmas"))?;
    check_schema(&db)?;

    let mut stmt = db
        .prepare("SELECT hnum, blob FROM Packages")
        .map_err(sql("preparing the query"))?;
    let mut rows = stmt.query([]).map_err(sql("querying Packages"))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(sql("reading Packages"))? {
        let hnum = match row.get_ref(0).map_err(sql("reading hnum"))? {
            ValueRef::Integer(n) => {
                u64::try_from(n).map_err(|_| bad(format!("negative hnum {n}")))?
            }
            other => return Err(bad(format!("hnum of type {:?}", other.data_type()))),
        };
        let blob = match row.get_ref(1).map_err(sql("reading blob"))? {
            ValueRef::Blob(b) => b,
            other => {
                return Err(bad(format!(
                    "hnum {hnum}: blob of type {:?}",
                    other.data_type()
                )));
            }
        };
        push_header(&mut out, FORMAT, hnum, blob, distro)?;
    }
    Ok(in_record_order(out))
}

fn bad(reason: String) -> PackagesError {
    PackagesError::corrupt(FORMAT, reason)
}

/// `Packages` must be a table whose `hnum` and `blob` are stored columns.
fn check_schema(db: &Connection) -> Result<(), PackagesError> {
    let kind: Option<String> = db
        .query_row(
            "SELECT type FROM sqlite_schema WHERE name = 'Packages'",
            [],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .map_err(sql("reading the schema"))?;
    match kind.as_deref() {
        Some("table") => {}
        Some(other) => return Err(bad(format!("Packages is a {other}, not a table"))),
        None => return Err(bad("no Packages table".into())),
    }
    // table_xinfo's `hidden` is 2 or 3 for generated columns.
    let mut stmt = db
        .prepare("PRAGMA table_xinfo(Packages)")
        .map_err(sql("reading columns"))?;
    let cols = stmt
        .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(6)?)))
        .map_err(sql("reading columns"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sql("reading columns"))?;
    for want in ["hnum", "blob"] {
        match cols
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(want))
        {
            Some((_, 0)) => {}
            Some(_) => return Err(bad(format!("column {want} is generated"))),
            None => return Err(bad(format!("Packages has no {want} column"))),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::testutil::fixture_bytes;

    #[test]
    fn temporary_copy_is_private_and_removed() {
        use std::os::unix::fs::PermissionsExt;
        let copy = TempCopy::write(b"abc").unwrap();
        let path = copy.0.clone();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"abc");
        assert!(copy.uri().starts_with("file:/") && copy.uri().ends_with("?immutable=1"));
        drop(copy);
        assert!(!path.exists());
        let odd = TempCopy(PathBuf::from("/t/a b?#%.sqlite"));
        assert_eq!(odd.uri(), "file:/t/a%20b%3F%23%25.sqlite?immutable=1");
        std::mem::forget(odd);
    }

    /// A database made by SQLite from `sql`, as bytes.
    fn db_bytes(sql: &str) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        Connection::open(&path).unwrap().execute_batch(sql).unwrap();
        std::fs::read(path).unwrap()
    }

    fn parse(b: &[u8]) -> Result<Vec<Package>, PackagesError> {
        parse_rpm_sqlite(b, &Distro::unknown())
    }

    #[test]
    fn hostile_schemas_are_refused() {
        let view = db_bytes(
            "CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
             SELECT x AS hnum, zeroblob(1000000) AS blob FROM c;",
        );
        assert!(parse(&view).unwrap_err().to_string().contains("is a view"));
        let generated = db_bytes(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB AS (zeroblob(1000000000)) VIRTUAL);",
        );
        assert!(
            parse(&generated)
                .unwrap_err()
                .to_string()
                .contains("generated")
        );
        let missing = db_bytes("CREATE TABLE Other (x);");
        assert!(
            parse(&missing)
                .unwrap_err()
                .to_string()
                .contains("no Packages table")
        );
        let nocol = db_bytes("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, data BLOB);");
        assert!(
            parse(&nocol)
                .unwrap_err()
                .to_string()
                .contains("no blob column")
        );
        let text = db_bytes(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob); INSERT INTO Packages VALUES (1, 'x');",
        );
        assert!(
            parse(&text)
                .unwrap_err()
                .to_string()
                .contains("blob of type Text")
        );
        let junk = db_bytes(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob); INSERT INTO Packages VALUES (7, x'00');",
        );
        assert!(
            parse(&junk)
                .unwrap_err()
                .to_string()
                .starts_with("rpm sqlite record 7: rpm header")
        );
        let empty = db_bytes(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
        );
        assert!(parse(&empty).unwrap().is_empty());
    }

    #[test]
    fn damaged_real_database_is_an_error_not_a_panic() {
        let real = fixture_bytes("rpm/sqlite/var/lib/rpm/rpmdb.sqlite");
        assert!(
            parse(b"not sqlite")
                .unwrap_err()
                .to_string()
                .contains("not an SQLite 3")
        );
        assert!(parse(&real[..100]).is_err());
        assert!(parse(&real[..real.len() / 2]).is_err());
        // Pages overwritten with garbage: SQLite reports corruption.
        let mut m = real.clone();
        for (i, b) in m.iter_mut().enumerate().skip(4096) {
            *b = (i * 31 % 251) as u8;
        }
        assert!(parse(&m).is_err());
    }
}
