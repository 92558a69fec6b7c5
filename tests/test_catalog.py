"""Catalog conventions: .snakemake-workflow-catalog.yml claims only what the workflow does; a LICENSE."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / ".snakemake-workflow-catalog.yml"
DEPLOYMENT_KEYS = {"conda", "apptainer", "apptainer+conda", "singularity", "singularity+conda"}


def workflow_sources() -> str:
    files = [
        ROOT / "Snakefile",
        ROOT / "workflow" / "Snakefile",
        *sorted((ROOT / "workflow" / "rules").glob("*.smk")),
    ]
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def directive(name: str) -> bool:
    """Whether any rule (or the Snakefile) uses the directive ``name:``."""
    return re.search(rf"^\s*{re.escape(name)}:", workflow_sources(), flags=re.M) is not None


def test_catalog_file_has_the_catalogs_layout():
    settings = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    assert set(settings) == {"usage"}
    usage = settings["usage"]
    assert set(usage) <= {"mandatory-flags", "software-stack-deployment", "report"}
    flags = usage["mandatory-flags"]
    assert set(flags) == {"desc", "flags"} and isinstance(flags["desc"], str) and flags["desc"].strip()
    assert isinstance(flags["flags"], str | list)
    deployment = usage["software-stack-deployment"]
    assert set(deployment) <= DEPLOYMENT_KEYS and all(isinstance(v, bool) for v in deployment.values())
    assert isinstance(usage["report"], bool)
    # the catalog also needs these: a README naming Snakemake and the workflow, configuration instructions
    readme = (ROOT / "README.md").read_text(encoding="utf-8").lower()
    assert "snakemake" in readme and "workflow" in readme
    assert (ROOT / "config" / "README.md").is_file()


def test_catalog_claims_match_the_workflow():
    usage = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))["usage"]
    deployment = usage["software-stack-deployment"]
    conda = directive("conda")
    container = directive("container") or directive("containerized")
    report = (ROOT / "workflow" / "report" / "workflow.rst").is_file() and "report(" in workflow_sources()
    assert deployment.get("conda", False) == conda, "conda: claims must match the rules' conda: directives"
    assert deployment.get("apptainer", False) == container, "apptainer: must match a container: directive"
    assert deployment.get("apptainer+conda", False) == (conda and container)
    assert usage["report"] == report, "report: must match workflow/report/workflow.rst and report() outputs"
    # flags the description tells users to pass must be real settings
    desc = usage["mandatory-flags"]["desc"]
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    for key in re.findall(r"--config (\w+)=", desc):
        assert key in config, f"the catalog description names an unknown setting {key!r}"


def test_license_file_matches_pyproject():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]
    first_line = (ROOT / "LICENSE").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"{declared} License"


def test_every_rule_has_a_description_in_list_rules():
    """A docstring as the first statement of each rule; ``snakemake --list-rules`` prints it."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "snakemake", "--list-rules"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    rules = dict(re.fullmatch(r"(\w+)(?: \((.*)\))?", line).groups() for line in out.splitlines() if line)
    assert len(rules) >= 31 and "evaluate_fold" in rules
    undocumented = sorted(name for name, doc in rules.items() if not doc)
    assert not undocumented, f"rules without a docstring: {undocumented}"
