//! The Node options an image gives its Node: `NODE_OPTIONS` in the Env, and
//! the command line when the container runs this Node (Entrypoint + Cmd).
//! What each option does was established by running the official Node
//! 18.20.8, 20.20.2, 22.23.3 and 24.21.0 binaries (fixtures/README.md,
//! "Node's FIPS switches"): Node reads NODE_OPTIONS first and its command
//! line after it, so for `--openssl-config` the command line wins; options
//! stop at the script (or `--`), later words are the script's; `-e CODE`
//! does not stop them; `_` and `-` are the same in an option's name.

use crate::detect::node as dn;
use crate::image::ImageConfig;
use crate::signatures::Signatures;

/// Where an option was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    NodeOptions,
    Entrypoint,
    Cmd,
}

impl Origin {
    /// As the image config names it.
    pub fn label(self) -> &'static str {
        match self {
            Origin::NodeOptions => "NODE_OPTIONS",
            Origin::Entrypoint => "Entrypoint",
            Origin::Cmd => "Cmd",
        }
    }

    /// The `source` of a configuration file named by `--openssl-config`.
    pub fn config_source(self) -> &'static str {
        match self {
            Origin::NodeOptions => "--openssl-config in NODE_OPTIONS",
            Origin::Entrypoint => "--openssl-config in the Entrypoint",
            Origin::Cmd => "--openssl-config in the Cmd",
        }
    }
}

/// The options that decide Node's OpenSSL set-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeOptions {
    /// `--openssl-shared-config`: read `openssl_conf`, not Node's own section.
    pub shared_config: Option<Origin>,
    /// `--force-fips` or `--enable-fips` (the stronger one when both are given).
    pub fips_flag: Option<(String, Origin)>,
    /// `--openssl-config=FILE`: the configuration Node reads instead of
    /// OPENSSL_CONF (an image path; relative ones against WorkingDir).
    pub openssl_config: Option<(String, Origin)>,
}

/// Node options that take the next word as their value when not written
/// `--opt=value` (nodejs/node src/node_options.cc, as of Node 24): the
/// value must not be taken for the script, or for another option.
const WITH_VALUE: &[&str] = &[
    "-e",
    "--eval",
    "-p",
    "--print",
    "-r",
    "--require",
    "--import",
    "-C",
    "--conditions",
    "--loader",
    "--experimental-loader",
    "--openssl-config",
    "--title",
    "--input-type",
    "--inspect-port",
    "--debug-port",
    "--env-file",
    "--env-file-if-exists",
    "--redirect-warnings",
    "--icu-data-dir",
    "--tls-cipher-list",
    "--secure-heap",
    "--secure-heap-min",
    "--max-http-header-size",
    "--unhandled-rejections",
    "--dns-result-order",
    "--diagnostic-dir",
    "--report-dir",
    "--report-directory",
    "--report-filename",
    "--report-signal",
    "--heapsnapshot-signal",
    "--heapsnapshot-near-heap-limit",
    "--trace-event-categories",
    "--trace-event-file-pattern",
    "--experimental-policy",
    "--policy-integrity",
    "--use-largepages",
    "--disable-proto",
    "--cpu-prof-dir",
    "--cpu-prof-name",
    "--cpu-prof-interval",
    "--heap-prof-dir",
    "--heap-prof-name",
    "--heap-prof-interval",
    "--stack-trace-limit",
    "--watch-path",
    "--test-reporter",
    "--test-reporter-destination",
    "--test-name-pattern",
    "--test-skip-pattern",
    "--test-concurrency",
    "--test-shard",
    "--test-timeout",
    "--snapshot-blob",
    "--localstorage-file",
    "--experimental-config-file",
    "--run",
];

/// `--enable_fips` is `--enable-fips`: Node accepts `_` for `-` in names.
fn name_of(word: &str) -> String {
    let name = word.split_once('=').map_or(word, |(n, _)| n);
    name.replace('_', "-")
}

