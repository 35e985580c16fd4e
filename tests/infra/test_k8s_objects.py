"""The rendered Kubernetes objects: valid against the Kubernetes schemas, complete for every service,
locked down, and routing exactly the route table's public paths."""

from __future__ import annotations

import kubernetes_validate
import pytest

from shared.routes import SERVICES, dashed, find_route, public_paths, public_prefixes
from tests.infra.conftest import OVERLAYS, objects_of
from tools import k8s_manifests

# The EKS version in terraform/environments/*/variables.tf.
KUBERNETES_VERSION = "1.31.0"
CUSTOM_KINDS = {"ExternalSecret", "SecretStore", "ServiceMonitor", "PodMonitor", "PrometheusRule"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_builtin_object_matches_the_kubernetes_schema(rendered, overlay):
    failures = []
    for obj in rendered[overlay]:
        if obj["kind"] in CUSTOM_KINDS:
            continue
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            failures.append(f"{obj['kind']}/{obj['metadata']['name']}: {error.message} at {list(error.path)}")
    assert not failures, "\n".join(failures)


def test_schema_validation_rejects_a_broken_object():
    broken = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
              "spec": {"replicas": "two", "selector": {}, "template": {}}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_external_secrets_are_well_formed(rendered, overlay):
    """No CRD schemas are vendored, so the External Secrets objects get a structural check."""
    objects = rendered[overlay]
    stores = objects_of(objects, "SecretStore")
    assert stores["aws-secrets-manager"]["spec"]["provider"]["aws"]["service"] == "SecretsManager"
    secrets = objects_of(objects, "ExternalSecret")
    assert set(secrets) == {"receptionist-app", *(f"receptionist-{v}" for v in k8s_manifests.VENDOR_SECRETS)}
    for secret in secrets.values():
        spec = secret["spec"]
        assert secret["apiVersion"] == "external-secrets.io/v1beta1"
        assert spec["secretStoreRef"] == {"kind": "SecretStore", "name": "aws-secrets-manager"}
        assert spec["target"]["name"] == secret["metadata"]["name"]
        assert spec["data"] and all({"secretKey", "remoteRef"} <= set(item) for item in spec["data"])
        assert all(item["remoteRef"]["key"].startswith("receptionist/") for item in spec["data"])
    app_template = secrets["receptionist-app"]["spec"]["target"]["template"]["data"]
    assert {"DATABASE_URL", "REDIS_URL", "INTERNAL_API_TOKEN", "ADMIN_API_TOKEN",
            "TWILIO_AUTH_TOKEN"} <= set(app_template)
    assert app_template["REDIS_URL"].startswith("rediss://"), "ElastiCache requires TLS"
    assert "sslmode=require" in app_template["DATABASE_URL"]
    assert not objects_of(objects, "Secret"), "secret values never live in the repository"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_its_objects(rendered, overlay):
    objects = rendered[overlay]
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
                 "ServiceAccount"):
        names = set(objects_of(objects, kind))
        missing = {dashed(service) for service in SERVICES} - names
        assert not missing, f"{kind} missing for {sorted(missing)}"
    for name, autoscaler in objects_of(objects, "HorizontalPodAutoscaler").items():
        targets = {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"]
                   for m in autoscaler["spec"]["metrics"]}
        assert targets == {"cpu": 80, "memory": 80}, name
        assert autoscaler["spec"]["scaleTargetRef"]["name"] == name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_background_workloads_exist(rendered, overlay):
    objects = rendered[overlay]
    commands = {
        name: obj["spec"]["template"]["spec"]["containers"][0].get("command")
        for name, obj in {**objects_of(objects, "Deployment"), **objects_of(objects, "Job")}.items()
    }
    assert commands["db-migrate"] == ["python", "-m", "tools.manage", "migrate"]
    assert commands["tts-warm"] == ["python", "-m", "services.tts.warm"]
    assert commands["messaging-worker"] == ["python", "-m", "services.messaging.worker"]
    assert commands["calendly-dispatcher"] == ["python", "-m", "services.calendly.dispatcher"]
    assert commands["calendly-sync"] == ["python", "-m", "services.calendly.sync_runner"]
    for name, module in (("calendly-reminders", "services.calendly.reminders"),
                         ("messaging-retention", "services.messaging.retention"),
                         ("calendly-retention", "services.calendly.retention")):
        job = objects_of(objects, "CronJob")[name]
        assert job["spec"]["concurrencyPolicy"] == "Forbid"
        assert job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"] == [
            "python", "-m", module
        ]


def test_patient_data_keys_go_only_to_workloads_that_handle_patient_data_and_may_unwrap_them():
    holders = {w.dashed: w for w in k8s_manifests.WORKLOADS if k8s_manifests.PATIENT_DATA in w.secrets}
    assert set(holders) == {"twilio-handler", "calendly", "messaging", "messaging-worker", "calendly-dispatcher",
                            "calendly-sync", "calendly-reminders", "messaging-retention", "calendly-retention",
                            "db-migrate"}
    assert all(workload.aws and workload.database for workload in holders.values())


