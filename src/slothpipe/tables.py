"""Plain, deterministic Markdown and LaTeX renderings of small tables.

Written here rather than through ``DataFrame.to_markdown``/``to_latex`` so that the bytes of tracked tables do
not depend on optional packages (tabulate, jinja2) or their versions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

Formatter = Callable[[Any], str]


def format_value(value: Any, digits: int = 2) -> str:
    """Fixed-point for floats (``digits`` decimals), empty for missing values, ``str`` otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        text = f"{value:.{digits}f}"
        return "0." + "0" * digits if text in ("-0." + "0" * digits) else text
    return str(value)


def _cells(df: pd.DataFrame, digits: int | dict[str, int]) -> list[list[str]]:
    def digits_for(col: str) -> int:
        return digits.get(col, 2) if isinstance(digits, dict) else digits

    return [
        [format_value(v, digits_for(c)) for c, v in zip(df.columns, row, strict=True)]
        for row in df.itertuples(index=False, name=None)
    ]


def to_markdown(
    df: pd.DataFrame, *, digits: int | dict[str, int] = 2, bold: Sequence[tuple[int, str]] = ()
) -> str:
    """GitHub-flavoured Markdown table; ``bold`` lists (row position, column) cells to emphasise."""
    cells = _cells(df, digits)
    columns = [str(c) for c in df.columns]
    bold_set = set(bold)
    for i, row in enumerate(cells):
        for j, col in enumerate(df.columns):
            if (i, col) in bold_set and row[j]:
                row[j] = f"**{row[j]}**"
    numeric = [
        pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns
    ]
    lines = [
        "| " + " | ".join(c.replace("|", "\\|") for c in columns) + " |",
        "|" + "|".join("---:" if num else "---" for num in numeric) + "|",
    ]
    lines += ["| " + " | ".join(v.replace("|", "\\|") for v in row) + " |" for row in cells]
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def to_latex(
    df: pd.DataFrame,
    *,
    digits: int | dict[str, int] = 2,
    caption: str | None = None,
    label: str | None = None,
    longtable: bool = False,
) -> str:
    """A booktabs LaTeX table (``longtable`` for long lists such as the paper's Table 3)."""
    numeric = [
        pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns
    ]
    spec = "".join("r" if num else "l" for num in numeric)
    header = " & ".join(latex_escape(str(c)) for c in df.columns) + r" \\"
    body = [" & ".join(latex_escape(v) for v in row) + r" \\" for row in _cells(df, digits)]
    env = "longtable" if longtable else "tabular"
    lines: list[str] = []
    if not longtable:
        lines += [r"\begin{table}[t]", r"\centering"]
    lines.append(rf"\begin{{{env}}}{{{spec}}}")
    if longtable and caption:
        lines.append(
            rf"\caption{{{latex_escape(caption)}}}" + (rf"\label{{{label}}}" if label else "") + r"\\"
        )
    lines += [r"\toprule", header, r"\midrule"]
    if longtable:
        lines += [r"\endhead"]
    lines += body
    lines += [r"\bottomrule", rf"\end{{{env}}}"]
    if not longtable:
        if caption:
            lines.append(rf"\caption{{{latex_escape(caption)}}}")
        if label:
            lines.append(rf"\label{{{label}}}")
        lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"
