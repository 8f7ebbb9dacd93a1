//! Workloads in manifests: where each kind keeps its pod template, its
//! containers and images, and whether the template schedules its pods on
//! FIPS nodes.

use serde::Serialize;
use serde_json::Value;

use super::Selector;
use super::manifest::{ManifestError, Object, Origin};

/// The kinds checked and the path from the object to its pod spec.
const KINDS: &[(&str, &[&str])] = &[
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
    ("Pod", &["spec"]),
];

/// API groups those kinds live in (`v1`, `apps/v1`, `batch/v1`, and the
/// old `extensions` and `apps/v1beta*` ones): a `kind: Deployment` of
/// another group is some operator's resource, not a pod template.
const GROUPS: &[&str] = &["", "apps", "batch", "extensions"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Container,
    InitContainer,
    EphemeralContainer,
}

impl Role {
    /// As the text output names it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Container => "container",
            Role::InitContainer => "init container",
            Role::EphemeralContainer => "ephemeral container",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    pub name: String,
    pub role: Role,
    pub image: String,
}

/// How a pod template asks for FIPS nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Targeting {
    NodeSelector(Selector),
    NodeAffinity(Selector),
}

impl std::fmt::Display for Targeting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Targeting::NodeSelector(s) => write!(f, "nodeSelector {}={}", s.key, s.value),
            Targeting::NodeAffinity(s) => write!(f, "nodeAffinity {} In ({})", s.key, s.value),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Workload {
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub origin: Origin,
    pub containers: Vec<Container>,
    /// `None`: the pods may land on any node.
    pub targeting: Option<Targeting>,
    /// The controller that owns it (`Deployment/web`), from
    /// `metadata.ownerReferences`: changes belong there.
    pub owner: Option<String>,
}

impl Workload {
    /// `Deployment shop/web`, or `Deployment web` without a namespace.
    pub fn title(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// An object that is not a workload (a Service, a ConfigMap…).
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub origin: Origin,
    pub reason: String,
}

#[derive(Debug)]
pub enum Classified {
    /// With the problems found in it (a container without an image); the
    /// rest of it is still checked.
    Workload(Workload, Vec<ManifestError>),
    Skipped(Skipped),
    Invalid(ManifestError),
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

/// The API group of `apps/v1` (`apps`) or `v1` (the core group, "").
fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

pub fn classify(object: &Object, selectors: &[Selector]) -> Classified {
    let v = &object.value;
    let origin = object.origin.clone();
    let name = str_at(v, &["metadata", "name"]).map(str::to_string);
    let namespace = str_at(v, &["metadata", "namespace"]).map(str::to_string);
    let Some(kind) = v.get("kind").and_then(Value::as_str) else {
        return Classified::Invalid(ManifestError::Shape {
            origin,
            what: "not a Kubernetes object (no kind)".into(),
        });
    };
    let api_version = v.get("apiVersion").and_then(Value::as_str);
    let template = KINDS.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p);
    let skip = |reason: String| {
        Classified::Skipped(Skipped {
            kind: kind.to_string(),
            namespace: namespace.clone(),
            name: name.clone(),
            origin: origin.clone(),
            reason,
        })
    };
    let Some(template) = template else {
        return skip("not a workload".into());
    };
    if let Some(api) = api_version
        && !GROUPS.contains(&group(api))
    {
        return skip(format!("{api} is not a Kubernetes workload API"));
    }
    let title = match (&namespace, &name) {
        (_, None) => {
            return Classified::Invalid(ManifestError::Shape {
                origin,
                what: format!("{kind} has no metadata.name"),
            });
        }
        (Some(ns), Some(n)) => format!("{kind} {ns}/{n}"),
        (None, Some(n)) => format!("{kind} {n}"),
    };
    let Some(spec) = at(v, template).filter(|s| s.is_object()) else {
        return Classified::Invalid(ManifestError::Shape {
            origin,
            what: format!("{title} has no {}", template.join(".")),
        });
    };
    let mut problems = Vec::new();
    let mut containers = Vec::new();
    for (field, role) in [
        ("initContainers", Role::InitContainer),
        ("containers", Role::Container),
        ("ephemeralContainers", Role::EphemeralContainer),
    ] {
        let list = match spec.get(field) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(list)) => list,
            Some(_) => {
                problems.push(ManifestError::Shape {
                    origin: origin.clone(),
                    what: format!("{title}: {field} is not a sequence"),
                });
                continue;
            }
        };
        for (i, c) in list.iter().enumerate() {
            let cname = c
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("{field}[{i}]"), str::to_string);
            match c.get("image").and_then(Value::as_str).map(str::trim) {
                Some(image) if !image.is_empty() => containers.push(Container {
                    name: cname,
                    role,
                    image: image.to_string(),
                }),
                _ => problems.push(ManifestError::Shape {
                    origin: origin.clone(),
                    what: format!("{title}: {} {cname} has no image", role.label()),
                }),
            }
        }
    }
    let owner = v
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .and_then(|owners| {
            owners
                .iter()
                .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        })
        .and_then(|o| {
            Some(format!(
                "{}/{}",
                str_at(o, &["kind"])?,
                str_at(o, &["name"])?
            ))
        });
    Classified::Workload(
        Workload {
            kind: kind.to_string(),
            name: name.unwrap_or_default(),
            namespace,
            origin,
            containers,
            targeting: targeting(spec, selectors),
            owner,
        },
        problems,
    )
}