def _pod_specs(objects):
    for obj in objects:
        if obj["kind"] in ("Deployment", "Job"):
            yield obj["metadata"]["name"], obj["spec"]["template"]["spec"]
        elif obj["kind"] == "CronJob":
            yield obj["metadata"]["name"], obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_meet_the_restricted_pod_security_standard(rendered, overlay):
    for name, pod in _pod_specs(rendered[overlay]):
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert context["runAsUser"] >= 10000, name
            assert {"requests", "limits"} <= set(container["resources"]), name
            mounts = {m["mountPath"] for m in container["volumeMounts"]}
            assert mounts - {"/tmp", "/dev/shm", k8s_manifests.MULTIPROC_DIR} == set(), name
            volumes = {v["name"]: v for v in pod["volumes"]}
            assert all(volumes[m["name"]]["emptyDir"]["medium"] == "Memory" for m in container["volumeMounts"]), name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_deployments_roll_safely_and_probe_health(rendered, overlay):
    for service in SERVICES:
        deployment = objects_of(rendered[overlay], "Deployment")[dashed(service)]
        assert deployment["spec"]["replicas"] >= 2
        assert deployment["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["env"][0] == {"name": "SERVICE", "value": service}
        assert container["image"].endswith(f".amazonaws.com/receptionist/app:{'main' if overlay == 'prod' else 'dev'}")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_one_image_for_every_workload(rendered, overlay):
    images = {container["image"] for _, pod in _pod_specs(rendered[overlay]) for container in pod["containers"]}
    assert len(images) == 1, images


def test_prod_has_more_replicas_and_larger_limits_than_dev(rendered):
    dev, prod = (objects_of(rendered[o], "Deployment") for o in OVERLAYS)
    dev_hpa, prod_hpa = (objects_of(rendered[o], "HorizontalPodAutoscaler") for o in OVERLAYS)
    for service in map(dashed, SERVICES):
        assert prod[service]["spec"]["replicas"] > dev[service]["spec"]["replicas"]
        assert prod_hpa[service]["spec"]["minReplicas"] > dev_hpa[service]["spec"]["minReplicas"]
        dev_limits = dev[service]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
        prod_limits = prod[service]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
        assert prod_limits != dev_limits
    dev_host = objects_of(rendered["dev"], "Ingress")["receptionist-public"]["spec"]["rules"][0]["host"]
    prod_host = objects_of(rendered["prod"], "Ingress")["receptionist-public"]["spec"]["rules"][0]["host"]
    assert dev_host != prod_host


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ingress_routes_exactly_the_public_paths(rendered, overlay):
    ingress = objects_of(rendered[overlay], "Ingress")
    assert list(ingress) == ["receptionist-public"], "one Ingress, so one ALB"
    spec = ingress["receptionist-public"]["spec"]
    [rule] = spec["rules"]
    paths = {p["path"]: p for p in rule["http"]["paths"] if p["pathType"] == "Exact"}
    prefixes = {p["path"]: p for p in rule["http"]["paths"] if p["pathType"] == "Prefix"}
    assert len(paths) + len(prefixes) == len(rule["http"]["paths"])
    assert sorted(paths) == public_paths()
    for path, entry in paths.items():
        assert entry["backend"]["service"]["name"] == dashed(find_route(path).service)
    assert {path: entry["backend"]["service"]["name"] for path, entry in prefixes.items()} == {
        prefix: dashed(service) for prefix, service in public_prefixes().items()}
    assert spec["tls"][0]["hosts"] == [rule["host"]]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ingress_is_an_https_only_alb_with_tls13_and_waf(rendered, overlay):
    annotations = objects_of(rendered[overlay], "Ingress")["receptionist-public"]["metadata"]["annotations"]
    assert annotations["alb.ingress.kubernetes.io/scheme"] == "internet-facing"
    assert annotations["alb.ingress.kubernetes.io/listen-ports"] == '[{"HTTPS": 443}]'
    assert "TLS13" in annotations["alb.ingress.kubernetes.io/ssl-policy"]
    assert annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"].startswith("arn:aws:wafv2:")
    assert f"receptionist-{overlay}" in annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_irsa_annotations_only_where_aws_is_called(rendered, overlay):
    accounts = objects_of(rendered[overlay], "ServiceAccount")
    annotated = {name for name, sa in accounts.items()
                 if "eks.amazonaws.com/role-arn" in sa["metadata"].get("annotations", {})}
    expected = {w.dashed for w in k8s_manifests.WORKLOADS if w.aws} | {"external-secrets"}
    assert annotated == expected
    account_ids = {accounts[name]["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].split(":")[4]
                   for name in annotated}
    assert len(account_ids) == 1 and k8s_manifests.ACCOUNT_PLACEHOLDER not in account_ids, \
        "every overlay sets its account"
    for name in annotated:
        assert accounts[name]["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(
            f":role/receptionist-{name}")
