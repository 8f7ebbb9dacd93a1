//! `--format html`: reports of fixture images rendered by the binary and
//! loaded in headless Chromium. Every page must load without a single
//! console message, run its script to the end, hold each image's verdict
//! and score and every component path in its DOM, and render to a
//! screenshot (target/test-output/html/<name>.png). The JSON report of the
//! same run is the oracle for what each page must hold; the tests add the
//! exact values each fixture is known for.

mod browser;

use std::path::PathBuf;

use serde_json::Value;

use crate::common::{fipscan, fixtures, oci, repo, scan_json};

fn out_dir() -> PathBuf {
    let dir = repo().join("target/test-output/html");
    std::fs::create_dir_all(&dir).expect("create target/test-output/html");
    dir
}

struct Page {
    html: String,
    /// The DOM after the page's script ran, as Chromium serialises it.
    dom: String,
    report: Value,
}

/// Text as Chromium's DOM serialisation writes it.
fn dom_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

/// Scans `args` (references and options) as JSON and as HTML, loads the page
/// in Chromium, checks it against the JSON and takes its screenshot.
fn page(name: &str, args: &[&str], code: i32) -> Page {
    let (first, rest) = args.split_first().expect("a reference");
    let (json_code, report) = scan_json(first, rest);
    assert_eq!(json_code, code, "exit code of the JSON run");

    let file = out_dir().join(format!("{name}.html"));
    let _ = std::fs::remove_file(&file);
    let file_arg = file.display().to_string();
    let mut html_args = vec!["scan", "--format", "html", "--output", &file_arg];
    html_args.extend_from_slice(args);
    let run = fipscan(&html_args);
    assert_eq!(run.code, code, "exit code of the HTML run: {}", run.stderr);
    assert_eq!(run.stdout, "", "--output leaves stdout empty");
    let html = std::fs::read_to_string(&file).expect("the HTML report was written");

    let loaded = browser::load(&file, "--dump-dom");
    assert_eq!(
        loaded.console,
        Vec::<String>::new(),
        "console messages while loading {name}"
    );
    let dom = loaded.stdout;
    assert!(
        dom.contains("<html lang=\"en\" data-js=\"ready\">"),
        "the page's script did not run to the end in {name}"
    );
    check_images(name, &dom, &report);

    let png = out_dir().join(format!("{name}.png"));
    let _ = std::fs::remove_file(&png);
    let shot = browser::load(&file, &format!("--screenshot={}", png.display()));
    assert_eq!(
        shot.console,
        Vec::<String>::new(),
        "console messages in the screenshot run of {name}"
    );
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot {png:?}: {e}"));
    assert_eq!(
        browser::png_size(&bytes),
        Some((browser::WIDTH, browser::HEIGHT)),
        "{png:?} is not a {}x{} PNG",
        browser::WIDTH,
        browser::HEIGHT
    );
    // A blank page of that size compresses to a few kilobytes; a rendered
    // report with text, badges and the chart is well over 50 KB.
    assert!(
        bytes.len() > 50_000,
        "screenshot {png:?} is only {} bytes: nothing rendered?",
        bytes.len()
    );
    Page { html, dom, report }
}

