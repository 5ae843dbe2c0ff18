"""Charts for the HTML report: matplotlib drawing SVG, inlined in the page (no network)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no screen: draw to files
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

COLOURS = ("#1d70b8", "#d4351c", "#f47738", "#00703c", "#4c2c92", "#b58840", "#6f72af", "#28a197")
plt.rcParams.update(
    {
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.fonttype": "none",  # text stays text: searchable, and smaller
        "svg.hashsalt": "journey",  # the same data draws the same SVG
    }
)


def svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    if "<metadata>" in text:  # authoring metadata only: drop it
        text = text[: text.index("<metadata>")] + text[text.index("</metadata>") + 11 :]
    return text


def bars_against_limits(
    labels: Sequence[str], values: Sequence[float], limits: Sequence[float | None], title: str
) -> str:
    """Horizontal bars (e.g. mean caseload per team) with each bar's limit marked."""
    figure, axes = plt.subplots(figsize=(7, 0.45 * len(labels) + 1))
    positions = range(len(labels))
    over = [lim is not None and v > lim for v, lim in zip(values, limits, strict=True)]
    axes.barh(positions, values, color=[COLOURS[1] if o else COLOURS[0] for o in over])
    for y, limit in zip(positions, limits, strict=True):
        if limit is not None:
            axes.plot([limit, limit], [y - 0.4, y + 0.4], color="black", linewidth=2)
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    axes.set_title(title, loc="left")
    return svg(figure)


def lines(
    x: Sequence[str], series: dict[str, Sequence[float | None]], title: str, unit: str = "%"
) -> str:
    """One line a series; the last series is the total, drawn bold."""
    figure, axes = plt.subplots(figsize=(7.5, 3.2))
    for i, (name, values) in enumerate(series.items()):
        points = [(k, v) for k, v in enumerate(values) if v is not None]
        last = i == len(series) - 1  # the total: drawn bold, in black
        axes.plot(
            [k for k, _ in points],
            [v for _, v in points],
            marker="o",
            markersize=3,
            label=name,
            color="black" if last else COLOURS[i % len(COLOURS)],
            linewidth=2.5 if last else 1,
            alpha=1 if last else 0.7,
        )
    axes.set_xticks(range(len(x)), x, rotation=45, ha="right")
    axes.set_ylabel(unit)
    axes.set_title(title, loc="left")
    axes.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1, 0.5))
    return svg(figure)


def columns(labels: Sequence[str], values: Sequence[float], title: str, ylabel: str) -> str:
    figure, axes = plt.subplots(figsize=(5, 3))
    axes.bar(range(len(labels)), values, color=COLOURS[0])
    axes.set_xticks(range(len(labels)), labels)
    axes.set_ylabel(ylabel)
    axes.set_title(title, loc="left")
    for k, v in enumerate(values):
        axes.annotate(f"{v:g}", (k, v), ha="center", va="bottom", fontsize=8)
    return svg(figure)


def stacked(
    labels: Sequence[str], parts: dict[str, Sequence[float]], title: str, xlabel: str
) -> str:
    """Horizontal stacked bars (e.g. met, late, overdue per timescale)."""
    figure, axes = plt.subplots(figsize=(7.5, 0.45 * len(labels) + 1.2))
    left = [0.0] * len(labels)
    palette = {"met": COLOURS[3], "late": COLOURS[2], "overdue": COLOURS[1]}
    for i, (name, values) in enumerate(parts.items()):
        axes.barh(
            range(len(labels)),
            values,
            left=left,
            label=name,
            color=palette.get(name, COLOURS[i % len(COLOURS)]),
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_yticks(range(len(labels)), labels)
    axes.invert_yaxis()
    axes.set_xlabel(xlabel)
    axes.set_title(title, loc="left")
    axes.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3)
    return svg(figure)
