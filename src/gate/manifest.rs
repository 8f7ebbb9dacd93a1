//! Reading Kubernetes manifests: files, directories of `*.yaml`/`*.yml` and
//! standard input, split into YAML documents that are parsed one by one, so
//! that a broken or hostile document is an error naming its file and index
//! while every other document is still checked.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

/// Largest manifest input read (a whole `kubectl get -A -o yaml` of a big
/// cluster stays well under this).
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Where an object came from, as a user finds it again: the file, the
/// document in it (1-based, empty documents not counted), the line the
/// document starts on, and the position in a `kind: List`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub file: String,
    pub document: usize,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<usize>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} document {}", self.file, self.document)?;
        if let Some(i) = self.item {
            write!(f, " items[{i}]")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: larger than {limit} bytes; not read")]
    TooLarge { file: String, limit: u64 },
    #[error("{file}: not UTF-8 text")]
    NotUtf8 { file: String },
    #[error("{dir}: no *.yaml or *.yml file in this directory")]
    EmptyDir { dir: String },
    #[error("{file}: document {document} (from line {line}): invalid YAML: {message}")]
    Yaml {
        file: String,
        document: usize,
        line: usize,
        message: String,
    },
    /// A workload Kubernetes itself would reject, or that cannot be checked.
    #[error("{origin}: {what}")]
    Shape { origin: Origin, what: String },
}

impl ManifestError {
    /// Where the error is, for the JSON output.
    pub fn file(&self) -> &str {
        match self {
            ManifestError::Read { file, .. }
            | ManifestError::TooLarge { file, .. }
            | ManifestError::NotUtf8 { file }
            | ManifestError::Yaml { file, .. } => file,
            ManifestError::EmptyDir { dir } => dir,
            ManifestError::Shape { origin, .. } => &origin.file,
        }
    }

    pub fn document(&self) -> Option<usize> {
        match self {
            ManifestError::Yaml { document, .. } => Some(*document),
            ManifestError::Shape { origin, .. } => Some(origin.document),
            _ => None,
        }
    }
}

/// One parsed YAML document (or one item of a List in it).
#[derive(Debug, Clone)]
pub struct Object {
    pub origin: Origin,
    pub value: Value,
}

/// Everything read from the inputs: the objects, and what could not be read.
#[derive(Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub errors: Vec<ManifestError>,
}

/// `-` is standard input; a directory gives its `*.yaml` and `*.yml` files
/// in name order (not recursive, as `kubectl apply -f DIR`).
pub fn load(inputs: &[PathBuf]) -> Loaded {
    let mut loaded = Loaded::default();
    for input in inputs {
        if input.as_os_str() == "-" {
            let text = read_bounded(std::io::stdin().lock(), "<stdin>");
            add_text(&mut loaded, "<stdin>", text);
        } else if input.is_dir() {
            match yaml_files(input) {
                Ok(files) if files.is_empty() => loaded.errors.push(ManifestError::EmptyDir {
                    dir: input.display().to_string(),
                }),
                Ok(files) => {
                    for file in files {
                        add_file(&mut loaded, &file);
                    }
                }
                Err(source) => loaded.errors.push(ManifestError::Read {
                    file: input.display().to_string(),
                    source,
                }),
            }
        } else {
            add_file(&mut loaded, input);
        }
    }
    loaded
}

fn yaml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        if yaml && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn add_file(loaded: &mut Loaded, path: &Path) {
    let name = path.display().to_string();
    let text = std::fs::File::open(path)
        .map_err(|source| ManifestError::Read {
            file: name.clone(),
            source,
        })
        .and_then(|f| read_bounded(f, &name));
    add_text(loaded, &name, text);
}

fn add_text(loaded: &mut Loaded, name: &str, text: Result<String, ManifestError>) {
    match text {
        Ok(text) => {
            let parsed = parse_stream(name, &text);
            loaded.objects.extend(parsed.objects);
            loaded.errors.extend(parsed.errors);
        }
        Err(e) => loaded.errors.push(e),
    }
}

fn read_bounded(reader: impl Read, name: &str) -> Result<String, ManifestError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| ManifestError::Read {
            file: name.to_string(),
            source,
        })?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(ManifestError::TooLarge {
            file: name.to_string(),
            limit: MAX_INPUT_BYTES,
        });
    }
    String::from_utf8(bytes).map_err(|_| ManifestError::NotUtf8 {
        file: name.to_string(),
    })
}

/// A document of the stream: its 1-based number, the line it starts on and
/// its text (with its `---` line, which may carry a tag or content).
#[derive(Debug, PartialEq, Eq)]
struct Chunk<'a> {
    number: usize,
    line: usize,
    text: &'a str,
}