/// Each image of the report has its section with the verdict, the score,
/// every component path (one table row each), its findings and layers.
fn check_images(name: &str, dom: &str, report: &Value) {
    let images = report["images"].as_array().expect("images");
    let sections: Vec<&str> = dom.split("<article class=\"image\"").skip(1).collect();
    assert_eq!(sections.len(), images.len(), "image sections in {name}");
    for (i, (section, image)) in sections.iter().zip(images).enumerate() {
        let verdict = image["verdict"].as_str().expect("verdict");
        assert!(
            section.starts_with(&format!(
                " id=\"image-{}\" data-verdict=\"{verdict}\">",
                i + 1
            )),
            "{name} image {}",
            i + 1
        );
        let headline = format!(
            "<span class=\"verdict v-{verdict}\">{verdict}</span> <span class=\"score\">score <b>{}</b>/100</span>",
            image["score"]
        );
        assert!(section.contains(&headline), "{name}: {headline}");
        let reference = dom_text(image["reference"].as_str().expect("reference"));
        assert!(section.contains(&format!("<code class=\"reference\">{reference}</code>")));
        let components = image["components"].as_array().expect("components");
        for c in components {
            let path = dom_text(c["path"].as_str().expect("path"));
            assert!(
                section.contains(&format!("<code class=\"path\">{path}</code>")),
                "{name}: component {path} is not in the page"
            );
        }
        assert_eq!(
            section.matches("<tr class=\"component").count(),
            components.len(),
            "{name}: component rows"
        );
        if !components.is_empty() {
            // The filter bar the script builds counts the rows it shows.
            let n = components.len();
            assert!(
                section.contains(&format!("<output>{n} of {n} shown</output>")),
                "{name}: filter bar"
            );
        }
        let findings = image["findings"].as_array().expect("findings").len();
        assert!(section.contains(&format!("<h3>Findings ({findings})</h3>")));
        assert_eq!(
            section.matches("<tr class=\"finding").count(),
            findings,
            "{name}: finding rows"
        );
        for layer in image["layers"].as_array().expect("layers") {
            let id = layer["id"].as_str().expect("layer id");
            assert!(
                section.contains(&format!("<td><code>{id}</code>")),
                "{name}: layer {id}"
            );
        }
        for digest in ["manifest_digest", "config_digest"] {
            if let Some(d) = image[digest].as_str() {
                assert!(
                    section.contains(&format!("<code>{d}</code>")),
                    "{name}: {digest}"
                );
            }
        }
    }
    let tool = &report["tool"];
    assert!(dom.contains(&format!(
        "<p class=\"tool\">fipscan {} · signature data {}</p>",
        tool["version"].as_str().expect("version"),
        tool["signatures_version"].as_str().expect("signatures_version")
    )));
}

fn one_image(page: &Page) -> &Value {
    crate::common::image(&page.report)
}

#[test]
fn go_fips_on_page_is_ready_with_its_certificate() {
    let p = page("go-fips-on", &[&oci("go-fips-on")], 0);
    let img = one_image(&p);
    assert_eq!(
        (img["verdict"].as_str(), img["score"].as_u64()),
        (Some("ready"), Some(100))
    );
    assert!(
        p.dom
            .contains("<span class=\"status s-validated\">validated</span>")
    );
    assert!(
        p.dom
            .contains("<div class=\"certificate\">CMVP #5247</div>")
    );
    assert!(
        p.dom.contains(
            "<span class=\"entrypoint\" title=\"the image's entrypoint\">entrypoint</span>"
        )
    );
    assert!(p.dom.contains(
        "<title id=\"chart-1-title\">Components by status: validated 1 (1 program, 0 libraries), \
         host-dependent 0 (0 programs, 0 libraries), fips-capable 0 (0 programs, 0 libraries), \
         non-fips 0 (0 programs, 0 libraries), unknown 0 (0 programs, 0 libraries)</title>"
    ));
    assert!(p.dom.contains(
        "<li>all 1 crypto-using program(s) use a validated or host-provided FIPS module</li>"
    ));
    // The target profile the image was judged for.
    assert!(p.dom.contains(
        "<b class=\"target-name\">generic</b>: Any Kubernetes node whose kernel runs in FIPS mode"
    ));
    assert!(
        p.dom
            .contains("<li><code>kernel-fips-mode</code>: the node's kernel in FIPS mode")
    );
    assert!(p.dom.contains("No policy file was applied."));
}

