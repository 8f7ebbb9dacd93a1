//! OpenSSL's configuration language (NCONF, see config(5)), read the way
//! libcrypto reads it: `[section]` headers, `name = value` pairs, `#`
//! comments, `\` line continuations, `$var`/`${var}`/`$section::var`
//! expansion, and `.include` of files or directories (`*.cnf`/`*.conf`).
//! Files come from the squashed image through a lookup closure; nothing
//! on the host is read.

use std::collections::BTreeMap;

/// `.include` nesting deeper than this is a loop or an attack.
const MAX_INCLUDE_DEPTH: usize = 16;
/// Bound on expanded value length, as OpenSSL's own MAX_CONF_VALUE_LENGTH.
const MAX_VALUE_LEN: usize = 64 << 10;

#[derive(Debug, Default, Clone)]
pub struct Conf {
    /// section -> name -> value (the last definition wins, as in NCONF).
    pub sections: BTreeMap<String, BTreeMap<String, String>>,
    /// Every file read, in order, as resolved image paths.
    pub files: Vec<String>,
    /// Problems met while reading (missing includes, loops, bad lines).
    pub problems: Vec<String>,
}

impl Conf {
    pub fn get(&self, section: &str, name: &str) -> Option<&str> {
        self.sections.get(section)?.get(name).map(String::as_str)
    }
    pub fn section(&self, section: &str) -> Option<&BTreeMap<String, String>> {
        self.sections.get(section)
    }
}

/// How the reader sees the image: a file's text by path (after symlinks),
/// and the files of a directory.
pub trait ConfFs {
    fn read(&self, path: &str) -> Option<(String, String)>;
    fn list_dir(&self, dir: &str) -> Vec<String>;
}

pub fn load(fs: &dyn ConfFs, path: &str) -> Option<Conf> {
    let mut conf = Conf::default();
    let (resolved, text) = fs.read(path)?;
    let mut section = "default".to_string();
    parse_file(fs, &mut conf, &resolved, &text, &mut section, 0);
    Some(conf)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// Joins logical lines: a trailing unescaped `\` continues onto the next line.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for raw in text.lines() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trailing = line.len() - line.trim_end_matches('\\').len();
        if trailing % 2 == 1 {
            current.push_str(&line[..line.len() - 1]);
            continue;
        }
        current.push_str(line);
        out.push(std::mem::take(&mut current));
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Removes a `#` comment that is not escaped or quoted.
fn strip_comment(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (c, quote) {
            ('\\', _) => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            ('"' | '\'', None) => {
                quote = Some(c);
                out.push(c);
            }
            (q, Some(open)) if q == open => {
                quote = None;
                out.push(c);
            }
            ('#', None) => break,
            _ => out.push(c),
        }
    }
    out
}

fn parse_file(
    fs: &dyn ConfFs,
    conf: &mut Conf,
    file: &str,
    text: &str,
    section: &mut String,
    depth: usize,
) {
    if conf.files.iter().any(|f| f == file) && depth > 0 {
        conf.problems.push(format!(
            "/{file} is included twice; ignored the second time"
        ));
        return;
    }
    conf.files.push(file.to_string());
    for (n, raw) in logical_lines(text).iter().enumerate() {
        let line = strip_comment(raw);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            match rest.split_once(']') {
                Some((name, _)) => *section = name.trim().to_string(),
                None => conf
                    .problems
                    .push(format!("/{file}:{}: section header without ]", n + 1)),
            }
            continue;
        }
        if let Some(directive) = line.strip_prefix('.') {
            handle_directive(fs, conf, file, directive, depth, n + 1);
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            conf.problems.push(format!(
                "/{file}:{}: line is neither a section, a directive nor name = value",
                n + 1
            ));
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        let (target_section, name) = match name.split_once("::") {
            Some((s, k)) => (s.to_string(), k.to_string()),
            None => (section.clone(), name.to_string()),
        };
        let value = expand(conf, &target_section, value);
        conf.sections
            .entry(target_section)
            .or_default()
            .insert(name, value);
    }
}

