"""Snakemake script of rule `obsscaling_clean`: the five ObsScaling CSVs -> validated parquet tables."""

from slothpipe.io import write_parquet
from slothpipe.obsscaling.readers import TABLES, clean_tables
from slothpipe.runner import run


def main(snakemake):
    tables = clean_tables({name: snakemake.input[name] for name in TABLES})
    for name in TABLES:
        write_parquet(tables[name], snakemake.output[name])


run(main, snakemake)