#[test]
fn go_std_page_is_not_ready_and_matches_its_snapshot() {
    let p = page("go-std", &[&oci("go-std")], 1);
    assert!(
        p.dom
            .contains("<article class=\"image\" id=\"image-1\" data-verdict=\"not-ready\">")
    );
    assert!(
        p.dom
            .contains("<li>-60: /app/server (entrypoint) is non-fips: no FIPS path</li>")
    );
    assert!(p.dom.contains(
        "<div class=\"remediation\">rebuild with Go &gt;= 1.24 and GOFIPS140=v1.0.0 (CMVP #5247)</div>"
    ));
    assert!(p.dom.contains("<p class=\"empty\">No findings.</p>"));
    let fixtures = fixtures().display().to_string();
    let html = p.html.replace(&fixtures, "[fixtures]");
    insta::with_settings!({filters => vec![
        (r"fipscan \d+\.\d+\.\d+", "fipscan [version]"),
        (r"signature data [0-9A-Za-z_-]+(?:\.[0-9A-Za-z_-]+)*", "signature data [signatures]"),
        (r"'sha256-[A-Za-z0-9+/]+=*'", "'sha256-[hash]'"),
        // Digests and sizes follow the Go toolchain's bytes; the page's
        // structure is what the snapshot is about.
        (r"sha256:[0-9a-f]{64}", "sha256:[digest]"),
        (r"sha256:[0-9a-f]{12}<", "sha256:[short]<"),
        (r#"<td class="num">\d{4,}</td>"#, r#"<td class="num">[bytes]</td>"#),
        (r"(?s)<style>.*?</style>", "<style>[src/report/html/report.css]</style>"),
        (r"(?s)<script>.*?</script>", "<script>[src/report/html/report.js]</script>"),
    ]}, {
        insta::assert_snapshot!("go_std_page", html);
    });
}

#[test]
fn openssl_fips_active_page_counts_validated_and_unused_libraries() {
    let p = page("openssl-fips-active", &[&oci("openssl-fips-active")], 0);
    let img = one_image(&p);
    assert_eq!(img["components"].as_array().map(Vec::len), Some(14));
    assert!(p.dom.contains(
        "<title id=\"chart-1-title\">Components by status: validated 8 (1 program, 7 libraries), \
         host-dependent 0 (0 programs, 0 libraries), fips-capable 0 (0 programs, 0 libraries), \
         non-fips 6 (0 programs, 6 libraries), unknown 0 (0 programs, 0 libraries)</title>"
    ));
    assert!(p.dom.contains("<div class=\"module\">OpenSSL FIPS Provider 3.1.2</div><div class=\"certificate\">CMVP #4985</div><div class=\"mode\">FIPS mode on as shipped</div>"));
    assert!(
        p.dom
            .contains("<code class=\"path\">/opt/openssl/lib/ossl-modules/fips.so</code>")
    );
    // The script's filter bar offers exactly the statuses present.
    assert!(
        p.dom.contains(
            "<label class=\"s-validated\"><input type=\"checkbox\"> validated (8)</label>"
        )
    );
    assert!(
        p.dom
            .contains("<label class=\"s-non-fips\"><input type=\"checkbox\"> non-fips (6)</label>")
    );
    assert!(!p.dom.contains("<label class=\"s-unknown\">"));
}

#[test]
fn debian_openssl_page_names_the_owning_packages() {
    let p = page("debian-openssl", &[&oci("debian-openssl")], 1);
    let img = one_image(&p);
    assert!(p.dom.contains(
        "<dt>OS</dt><dd>Debian GNU/Linux 12 (bookworm) (id debian, version 12, 3 packages)</dd>"
    ));
    let components = img["components"].as_array().expect("components");
    assert_eq!(components.len(), 7);
    for c in components {
        let pkg = &c["package"];
        let purl = pkg["purl"].as_str().expect("every component has a package");
        assert!(purl.starts_with("pkg:deb/debian/"), "{purl}");
        let cell = format!(
            "<div class=\"package\">{} {}</div><div class=\"purl\"><code>{}</code></div>",
            dom_text(pkg["name"].as_str().expect("name")),
            dom_text(pkg["version"].as_str().expect("version")),
            dom_text(purl)
        );
        assert!(p.dom.contains(&cell), "{cell}");
    }
    assert_eq!(p.dom.matches("<div class=\"package\">openssl ").count(), 1);
    assert_eq!(p.dom.matches("<div class=\"package\">libssl3 ").count(), 6);
}

#[test]
fn two_references_and_a_failed_one_in_one_page() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let missing = format!("oci:{}", tmp.path().join("missing").display());
    let p = page(
        "multi-image",
        &[&oci("go-fips-on"), &oci("go-std"), &missing],
        2,
    );
    assert_eq!(p.report["images"].as_array().map(Vec::len), Some(2));
    assert!(p.html.contains("<title>fipscan: 2 images</title>"));
    // The summary links to each image's section, worst verdicts sortable.
    for (n, name, verdict, rank, score) in [
        (1, "go-fips-on", "ready", 0, 100),
        (2, "go-std", "not-ready", 3, 40),
    ] {
        let row = format!(
            "<td data-key=\"{rank}\"><span class=\"verdict v-{verdict}\">{verdict}</span></td><td>{score}</td>\
             <td><a href=\"#image-{n}\"><code>{}</code></a></td><td>linux/amd64</td>",
            oci(name)
        );
        assert!(p.dom.contains(&row), "{row}");
    }
    assert!(
        p.dom
            .contains("<h2>References that could not be scanned (1)</h2>")
    );
    assert!(p.dom.contains(&format!(
        "<tr><td><code>{missing}</code></td><td>cannot read "
    )));
}

