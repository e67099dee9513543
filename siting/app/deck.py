"""The pydeck map: site points with tooltips, the view, and the deck with its layers.

The deck loads no tiles from the internet (:data:`OFFLINE_MAP_STYLE`); its layers' data
travel as URLs (:class:`siting.app.mapfiles.MapFiles` or ``data:`` URLs).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from siting.app.colours import ColourScale, colours_on
from siting.app.mapfiles import MapFiles, data_url

__all__ = ["OFFLINE_MAP_STYLE", "SITE_SQUARES_ABOVE", "deck", "site_points", "view_state"]

#: Background of the map: an inline MapLibre style with no sources (style spec v8, one
#: ``background`` layer), so the map loads no tiles, fonts or sprites from the internet.
#: The base map is the tool's own boundary layer drawn on top.
OFFLINE_MAP_STYLE: dict[str, Any] = {
    "version": 8,
    "name": "siting offline background",
    "sources": {},
    "layers": [
        {"id": "background", "type": "background", "paint": {"background-color": "#dde8f0"}}
    ],
}
#: Above this many sites the map draws each site as a small square of fixed ground size
#: (deck.gl SolidPolygonLayer: one draw call) instead of a circle of fixed screen size
#: (ScatterplotLayer: one instance per site). A rendering bound, not a physical constant:
#: software WebGL (SwiftShader, machines without a GPU) pays about 30 us per instance,
#: 0.4 s a frame for 13,000 circles against about 0.06 s for the squares.
SITE_SQUARES_ABOVE = 2_000


def _compact_deck_class() -> type:
    """``pydeck.Deck`` whose ``to_json`` writes compact JSON with the C encoder.

    pydeck's own ``to_json`` indents its output, which makes Python fall back to the
    pure-Python JSON encoder: about 1 s for 10,000 sites and the world's boundaries,
    against a few tens of ms here. The spec is the same (same keys, same serializer for
    pydeck objects); only whitespace differs.
    """
    import json

    import pydeck as pdk
    from pydeck.bindings.json_tools import default_serialize

    class CompactDeck(pdk.Deck):
        def to_json(self) -> str:
            return json.dumps(
                self, sort_keys=True, default=default_serialize, separators=(",", ":")
            )

    return CompactDeck


def _num_text(x: np.ndarray, fmt: str, unit: str = "") -> np.ndarray:
    """``format(v, fmt) + unit`` per value, ``"n/a"`` for NaN / inf (object array)."""
    vals = np.asarray(x, dtype=float).tolist()
    return np.array(
        [format(v, fmt) + unit if math.isfinite(v) else "n/a" for v in vals], dtype=object
    )


def _col(df: pd.DataFrame, c: str) -> np.ndarray:
    if c not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)


def _text(df: pd.DataFrame, c: str) -> np.ndarray:
    """Column ``c`` as text (object array), ``""`` where missing or without the column."""
    if c not in df.columns:
        return np.full(len(df), "", dtype=object)
    return df[c].fillna("").astype(str).to_numpy(dtype=object)


def _site_tips(
    ranked: pd.DataFrame,
    colour_values: np.ndarray,
    scale: ColourScale,
    rank: np.ndarray,
    commitment_years: int | None,
    full_tips_max: int,
) -> np.ndarray:
    """The tooltip text of each site (see :func:`site_points`)."""
    ids = ranked["site_id"].astype(str).to_numpy(dtype=object)
    name = _text(ranked, "name")
    excluded = (
        ranked["excluded"].fillna(False).to_numpy(dtype=bool)
        if "excluded" in ranked.columns
        else np.zeros(len(ranked), dtype=bool)
    )
    years = f" over {commitment_years} years" if commitment_years else ""
    head = np.where(name != "", ids + " - " + name, ids)
    rank_txt = np.where(
        excluded,
        "excluded",
        np.where(rank > 0, "rank " + rank.astype(str), "not ranked (missing values)"),
    )
    unit = f" {scale.unit}" if scale.unit and scale.unit != "-" else ""
    price_note = np.where(_text(ranked, "price_level") == "assumption", " (assumption)", "")
    colour_txt = (
        "\n" + scale.label + ": " + _num_text(np.asarray(colour_values, dtype=float), ",.4g", unit)
        if scale.column != "score"  # the score is in every tooltip already
        else ""
    )
    score_txt = head + "\n" + rank_txt + ", score " + _num_text(_col(ranked, "score"), ".3f")
    if len(ranked) > full_tips_max:
        # many sites: the key numbers only (the browser loads the sites' data again after
        # every ranking change, so each character here costs time); details are in the
        # table and the site detail
        return score_txt + colour_txt
    return (
        score_txt
        + " (0 best, 1 worst)"
        + "\nOn-site water"
        + years
        + ": "
        + _num_text(_col(ranked, "water_onsite_m3"), ",.0f", " m3")
        + "\nScope-2 CO2e: "
        + _num_text(_col(ranked, "co2_scope2_t"), ",.0f", " t")
        + "\nEnergy cost: "
        + _num_text(_col(ranked, "energy_cost_usd") / 1e6, ",.1f", " million USD")
        + "\nGrid: "
        + _num_text(_col(ranked, "grid_co2_g_per_kwh"), ",.0f", " g CO2e/kWh")
        + " | AWARE CF: "
        + _num_text(_col(ranked, "aware_cf"), ".3g")
        + "\nPrice: "
        + _num_text(_col(ranked, "price_usd_per_mwh"), ",.0f", " USD/MWh")
        + price_note
        + colour_txt
    )


def site_points(
    ranked: pd.DataFrame,
    colour_values: np.ndarray,
    scale: ColourScale,
    commitment_years: int | None = None,
    full_tips_max: int = 2_000,
) -> pd.DataFrame:
    """The sites as plain numeric columns for a pydeck ScatterplotLayer, with tooltips.

    Columns: ``lon``, ``lat`` [degrees], ``r``, ``g``, ``b`` (0-255), ``rank`` (0 for
    unranked) and ``tip`` (plain text with the key numbers and their units; rendered as
    text, never as HTML). Above ``full_tips_max`` sites the tooltip keeps the rank, the
    score and the coloured value only (a display bound that keeps the map data small).
    """
    rgb = colours_on(np.asarray(colour_values, dtype=float), scale)
    rank = (
        ranked["rank"].astype("Int64").fillna(0).to_numpy(dtype=np.int64)
        if "rank" in ranked.columns
        else np.zeros(len(ranked), dtype=np.int64)
    )
    tip = _site_tips(ranked, colour_values, scale, rank, commitment_years, full_tips_max)
    return pd.DataFrame(
        {
            # 5 decimals of a degree: about 1 m, far below a marker's size
            "lon": np.round(_col(ranked, "lon"), 5),
            "lat": np.round(_col(ranked, "lat"), 5),
            "r": rgb[:, 0].astype(np.int64),
            "g": rgb[:, 1].astype(np.int64),
            "b": rgb[:, 2].astype(np.int64),
            "rank": rank,
            "tip": tip,
        }
    )


def view_state(lon: np.ndarray, lat: np.ndarray) -> dict[str, float]:
    """Centre and zoom that frame the sites (Web Mercator zoom of the wider extent)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return {"longitude": 0.0, "latitude": 20.0, "zoom": 1.0}
    lo0, lo1 = float(lon[ok].min()), float(lon[ok].max())
    la0, la1 = float(lat[ok].min()), float(lat[ok].max())
    span = max(lo1 - lo0, (la1 - la0) * 1.5, 0.5)
    # zoom z shows 360 / 2**z degrees of longitude across a 512-px tile; keep a margin
    zoom = float(np.clip(math.log2(360.0 / span) - 0.3, 0.5, 12.0))
    return {"longitude": (lo0 + lo1) / 2, "latitude": (la0 + la1) / 2, "zoom": zoom}