/// Splits NODE_OPTIONS as Node does: on whitespace, except inside double
/// quotes, where `\` escapes the next character.
fn split_node_options(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut any) = (false, false);
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            '\\' if quoted => {
                if let Some(next) = chars.next() {
                    cur.push(next);
                }
            }
            c if c.is_whitespace() && !quoted => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}

impl NodeOptions {
    /// Applies one option list; a later list overrides `--openssl-config`.
    fn apply(&mut self, words: &[(String, Origin)], command_line: bool, sigs: &Signatures) {
        let shared = sigs.pattern(dn::SHARED_CONFIG_FLAG);
        let config = sigs.pattern(dn::OPENSSL_CONFIG_FLAG);
        let force = sigs.pattern(dn::FORCE_FIPS_FLAG);
        let enable = sigs.pattern(dn::ENABLE_FIPS_FLAG);
        let mut i = 0;
        while let Some((word, origin)) = words.get(i) {
            i += 1;
            if command_line && (word == "--" || !word.starts_with('-') || word == "-") {
                break;
            }
            let name = name_of(word);
            let inline = word.split_once('=').map(|(_, v)| v.to_string());
            let value = if inline.is_none() && WITH_VALUE.contains(&name.as_str()) {
                i += 1;
                words.get(i - 1).map(|(v, _)| v.clone())
            } else {
                inline
            };
            if name == shared {
                self.shared_config = Some(*origin);
            } else if name == config {
                if let Some(v) = value.filter(|v| !v.is_empty()) {
                    self.openssl_config = Some((v, *origin));
                }
            } else if name == force || (name == enable && self.fips_flag.is_none()) {
                self.fips_flag = Some((name, *origin));
            }
        }
    }

    /// The options for the Node at `program` (an image path without the
    /// leading `/`); `runs` is the image path the container's main program
    /// resolves to. The command line counts only when it runs this Node.
    pub fn read(
        config: &ImageConfig,
        program: &str,
        runs: Option<&str>,
        sigs: &Signatures,
    ) -> NodeOptions {
        let mut out = NodeOptions::default();
        if let Some(env) = config.env_var("NODE_OPTIONS") {
            let words: Vec<(String, Origin)> = split_node_options(env)
                .into_iter()
                .map(|w| (w, Origin::NodeOptions))
                .collect();
            out.apply(&words, false, sigs);
        }
        if runs == Some(program) {
            let argv: Vec<(String, Origin)> = if config.entrypoint.is_empty() {
                config
                    .cmd
                    .iter()
                    .map(|a| (a.clone(), Origin::Cmd))
                    .collect()
            } else {
                let ep = config
                    .entrypoint
                    .iter()
                    .map(|a| (a.clone(), Origin::Entrypoint));
                ep.chain(config.cmd.iter().map(|a| (a.clone(), Origin::Cmd)))
                    .collect()
            };
            out.apply(argv.get(1..).unwrap_or_default(), true, sigs);
        }
        if let Some((p, _)) = out.openssl_config.as_mut()
            && !p.starts_with('/')
        {
            let base = config
                .working_dir
                .as_deref()
                .unwrap_or("/")
                .trim_matches('/');
            *p = if base.is_empty() {
                format!("/{p}")
            } else {
                format!("/{base}/{p}")
            };
        }
        out
    }

