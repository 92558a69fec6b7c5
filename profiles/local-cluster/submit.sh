#!/usr/bin/env bash
# A stand-in for a batch scheduler's submit command (sbatch, qsub) on one machine, for the cluster-generic
# executor: it starts the job script Snakemake hands over (the last argument) in the background and prints
# a job id.  Snakemake then follows the job through the finished/failed marker files the script touches.
# Each submission is appended to $SLOTHPIPE_SUBMIT_LOG when it is set (the tests count submissions).
set -euo pipefail
jobscript="${!#}"
if [[ -n "${SLOTHPIPE_SUBMIT_LOG:-}" ]]; then
    echo "$jobscript" >>"$SLOTHPIPE_SUBMIT_LOG"
fi
nohup bash "$jobscript" >"$jobscript.out" 2>&1 &
echo "$!"