/// The first selector the pod spec requires, by `nodeSelector` or by a
/// required node affinity term with `key In [value]`. Only string values
/// count: Kubernetes rejects a boolean `true` in a nodeSelector.
pub fn targeting(spec: &Value, selectors: &[Selector]) -> Option<Targeting> {
    for s in selectors {
        if str_at(spec, &["nodeSelector", &s.key]) == Some(s.value.as_str()) {
            return Some(Targeting::NodeSelector(s.clone()));
        }
    }
    let terms = at(
        spec,
        &[
            "affinity",
            "nodeAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
            "nodeSelectorTerms",
        ],
    )
    .and_then(Value::as_array)?;
    for s in selectors {
        let wants = |e: &Value| {
            str_at(e, &["key"]) == Some(s.key.as_str())
                && str_at(e, &["operator"]) == Some("In")
                && e.get("values")
                    .and_then(Value::as_array)
                    .is_some_and(|vals| vals.iter().any(|v| v.as_str() == Some(&s.value)))
        };
        let hit = terms.iter().any(|t| {
            t.get("matchExpressions")
                .and_then(Value::as_array)
                .is_some_and(|exprs| exprs.iter().any(wants))
        });
        if hit {
            return Some(Targeting::NodeAffinity(s.clone()));
        }
    }
    None
}

/// The path of the pod spec in an object of this kind, for patches.
pub fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::manifest::parse_stream;

    fn one(yaml: &str, selectors: &[Selector]) -> Classified {
        let loaded = parse_stream("t.yaml", yaml);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        classify(&loaded.objects[0], selectors)
    }

    fn workload(yaml: &str) -> Workload {
        match one(yaml, &[Selector::default_fips()]) {
            Classified::Workload(w, problems) => {
                assert!(problems.is_empty(), "{problems:?}");
                w
            }
            other => panic!("{other:?}"),
        }
    }

    const DEPLOYMENT: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      nodeSelector:
        kubernetes.azure.com/fips_enabled: "true"
      initContainers:
      - {name: migrate, image: "reg/migrate:1"}
      containers:
      - {name: web, image: "reg/web:1"}
      - {name: sidecar, image: "reg/proxy:2"}
