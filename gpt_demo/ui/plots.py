"""Matplotlib figures for the tabs: masks, attention, and the nucleus bar chart.

Figures are ``matplotlib.figure.Figure`` objects (not pyplot state), so concurrent requests do not share a
current figure. Korean needs a CJK font: NanumGothic (Debian/Ubuntu ``fonts-nanum``, installed on Spaces through
``packages.txt``) is registered with ``font_manager.addfont`` because matplotlib's font cache may predate it.
Matrices are drawn with ``imshow``, whose row 0 is at the top, like a printed tensor.

matplotlib is imported when the first figure is drawn, not when the app starts (it is ~0.5 s of start-up that
a learner who never opens a plot would pay).
"""

from __future__ import annotations

import glob
import math
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FONT_GLOBS = (
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/**/NanumGothic*.ttf",
    "/usr/share/fonts/**/NotoSansCJK*.tt[cf]",
)
_font_lock = threading.Lock()
_font_family: list[str] | None = None

KEPT = "#2f6fdf"  # tokens inside the nucleus
EXCLUDED = "#c8c8c8"  # tokens top-p removes
CHOSEN = "#e4572e"  # the sampled token


def korean_font() -> list[str]:
    """Register a Korean font once; return the font family list to use (falls back to DejaVu Sans).

    Also the first use of matplotlib: it is imported here, headless."""
    global _font_family
    with _font_lock:
        if _font_family is None:
            import matplotlib
            from matplotlib import font_manager

            matplotlib.use("Agg")  # no display; gradio turns the figure into an image
            family = []
            for pattern in FONT_GLOBS:
                for path in sorted(glob.glob(pattern, recursive=True)):
                    try:
                        font_manager.fontManager.addfont(path)
                        family.append(font_manager.FontProperties(fname=path).get_name())
                        break
                    except (OSError, RuntimeError, ValueError):
                        continue
                if family:
                    break
            _font_family = family + ["DejaVu Sans"]
            matplotlib.rcParams["font.family"] = _font_family
            matplotlib.rcParams["axes.unicode_minus"] = False  # the minus sign is missing in some CJK fonts
        return _font_family


def _short(label: str, n: int = 8) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def _figure(width: float, height: float) -> Figure:
    korean_font()  # imports matplotlib on the first figure
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _ticks(ax, labels: list[str], rows: list[str] | None = None) -> None:
    ax.set_xticks(range(len(labels)), [_short(s) for s in labels], rotation=60, fontsize=8)
    rows = labels if rows is None else rows
    ax.set_yticks(range(len(rows)), [_short(s) for s in rows], fontsize=8)


def mask_figure(tokens: list[str], causal, allowed, bias, title_suffix: str = "") -> Figure:
    """Three T×T panels for one sentence: the causal mask, causal AND padding, and the additive bias."""
    T = len(tokens)
    side = max(2.6, min(5.0, 0.28 * T + 1.2))
    fig = _figure(3 * side + 0.6, side + 0.9)
    fig.suptitle(f"T = {T}" + title_suffix, fontsize=10)  # keeps the panel titles clear of the component label
    axes = fig.subplots(1, 3)
    from matplotlib.colors import ListedColormap

    binary = ListedColormap(["#f1f1f1", "#2f6fdf"])
    panels = [
        ("causal_mask(T)", causal.int().numpy(), binary, lambda v: "T" if v else "F"),
        ("causal & mask" + title_suffix, allowed.int().numpy(), binary, lambda v: "T" if v else "F"),
        ("torch.where(allowed, 0, -inf)", (bias == 0).int().numpy(), ListedColormap(["#f7d4cc", "#ffffff"]),
         lambda v: "0" if v else "-∞"),
    ]
    for ax, (title, data, cmap, label) in zip(axes, panels):
        ax.imshow(data, cmap=cmap, vmin=0, vmax=1, origin="upper")
        ax.set_title(title, fontsize=10)
        _ticks(ax, tokens)
        ax.set_xlabel("key", fontsize=8)
        ax.set_ylabel("query", fontsize=8)
        if T <= 16:
            for i in range(T):
                for j in range(T):
                    ax.text(j, i, label(data[i, j]), ha="center", va="center", fontsize=7,
                            color="white" if (data[i, j] and cmap is binary) else "#333333")
    return fig


