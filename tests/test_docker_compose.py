"""The production-like stack in docker-compose.yml agrees with the code it runs.

Docker does not run here, so the file is checked statically: the app's environment variables
are real settings with sensible values, the ports are published, the search attributes that
get registered are exactly the ones the workflows upsert, images are pinned and the app waits
for its migration and for Temporal. Each check returns its problems, so the tests also show
that a broken compose file is caught.
"""

from __future__ import annotations

import copy
import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import Settings
from workflows.search_attributes import ALL_KEYS, CLI_TYPES

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_SERVICES = ("migrate", "api", "worker")
ENV_PREFIX = "COOPFLOW_"
SA_CREATE = ("temporal", "operator", "search-attribute", "create")

Compose = dict[str, Any]


@pytest.fixture(scope="module")
def compose() -> Compose:
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict)
    return data


# --- helpers ------------------------------------------------------------------------------------

_INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
# What an operator passes for the secrets compose requires (``${VAR:?message}``).
OPERATOR_SECRETS = {
    "COOPFLOW_SIGNING_SECRET": "s" * 40,
    "COOPFLOW_ADMIN_TOKEN": "a" * 40,
    "COOPFLOW_STRIPE_API_KEY": "sk_live_" + "k" * 24,
    "COOPFLOW_STRIPE_WEBHOOK_SECRET": "whsec_" + "w" * 32,
    "COOPFLOW_PAYLOAD_KEYS": "k1:" + "a" * 43 + "=",
}


def interpolate(value: str) -> str:
    """Resolve compose ``${VAR:-default}`` with its default and ``${VAR:?message}`` with what
    the operator passes (``OPERATOR_SECRETS``; the environment is ignored)."""

    def resolve(m: re.Match[str]) -> str:
        if (m.group("op") or "").endswith("?"):
            return OPERATOR_SECRETS[m.group("name")]
        return m.group("arg") or ""

    return _INTERPOLATION.sub(resolve, value).replace("$$", "$")


def required_variables(compose: Compose) -> set[str]:
    """Variables compose refuses to start without (``${VAR:?message}``)."""
    text = yaml.safe_dump(compose)
    return {m.group("name") for m in _INTERPOLATION.finditer(text) if m.group("op") in (":?", "?")}


def environment(service: Compose) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): interpolate(str(v)) for k, v in env.items()}


def published_ports(service: Compose) -> set[tuple[int, int]]:
    """(host, container) pairs from short ("8000:8000", "127.0.0.1:80:80") or long syntax."""
    pairs: set[tuple[int, int]] = set()
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            pairs.add((int(port["published"]), int(port["target"])))
        else:
            *_, host, container = str(port).split("/")[0].split(":")
            pairs.add((int(host), int(container)))
    return pairs


def command_text(service: Compose) -> str:
    command = service.get("command") or []
    return command if isinstance(command, str) else "\n".join(map(str, command))