"#;

    #[test]
    fn containers_in_order_with_their_roles() {
        let w = workload(DEPLOYMENT);
        assert_eq!(w.title(), "Deployment shop/web");
        let got: Vec<(&str, Role, &str)> = w
            .containers
            .iter()
            .map(|c| (c.name.as_str(), c.role, c.image.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("migrate", Role::InitContainer, "reg/migrate:1"),
                ("web", Role::Container, "reg/web:1"),
                ("sidecar", Role::Container, "reg/proxy:2"),
            ]
        );
        assert_eq!(
            w.targeting.unwrap().to_string(),
            "nodeSelector kubernetes.azure.com/fips_enabled=true"
        );
    }

    #[test]
    fn node_affinity_in_any_term() {
        let w = workload(
            r#"
kind: Pod
metadata: {name: p}
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: kubernetes.io/os, operator: In, values: [linux]}
        - matchExpressions:
          - {key: kubernetes.azure.com/fips_enabled, operator: In, values: ["false", "true"]}
  containers: [{name: c, image: i}]
"#,
        );
        assert_eq!(
            w.targeting.unwrap().to_string(),
            "nodeAffinity kubernetes.azure.com/fips_enabled In (true)"
        );
    }

    #[test]
    fn what_does_not_target_fips_nodes() {
        for spec in [
            // A boolean, which Kubernetes would refuse.
            "nodeSelector: {kubernetes.azure.com/fips_enabled: true}",
            "nodeSelector: {kubernetes.azure.com/fips_enabled: \"false\"}",
            "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.azure.com/fips_enabled, operator: NotIn, values: [\"true\"]}]}]}}}",
            // Preferred is not required.
            "affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, preference: {matchExpressions: [{key: kubernetes.azure.com/fips_enabled, operator: In, values: [\"true\"]}]}}]}}",
        ] {
            let yaml = format!(
                "kind: Pod\nmetadata: {{name: p}}\nspec:\n  {spec}\n  containers: [{{name: c, image: i}}]\n"
            );
            assert_eq!(workload(&yaml).targeting, None, "{spec}");
        }
    }

    #[test]
    fn custom_selectors_replace_the_default() {
        let sel = Selector::parse("node.example.com/fips=enabled").unwrap();
        let yaml = "kind: Pod\nmetadata: {name: p}\nspec:\n  nodeSelector: {node.example.com/fips: enabled}\n  containers: [{name: c, image: i}]\n";
        let Classified::Workload(w, _) = one(yaml, std::slice::from_ref(&sel)) else {
            panic!()
        };
        assert_eq!(w.targeting, Some(Targeting::NodeSelector(sel)));
        let Classified::Workload(w, _) = one(DEPLOYMENT, &[Selector::parse("a=b").unwrap()]) else {
            panic!()
        };
        assert_eq!(w.targeting, None);
    }

    #[test]
    fn cronjobs_other_kinds_and_broken_workloads() {
        let w = workload(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: job, image: reg/job:3}]\n",
        );
        assert_eq!(w.containers[0].image, "reg/job:3");
        let Classified::Skipped(s) = one(
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n",
            &[],
        ) else {
            panic!()
        };
        assert_eq!(
            (s.kind.as_str(), s.reason.as_str()),
            ("Service", "not a workload")
        );
        let Classified::Skipped(s) = one(
            "apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: x}\n",
            &[],
        ) else {
            panic!()
        };
        assert_eq!(s.reason, "example.com/v1 is not a Kubernetes workload API");
        let Classified::Invalid(e) = one("kind: Deployment\nmetadata: {name: x}\nspec: {}\n", &[])
        else {
            panic!()
        };
        assert_eq!(
            e.to_string(),
            "t.yaml document 1: Deployment x has no spec.template.spec"
        );
        let Classified::Workload(w, problems) = one(
            "kind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  containers: [{name: a}, {name: b, image: i}]\n",
            &[],
        ) else {
            panic!()
        };
        assert_eq!(w.containers.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "t.yaml document 1: Pod ns/p: container a has no image"
        );
    }

    #[test]
    fn owner_from_the_controller_reference() {
        let w = workload(
            "kind: ReplicaSet\nmetadata:\n  name: web-5d9\n  ownerReferences:\n  - {apiVersion: apps/v1, kind: Deployment, name: web, controller: true, uid: x}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: i}]\n",
        );
        assert_eq!(w.owner.as_deref(), Some("Deployment/web"));
    }
}