def _boundary_layer(data: Any, layer_id: str, pickable: bool) -> Any:
    """A GeoJsonLayer of boundary polygons filled by their ``properties.fill``."""
    import pydeck as pdk

    return pdk.Layer(
        "GeoJsonLayer",
        data=data,
        id=layer_id,
        stroked=False,
        filled=True,
        get_fill_color="properties.fill",
        pickable=pickable,
    )


def _sites_layer(
    points: pd.DataFrame,
    view: Mapping[str, float],
    radius_px: float | None,
    data: Callable[[pd.DataFrame], Any],
) -> Any:
    """The sites' layer: circles of fixed screen size, or squares of fixed ground size
    above :data:`SITE_SQUARES_ABOVE` sites. ``data`` turns the points into the layer's
    data (a URL or the table)."""
    import pydeck as pdk

    n = len(points)
    # the columns the layers and the tooltip use (not the rank: less to send and parse)
    points = points[[c for c in ("lon", "lat", "r", "g", "b", "tip") if c in points.columns]]
    if n <= SITE_SQUARES_ABOVE:
        return pdk.Layer(
            "ScatterplotLayer",
            data=data(points),
            id="sites",
            get_position="[lon, lat]",
            get_fill_color="[r, g, b]",
            get_line_color=[40, 40, 40],
            stroked=True,
            line_width_min_pixels=1,
            radius_units="pixels",
            get_radius=radius_px if radius_px is not None else 7.0,
            pickable=True,
            auto_highlight=True,
        )
    # many sites: squares of a fixed ground size (a polygon layer: one draw call),
    # about 2 * radius_px wide at the initial zoom; see SITE_SQUARES_ABOVE
    r = radius_px if radius_px is not None else 3.0
    dlon = r * 360.0 / (512.0 * 2.0 ** float(view["zoom"]))
    dlat = dlon * math.cos(math.radians(float(np.clip(view["latitude"], -85.0, 85.0))))
    x, y = f"{dlon:.6g}", f"{dlat:.6g}"
    return pdk.Layer(
        "SolidPolygonLayer",
        data=data(points),
        # another id than the circles': deck.gl keeps a layer's state by id
        id="sites-squares",
        # a closed, counter-clockwise ring as flat x, y pairs: deck.gl can skip
        # normalising it (_normalize=False)
        get_polygon=f"[lon - {x}, lat - {y}, lon + {x}, lat - {y}, lon + {x}, "
        f"lat + {y}, lon - {x}, lat + {y}, lon - {x}, lat - {y}]",
        position_format='"XY"',  # quoted: a string, not an expression
        _normalize=False,
        get_fill_color="[r, g, b]",
        filled=True,
        pickable=True,
        auto_highlight=True,
    )


