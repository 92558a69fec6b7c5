"""The README, CI entry point, lock files and environment.yml stay in step with each other and the results."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# conda-forge names of the PyPI packages where they differ
CONDA_NAMES = {"matplotlib": "matplotlib-base", "snakemake": "snakemake-minimal"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock(path: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonical(name)] = version
    return pins


def declared_dependencies() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["test"]
    return [canonical(re.match(r"[A-Za-z0-9_.-]+", spec).group(0)) for spec in specs]


def test_ci_runs_exactly_the_readme_test_command():
    ci_command = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    assert ci_command in blocks
    assert "pytest" in ci_command and "requirements-test.lock" in ci_command


def test_readme_embeds_the_current_headline_table():
    generated = (ROOT / "results" / "tables" / "headline.md").read_text(encoding="utf-8")
    match = re.search(
        r"<!-- headline-table:start[^\n]*-->\n(.*?)<!-- headline-table:end -->", README, flags=re.S
    )
    assert match, "README.md lost its headline-table markers"
    assert match.group(1) == generated, (
        "README.md's headline table differs from results/tables/headline.md: paste the generated file "
        "between the headline-table markers"
    )


def test_readme_headline_opens_with_the_current_headline_test():
    generated = (ROOT / "results" / "tables" / "headline_test.md").read_text(encoding="utf-8")
    pattern = r"<!-- headline-test:start[^\n]*-->\n(.*?)<!-- headline-test:end -->"
    match = re.search(pattern, README, flags=re.S)
    assert match, "README.md lost its headline-test markers"
    assert match.group(1) == generated, (
        "README.md's headline test differs from results/tables/headline_test.md: paste the generated file "
        "between the headline-test markers"
    )
    section = README.split("## Headline result", 1)[1]
    assert section.index("headline-test:start") < section.index("headline-table:start")


def test_every_dependency_is_pinned_in_both_locks_and_environment_yml():
    runtime, test = lock("requirements.lock"), lock("requirements-test.lock")
    assert all(test.get(name) == version for name, version in runtime.items()), "the two locks disagree"
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=", 1)
            conda[canonical(name)] = version
    for name in declared_dependencies():
        assert name in test, f"{name} missing from requirements-test.lock"
        assert conda.get(canonical(CONDA_NAMES.get(name, name))) == test[name], f"environment.yml: {name}"


def test_the_jobs_conda_environment_pins_the_runtime_lock():
    env = yaml.safe_load((ROOT / "workflow" / "envs" / "slothpipe.yaml").read_text(encoding="utf-8"))
    conda = dict(dep.split("=", 1) for dep in env["dependencies"] if isinstance(dep, str) and "=" in dep)
    conda = {canonical(name): version for name, version in conda.items()}
    runtime = lock("requirements.lock")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for spec in project["dependencies"]:
        name = canonical(re.match(r"[A-Za-z0-9_.-]+", spec).group(0))
        assert conda.get(canonical(CONDA_NAMES.get(name, name))) == runtime[name], f"workflow/envs: {name}"


def test_method_listing_names_every_registry_method():
    from slothpipe.models.methods import METHODS

    out = subprocess.run(
        [sys.executable, "-m", "slothpipe.list_methods"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0].split()[:2] == ["slug", "paper"]
    listed = {line.split()[0]: line.split()[1] for line in out[1:]}
    assert listed == {spec.name: spec.paper_code for spec in METHODS.values()}


def test_python_api_example_runs_and_prints_what_the_readme_shows():
    match = re.search(
        r"<!-- api-example:start[^\n]*-->\n```python\n(.*?)```\n\n```\n(.*?)```\n<!-- api-example:end -->",
        README,
        flags=re.S,
    )
    assert match, "README.md lost its api-example block (python code, then its output)"
    code, shown = match.groups()
    assert len([line for line in code.splitlines() if line.strip()]) < 10
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr

    def table(text: str) -> dict[str, tuple[float, ...]]:
        lines = text.strip().splitlines()
        assert lines[0].split() == ["predicted", "lower", "upper", "actual"] and lines[1].split() == [
            "benchmark"
        ]
        return {row[0]: tuple(map(float, row[1:])) for row in (line.rsplit(None, 4) for line in lines[2:])}

    printed, readme = table(run.stdout), table(shown)
    assert list(printed) == ["MMLU", "ARC", "HellaSwag", "Winogrande", "TruthfulQA", "GSM8K"]
    assert list(readme) == list(printed)
    for name, (predicted, lower, upper, actual) in printed.items():
        assert actual == readme[name][3], f"{name}: the dataset's score changed, update the README output"
        assert lower <= predicted <= upper
        # another CPU may round a few fits differently (README, "Trusting the numbers"): 1 pp per cell
        for got, shown_value in zip((predicted, lower, upper), readme[name][:3], strict=True):
            assert abs(got - shown_value) <= 0.01, f"{name}: README shows {readme[name][:3]}"
    printed = {name: (row[0], row[3]) for name, row in printed.items()}
    mae = sum(abs(p - a) for p, a in printed.values()) / len(printed)
    assert mae < 0.08, f"Sloth's error on Llama-3-70B is {mae:.3f}: the README example predicts badly"


def test_the_container_recipe_installs_exactly_the_runtime_lock_on_the_locks_python():
    recipe = (ROOT / "workflow" / "envs" / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^FROM (\S+)", recipe, flags=re.M).group(1)
    # Debian 12 ships Python 3.11, the version the locks were made with and pyproject's ruff target.
    assert base.startswith("debian:bookworm"), base
    assert (
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["target-version"]
        == "py311"
    )
    assert re.search(r"COPY requirements\.lock (\S+)", recipe)
    installs = re.findall(r"pip install ([^\n&]*)", recipe)
    assert any("--no-deps" in line and "requirements.lock" in line for line in installs), installs
    assert all("--no-deps" in line for line in installs), "every install must take exactly the lock"
    assert "docker build -f workflow/envs/Dockerfile" in README