#[test]
fn waivers_from_a_policy_mark_rows_and_are_listed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        r#"min_score = 50

[[waiver]]
code = "go-standard-crypto"
path = "/usr/bin/std-tool"
reason = "builds <cache> keys only & nothing else (SEC-123)"
expires = "2099-12-31"

[[waiver]]
code = "unscannable"
path = "/app/truncated"
reason = "vendor's truncated test blob"
expires = "2098-06-30"

[[waiver]]
code = "openssl-static"
reason = "kept for other images"
expires = "2099-12-31"
"#,
    )
    .expect("write policy");
    let policy_arg = policy.display().to_string();
    let p = page("waiver", &[&oci("hostile"), "--policy", &policy_arg], 1);
    let img = one_image(&p);
    assert_eq!(
        (img["verdict"].as_str(), img["score"].as_u64()),
        (Some("not-ready"), Some(65))
    );
    assert!(p.dom.contains(&format!(
        "<p class=\"policy\">Policy <code>{policy_arg}</code>: minimum score 50, 3 waivers in the file.</p>"
    )));
    // The waived component row is marked, and says why and until when.
    assert_eq!(p.dom.matches("<tr class=\"component waived\"").count(), 1);
    assert!(p.dom.contains(
        "<tr class=\"component waived\" data-status=\"non-fips\" data-waived=\"true\" data-program=\"true\">\
         <td data-key=\"3\"><span class=\"status s-non-fips\">non-fips</span> <span class=\"waived-tag\">waived</span></td>\
         <td data-key=\"/usr/bin/std-tool\"><code class=\"path\">/usr/bin/std-tool</code>"
    ));
    assert!(p.dom.contains(
        "<div class=\"waiver\"><b>Waived</b> until 2099-12-31: builds &lt;cache&gt; keys only &amp; nothing else (SEC-123)</div>"
    ));
    // The waived finding too; the unused waiver is a finding of its own.
    assert_eq!(p.dom.matches("<tr class=\"finding waived\"").count(), 1);
    assert!(
        p.dom
            .contains("<li>waived: /usr/bin/std-tool is non-fips (a policy waiver applies)</li>")
    );
    assert!(p.dom.contains("<code title=\"A policy waiver for this image matched no finding or component\">policy-waiver-unused</code>"));
    assert!(p.dom.contains("<h3>Waivers applied (2)</h3>"));
    assert!(p.dom.contains(
        "<tr class=\"waived\"><td>component</td><td><code>go-standard-crypto</code></td>\
         <td><code>/usr/bin/std-tool</code></td><td>builds &lt;cache&gt; keys only &amp; nothing else (SEC-123)</td>\
         <td>2099-12-31</td></tr>"
    ));
    assert!(p.dom.contains(
        "<tr class=\"waived\"><td>finding</td><td><code>unscannable</code></td>\
         <td><code>/app/truncated</code></td><td>vendor's truncated test blob</td><td>2098-06-30</td></tr>"
    ));
    // Hostile names from the image arrive as text, quotes and all.
    assert!(
        p.dom
            .contains("tar entry \"../../escape\" climbs above the image root; ignored")
    );
    assert!(
        p.html
            .contains("tar entry &quot;../../escape&quot; climbs above the image root; ignored")
    );
}

