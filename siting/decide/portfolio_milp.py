"""The portfolio mixed-integer program: build, solve with HiGHS, explain.

Variables ``z = [x_1..x_n, y_1..y_n]``: IT capacity built per site [MW] (continuous) and
build decision (binary). Sites are put in ``site_id`` order before the matrix is built, so
the answer does not depend on the input row order. Rows are scaled (objective by its
largest coefficient, budgets by their limit) so that lifetime totals of 1e6-1e9 do not
strain the solver tolerances. Equations in ``docs/method_decide.md``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from siting.decide.portfolio_model import (
    _BIND_RTOL,
    _X_TOL_MW,
    QUANTITIES,
    PortfolioResult,
)
from siting.errors import ConfigError

__all__ = ["solve"]

# weight of the target's own slack in the elastic program: relaxing the target is the last
# resort, so the elastic answer names the caps and budgets that block it (assumption:
# any weight far above the 1/limit weights of the other rows gives the same answer)
_TARGET_SLACK_WEIGHT = 1e3


def _cap_groups(
    groups: pd.DataFrame, caps_mw: Mapping[str, Any]
) -> list[tuple[str, Any, np.ndarray, float]]:
    """``(column, value, member mask, cap)`` per capped group, in a fixed order."""
    out = []
    for col in sorted(caps_mw):
        spec = caps_mw[col]
        if col not in groups.columns:
            avail_cols = ", ".join(c for c in groups.columns if c != "geometry")
            raise ConfigError(
                f"cap on column '{col}', which is not in the site table; e.g. {avail_cols}",
                field=col,
            )
        vals = groups[col].astype(object).where(groups[col].notna(), None).to_numpy()
        keyed = vals.astype(str)
        if isinstance(spec, Mapping):
            items = sorted(((str(k), float(v)) for k, v in spec.items()), key=lambda t: t[0])
        else:
            present = sorted({k for k, v in zip(keyed, vals, strict=True) if v is not None})
            items = [(k, float(spec)) for k in present]
        for key, cap in items:
            if not np.isfinite(cap) or cap < 0:
                raise ConfigError(f"cap {col}={key} must be >= 0 MW, got {cap}", field=col)
            out.append((col, key, (keyed == key) & np.array([v is not None for v in vals]), cap))
    return out


def _check_target(target_mw: float, min_block_mw: float) -> tuple[float, float]:
    t = float(target_mw)
    if not np.isfinite(t) or t <= 0:
        raise ConfigError(f"must be a capacity > 0 MW, got {target_mw!r}", field="target_mw")
    m = float(min_block_mw)
    if not np.isfinite(m) or m < 0:
        raise ConfigError(f"must be >= 0 MW, got {min_block_mw!r}", field="min_block_mw")
    return t, m


def _blocked(coef: pd.DataFrame, blocked: np.ndarray, needed: list[str], m: float) -> np.ndarray:
    """Reason each site cannot be built ("" = available)."""
    reason = np.asarray(blocked, dtype=object).copy()
    cap = coef["max_mw"].to_numpy(dtype=float)
    for q in needed:
        bad = ~np.isfinite(coef[f"{q}_per_mw"].to_numpy(float)) | ~np.isfinite(
            coef[f"{q}_fixed"].to_numpy(float)
        )
        reason[bad & (reason == "")] = f"no assessed value of {q}"
    reason[(cap <= 0) & (reason == "")] = "maximum capacity 0 MW"
    small = (cap < m) & (reason == "")
    reason[small] = [
        f"maximum capacity {c:g} MW below the minimum block {m:g} MW" for c in cap[small]
    ]
    return reason


class _Program:
    """Matrix form of one portfolio instance (sites in site_id order)."""

    def __init__(self, coef, target, m, objective, caps, budgets, avail):
        # scipy is imported here, not with the module: it takes seconds to import and
        # every user of siting.decide (the app's first page) would pay for it
        from scipy import sparse

        n = len(coef)
        self.n, self.target, self.m = n, target, m
        self.cap = np.where(avail, coef["max_mw"].to_numpy(float), 0.0)
        self.avail = avail

        def col(name):
            return np.where(avail, np.nan_to_num(coef[name].to_numpy(float)), 0.0)

        cx, cy = col(f"{objective}_per_mw"), col(f"{objective}_fixed")
        scale = max(
            float(np.max(np.abs(cx) * self.cap, initial=0.0)),
            float(np.max(np.abs(cy), initial=0.0)),
        )
        self.c = np.concatenate([cx, cy]) / (scale if scale > 0 else 1.0)
        # with no fixed part and no block the build decision is only x <= X y: any y in
        # [0, 1] will do, so y is left continuous and the program is a plain LP
        self.binary = m > 0 or bool(np.any(cy != 0))
        eye = sparse.identity(n, format="csr")
        rows = [sparse.csr_matrix(np.concatenate([np.ones(n), np.zeros(n)])[None, :])]
        lb, ub, self.names = [target], [target], [("target", "total", target, "MW")]
        rows.append(sparse.hstack([eye, -sparse.diags(self.cap)]))
        lb += [-np.inf] * n
        ub += [0.0] * n
        if m > 0:
            rows.append(sparse.hstack([eye, -m * eye]))
            lb += [0.0] * n
            ub += [np.inf] * n
        self.link_rows = len(lb)
        self.soft = []  # (row matrix, limit used as ub, scale, name)
        for c_, key, mask, lim in caps:
            r = sparse.csr_matrix(np.concatenate([mask.astype(float), np.zeros(n)])[None, :])
            self.soft.append((r, lim, max(lim, 1.0), (f"cap {c_}", key, lim, "MW")))
        for q, lim in budgets:
            vx, vy = col(f"{q}_per_mw"), col(f"{q}_fixed")
            s = abs(lim) if lim != 0 else 1.0
            r = sparse.csr_matrix(np.concatenate([vx, vy])[None, :] / s)
            self.binary = self.binary or bool(np.any(vy != 0))
            self.soft.append((r, lim / s, 1.0, (f"budget {q}", "total", lim, QUANTITIES[q])))
        self.hard = (sparse.vstack(rows, format="csr"), np.array(lb), np.array(ub))

    def bounds(self) -> Bounds:  # noqa: F821 - scipy.optimize.Bounds, imported here
        from scipy.optimize import Bounds

        hi = np.concatenate([self.cap, self.avail.astype(float)])
        return Bounds(np.zeros(2 * self.n), hi)

    def run(self, *, drop=(), gap=1e-3, time_limit=None, elastic=False):
        from scipy import sparse
        from scipy.optimize import Bounds, LinearConstraint, milp

        a, lb, ub = self.hard
        keep = [k for k in range(len(self.soft)) if self.soft[k][3][0] not in drop]
        soft = [self.soft[k] for k in keep]
        ns = len(soft) + 2 if elastic else 0
        integ = np.concatenate(
            [np.zeros(self.n), np.full(self.n, 1.0 if self.binary else 0.0), np.zeros(ns)]
        )
        bnd = self.bounds()
        lo = np.concatenate([bnd.lb, np.zeros(ns)])
        hi = np.concatenate([bnd.ub, np.full(ns, np.inf)])
        if elastic:
            w = np.concatenate([[1.0 / sc for *_, sc, _ in soft]]) if soft else np.zeros(0)
            w = np.concatenate([w, [_TARGET_SLACK_WEIGHT / self.target] * 2])
            c = np.concatenate([np.zeros(2 * self.n), w])
        else:
            c = self.c
        blocks = [sparse.hstack([a, sparse.csr_matrix((a.shape[0], ns))])]
        if elastic:  # target row: sum x + under - over = T
            t = sparse.lil_matrix((a.shape[0], ns))
            t[0, ns - 2], t[0, ns - 1] = 1.0, -1.0
            blocks = [sparse.hstack([a, t.tocsr()])]
        rlb, rub = list(lb), list(ub)
        for k, (r, lim, _, _) in enumerate(soft):
            extra = sparse.csr_matrix((1, ns))
            if elastic:
                extra = sparse.lil_matrix((1, ns))
                extra[0, k] = -1.0
                extra = extra.tocsr()
            blocks.append(sparse.hstack([r, extra]))
            rlb.append(-np.inf)
            rub.append(lim)
        opts: dict[str, Any] = {"mip_rel_gap": gap, "disp": False}
        if time_limit is not None:
            opts["time_limit"] = float(time_limit)
        res = milp(
            c,
            integrality=integ,
            bounds=Bounds(lo, hi),
            constraints=LinearConstraint(sparse.vstack(blocks, format="csr"), rlb, rub),
            options=opts,
        )
        return res, soft


def _status(res) -> str:
    if res.status == 0:
        return "optimal"
    if res.status == 1 and res.x is not None:
        return "feasible"
    if res.status == 2:
        return "infeasible"
    return "failed"


def _diagnose(prog: _Program, gap: float, time_limit) -> tuple[str, list[str], dict]:
    """Which constraints keep the target out of reach, and by how much to relax them."""
    avail_mw = float(prog.cap[prog.avail].sum())
    if avail_mw < prog.target * (1 - _BIND_RTOL):
        return (
            f"the target of {prog.target:g} MW exceeds the {avail_mw:g} MW that the buildable "
            "sites can hold at most (exclusions, missing values and site maxima); binding: "
            "target",
            ["target"],
            {},
        )
    res, soft = prog.run(gap=gap, time_limit=time_limit, elastic=True)
    relax: dict[tuple[str, Any], float] = {}
    parts = []
    if res.x is not None:
        s = res.x[2 * prog.n :]
        for k, (_, _, _, (name, key, lim, unit)) in enumerate(soft):
            scale = abs(lim) if name.startswith("budget") and lim != 0 else 1.0
            amount = float(s[k]) * scale
            if amount > max(abs(lim), 1.0) * 1e-7:
                relax[(name, key)] = amount
                parts.append(
                    f"{name}" + ("" if key == "total" else f"={key}") + f" by {amount:.6g} {unit}"
                )
        short = float(s[-2] + s[-1])
        if short > prog.target * 1e-9:
            parts.append(f"target by {short:.6g} MW (minimum block size or site maxima)")
            relax[("target", "total")] = short
    groups = sorted({name for name, *_ in (x[3] for x in prog.soft)})
    alone = []
    for g in groups:
        r, _ = prog.run(drop=(g,), gap=gap, time_limit=time_limit)
        if _status(r) in ("optimal", "feasible"):
            alone.append(g)
    binding = sorted({name for name, _ in relax}) or ["target"]
    msg = f"infeasible: {prog.target:g} MW cannot be built under these constraints. "
    msg += "Smallest relaxation: " + ("; ".join(parts) if parts else "none found") + "."
    if alone:
        msg += " Dropping any one of these alone makes it feasible: " + ", ".join(alone) + "."
    return msg, binding, relax


def _reasons(sites, x, chosen, blocked, bound_groups, bound_budgets, objective) -> np.ndarray:
    """Why each site is not built (or built in part); "" for a site built to its maximum.

    Vectorized over sites: one pass per binding cap group, not per site.
    """
    n = len(x)
    caps = np.full(n, "", dtype=object)
    for label, mask in bound_groups:
        caps[mask] = np.where(caps[mask] == "", label, caps[mask] + ", " + label)
    why = np.where(caps == "", "", "cap reached: " + caps)
    if bound_budgets:
        bud = "budget reached: " + ", ".join(bound_budgets)
        why = np.where(why == "", bud, why + "; " + bud)
    cap = sites["max_mw"].to_numpy(dtype=float)
    full = x >= cap - 1e-6 * np.maximum(1.0, cap)
    part = np.where(why == "", "built in part: target met", "built in part: " + why)
    idle = np.where(why == "", f"capacity not needed: the target is met at lower {objective}", why)
    out = np.where(chosen, np.where(full, "", part), idle).astype(object)
    blk = np.asarray(blocked, dtype=object) != ""
    out[blk] = "cannot be built: " + np.asarray(blocked, dtype=object)[blk]
    return out


def solve(
    coef: pd.DataFrame,
    target_mw: float,
    *,
    objective: str,
    groups: pd.DataFrame | None = None,
    caps_mw: Mapping[str, Any] | None = None,
    budgets: Mapping[str, float] | None = None,
    blocked: np.ndarray | None = None,
    min_block_mw: float = 0.0,
    mip_rel_gap: float = 1e-3,
    time_limit_s: float | None = None,
    diagnose: bool = True,
) -> PortfolioResult:
    """Solve one portfolio from a coefficient table (see :func:`coefficients`).

    Parameters
    ----------
    coef
        ``site_id``, ``max_mw``, ``<q>_per_mw``, ``<q>_fixed`` per quantity.
    target_mw
        Total IT capacity to build [MW].
    objective
        Quantity column minimised (``co2_scope2_t``, ``score`` ...).
    groups
        Columns the caps refer to, same rows as ``coef`` (plus ``geometry`` if any).
    caps_mw, budgets
        See :class:`siting.decide.portfolio_model.Constraints`.
    blocked
        Reason per site it cannot be built ("" = available).
    min_block_mw
        Smallest capacity built at a site that is built [MW].
    mip_rel_gap, time_limit_s
        HiGHS relative gap and time limit.
    diagnose
        On infeasibility, find the binding constraints (extra solves).
    """
    t, m = _check_target(target_mw, min_block_mw)
    budgets = dict(budgets or {})
    for q, lim in budgets.items():
        if q not in QUANTITIES:
            raise ConfigError(f"no budget on '{q}'; quantities: {', '.join(QUANTITIES)}", field=q)
        if f"{q}_per_mw" not in coef.columns:
            raise ConfigError(f"budget on '{q}', which the site table does not have", field=q)
        if not np.isfinite(float(lim)):
            raise ConfigError(f"budget must be a finite number, got {lim!r}", field=q)
    if f"{objective}_per_mw" not in coef.columns:
        raise ConfigError(
            f"objective column '{objective}' is not in the site table", field="objective"
        )
    ids = coef["site_id"].astype(str).to_numpy()
    if len(set(ids)) != len(ids):
        raise ConfigError("site ids must be unique", field="site_id")
    order = np.argsort(ids, kind="stable")
    cf = coef.iloc[order].reset_index(drop=True)
    gr = (groups if groups is not None else pd.DataFrame(index=pd.RangeIndex(len(coef)))).iloc[
        order
    ]
    gr = gr.reset_index(drop=True)
    blk = (
        np.full(len(cf), "", dtype=object)
        if blocked is None
        else np.asarray(blocked, object)[order]
    )
    reason_blocked = _blocked(cf, blk, [objective, *budgets], m)
    avail = reason_blocked == ""
    caps = _cap_groups(gr, dict(caps_mw or {}))
    prog = _Program(cf, t, m, objective, caps, sorted(budgets.items()), avail)
    t0 = time.perf_counter()
    res, _ = prog.run(gap=mip_rel_gap, time_limit=time_limit_s)
    status = _status(res)
    if not prog.binary and status == "optimal":
        res["mip_gap"] = 0.0  # a plain LP: the optimum is exact (no branch and bound)
    binding: list[str] = []
    relax: dict = {}
    if status in ("optimal", "feasible"):
        x = np.where(res.x[: prog.n] > _X_TOL_MW, res.x[: prog.n], 0.0)
        message = str(res.message)
    else:
        x = np.zeros(prog.n)
        message = str(res.message)
        if status == "infeasible" and diagnose:
            message, binding, relax = _diagnose(prog, mip_rel_gap, time_limit_s)
    seconds = time.perf_counter() - t0
    return _assemble(
        cf,
        gr,
        x,
        status,
        message,
        binding,
        relax,
        res,
        seconds,
        objective,
        t,
        caps,
        budgets,
        reason_blocked,
    )


def _constraint_rows(x, totals, t, caps, budgets, ok):
    """Rows of the constraints table (used / limit / binding) and the binding groups."""
    rows = [
        {
            "constraint": "target",
            "group": "total",
            "used": float(x.sum()),
            "limit": t,
            "unit": "MW",
            "binding": ok,
        }
    ]
    bound_groups = []
    for col, key, mask, lim in caps:
        used = float(x[mask].sum())
        b = ok and used >= lim - _BIND_RTOL * max(lim, 1.0)
        rows.append(
            {
                "constraint": f"cap {col}",
                "group": key,
                "used": used,
                "limit": lim,
                "unit": "MW",
                "binding": b,
            }
        )
        if b:
            bound_groups.append((f"{col}={key} ({lim:g} MW)", mask))
    bound_budgets = []
    for q, lim in sorted(budgets.items()):
        used = totals[q]
        b = ok and used >= lim - _BIND_RTOL * max(abs(lim), 1.0)
        rows.append(
            {
                "constraint": f"budget {q}",
                "group": "total",
                "used": used,
                "limit": float(lim),
                "unit": QUANTITIES[q],
                "binding": b,
            }
        )
        if b:
            bound_budgets.append(f"{q} ({lim:.6g} {QUANTITIES[q]})")
    return rows, bound_groups, bound_budgets


def _assemble(
    cf,
    gr,
    x,
    status,
    message,
    binding,
    relax,
    res,
    seconds,
    objective,
    t,
    caps,
    budgets,
    reason_blocked,
):
    """The result: per-site sizes and reasons, totals, constraints table."""
    ok = status in ("optimal", "feasible")
    chosen = x > 0
    y = chosen.astype(float)
    quantities = [c[: -len("_per_mw")] for c in cf.columns if c.endswith("_per_mw")]
    sites = pd.DataFrame(
        {"site_id": cf["site_id"], "chosen": chosen, "mw": x, "max_mw": cf["max_mw"]}
    )
    totals: dict[str, float] = {}
    for q in quantities:
        v = np.nan_to_num(cf[f"{q}_per_mw"].to_numpy(float)) * x
        v = v + np.nan_to_num(cf[f"{q}_fixed"].to_numpy(float)) * y
        sites[q] = np.where(chosen, v, 0.0)
        totals[q] = float(v.sum())
    rows, bound_groups, bound_budgets = _constraint_rows(x, totals, t, caps, budgets, ok)
    cons = pd.DataFrame(rows)
    if relax:
        cons["relax_by"] = [relax.get((r["constraint"], r["group"]), 0.0) for r in rows]
        cons["binding"] = cons["relax_by"] > 0
    if ok:
        binding = [
            f"{r['constraint']}" + ("" if r["group"] == "total" else f"={r['group']}")
            for r in rows[1:]
            if r["binding"]
        ]
    label = {v: k for k, v in _objective_labels().items()}.get(objective, objective)
    sites["reason"] = (
        _reasons(sites, x, chosen, reason_blocked, bound_groups, bound_budgets, label)
        if ok
        else np.where(
            reason_blocked != "",
            "cannot be built: " + reason_blocked.astype(str),
            "no feasible portfolio",
        )
    )
    for c in gr.columns:
        if c not in sites.columns:
            sites[c] = gr[c].to_numpy()
    gap = getattr(res, "mip_gap", None)
    return PortfolioResult(
        status=status,
        message=message,
        objective=label,
        objective_column=objective,
        objective_value=totals.get(objective, np.nan) if ok else float("nan"),
        mip_gap=float(gap) if gap is not None and ok else float("nan"),
        target_mw=t,
        built_mw=float(x.sum()),
        sites=sites,
        constraints=cons,
        totals=totals if ok else {q: float("nan") for q in totals},
        binding=binding,
        solve_seconds=seconds,
    )


def _objective_labels() -> dict[str, str]:
    from siting.decide.portfolio_model import OBJECTIVES

    return OBJECTIVES