/// `---` (or `...`) at the start of a line, alone or followed by a space.
fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// Splits a stream into documents at `---` lines, as kubectl does, and
/// after `...` end markers. YAML forbids both markers at the start of a
/// line inside any scalar, so the split never cuts a value in two.
/// Directives before a `---` stay with the document they precede;
/// documents with no content are dropped and not counted.
fn split_documents(text: &str) -> Vec<Chunk<'_>> {
    let mut splitter = Splitter {
        text,
        chunks: Vec::new(),
        start: 0,
        start_line: 1,
        content: false,
        directive: false,
    };
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let line_no = i + 1;
        let end = offset + line.len();
        if is_marker(line, "---") {
            if splitter.content {
                splitter.close(offset);
            }
            if !splitter.directive {
                // Only blank lines, comments or bare markers so far: the
                // document starts here.
                splitter.start = offset;
                splitter.start_line = line_no;
            }
            // Content on the marker line itself (`--- |`, `--- !!map`).
            let rest = line.get(3..).map(str::trim).unwrap_or_default();
            splitter.content = !rest.is_empty() && !rest.starts_with('#');
        } else if is_marker(line, "...") {
            splitter.close(end);
            splitter.start_line = line_no + 1;
        } else if line.starts_with('%') && !splitter.content {
            splitter.directive = true;
        } else if !is_blank_or_comment(line) {
            splitter.content = true;
        }
        offset = end;
    }
    splitter.close(text.len());
    splitter.chunks
}

struct Splitter<'a> {
    text: &'a str,
    chunks: Vec<Chunk<'a>>,
    start: usize,
    start_line: usize,
    /// The current document has had a node (not only blank lines,
    /// comments, directives and markers).
    content: bool,
    directive: bool,
}

impl<'a> Splitter<'a> {
    /// Ends the current document at byte `end`; the next starts there.
    fn close(&mut self, end: usize) {
        if self.content
            && let Some(mut body) = self.text.get(self.start..end)
        {
            // Leading blank and comment lines are not the document: its
            // line is where its first marker, directive or node is.
            let mut line = self.start_line;
            while let Some((first, rest)) = body.split_once('\n')
                && is_blank_or_comment(first)
            {
                body = rest;
                line += 1;
            }
            self.chunks.push(Chunk {
                number: self.chunks.len() + 1,
                line,
                text: body,
            });
        }
        self.start = end;
        self.content = false;
        self.directive = false;
    }
}

/// Parser limits for untrusted manifests: serde-saphyr's defaults (depth
/// 64, alias/anchor ratio, alias replay) bound alias bombs and deep
/// nesting. Its node and event counts are raised because the List of a
/// `kubectl get -A -o yaml` is one document holding a whole cluster; the
/// input size bound keeps them finite. Snippets are off: an error is one line.
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: 8_000_000,
            max_events: 16_000_000,
        },
        with_snippet: false,
    }
}

/// Parses every document of a stream; a document that is not valid YAML
/// is an error and the next ones are still parsed. `kind: *List` documents
/// (`kubectl get … -o yaml`) give one object per item.
pub fn parse_stream(name: &str, text: &str) -> Loaded {
    let mut loaded = Loaded::default();
    for chunk in split_documents(text) {
        match serde_saphyr::from_str_with_options::<Value>(chunk.text, options()) {
            Ok(Value::Null) => {}
            Ok(value) => {
                let origin = Origin {
                    file: name.to_string(),
                    document: chunk.number,
                    line: chunk.line,
                    item: None,
                };
                expand_list(value, origin, &mut loaded);
            }
            Err(e) => {
                // Line numbers in the message count from the file's start.
                let rendered = e.render_with_options(serde_saphyr::render_options! {
                    snippets: serde_saphyr::SnippetMode::Off,
                    line_offset: (chunk.line as u64).saturating_sub(1),
                });
                loaded.errors.push(ManifestError::Yaml {
                    file: name.to_string(),
                    document: chunk.number,
                    line: chunk.line,
                    message: rendered.trim().replace('\n', " "),
                });
            }
        }
    }
    loaded
}

