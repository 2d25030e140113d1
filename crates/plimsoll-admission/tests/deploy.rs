//! `deploy/kubernetes/`: the webhook's own Deployment meets the restricted
//! Pod Security Standard and passes every run-time rule, and its
//! ValidatingWebhookConfiguration is registered as the docs say.

use serde_json::Value;

fn deploy(file: &str) -> String {
    let path = format!(
        "{}/../../deploy/kubernetes/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_webhook_deployment_is_clean_at_the_restricted_level() {
    let text = deploy("deployment.yaml");
    let m = plimsoll_runtime::kubernetes::read_manifests("deployment.yaml", &text).unwrap();
    assert_eq!(m.workloads.len(), 1);
    let w = &m.workloads[0];
    assert_eq!(
        plimsoll_runtime::pss::level_of(w),
        plimsoll_runtime::pss::Level::Restricted
    );
    let options = plimsoll_runtime::AuditOptions {
        trusted_registries: vec!["registry.example".into()],
        standard: Some(plimsoll_runtime::pss::Level::Restricted),
        ..Default::default()
    };
    let findings = plimsoll_runtime::audit(&m.workloads, &options);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn the_webhook_is_registered_as_documented() {
    let v: Value = serde_saphyr::from_str(&deploy("webhook.yaml")).unwrap();
    assert_eq!(v["apiVersion"], "admissionregistration.k8s.io/v1");
    assert_eq!(v["kind"], "ValidatingWebhookConfiguration");
    let hook = &v["webhooks"][0];
    assert_eq!(hook["sideEffects"], "None");
    assert_eq!(hook["admissionReviewVersions"], serde_json::json!(["v1"]));
    assert!(hook["timeoutSeconds"].as_u64().unwrap() <= 30);
    assert_eq!(hook["failurePolicy"], "Fail");
    assert_eq!(hook["clientConfig"]["service"]["path"], "/validate");
    let exempt = &hook["namespaceSelector"]["matchExpressions"][0];
    assert_eq!(exempt["key"], "kubernetes.io/metadata.name");
    assert_eq!(exempt["operator"], "NotIn");
    assert!(
        exempt["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "plimsoll-system"),
        "the webhook's own namespace is exempt"
    );
    // Every workload kind the webhook judges is registered.
    let resources: Vec<&str> = hook["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["resources"].as_array().unwrap())
        .map(|r| r.as_str().unwrap())
        .collect();
    for r in [
        "pods",
        "deployments",
        "statefulsets",
        "daemonsets",
        "replicasets",
        "jobs",
        "cronjobs",
        "replicationcontrollers",
        "podtemplates",
    ] {
        assert!(resources.contains(&r), "{r} missing");
    }
    // The Service the webhook calls is the one deployed.
    let svc: Value = serde_saphyr::from_str(&deploy("service.yaml")).unwrap();
    assert_eq!(
        hook["clientConfig"]["service"]["name"],
        svc["metadata"]["name"]
    );
    assert_eq!(
        hook["clientConfig"]["service"]["namespace"],
        svc["metadata"]["namespace"]
    );
}

#[test]
fn the_shipped_policy_is_valid() {
    let cm: Value = serde_saphyr::from_str(&deploy("configmap.yaml")).unwrap();
    let toml_text = cm["data"]["plimsoll.toml"].as_str().unwrap();
    #[derive(serde::Deserialize)]
    struct File {
        admission: plimsoll_admission::AdmissionConfig,
    }
    let f: File = toml::from_str(toml_text).unwrap();
    plimsoll_admission::Policy::new(&f.admission).unwrap();
}
