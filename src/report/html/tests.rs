use super::*;
use crate::finding::Code;
use crate::report::{FailedReference, PackageRef, PolicyRef, Tool};
use crate::score::Verdict;
use crate::target::HostNeed;

const HOSTILE: &str = "/app/<script>alert('x')</script>\"><img src=x onerror=alert(1)>";

fn component(path: &str, status: Status, counts: bool) -> Component {
    Component {
        summary: "summary".into(),
        counts,
        ..Component::sample(path, status, Code::GoStandardCrypto)
    }
}

fn image(reference: &str, components: Vec<Component>, findings: Vec<Finding>) -> ImageReport {
    ImageReport {
        manifest_digest: Some("sha256:m".into()),
        config_digest: Some("sha256:c".into()),
        verdict: Verdict::NotReady,
        score: 40,
        reasons: vec!["-60: /app/server (entrypoint) is non-fips: no FIPS path".into()],
        components,
        findings,
        ..ImageReport::sample(reference)
    }
}

fn report(images: Vec<ImageReport>) -> Report {
    Report {
        tool: Tool {
            name: "fipscan",
            version: "9.9.9",
            signatures_version: "sig-1".into(),
        },
        ..Report::sample(images)
    }
}

/// Everything between `<body>` and the script: where image data lands.
fn body(html: &str) -> &str {
    let start = html.find("<body>").unwrap_or(0);
    let end = html.rfind("<script>").unwrap_or(html.len());
    html.get(start..end).unwrap_or("")
}

#[test]
fn hostile_paths_summaries_and_references_are_escaped() {
    let mut c = component(HOSTILE, Status::NonFips, true);
    c.summary = "</td></tr><script>document.write(1)</script>".into();
    c.remediation = Some("<b onmouseover=alert(2)>fix</b>".into());
    c.evidence = vec![Evidence::new("file", "<iframe>").at("x/<svg onload=alert(3)>", "l")];
    c.package = Some(PackageRef {
        name: "p\"kg".into(),
        version: "1'<".into(),
        purl: "pkg:deb/debian/p%22kg?<x>".into(),
    });
    let mut f = Finding::new(Code::Unscannable, "<script>alert(4)</script>").at(HOSTILE);
    f.layer = Some("'><script>".into());
    let mut r = report(vec![image("reg/<script>ref</script>", vec![c], vec![f])]);
    r.failed = vec![FailedReference {
        reference: "<script>bad</script>".into(),
        error: "<img src=x>".into(),
    }];
    let html = render(&r);
    let b = body(&html);
    // The only elements are the renderer's own: no tag from the data survives.
    for tag in [
        "<script",
        "<img",
        "<iframe",
        "<svg onload",
        "<b onmouseover",
    ] {
        assert!(!b.contains(tag), "{tag} leaked into:\n{b}");
    }
    assert!(b.contains(
        "/app/&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
    ));
    assert!(b.contains("&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;document.write(1)&lt;/script&gt;"));
    assert!(b.contains("&lt;b onmouseover=alert(2)&gt;fix&lt;/b&gt;"));
    assert!(b.contains("p&quot;kg 1&#39;&lt;"));
    assert!(b.contains("&lt;script&gt;bad&lt;/script&gt;"));
    // The title and the head carry the reference escaped too.
    assert!(html.contains("<title>fipscan: reg/&lt;script&gt;ref&lt;/script&gt;</title>"));
    assert_eq!(html.matches("<script>").count(), 1);
}

#[test]
fn the_policy_allows_exactly_the_inline_style_and_script() {
    let html = render(&report(vec![image("r", Vec::new(), Vec::new())]));
    let csp = format!(
        "content=\"default-src 'none'; style-src {}; script-src {}; base-uri 'none'; form-action 'none'\"",
        csp_hash(CSS),
        csp_hash(JS)
    );
    assert!(html.contains(&csp), "{csp}");
    assert!(html.contains(&format!("<style>{CSS}</style>")));
    assert!(html.contains(&format!("<script>{JS}</script>")));
    // sha256 of "" in base64, as the CSP spec's examples give it.
    assert_eq!(
        csp_hash(""),
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    );
    // Nothing to fetch: no URL in attributes or styles, and no inline handler.
    for bad in ["http:", "https:", "url(", "@import", "src="] {
        assert!(!html.contains(bad), "{bad}");
    }
    assert_eq!(event_handlers(&html), Vec::<&str>::new());
}

/// `on…=` attributes (which a CSP with hashes would block anyway).
fn event_handlers(html: &str) -> Vec<&str> {
    html.match_indices(" on")
        .filter_map(|(i, _)| {
            let rest = html.get(i + 1..)?;
            let name_len = rest.find(|c: char| !c.is_ascii_alphabetic())?;
            (rest.get(name_len..name_len + 1) == Some("=")).then(|| rest.get(..name_len))?
        })
        .collect()
}