def deck(
    points: pd.DataFrame,
    base: dict[str, dict],
    shaded: Sequence[dict] = (),
    *,
    view: Mapping[str, float] | None = None,
    radius_px: float | None = None,
    inline_data: bool = True,
    files: MapFiles | None = None,
    private_sites: bool = False,
) -> Any:
    """The pydeck map: boundary base layer, optional shaded boundaries, the sites.

    The deck is built with ``map_style=None`` (no tile provider URL) and then given
    :data:`OFFLINE_MAP_STYLE`, an inline background-only style: without any map style
    Streamlit's frontend would fall back to Carto's internet basemap. The base layer is
    the tool's own boundaries (GeoJsonLayer).

    Each layer's data is a URL that deck.gl loads itself, not JSON objects inside the
    spec (the frontend parses the whole spec with a pure-JavaScript JSON5 parser and its
    converter walks every object of it, on every rerun):

    * with ``files`` (the app, with Streamlit's static file serving), a same-origin URL
      of a content-named file (:class:`MapFiles`): the spec stays a few kB, and a layer
      whose data did not change (the base map; the sites when only something else
      changed) keeps its URL and is neither sent nor loaded again. ``base`` is taken as
      never modified (it is the app's cached base map): its file name is remembered;
    * otherwise, with ``inline_data`` (default), a base64 ``data:`` URL (:func:`data_url`);
    * otherwise the objects themselves (pydeck's own way).

    ``private_sites=True`` (an uploaded candidate list, commercially sensitive): the sites
    layer always travels inline as a ``data:`` URL inside this session's spec, never as a
    file in the shared static folder that any visitor with its URL could fetch.
    """
    import json
    import urllib.parse

    import pydeck as pdk

    def data(obj: Any, kind: str, stable: bool = False) -> Any:
        if files is not None:
            return files.url(obj, kind, stable=stable)
        if not inline_data:
            return obj
        return data_url(obj)

    layers = [_boundary_layer(data(base["admin0"], "base", stable=True), "base-admin0", False)]
    layers += [
        _boundary_layer(data(gj, "shaded"), f"shaded-{i}", True) for i, gj in enumerate(shaded)
    ]
    v = dict(view) if view else view_state(points["lon"], points["lat"])
    layers.append(
        _sites_layer(
            points,
            v,
            radius_px,
            (lambda obj: data_url(obj)) if private_sites else (lambda obj: data(obj, "sites")),
        )
    )
    d = _compact_deck_class()(
        layers=layers,
        initial_view_state=pdk.ViewState(**v),
        map_style=None,
        map_provider=None,
        tooltip={"text": "{tip}"},
    )
    d.map_style = "data:application/json," + urllib.parse.quote(
        json.dumps(OFFLINE_MAP_STYLE, separators=(",", ":"))
    )
    return d