fn handle_directive(
    fs: &dyn ConfFs,
    conf: &mut Conf,
    file: &str,
    directive: &str,
    depth: usize,
    line: usize,
) {
    let (word, arg) = match directive.split_once(|c: char| c == '=' || c.is_whitespace()) {
        Some((w, a)) => (w.trim(), a.trim().trim_start_matches('=').trim()),
        None => (directive.trim(), ""),
    };
    if word != "include" {
        // `.pragma` and unknown directives do not change what is loaded.
        return;
    }
    if depth >= MAX_INCLUDE_DEPTH {
        conf.problems.push(format!(
            "/{file}:{line}: .include nested deeper than {MAX_INCLUDE_DEPTH}"
        ));
        return;
    }
    let target = unquote(arg);
    // Relative includes are resolved from the including file's directory
    // (OpenSSL uses OPENSSL_CONF_INCLUDE or the working directory, which a
    // static scan cannot know; the including directory is what configs mean).
    let path = if target.starts_with('/') {
        target.trim_start_matches('/').to_string()
    } else {
        join(parent(file), &target)
    };
    let mut files = match fs.read(&path) {
        Some(found) => vec![found],
        None => {
            let mut names = fs.list_dir(&path);
            names.retain(|n| n.ends_with(".cnf") || n.ends_with(".conf"));
            names.sort();
            names.into_iter().filter_map(|n| fs.read(&n)).collect()
        }
    };
    if files.is_empty() {
        conf.problems.push(format!(
            "/{file}:{line}: .include {target} names nothing in the image"
        ));
        return;
    }
    for (resolved, text) in files.drain(..) {
        // An included file starts in the default section and does not
        // change the includer's current section.
        let mut inner = "default".to_string();
        parse_file(fs, conf, &resolved, &text, &mut inner, depth + 1);
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    s.to_string()
}

/// Expands `$name`, `${name}`, `$section::name` and `${section::name}`,
/// and removes quotes and escapes, as NCONF does for values.
fn expand(conf: &Conf, section: &str, value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if out.len() > MAX_VALUE_LEN {
            break;
        }
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(match n {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        other => other,
                    });
                }
            }
            '"' | '\'' if quote.is_none() => quote = Some(c),
            q if Some(q) == quote => quote = None,
            '$' if quote != Some('\'') => {
                let braced = chars.peek() == Some(&'{');
                if braced {
                    chars.next();
                }
                let mut name = String::new();
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' || n == ':' || n == '.' {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if braced && chars.peek() == Some(&'}') {
                    chars.next();
                }
                let (sec, key) = match name.split_once("::") {
                    Some((s, k)) => (s.to_string(), k.to_string()),
                    None => (section.to_string(), name.clone()),
                };
                let found = conf.get(&sec, &key).or_else(|| conf.get("default", &key));
                match found {
                    Some(v) => out.push_str(v),
                    // NCONF fails the whole load on an undefined variable;
                    // keep the text so the problem stays visible.
                    None => {
                        out.push('$');
                        out.push_str(&name);
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake(Vec<(&'static str, &'static str)>);
    impl ConfFs for Fake {
        fn read(&self, path: &str) -> Option<(String, String)> {
            self.0
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
        }
        fn list_dir(&self, dir: &str) -> Vec<String> {
            self.0
                .iter()
                .filter(|(p, _)| parent(p) == dir)
                .map(|(p, _)| (*p).to_string())
                .collect()
        }
    }

    #[test]
    fn fips_module_man_page_layout() {
        let fs = Fake(vec![
            (
                "opt/openssl/ssl/openssl.cnf",
                "openssl_conf = openssl_init\n.include /opt/openssl/ssl/fipsmodule.cnf\n[openssl_init]\nproviders = provider_sect\nalg_section = algorithm_sect\n[provider_sect]\nfips = fips_sect\nbase = base_sect\n[base_sect]\nactivate = 1\n[algorithm_sect]\ndefault_properties = fips=yes\n",
            ),
            (
                "opt/openssl/ssl/fipsmodule.cnf",
                "[fips_sect]\nactivate = 1\nmodule-mac = AB:CD\n",
            ),
        ]);
        let c = load(&fs, "opt/openssl/ssl/openssl.cnf").unwrap();
        assert_eq!(c.get("default", "openssl_conf"), Some("openssl_init"));
        assert_eq!(c.get("fips_sect", "module-mac"), Some("AB:CD"));
        assert_eq!(
            c.get("algorithm_sect", "default_properties"),
            Some("fips=yes")
        );
        // The include does not move the includer out of its section.
        assert_eq!(c.get("openssl_init", "providers"), Some("provider_sect"));
        assert_eq!(
            c.files,
            [
                "opt/openssl/ssl/openssl.cnf",
                "opt/openssl/ssl/fipsmodule.cnf"
            ]
        );
        assert!(c.problems.is_empty(), "{:?}", c.problems);
    }

    #[test]
    fn debian_commented_lines_are_ignored() {
        // As Debian 12's /usr/lib/ssl/openssl.cnf ships them (SIGNATURES.md X4).
        let fs = Fake(vec![(
            "usr/lib/ssl/openssl.cnf",
            "HOME = .\n# .include fipsmodule.cnf\n[provider_sect]\ndefault = default_sect\n# fips = fips_sect\n[default_sect]\n# activate = 1\n",
        )]);
        let c = load(&fs, "usr/lib/ssl/openssl.cnf").unwrap();
        assert_eq!(c.get("provider_sect", "fips"), None);
        assert_eq!(c.get("default_sect", "activate"), None);
        assert_eq!(c.files.len(), 1);
    }

    #[test]
    fn variables_quotes_continuations_and_directories() {
        let fs = Fake(vec![
            (
                "etc/ssl/openssl.cnf",
                "dir = /etc/ssl\n[s]\nx = \"a#b\" # comment\ny = ${dir}/fips\\\nmodule.cnf\nz = $s::x-1\n.include = conf.d\n",
            ),
            ("etc/ssl/conf.d/10-a.cnf", "[a]\nk = 1\n"),
            ("etc/ssl/conf.d/20-b.conf", "[a]\nk = 2\n"),
            ("etc/ssl/conf.d/skip.txt", "[a]\nk = 3\n"),
        ]);
        let c = load(&fs, "etc/ssl/openssl.cnf").unwrap();
        assert_eq!(c.get("s", "x"), Some("a#b"));
        assert_eq!(c.get("s", "y"), Some("/etc/ssl/fipsmodule.cnf"));
        assert_eq!(c.get("s", "z"), Some("a#b-1"));
        assert_eq!(c.get("a", "k"), Some("2"));
    }

    #[test]
    fn include_loops_and_missing_files_are_problems() {
        let fs = Fake(vec![
            ("a.cnf", ".include b.cnf\n.include nowhere.cnf\n"),
            ("b.cnf", ".include a.cnf\n"),
        ]);
        let c = load(&fs, "a.cnf").unwrap();
        assert!(
            c.problems.iter().any(|p| p.contains("included twice")),
            "{:?}",
            c.problems
        );
        assert!(
            c.problems
                .iter()
                .any(|p| p.contains("nowhere.cnf names nothing")),
            "{:?}",
            c.problems
        );
    }
}