def depends_on(service: Compose) -> dict[str, str]:
    """Dependency name -> condition, from the list or the mapping syntax."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {dep: "service_started" for dep in deps}
    return {dep: (spec or {}).get("condition", "service_started") for dep, spec in deps.items()}


# --- checks (each returns a list of problems) ---------------------------------------------------


def check_app_environment(compose: Compose) -> list[str]:
    problems: list[str] = []
    fields = set(Settings.model_fields)
    for name in APP_SERVICES:
        service = compose["services"].get(name)
        if service is None:
            problems.append(f"no service {name!r}")
            continue
        env = environment(service)
        if not any(key.startswith(ENV_PREFIX) for key in env):
            problems.append(f"{name}: no {ENV_PREFIX}* variables")
        for key in env:
            if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() not in fields:
                problems.append(f"{name}: {key} is not a field of config.Settings")
    return problems


def check_ports(compose: Compose) -> list[str]:
    expected = {"api": (8000, 8000), "temporal-ui": (8233, 8080)}
    problems = []
    for name, pair in expected.items():
        service = compose["services"].get(name, {})
        if pair not in published_ports(service):
            problems.append(f"{name}: port {pair[0]}:{pair[1]} is not published")
    # Temporal bypasses the API's roles: its frontend stays inside the compose network, its UI
    # on this host only.
    if published_ports(compose["services"].get("temporal", {})):
        problems.append("temporal: the frontend must not be published")
    for port in compose["services"].get("temporal-ui", {}).get("ports", []):
        if not str(port).startswith("127.0.0.1:"):
            problems.append(f"temporal-ui: {port} is published beyond this host")
    return problems


def registered_search_attributes(compose: Compose) -> tuple[dict[str, str], list[str]]:
    """name -> type of every ``temporal operator search-attribute create`` in the file."""
    found: dict[str, str] = {}
    problems: list[str] = []
    api_env = environment(compose["services"].get("api", {}))
    namespace = api_env.get("COOPFLOW_TEMPORAL_NAMESPACE", "default")
    for service_name, service in compose["services"].items():
        for line in command_text(service).splitlines():
            if "search-attribute create" not in line:
                continue
            tokens = shlex.split(line)
            start = next(i for i in range(len(tokens)) if tuple(tokens[i : i + 4]) == SA_CREATE)
            args = tokens[start + 4 :]
            options: dict[str, list[str]] = {}
            for flag, value in zip(args[::2], args[1::2], strict=False):
                options.setdefault(flag, []).append(value)
            names, types = options.get("--name", []), options.get("--type", [])
            # CLI 1.9 registers only the first --name of a command: one attribute per command.
            if len(names) != 1 or len(types) != 1:
                problems.append(f"{service_name}: need exactly one --name and --type: {line!r}")
                continue
            if options.get("--address") != ["temporal:7233"]:
                problems.append(f"{service_name}: not addressed to temporal:7233: {line!r}")
            if options.get("--namespace", ["default"]) != [namespace]:
                problems.append(f"{service_name}: not in the app's namespace {namespace}: {line!r}")
            if names[0] in found:
                problems.append(f"{service_name}: {names[0]} registered twice")
            found[names[0]] = types[0]
    return found, problems


def check_search_attributes(compose: Compose) -> list[str]:
    found, problems = registered_search_attributes(compose)
    expected = {key.name: CLI_TYPES[key._metadata_type] for key in ALL_KEYS}
    for name in sorted(expected.keys() - found.keys()):
        problems.append(f"{name} is not registered")
    for name in sorted(found.keys() - expected.keys()):
        problems.append(f"{name} is registered but not in workflows.search_attributes.ALL_KEYS")
    for name in sorted(expected.keys() & found.keys()):
        if expected[name] != found[name]:
            problems.append(f"{name}: registered as {found[name]}, expected {expected[name]}")
    return problems


def check_images_pinned(compose: Compose) -> list[str]:
    problems = []
    for name, service in compose["services"].items():
        image = service.get("image")
        if image is None:
            if "build" not in service:
                problems.append(f"{name}: neither image nor build")
            continue
        repository, _, tag = interpolate(str(image)).rpartition(":")
        if not repository or "/" in tag or tag in {"", "latest"}:
            problems.append(f"{name}: image {image!r} is not pinned to a version")
    return problems


def check_app_dependencies(compose: Compose) -> list[str]:
    expected = {"migrate": "service_completed_successfully", "temporal": "service_healthy"}
    problems = []
    for name in ("api", "worker"):
        service = compose["services"].get(name, {})
        conditions = depends_on(service)
        for dep, condition in expected.items():
            if conditions.get(dep) != condition:
                problems.append(f"{name}: must depend on {dep} with condition {condition}")
        if name == "worker" and "container_name" in service:
            problems.append("worker: container_name prevents scaling")
    return problems


# --- tests --------------------------------------------------------------------------------------


def test_app_environment_names_settings_fields(compose: Compose) -> None:
    assert check_app_environment(compose) == []


@pytest.mark.parametrize("service_name", APP_SERVICES)
def test_app_environment_parses_into_production_settings(
    compose: Compose, service_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in [k for k in os.environ if k.startswith(ENV_PREFIX)]:
        monkeypatch.delenv(key)
    env = environment(compose["services"][service_name])
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.database_url.startswith("postgresql+asyncpg://")
    db_host = settings.database_url.split("@", 1)[1].split("/", 1)[0]
    assert db_host == "app-db:5432"
    assert "app-db" in compose["services"]
    assert settings.temporal_address == "temporal:7233"
    assert settings.smtp_host in compose["services"]
    # Everything the app writes lands on the shared volume, not inside the image.
    assert str(settings.data_dir) == "/data"
    assert any(str(v).endswith(":/data") for v in compose["services"][service_name]["volumes"])
    assert settings.signing_secret != Settings.model_fields["signing_secret"].default
    assert settings.admin_token != Settings.model_fields["admin_token"].default
    assert not settings.dev_mode
    settings.require_safe()  # with what the operator passes, the API and worker start


def test_secrets_have_no_fallback(compose: Compose) -> None:
    assert required_variables(compose) == set(OPERATOR_SECRETS)


def test_app_services_share_one_configuration(compose: Compose) -> None:
    envs = [environment(compose["services"][name]) for name in APP_SERVICES]
    assert all(env == envs[0] for env in envs)


def test_ports_are_published(compose: Compose) -> None:
    assert check_ports(compose) == []


def test_registered_search_attributes_match_the_workflows(compose: Compose) -> None:
    found, _ = registered_search_attributes(compose)
    assert len(found) == len(ALL_KEYS)
    assert check_search_attributes(compose) == []


def test_images_are_pinned(compose: Compose) -> None:
    assert check_images_pinned(compose) == []


def test_api_and_worker_wait_for_migration_and_temporal(compose: Compose) -> None:
    assert check_app_dependencies(compose) == []


def test_dockerfile_uses_pinned_python_and_installs_the_project() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\s*$", dockerfile, re.MULTILINE)
    assert re.search(r"^RUN pip install \.", dockerfile, re.MULTILINE)
    for module in ("domain", "workflows", "activities", "adapters", "db", "api"):
        assert re.search(rf"^COPY {module}/ ", dockerfile, re.MULTILINE), module
    assert re.search(r"^COPY .*\bconfig\.py\b", dockerfile, re.MULTILINE), "config.py"


# --- the checks catch a broken file -------------------------------------------------------------


def _first_sa_line(compose: Compose) -> tuple[str, str]:
    for name, service in compose["services"].items():
        for line in command_text(service).splitlines():
            if "search-attribute create" in line:
                return name, line
    raise AssertionError("no search-attribute create command")


def _replace_in_command(compose: Compose, service: str, old: str, new: str) -> None:
    command = compose["services"][service]["command"]
    if isinstance(command, str):
        compose["services"][service]["command"] = command.replace(old, new)
    else:
        compose["services"][service]["command"] = [str(c).replace(old, new) for c in command]


def test_checks_catch_broken_files(compose: Compose) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["worker"]["environment"]["COOPFLOW_TEMPORAL_ADRESS"] = "temporal:7233"
    assert any("COOPFLOW_TEMPORAL_ADRESS" in p for p in check_app_environment(broken))

    broken = copy.deepcopy(compose)
    broken["services"]["temporal-ui"]["ports"] = ["127.0.0.1:8080:8080"]
    assert check_ports(broken) == ["temporal-ui: port 8233:8080 is not published"]
    broken["services"]["temporal-ui"]["ports"] = ["8233:8080"]
    assert check_ports(broken) == ["temporal-ui: 8233:8080 is published beyond this host"]
    broken["services"]["temporal"]["ports"] = ["7233:7233"]
    assert "temporal: the frontend must not be published" in check_ports(broken)

    service, line = _first_sa_line(compose)
    name = shlex.split(line)[shlex.split(line).index("--name") + 1]

    broken = copy.deepcopy(compose)
    _replace_in_command(broken, service, line + "\n", "")
    assert f"{name} is not registered" in check_search_attributes(broken)

    broken = copy.deepcopy(compose)
    _replace_in_command(broken, service, line, re.sub(r"--type \w+", "--type Text", line))
    assert any(p.startswith(f"{name}: registered as Text") for p in check_search_attributes(broken))

    broken = copy.deepcopy(compose)
    _replace_in_command(broken, service, line, line + " --name CoopExtra")
    assert any("exactly one --name" in p for p in check_search_attributes(broken))

    broken = copy.deepcopy(compose)
    broken["services"]["api"]["environment"]["COOPFLOW_TEMPORAL_NAMESPACE"] = "coopflow"
    assert any("namespace coopflow" in p for p in check_search_attributes(broken))

    broken = copy.deepcopy(compose)
    broken["services"]["temporal-ui"]["image"] = "temporalio/ui:latest"
    broken["services"]["postgresql"]["image"] = "postgres"
    assert len(check_images_pinned(broken)) == 2

    broken = copy.deepcopy(compose)
    del broken["services"]["worker"]["depends_on"]["migrate"]
    assert check_app_dependencies(broken) == [
        "worker: must depend on migrate with condition service_completed_successfully"
    ]

    broken = copy.deepcopy(compose)
    broken["services"]["worker"]["container_name"] = "coopflow-worker"
    assert check_app_dependencies(broken) == ["worker: container_name prevents scaling"]
