#!/usr/bin/env bash
# Builds the container image of workflow/envs/Dockerfile and runs stages of the workflow inside it on a fresh
# clone of this repository, then lists every tracked file under results/ that the run changed (none is the
# expected outcome on the machine that made the tracked results).  Needs Docker and the real data.
#
#   bash studies/container.sh [STAGE ...]          # default: data interpretation
#
# Environment: SHARED (the offline mirror, default ../shared), BUILD_ARGS (extra `docker build` arguments).
# Behind a TLS-intercepting proxy, build FROM a local debian:bookworm-slim that trusts the proxy's CA; the
# recipe itself stays the public one.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
shared=$(realpath "${SHARED:-../shared}")
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(data interpretation)

start=$(date +%s)
# shellcheck disable=SC2086
docker build --network host ${BUILD_ARGS:-} -f workflow/envs/Dockerfile -t slothpipe . >/dev/null
built=$(date +%s)

work=$(mktemp -d)
git clone -q "$repo" "$work/main"
docker run --rm --network none --user "$(id -u):$(id -g)" -v "$work/main":/work -v "$shared":/shared:ro \
    slothpipe snakemake --cores 2 "${stages[@]}" --config offline_mirror=/shared >"$work/run.log" 2>&1 \
    || { tail -20 "$work/run.log"; exit 1; }
done_=$(date +%s)

changed=$(git -C "$work/main" status --porcelain -- results)
echo "image built in $((built - start)) s; stages ${stages[*]} ran in the container in $((done_ - built)) s"
echo "tracked files under results/: $(git -C "$work/main" ls-files results | wc -l)"
if [ -z "$changed" ]; then
    echo "changed by the container run: none (byte-identical)"
else
    echo "changed by the container run:"
    echo "$changed"
    exit 1
fi
