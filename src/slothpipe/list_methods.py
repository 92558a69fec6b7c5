"""List the methods of the method table (models/methods.py): ``python -m slothpipe.list_methods``.

One line per method: slug (what config.yaml's ``evaluation: methods`` takes), the paper's code name, the
label of the figures and the method it warm-starts from, if any.
"""

from slothpipe.models.methods import METHODS


def main() -> None:
    rows = [("slug", "paper code", "label", "warm start")]
    rows += [(s.name, s.paper_code, s.label, s.warm_start or "") for s in METHODS.values()]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        cells = [cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)]
        print("  ".join([*cells, row[3]]).rstrip())


if __name__ == "__main__":
    main()
