"""Sample a north-up raster at many points by affine index + numpy gather.

The raster is read once into memory (or a window of it); each point's pixel is found
with the inverse of the raster's affine transform, and all points are gathered in one
numpy fancy-indexing operation: no per-point Python call, no per-point read.

``method="nearest"`` returns the pixel that contains the point, exactly what
``rasterio.sample.sample_gen`` returns. ``method="bilinear"`` interpolates between the
4 nearest pixel centres (the climate layer's :func:`siting.layers.climate.
sample_monthly_grid` does the same for its (month, lat, lon) grids).
"""

from __future__ import annotations

import numpy as np

__all__ = ["sample_grid"]


def _affine(transform) -> tuple[float, float, float, float, float, float]:
    """(a, b, c, d, e, f) of an ``affine.Affine`` or a 6-sequence (GDAL order is not
    accepted: give ``rasterio``'s ``dataset.transform``)."""
    a, b, c, d, e, f = (float(v) for v in tuple(transform)[:6])
    if b != 0.0 or d != 0.0:
        raise ValueError("rotated rasters are not supported (transform b and d must be 0)")
    if a == 0.0 or e == 0.0:
        raise ValueError("transform has a zero pixel size")
    return a, b, c, d, e, f


def sample_grid(
    values: np.ndarray,
    transform,
    x: np.ndarray,
    y: np.ndarray,
    *,
    nodata=None,
    method: str = "nearest",
    wrap_x: bool = False,
) -> np.ndarray:
    """Values of a raster at points, vectorized.

    Parameters
    ----------
    values : ndarray, shape (rows, cols) or (bands, rows, cols)
        Raster values (any numeric dtype), read once.
    transform : affine.Affine or sequence of 6 floats
        Pixel-corner affine transform ``(a, b, c, d, e, f)``: ``x = c + a*col``,
        ``y = f + e*row`` (north-up, no rotation).
    x, y : array_like, shape (n,)
        Point coordinates in the raster's CRS (e.g. lon, lat in degrees).
    nodata : optional
        Raster value meaning "no data"; such pixels give NaN.
    method : {"nearest", "bilinear"}
        Pixel containing the point, or bilinear interpolation between the 4 nearest
        pixel centres (edge pixels are clamped; any no-data corner gives NaN).
    wrap_x : bool
        The raster spans the globe in x (e.g. 0-360 degrees of longitude): column
        indexes wrap around instead of falling outside.

    Returns
    -------
    ndarray of float64, shape (n,) or (n, bands)
        NaN for points outside the raster, non-finite points and no-data pixels.

    Examples
    --------
    >>> import numpy as np
    >>> grid = np.arange(6.0).reshape(2, 3)           # 2 rows x 3 cols of 1-degree pixels
    >>> t = (1.0, 0.0, 10.0, 0.0, -1.0, 50.0)         # west edge 10 E, north edge 50 N
    >>> sample_grid(grid, t, np.array([10.5, 12.9, 9.0]), np.array([49.5, 48.1, 49.5]))
    array([ 0.,  5., nan])
    """
    a, _, c, _, e, f = _affine(transform)
    v = np.asarray(values)
    single = v.ndim == 2
    if single:
        v = v[None]
    if v.ndim != 3:
        raise ValueError("values must have shape (rows, cols) or (bands, rows, cols)")
    nb, h, w = v.shape
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    ok = np.isfinite(x) & np.isfinite(y)
    fx = (np.where(ok, x, c) - c) / a  # fractional column (pixel edges at integers)
    fy = (np.where(ok, y, f) - f) / e
    if method == "nearest":
        col = np.floor(fx)
        row = np.floor(fy)
        if wrap_x:
            col = np.mod(col, w)
        inside = ok & (col >= 0) & (col < w) & (row >= 0) & (row < h)
        ci = np.where(inside, col, 0).astype(np.intp)
        ri = np.where(inside, row, 0).astype(np.intp)
        out = v[:, ri, ci].T.astype(float)
        bad = ~inside[:, None] | ~np.isfinite(out)
        if nodata is not None:
            bad |= v[:, ri, ci].T == nodata
        out[bad] = np.nan
    elif method == "bilinear":
        # pixel centres at integer + 0.5
        px = fx - 0.5
        py = fy - 0.5
        inside = ok & (fy >= 0) & (fy <= h)
        if not wrap_x:
            inside &= (fx >= 0) & (fx <= w)
        py = np.clip(py, 0.0, h - 1.0)
        y0 = np.minimum(np.floor(py), max(h - 2, 0)).astype(np.intp)
        y1 = np.minimum(y0 + 1, h - 1)
        ty = (py - y0)[:, None]
        if wrap_x:
            x0f = np.floor(px)
            tx = (px - x0f)[:, None]
            x0 = np.mod(x0f, w).astype(np.intp)
            x1 = np.mod(x0 + 1, w)
        else:
            pxc = np.clip(px, 0.0, w - 1.0)
            x0 = np.minimum(np.floor(pxc), max(w - 2, 0)).astype(np.intp)
            x1 = np.minimum(x0 + 1, w - 1)
            tx = (pxc - x0)[:, None]
        out = np.zeros((x.size, nb))
        bad = ~inside[:, None] | np.zeros((x.size, nb), dtype=bool)
        for rr, cc, wt in (
            (y0, x0, (1 - ty) * (1 - tx)),
            (y0, x1, (1 - ty) * tx),
            (y1, x0, ty * (1 - tx)),
            (y1, x1, ty * tx),
        ):
            raw = v[:, rr, cc].T
            val = raw.astype(float)
            corner_bad = ~np.isfinite(val)
            if nodata is not None:
                corner_bad |= raw == nodata
            bad |= corner_bad & (wt > 0)
            out += np.where(corner_bad, 0.0, val) * wt
        out[bad] = np.nan
    else:
        raise ValueError(f"method must be 'nearest' or 'bilinear', got {method!r}")
    return out[:, 0] if single else out