    /// The section of openssl.cnf Node reads.
    pub fn section<'a>(&self, facts: &'a dn::NodeFacts) -> &'a str {
        if self.shared_config.is_some() {
            "openssl_conf"
        } else {
            &facts.conf_section
        }
    }

    /// NODE_OPTIONS as the image has it, with `add` appended: the exact
    /// value a remediation asks for.
    pub fn node_options_with(config: &ImageConfig, add: &str) -> String {
        match config.env_var("NODE_OPTIONS").map(str::trim) {
            Some(old) if !old.is_empty() => format!("NODE_OPTIONS=\"{old} {add}\""),
            _ => format!("NODE_OPTIONS={add}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sigs() -> &'static Signatures {
        Signatures::active()
    }

    fn cfg(env: &[&str], entrypoint: &[&str], cmd: &[&str]) -> ImageConfig {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect();
        ImageConfig {
            env: v(env),
            entrypoint: v(entrypoint),
            cmd: v(cmd),
            ..Default::default()
        }
    }

    const NODE: &str = "usr/local/bin/node";

    fn read(c: &ImageConfig) -> NodeOptions {
        NodeOptions::read(c, NODE, Some(NODE), sigs())
    }

    #[test]
    fn node_options_are_split_like_node_does() {
        assert_eq!(
            split_node_options(r#"  --a "--b=x y" --c="q\"r"  "" "#),
            vec!["--a", "--b=x y", "--c=q\"r", ""]
        );
        let o = read(&cfg(
            &[
                "NODE_OPTIONS=--max-old-space-size=64 --openssl_shared_config --openssl-config \"/etc/node/a b.cnf\" --enable-fips",
            ],
            &[],
            &[],
        ));
        assert_eq!(
            o,
            NodeOptions {
                shared_config: Some(Origin::NodeOptions),
                fips_flag: Some(("--enable-fips".into(), Origin::NodeOptions)),
                openssl_config: Some(("/etc/node/a b.cnf".into(), Origin::NodeOptions)),
            }
        );
    }

    #[test]
    fn the_command_line_counts_up_to_the_script_and_wins_for_the_config() {
        // Entrypoint then Cmd; `-e CODE` does not end Node's options.
        let o = read(&cfg(
            &["NODE_OPTIONS=--openssl-config=/etc/ssl/inactive.cnf --force-fips"],
            &[
                "/usr/local/bin/node",
                "--openssl-config",
                "/etc/node/fips.cnf",
            ],
            &[
                "-e",
                "1",
                "--enable-fips",
                "app.js",
                "--openssl-shared-config",
            ],
        ));
        assert_eq!(
            o,
            NodeOptions {
                shared_config: None,
                fips_flag: Some(("--force-fips".into(), Origin::NodeOptions)),
                openssl_config: Some(("/etc/node/fips.cnf".into(), Origin::Entrypoint)),
            }
        );
        // Without an Entrypoint, Cmd is the command; `--` ends the options.
        let o = read(&cfg(
            &[],
            &[],
            &["node", "--enable_fips", "--", "--force-fips"],
        ));
        assert_eq!(o.fips_flag, Some(("--enable-fips".into(), Origin::Cmd)));
        // A relative config is found from WorkingDir (/ without one).
        let mut c = cfg(&[], &["node", "--openssl-config=conf/n.cnf"], &["app.js"]);
        assert_eq!(
            read(&c).openssl_config,
            Some(("/conf/n.cnf".into(), Origin::Entrypoint))
        );
        c.working_dir = Some("/srv/app".into());
        assert_eq!(
            read(&c).openssl_config,
            Some(("/srv/app/conf/n.cnf".into(), Origin::Entrypoint))
        );
    }

    #[test]
    fn another_programs_command_line_does_not_count() {
        let c = cfg(&[], &["/usr/local/bin/node", "--enable-fips"], &[]);
        assert_eq!(
            NodeOptions::read(&c, "usr/bin/node", Some(NODE), sigs()),
            NodeOptions::default()
        );
        assert_eq!(
            NodeOptions::read(&c, NODE, None, sigs()),
            NodeOptions::default()
        );
        // An empty --openssl-config is no config.
        let o = read(&cfg(&["NODE_OPTIONS=--openssl-config="], &[], &[]));
        assert_eq!(o.openssl_config, None);
    }

    #[test]
    fn remediation_keeps_the_images_node_options() {
        let c = cfg(
            &["NODE_OPTIONS=--openssl-config=/etc/node/fips.cnf"],
            &[],
            &[],
        );
        assert_eq!(
            NodeOptions::node_options_with(&c, "--openssl-shared-config"),
            "NODE_OPTIONS=\"--openssl-config=/etc/node/fips.cnf --openssl-shared-config\""
        );
        assert_eq!(
            NodeOptions::node_options_with(&cfg(&[], &[], &[]), "--openssl-shared-config"),
            "NODE_OPTIONS=--openssl-shared-config"
        );
    }
}
