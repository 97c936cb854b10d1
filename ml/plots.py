"""Figures of a run for people who would rather look than read (PNG, matplotlib, no display)."""

from __future__ import annotations

from pathlib import Path

from cubegraph.ml.explain import Explanation

#: Colours shared with the web UI's SHAP chart: raises / lowers / mixed.
RAISES, LOWERS, MIXED = "#d1495b", "#2e86ab", "#9aa5b1"


def shap_bar_chart(explanation: Explanation, path: str | Path, *, title: str = "") -> Path:
    """Mean |SHAP| per input variable as horizontal bars, coloured by direction of effect.

    Returns:
        The PNG's path.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers and in CI
    import matplotlib.pyplot as plt

    imps = list(reversed(explanation.importances))  # most important at the top
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(imps) + 1.3), dpi=120)
    colours = [RAISES if i.effect_sign > 0 else LOWERS if i.effect_sign < 0 else MIXED for i in imps]
    ax.barh([i.variable for i in imps], [i.importance for i in imps], color=colours)
    for y, i in enumerate(imps):
        ax.text(i.importance, y, f" {i.importance:.3g}", va="center", fontsize=8)
    ax.set_xlabel(f"mean |SHAP| ({explanation.output} units, {len(explanation.rows)} "
                  f"{explanation.split} samples)")
    ax.set_title(title or "Which inputs drive the model", loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=RAISES, label="raises the prediction"),
                       Patch(color=LOWERS, label="lowers it"), Patch(color=MIXED, label="mixed")],
              loc="lower right", fontsize=8, frameon=False)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