/// The script's filters and sorting, driven by a probe script added to a
/// copy of the page (the copy drops the CSP, which would rightly block it).
#[test]
fn the_script_filters_and_sorts_the_component_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("probe.html");
    let file_arg = file.display().to_string();
    let reference = oci("openssl-fips-active");
    let run = fipscan(&[
        "scan", "--format", "html", "--output", &file_arg, &reference,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&file).expect("report");
    let csp_start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .expect("the page has a CSP");
    let csp_len = html[csp_start..].find('>').expect("end of the CSP meta") + 1;
    let probe = r#"<script>
var bar = document.querySelector(".filters");
var out = bar.querySelector("output");
var boxes = bar.querySelectorAll("input[type=checkbox]");
var search = bar.querySelector("input[type=search]");
var table = document.getElementById("components-1");
var r = [out.textContent];
boxes[0].click(); r.push(out.textContent); boxes[0].click();
search.value = "engines-3"; search.dispatchEvent(new Event("input")); r.push(out.textContent);
search.value = ""; search.dispatchEvent(new Event("input"));
boxes[2].click(); r.push(out.textContent); boxes[2].click();
var byStatus = table.tHead.rows[0].cells[0].querySelector("button");
byStatus.click(); r.push(table.tBodies[0].rows[0].getAttribute("data-status"));
byStatus.click(); r.push(table.tBodies[0].rows[0].getAttribute("data-status"));
table.tHead.rows[0].cells[1].querySelector("button").click();
r.push(table.tBodies[0].rows[0].cells[1].getAttribute("data-key"));
r.push(table.tHead.rows[0].cells[1].getAttribute("aria-sort"));
r.push(table.querySelectorAll("tr.filtered-out").length);
document.body.setAttribute("data-probe", r.join("|"));
</script></body>"#;
    let probed = format!("{}{}", &html[..csp_start], &html[csp_start + csp_len..])
        .replacen("</body>", probe, 1);
    std::fs::write(&file, probed).expect("write probe page");
    let loaded = browser::load(&file, "--dump-dom");
    assert_eq!(loaded.console, Vec::<String>::new());
    // All 14 shown; without validated 6; 6 engines; 1 program; status
    // ascending puts validated first, descending non-fips; path ascending.
    assert!(
        loaded.stdout.contains(
            "data-probe=\"14 of 14 shown|6 of 14 shown|6 of 14 shown|1 of 14 shown|validated|non-fips|/opt/openssl/bin/openssl|ascending|0\""
        ),
        "{}",
        loaded.stdout
    );
}

/// The harness itself: a page with a script error and a blocked fetch must
/// be caught, or the tests above could pass on a broken page.
#[test]
fn the_browser_harness_sees_console_errors_and_scripts_that_did_not_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("broken.html");
    std::fs::write(
        &file,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'\">\
         <title>broken</title></head><body><p>x</p>\
         <script>noSuchFunction(); document.documentElement.setAttribute('data-js', 'ready');</script>\
         <script>fetch('data:,x').catch(function () {});</script></body></html>",
    )
    .expect("write page");
    let loaded = browser::load(&file, "--dump-dom");
    assert!(
        !loaded.stdout.contains("data-js=\"ready\""),
        "{}",
        loaded.stdout
    );
    assert!(loaded.stdout.contains("<p>x</p>"));
    assert_eq!(loaded.console.len(), 3, "{:#?}", loaded.console);
    assert!(
        loaded.console[0].contains("\"Uncaught ReferenceError: noSuchFunction is not defined\"")
    );
    assert!(loaded.console[1].contains(
        "Connecting to 'data:,x' violates the following Content Security Policy directive"
    ));
    assert!(loaded.console[2].contains("Fetch API cannot load data:,x."));
}
