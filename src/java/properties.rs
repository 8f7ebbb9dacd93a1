//! The two small text formats Java facts come in: properties files
//! (`java.security`, Maven's `pom.properties`) as `java.util.Properties.load`
//! reads them, and the main section of a jar manifest. Both parsers take any
//! text and never fail: a line they cannot make sense of yields what Java
//! itself would make of it, or nothing.

/// Whitespace as `Properties.load` sees it (space, tab, form feed).
const WS: [char; 3] = [' ', '\t', '\x0c'];

/// The `(key, value)` pairs of a properties file, in file order (a key
/// given twice appears twice; [`prop`] picks the last, as Java does).
///
/// Follows `java.util.Properties.load`: `#`/`!` comment lines, a trailing
/// odd run of backslashes continues a line (leading whitespace of the next
/// line dropped, comment markers there are content), keys end at the first
/// unescaped `=`, `:` or whitespace, and `\t \n \r \f \uXXXX \x` escapes.
/// A malformed `\u` (Java throws) keeps the `u` instead of failing.
pub fn parse_properties(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = natural_lines(text);
    while let Some(line) = lines.next() {
        let first = line.trim_start_matches(WS);
        if first.is_empty() || first.starts_with('#') || first.starts_with('!') {
            continue;
        }
        let mut logical = String::new();
        let mut cur = first;
        loop {
            if ends_with_odd_backslashes(cur) {
                logical.push_str(&cur[..cur.len() - 1]);
                match lines.next() {
                    Some(next) => cur = next.trim_start_matches(WS),
                    None => break,
                }
            } else {
                logical.push_str(cur);
                break;
            }
        }
        out.push(split_key_value(&logical));
    }
    out
}

/// The value of the last `key` in `pairs` (the one `Properties` keeps).
pub fn prop<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Lines ended by `\n`, `\r\n` or `\r`.
fn natural_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').flat_map(|l| {
        let l = l.strip_suffix('\r').unwrap_or(l);
        l.split('\r')
    })
}