#[test]
fn waived_rows_are_marked_and_listed_with_reason_and_expiry() {
    let mut waived = component("/app/server", Status::NonFips, true);
    waived.waiver = Some(Waiver {
        reason: "cache keys only (SEC-123)".into(),
        expires: "2099-12-31".into(),
    });
    let mut plain = component("/app/other", Status::Validated, true);
    plain.sha256 = Some("9f86d081884c7d65".into());
    plain.uses = vec!["/usr/lib/libcrypto.so.3".into()];
    let mut f = Finding::new(Code::Unscannable, "cannot parse").at("bin/odd");
    f.waiver = Some(Waiver {
        reason: "vendor blob".into(),
        expires: "2098-01-01".into(),
    });
    let mut r = report(vec![image("r", vec![waived, plain], vec![f])]);
    r.policy = Some(PolicyRef {
        file: "policy.toml".into(),
        min_score: Some(80),
        waivers: 2,
    });
    let html = render(&r);
    assert_eq!(
        html.matches(
            "<tr class=\"component waived\" data-status=\"non-fips\" data-waived=\"true\""
        )
        .count(),
        1
    );
    assert_eq!(
        html.matches("<tr class=\"component\" data-status=\"validated\" data-waived=\"false\"")
            .count(),
        1
    );
    assert!(html.contains(
        "<div class=\"hash\">sha256 <code>9f86d081884c7d65</code></div><div class=\"layer\">layer \
         <code title=\"sha256:layer\">sha256:layer</code></div>\
         <div class=\"links\">uses: <code>/usr/lib/libcrypto.so.3</code></div>"
    ));
    assert_eq!(html.matches("<tr class=\"finding waived\"").count(), 1);
    assert!(html.contains("<h3>Waivers applied (2)</h3>"));
    assert!(html.contains(
        "<tr class=\"waived\"><td>component</td><td><code>go-standard-crypto</code></td>\
         <td><code>/app/server</code></td><td>cache keys only (SEC-123)</td><td>2099-12-31</td></tr>"
    ));
    assert!(html.contains(
        "<tr class=\"waived\"><td>finding</td><td><code>unscannable</code></td>\
         <td><code>/bin/odd</code></td><td>vendor blob</td><td>2098-01-01</td></tr>"
    ));
    assert!(
        html.contains("Policy <code>policy.toml</code>: minimum score 80, 2 waivers in the file.")
    );
}

#[test]
fn the_chart_counts_programs_and_libraries_per_status() {
    let mut host = component("/usr/bin/app", Status::HostDependent, true);
    host.needs = vec![HostNeed::KernelFipsMode, HostNeed::RuntimeFipsSecrets];
    let comps = vec![
        component("/a", Status::NonFips, true),
        component("/b", Status::NonFips, true),
        component("/lib/c.so", Status::NonFips, false),
        component("/d", Status::Validated, true),
        host,
    ];
    let html = render(&report(vec![image("r", comps, Vec::new())]));
    assert!(html.contains(
        "<title id=\"chart-1-title\">Components by status: validated 1 (1 program, 0 libraries), \
         host-dependent 1 (1 program, 0 libraries), fips-capable 0 (0 programs, 0 libraries), \
         non-fips 3 (2 programs, 1 library), unknown 0 (0 programs, 0 libraries)</title>"
    ));
    // The longest bar is the full width; the others scale to it.
    assert!(html.contains("<g class=\"bar\" data-status=\"non-fips\" data-count=\"3\">"));
    assert!(html.contains("width=\"160\" height=\"16\" fill=\"#cf222e\"/>"));
    assert!(html.contains("width=\"80\" height=\"16\" fill=\"#cf222e\" fill-opacity=\"0.4\"/>"));
    assert!(html.contains("width=\"80\" height=\"16\" fill=\"#1a7f37\"/>"));
    // Needs against the generic target: the kernel flag is provided, the marker is not.
    assert!(html.contains(
        "<li class=\"met\"><span class=\"mark\">✓ provided</span> <code>kernel-fips-mode</code>"
    ));
    assert!(html.contains(
        "<li class=\"unmet\"><span class=\"mark\">✗ not provided</span> <code>runtime-fips-secrets</code>"
    ));
}

#[test]
fn several_images_get_a_summary_linking_to_each() {
    let mut ready = image("one", Vec::new(), Vec::new());
    ready.verdict = Verdict::Ready;
    ready.score = 100;
    let html = render(&report(vec![ready, image("two", Vec::new(), Vec::new())]));
    assert!(html.contains("<title>fipscan: 2 images</title>"));
    assert!(html.contains(
        "<tr><td data-key=\"0\"><span class=\"verdict v-ready\">ready</span></td><td>100</td>\
         <td><a href=\"#image-1\"><code>one</code></a></td><td></td></tr>"
    ));
    assert!(html.contains("<a href=\"#image-2\"><code>two</code></a>"));
    assert_eq!(html.matches("<article class=\"image\"").count(), 2);
}