def attention_figure(weights, tokens: list[str], title: str) -> Figure:
    """One head's attention weights (T×T); NaN rows (pad queries) are left blank."""
    T = len(tokens)
    side = max(3.2, min(7.0, 0.35 * T + 1.5))
    fig = _figure(side + 1.2, side + 0.3)
    fig.suptitle(" ", fontsize=10)  # room for the component label above the plot
    ax = fig.subplots()
    data = weights.numpy()
    image = ax.imshow(data, cmap="viridis", vmin=0, vmax=1, origin="upper")
    ax.set_title(title, fontsize=10)
    _ticks(ax, tokens)
    ax.set_xlabel("key", fontsize=8)
    ax.set_ylabel("query", fontsize=8)
    if T <= 12:
        for i in range(T):
            for j in range(T):
                v = data[i, j]
                if not math.isnan(v) and v >= 0.005:
                    ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6,
                            color="black" if v > 0.6 else "white")
    fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def nucleus_figure(view: dict, title: str = "") -> Figure:
    """Bars: the most likely next tokens (kept = blue, removed by top-p = grey, chosen = orange outline);
    line: their cumulative probability; dashed line: the top_p cutoff."""
    rows = view["tokens"]
    n = len(rows)
    fig = _figure(max(6.0, 0.55 * n + 2.0), 4.0)
    ax = fig.subplots()
    xs = list(range(n))
    colors = [KEPT if r["kept"] else EXCLUDED for r in rows]
    bars = ax.bar(xs, [r["prob"] for r in rows], color=colors, edgecolor=colors, linewidth=1.5)
    for x, r, bar in zip(xs, rows, bars):
        if view.get("chosen") is not None and r["id"] == view["chosen"]:
            bar.set_edgecolor(CHOSEN)
            bar.set_linewidth(3)
            ax.annotate("▼", (x, r["prob"]), ha="center", va="bottom", color=CHOSEN, fontsize=12)
    labels = [_short(r["piece"], 10) if r["rank"] == x else f"#{r['rank'] + 1} {_short(r['piece'], 8)}"
              for x, r in zip(xs, rows)]
    ax.set_xticks(xs, labels, rotation=50, fontsize=9)
    ax.set_ylabel("p")
    ax.set_ylim(0, 1.05)
    ax2 = ax.twinx()
    top = [x for x, r in zip(xs, rows) if r["rank"] == x]  # the contiguous top ranks (not an appended chosen token)
    ax2.plot(top, [rows[x]["cumulative"] for x in top], color="#333333", marker="o", markersize=3, linewidth=1.2,
             label="cumsum")
    ax2.set_ylim(0, 1.05)
    ax2.set_ylabel("cumsum")
    if not view.get("greedy"):
        ax2.axhline(view["top_p"], color=CHOSEN, linestyle="--", linewidth=1)
        ax2.text(n - 0.5, view["top_p"], f"top_p = {view['top_p']:g}", ha="right", va="bottom", color=CHOSEN,
                 fontsize=9)
    shown_kept = sum(r["kept"] for r in rows)
    if view["nucleus_size"] > shown_kept:
        ax.text(n - 0.5, 0.6, f"+{view['nucleus_size'] - shown_kept} more tokens\nin the nucleus", ha="right",
                va="center", color=KEPT, fontsize=9)
    ax.set_title(title or f"nucleus: {view['nucleus_size']} tokens, p = {view['nucleus_mass']:.3f}", fontsize=10)
    return fig