fn ends_with_odd_backslashes(s: &str) -> bool {
    s.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

fn split_key_value(line: &str) -> (String, String) {
    let mut escaped = false;
    let mut key_end = line.len();
    let mut sep: Option<char> = None;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '=' || c == ':' || WS.contains(&c) {
            key_end = i;
            sep = Some(c);
            break;
        }
    }
    let key = &line[..key_end];
    let mut rest = line.get(key_end..).unwrap_or("");
    if let Some(c) = sep {
        rest = rest.get(c.len_utf8()..).unwrap_or("");
        if WS.contains(&c) {
            // `key  = value`: whitespace, then at most one separator.
            rest = rest.trim_start_matches(WS);
            if let Some(r) = rest.strip_prefix(['=', ':']) {
                rest = r;
            }
        }
        rest = rest.trim_start_matches(WS);
    }
    (unescape(key), unescape(rest))
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16) {
                    Ok(n) if hex.len() == 4 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                        out.push(char::from_u32(n).unwrap_or('\u{fffd}'));
                        chars.nth(3);
                    }
                    _ => out.push('u'),
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// The main section of a jar manifest (`META-INF/MANIFEST.MF`) as
/// `(name, value)` pairs: `Name: value` lines up to the first blank line,
/// with continuation lines (a leading single space) joined. Per-entry
/// sections after the blank line (signed jars list every class there) are
/// not read.
pub fn parse_manifest(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in natural_lines(text) {
        if line.is_empty() {
            break;
        }
        if let Some(more) = line.strip_prefix(' ') {
            if let Some(last) = out.last_mut() {
                last.1.push_str(more);
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            out.push((
                name.trim().to_string(),
                value.strip_prefix(' ').unwrap_or(value).to_string(),
            ));
        }
    }
    out
}

/// A manifest attribute; names compare case-insensitively, as the jar
/// specification says.
pub fn manifest_attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(text: &str) -> Vec<(String, String)> {
        parse_properties(text)
    }

    #[test]
    fn separators_comments_and_blank_lines() {
        let p = kv("# c\n! c\n\n  a=1\nb: 2\nc 3\nd\t=\t4\ne\n f = \n");
        let want = [
            ("a", "1"),
            ("b", "2"),
            ("c", "3"),
            ("d", "4"),
            ("e", ""),
            ("f", ""),
        ];
        assert_eq!(p.len(), want.len());
        for ((k, v), (wk, wv)) in p.iter().zip(want) {
            assert_eq!((k.as_str(), v.as_str()), (wk, wv));
        }
    }

    #[test]
    fn continuation_lines_as_in_openjdk_java_security() {
        // Verbatim shape of rh-openjdk's java.security: a continued value
        // whose last line ends in a backslash before a blank line.
        let p = kv("package.access=sun.misc.,\\\n               sun.reflect.,\\\n\n#\nnext=1\n");
        assert_eq!(prop(&p, "package.access"), Some("sun.misc.,sun.reflect.,"));
        assert_eq!(prop(&p, "next"), Some("1"));
        // A comment marker on a continuation line is content, and an even
        // run of backslashes is an escaped backslash, not a continuation.
        let p = kv("a=x\\\n  #y\nb=c:\\\\\n");
        assert_eq!(prop(&p, "a"), Some("x#y"));
        assert_eq!(prop(&p, "b"), Some("c:\\"));
        // A comment line ending in a backslash does not continue.
        let p = kv("# c \\\nk=v\r\nr=1\rs=2");
        assert_eq!(prop(&p, "k"), Some("v"));
        assert_eq!(prop(&p, "r"), Some("1"));
        assert_eq!(prop(&p, "s"), Some("2"));
        assert_eq!(kv("k=v\\").first().map(|(_, v)| v.as_str()), Some("v"));
    }

    #[test]
    fn escapes_never_panic() {
        let p = kv("a\\=b=c\\u0041\\t\nu=\\u12\nv=\\uZZZZ\nw=\\ud800x\ny=é\\ü\nx=\\\n");
        assert_eq!(prop(&p, "a=b"), Some("cA\t"));
        assert_eq!(prop(&p, "u"), Some("u12"));
        assert_eq!(prop(&p, "v"), Some("uZZZZ"));
        assert_eq!(prop(&p, "w"), Some("\u{fffd}x"));
        assert_eq!(prop(&p, "y"), Some("éü"));
        for s in ["\\", "\\u", "=", ":", "\\\\\\", "\u{0}\\u00", "a\\\r\n\\"] {
            let _ = kv(s);
        }
    }

    #[test]
    fn last_duplicate_wins() {
        let p = kv("k=1\nk=2\n");
        assert_eq!(p.len(), 2);
        assert_eq!(prop(&p, "k"), Some("2"));
    }

    #[test]
    fn manifest_main_section_with_continuations() {
        // Lines from Debian 12's bcprov-1.72.jar manifest (CRLF, 72-byte wrap).
        let text = "Manifest-Version: 1.0\r\nClass-Path: /usr/share/java/javax.mail.jar /usr/share/java/jakarta-mail-\r\n api.jar /usr/share/java/jakarta-activation.jar\r\nImplementation-Version: 1.72.0\r\n\r\nName: org/x.class\r\nImplementation-Version: 9\r\n";
        let m = parse_manifest(text);
        assert_eq!(manifest_attr(&m, "implementation-version"), Some("1.72.0"));
        assert_eq!(
            manifest_attr(&m, "Class-Path"),
            Some(
                "/usr/share/java/javax.mail.jar /usr/share/java/jakarta-mail-api.jar /usr/share/java/jakarta-activation.jar"
            )
        );
        assert_eq!(m.len(), 3, "per-entry sections are not read");
        assert!(parse_manifest(" orphan continuation\nno colon\n").is_empty());
    }
}