fn expand_list(value: Value, origin: Origin, loaded: &mut Loaded) {
    let is_list = value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"));
    match value {
        Value::Object(mut map) if is_list => match map.remove("items") {
            Some(Value::Array(items)) => {
                for (i, item) in items.into_iter().enumerate() {
                    loaded.objects.push(Object {
                        origin: Origin {
                            item: Some(i),
                            ..origin.clone()
                        },
                        value: item,
                    });
                }
            }
            Some(Value::Null) | None => {}
            Some(_) => loaded.errors.push(ManifestError::Shape {
                origin,
                what: "items of a List is not a sequence".into(),
            }),
        },
        value => loaded.objects.push(Object { origin, value }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<(usize, usize, &str)> {
        split_documents(s)
            .into_iter()
            .map(|c| (c.number, c.line, c.text))
            .collect()
    }

    #[test]
    fn splits_like_kubectl_and_counts_only_real_documents() {
        let s = "# leading comment\n---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n...\n%YAML 1.2\n---\nc: 3\n";
        assert_eq!(
            texts(s),
            vec![
                (1, 2, "---\na: 1\n"),
                (2, 7, "---\nb: 2\n...\n"),
                (3, 10, "%YAML 1.2\n---\nc: 3\n"),
            ]
        );
        // No marker at all, and content on the marker line.
        assert_eq!(texts("a: 1\n"), vec![(1, 1, "a: 1\n")]);
        assert_eq!(
            texts("--- |\n  text\n--- !!map\nx: 1"),
            vec![(1, 1, "--- |\n  text\n"), (2, 3, "--- !!map\nx: 1")]
        );
        // `----` and `---x` are content, not markers.
        assert_eq!(texts("a: |\n  ---x\n"), vec![(1, 1, "a: |\n  ---x\n")]);
    }

    #[test]
    fn a_broken_document_is_an_error_and_the_others_parse() {
        let s = "kind: A\n---\nkind: [unclosed\n---\nkind: C\n";
        let loaded = parse_stream("m.yaml", s);
        let kinds: Vec<&str> = loaded
            .objects
            .iter()
            .map(|o| o.value["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["A", "C"]);
        assert_eq!(
            loaded
                .objects
                .iter()
                .map(|o| o.origin.document)
                .collect::<Vec<_>>(),
            [1, 3]
        );
        assert_eq!(loaded.errors.len(), 1);
        let ManifestError::Yaml {
            file,
            document,
            line,
            ..
        } = &loaded.errors[0]
        else {
            panic!("{:?}", loaded.errors);
        };
        assert_eq!((file.as_str(), *document, *line), ("m.yaml", 2, 2));
        assert_eq!(
            loaded.errors[0].to_string(),
            "m.yaml: document 2 (from line 2): invalid YAML: unclosed bracket '[' at line 3, column 7"
        );
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (prev, next) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            bomb.push_str(&format!(
                "{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let s = format!("kind: Before\n---\n{bomb}---\n{deep}\n---\nkind: After\n");
        let loaded = parse_stream("bomb.yaml", &s);
        assert_eq!(loaded.objects.len(), 2);
        assert_eq!(
            loaded
                .errors
                .iter()
                .map(|e| e.document())
                .collect::<Vec<_>>(),
            [Some(2), Some(3)]
        );
        let messages: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
        assert!(
            messages[0].starts_with(
                "bomb.yaml: document 2 (from line 2): invalid YAML: budget breached: "
            ),
            "{messages:?}"
        );
        assert!(
            messages[1].starts_with(
                "bomb.yaml: document 3 (from line 12): invalid YAML: recursion limit exceeded"
            ),
            "{messages:?}"
        );
    }

    #[test]
    fn a_whole_cluster_list_is_one_big_document() {
        // About 400,000 nodes, past serde-saphyr's default node budget.
        let mut s = String::from("apiVersion: v1\nkind: List\nitems:\n");
        for i in 0..20_000 {
            s.push_str(&format!(
                "- kind: Pod\n  metadata: {{name: p{i}, labels: {{a: b, c: d, e: f}}}}\n  spec: {{containers: [{{name: c, image: i, env: [{{name: X, value: y}}]}}]}}\n"
            ));
        }
        let loaded = parse_stream("cluster.yaml", &s);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        assert_eq!(loaded.objects.len(), 20_000);
        assert_eq!(loaded.objects[19_999].origin.item, Some(19_999));
    }

    #[test]
    fn lists_give_their_items() {
        let s = "apiVersion: v1\nkind: List\nitems:\n- kind: Deployment\n- kind: CronJob\nmetadata:\n  resourceVersion: \"\"\n";
        let loaded = parse_stream("l.yaml", s);
        let got: Vec<(Option<usize>, &str)> = loaded
            .objects
            .iter()
            .map(|o| (o.origin.item, o.value["kind"].as_str().unwrap()))
            .collect();
        assert_eq!(got, [(Some(0), "Deployment"), (Some(1), "CronJob")]);
        assert!(loaded.errors.is_empty());
    }

    #[test]
    fn strings_stay_strings() {
        let loaded = parse_stream("s.yaml", "a: \"true\"\nb: true\nc: '1.10'\nd: 1.10\n");
        let v = &loaded.objects[0].value;
        assert_eq!(v["a"], Value::String("true".into()));
        assert_eq!(v["b"], Value::Bool(true));
        assert_eq!(v["c"], Value::String("1.10".into()));
        assert!(v["d"].is_number());
    }
}
