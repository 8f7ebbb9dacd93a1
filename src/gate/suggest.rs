//! The patch that schedules a workload on FIPS nodes: a strategic-merge
//! patch adding the node selector to its pod template (existing selector
//! entries are kept by the merge), and the `kubectl patch` line applying it.

use serde::Serialize;

use super::Selector;
use super::workload::{Workload, pod_spec_path};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// Strategic-merge patch (YAML), for `kubectl patch --patch-file` or a
    /// kustomize `patches:` entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
    /// The command that applies it to the live object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Why there is no command, or where the change belongs instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub fn suggest(w: &Workload, selector: &Selector) -> Suggestion {
    if let Some(owner) = &w.owner {
        return Suggestion {
            patch: None,
            command: None,
            note: Some(format!(
                "managed by {owner}: add the node selector there (its controller would undo a patch here)"
            )),
        };
    }
    let path = pod_spec_path(&w.kind).unwrap_or(&["spec"]);
    let patch = yaml_patch(path, selector);
    // Label syntax (checked when the selector was parsed) needs no JSON
    // escaping and no shell quoting inside single quotes.
    let mut json = format!(
        "{{\"nodeSelector\":{{\"{}\":\"{}\"}}}}",
        selector.key, selector.value
    );
    for key in path.iter().rev() {
        json = format!("{{\"{key}\":{json}}}");
    }
    // A Pod's spec and a Job's pod template cannot be changed once created.
    let immutable = match w.kind.as_str() {
        "Pod" => Some("a Pod's nodeSelector cannot change once it exists"),
        "Job" => Some("a Job's pod template cannot change once it exists"),
        _ => None,
    };
    match immutable {
        Some(why) => Suggestion {
            patch: Some(patch),
            command: None,
            note: Some(format!(
                "{why}: add the patch to the manifest and create the {} again",
                w.kind
            )),
        },
        None => {
            let mut command = format!(
                "kubectl patch {} {}",
                w.kind.to_ascii_lowercase(),
                shell_word(&w.name)
            );
            if let Some(ns) = &w.namespace {
                command.push_str(&format!(" -n {}", shell_word(ns)));
            }
            command.push_str(&format!(" --type strategic -p '{json}'"));
            Suggestion {
                patch: Some(patch),
                command: Some(command),
                note: None,
            }
        }
    }
}

/// Nested block mappings down to the pod spec; the value always quoted,
/// since `true` unquoted is a boolean Kubernetes refuses.
fn yaml_patch(path: &[&str], selector: &Selector) -> String {
    let mut out = String::new();
    for (depth, key) in path.iter().enumerate() {
        out.push_str(&format!("{}{key}:\n", "  ".repeat(depth)));
    }
    let depth = path.len();
    out.push_str(&format!("{}nodeSelector:\n", "  ".repeat(depth)));
    out.push_str(&format!(
        "{}{}: \"{}\"\n",
        "  ".repeat(depth + 1),
        selector.key,
        selector.value
    ));
    out
}

/// Object names are DNS labels or subdomains; anything else (from a
/// hand-written manifest) is single-quoted.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::manifest::parse_stream;
    use crate::gate::workload::{Classified, classify};

    fn workload(yaml: &str) -> Workload {
        let loaded = parse_stream("t.yaml", yaml);
        match classify(&loaded.objects[0], &[Selector::default_fips()]) {
            Classified::Workload(w, _) => w,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn deployment_patch_and_command() {
        let w = workload(
            "kind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {template: {spec: {containers: [{name: c, image: i}]}}}\n",
        );
        let s = suggest(&w, &Selector::default_fips());
        assert_eq!(
            s.patch.as_deref(),
            Some(
                "spec:\n  template:\n    spec:\n      nodeSelector:\n        kubernetes.azure.com/fips_enabled: \"true\"\n"
            )
        );
        assert_eq!(
            s.command.as_deref(),
            Some(
                "kubectl patch deployment web -n shop --type strategic -p '{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"kubernetes.azure.com/fips_enabled\":\"true\"}}}}}'"
            )
        );
        // The patch is itself valid YAML giving the JSON of the command.
        let from_yaml: serde_json::Value =
            serde_saphyr::from_str(s.patch.as_deref().unwrap()).unwrap();
        let cmd = s.command.unwrap();
        let json = cmd.split('\'').nth(1).unwrap();
        assert_eq!(
            from_yaml,
            serde_json::from_str::<serde_json::Value>(json).unwrap()
        );
    }

    #[test]
    fn cronjobs_pods_jobs_and_owned_objects() {
        let w = workload(
            "kind: CronJob\nmetadata: {name: nightly}\nspec: {jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: i}]}}}}}\n",
        );
        let s = suggest(&w, &Selector::parse("fips=on").unwrap());
        assert_eq!(
            s.patch.as_deref(),
            Some(
                "spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          nodeSelector:\n            fips: \"on\"\n"
            )
        );
        assert_eq!(
            s.command.as_deref(),
            Some(
                "kubectl patch cronjob nightly --type strategic -p '{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"fips\":\"on\"}}}}}}}'"
            )
        );
        let pod =
            workload("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n");
        let s = suggest(&pod, &Selector::default_fips());
        assert_eq!(
            s.patch.as_deref(),
            Some("spec:\n  nodeSelector:\n    kubernetes.azure.com/fips_enabled: \"true\"\n")
        );
        assert_eq!(s.command, None);
        assert_eq!(
            s.note.as_deref(),
            Some(
                "a Pod's nodeSelector cannot change once it exists: add the patch to the manifest and create the Pod again"
            )
        );
        let owned = workload(
            "kind: Pod\nmetadata: {name: p, ownerReferences: [{kind: ReplicaSet, name: web-1, controller: true}]}\nspec: {containers: [{name: c, image: i}]}\n",
        );
        let s = suggest(&owned, &Selector::default_fips());
        assert_eq!((s.patch, s.command), (None, None));
        assert_eq!(
            s.note.as_deref(),
            Some(
                "managed by ReplicaSet/web-1: add the node selector there (its controller would undo a patch here)"
            )
        );
        assert_eq!(shell_word("a b"), "'a b'");
    }
}
