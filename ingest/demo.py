"""Demo cubes with a planted, documented ground truth, modelled on the DeepCube datacubes.

Over 400 lines: one generator per demo cube, each beside the ground truth it documents.

:func:`write_demo_data` writes, deterministically from a seed:

- ``greece_fire_daily.zarr`` (zarr v3): next-day wildfire danger, daily, a small grid;
  dynamic LAI, evapotranspiration, LST, air temperature, relative humidity, wind speed,
  precipitation, FWI; static road density, population density, elevation, slope; a
  distractor; the target ``active_fire`` and two variables computed FROM it
  (``burned_area``, ``fire_count_7d``), which say so (``derived_from``) so that leakage
  protection can be tested.
- ``africa_drought_minicube_NN.zarr`` (zarr v3, three of them): 8-daily NDVI with soil
  moisture, precipitation and temperature; NDVI(t) follows its drivers and its own past.
- ``brazil_tourism_daily.nc`` (NetCDF-4): CO, NO2, O3, UTCI and daily visitor counts.
- ``insar_unrest_stack.zarr`` (zarr v3): ground displacement with a growing uplift bump,
  the interferometric phase computed from it, and coherence.

Each generator returns plain ``(dims, values, attrs)`` variables and their CF encoding;
:func:`cubegraph.ingest.cubes.write_cube` writes them (the same bytes on every run).

The ground truth is written twice: as ``ground_truth.json`` beside the cubes (layout in
``docs/ingest.md``) and as variable attributes (``ground_truth_target``,
``ground_truth_strength``, ``ground_truth_lag``, ``ground_truth_distractor``,
``derived_from``) that ingest turns into ``cg:plantedEffect`` / ``cg:isDistractor`` /
``prov:wasDerivedFrom`` triples.

Every coefficient acts on the z-score of the *stored* driver values (after packing), taken
over the whole cube, so the documented formula holds exactly on the data a model reads.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from cubegraph.ingest.cubes import write_cube

__all__ = ["write_demo_data", "SIZES", "FIRE_EFFECTS", "DROUGHT_EFFECTS", "TOURISM_EFFECTS"]

#: size -> (fire grid side, fire days, drought side, insar side)
SIZES = {
    "small": {"fire_side": 32, "fire_start": "2020-01-01", "fire_end": "2022-12-31",
              "drought_side": 16, "tourism_side": 8, "insar_side": 32, "insar_steps": 30},
    "medium": {"fire_side": 64, "fire_start": "2019-01-01", "fire_end": "2022-12-31",
               "drought_side": 32, "tourism_side": 16, "insar_side": 64, "insar_steps": 60},
}

#: Fire: logit P(active_fire[t]) = b0 + sum(strength * z(driver[t - lag])).
FIRE_EFFECTS = [
    ("fwi", 1.2, 1),
    ("lst", 0.8, 1),
    ("rh", -0.6, 1),
    ("population_density", 0.25, 0),
]
FIRE_POSITIVE_RATE = 0.10

#: Drought: z_ndvi[t] = sum(strength * z(driver[t - lag])) + 0.45 * noise;
#: ndvi = 0.45 + 0.10 * z_ndvi. "ndvi" on ndvi is the persistence term.
DROUGHT_EFFECTS = [
    ("ndvi", 0.6, 1),
    ("sm", 0.5, 1),
    ("tp", 0.35, 3),
    ("t2m", -0.3, 1),
]

#: Tourism: visitors[t] ~ Poisson(exp(b0 + sum(strength * z(driver[t - lag])) + 0.3 * weekend)).
TOURISM_EFFECTS = [
    ("utci", 0.5, 0),
    ("no2", -0.3, 1),
]

_CONVENTIONS = "CF-1.8, ACDD-1.3"
_LICENSE = "CC-BY-4.0"
_CREATOR = "cubegraph demo generator (synthetic data)"


def _z(x: np.ndarray) -> np.ndarray:
    std = float(np.nanstd(x))
    return (x - float(np.nanmean(x))) / (std if std > 0 else 1.0)


def _lag(x: np.ndarray, lag: int) -> np.ndarray:
    """x shifted ``lag`` steps forward in time (axis 0); the first steps repeat x[0]."""
    if lag == 0 or x.ndim == 0:
        return x
    return np.concatenate([np.repeat(x[:1], lag, axis=0), x[:-lag]], axis=0)


def _field(rng: np.random.Generator, steps: int, side: int, *, phi: float = 0.7,
           smooth: float = 0.7) -> np.ndarray:
    """A standard-normal-ish (steps, side, side) field, smooth in space, AR(1) in time."""
    block = max(side // 8, 1)
    coarse = rng.standard_normal((steps, -(-side // block), -(-side // block)))
    large = np.kron(coarse, np.ones((block, block)))[:, :side, :side]
    pixel = rng.standard_normal((steps, side, side))
    innov = smooth * large + np.sqrt(1 - smooth**2) * pixel
    out = np.empty_like(innov)
    out[0] = innov[0]
    scale = np.sqrt(1 - phi**2)
    for t in range(1, steps):
        out[t] = phi * out[t - 1] + scale * innov[t]
    return out.astype("float32")


def _static(rng: np.random.Generator, side: int) -> np.ndarray:
    return _field(rng, 1, side, phi=0.0, smooth=0.85)[0]


def _season(days: np.ndarray, peak_day: int = 200) -> np.ndarray:
    return np.cos(2 * np.pi * (days - peak_day) / 365.25).astype("float32")


def _pack(values: np.ndarray, lo: float, hi: float):
    """Quantise to int16 packing (what is stored) and return (decoded values, encoding)."""
    scale = (hi - lo) / 60000.0
    offset = (hi + lo) / 2.0
    clipped = np.clip(values, lo, hi)
    decoded = (np.round((clipped - offset) / scale) * scale + offset).astype("float32")
    encoding = {"dtype": "int16", "scale_factor": scale, "add_offset": offset, "_FillValue": -32768}
    return decoded, encoding


def _attrs(standard_name, long_name, units, **extra):
    out = {"long_name": long_name, "units": units}
    if standard_name:
        out["standard_name"] = standard_name
    out.update(extra)
    return out


def _latlon_coords(lat0, lon0, side, step):
    lat = (lat0 - step * np.arange(side)).astype("float64")
    lon = (lon0 + step * np.arange(side)).astype("float64")
    return lat, lon


def _grid_coords(time, lat, lon, **time_attrs):
    """CF coordinates of a regular latitude/longitude grid over time."""
    return {
        "time": ("time", time, {"standard_name": "time", "axis": "T", **time_attrs}),
        "lat": ("lat", lat, {"standard_name": "latitude", "units": "degrees_north", "axis": "Y"}),
        "lon": ("lon", lon, {"standard_name": "longitude", "units": "degrees_east", "axis": "X"}),
    }


def _global_attrs(title, summary, **extra):
    out = {
        "Conventions": _CONVENTIONS,
        "title": title,
        "summary": summary,
        "license": _LICENSE,
        "creator_name": _CREATOR,
        "source": "synthetic; generated by cubegraph.ingest.demo",
        "keywords": "demo, synthetic, ground truth",
    }
    out.update(extra)
    return out


def _crs_var():
    return ((), np.int32(0),
            {"grid_mapping_name": "latitude_longitude", "epsg_code": "EPSG:4326",
             "semi_major_axis": 6378137.0, "inverse_flattening": 298.257223563})


def _planted_truth(effects) -> dict:
    """The ``effects`` and ``ranking`` entries of a cube's ground truth, from (driver, strength, lag)."""
    return {
        "effects": [{"driver": d, "strength": s, "lag": l, "sign": 1 if s > 0 else -1}
                    for d, s, l in effects],
        "ranking": [d for d, s, _l in sorted(effects, key=lambda e: -abs(e[1]))],
    }


def _planted(attrs: dict, target: str, strength: float, lag: int) -> dict:
    attrs = dict(attrs)
    attrs.update(ground_truth_target=target, ground_truth_strength=float(strength),
                 ground_truth_lag=int(lag), ground_truth_distractor=0)
    return attrs


def _distractor(attrs: dict, target: str) -> dict:
    attrs = dict(attrs)
    attrs.update(ground_truth_target=target, ground_truth_strength=0.0, ground_truth_lag=0,
                 ground_truth_distractor=1)
    return attrs


def _mark_truth(meta: dict, target: str, effects: dict) -> None:
    """Mark each variable of ``meta`` (in place) as a planted driver of ``target`` (with its
    ``effects[name] = (strength, lag)``) or, when it has no effect, as a distractor."""
    for name in meta:
        if name in effects:
            meta[name] = _planted(meta[name], target, *effects[name])
        else:
            meta[name] = _distractor(meta[name], target)


# --- Greece fire ------------------------------------------------------------------------------


def _fire_cube(rng, cfg):
    import pandas as pd

    time = pd.date_range(cfg["fire_start"], cfg["fire_end"], freq="D")
    steps, side = len(time), cfg["fire_side"]
    doy = time.day_of_year.to_numpy()
    season = _season(doy)[:, None, None]
    lat, lon = _latlon_coords(39.5, 21.5, side, 0.01)  # ~1 km pixels in western Greece

    raw = {
        "lai": 2.0 - 0.15 * season + 0.5 * _field(rng, steps, side),
        "et": (2.5e-5 + 0.3e-5 * season + 6e-6 * _field(rng, steps, side)),
        "lst": 300.0 + 2.5 * season + 5.0 * _field(rng, steps, side),
        "t2m": 293.0 + 2.0 * season + 2.5 * _field(rng, steps, side),
        "rh": 60.0 - 3.0 * season + 12.0 * _field(rng, steps, side),
        "wind_speed": 4.0 + 1.5 * _field(rng, steps, side),
        "tp": np.maximum(0.0, 2.0 * _field(rng, steps, side, phi=0.3) - 1.0 - season),
        "fwi": np.exp(2.3 + 0.08 * season + 0.45 * _field(rng, steps, side)),
        "distractor_noise": _field(rng, steps, side),
    }
    ranges = {"lai": (0, 6), "et": (0, 1e-4), "lst": (260, 340), "t2m": (260, 330),
              "rh": (0, 100), "wind_speed": (0, 25), "tp": (0, 20), "fwi": (0, 100),
              "distractor_noise": (-6, 6)}
    static_raw = {
        "road_density": np.exp(0.5 + 0.6 * _static(rng, side)),
        "population_density": np.exp(3.5 + 1.0 * _static(rng, side)),
        "elevation": 400 + 300 * _static(rng, side),
        "slope": np.clip(12 + 6 * _static(rng, side), 0, 60),
    }
    static_ranges = {"road_density": (0, 20), "population_density": (0, 5000),
                     "elevation": (-500, 3000), "slope": (0, 90)}
    data, enc = {}, {}
    for name, values in raw.items():
        data[name], enc[name] = _pack(values, *ranges[name])
    for name, values in static_raw.items():
        data[name], enc[name] = _pack(values, *static_ranges[name])

    # The planted truth, on z-scores of the stored values.
    logit = np.zeros((steps, side, side), dtype="float64")
    for driver, strength, lag in FIRE_EFFECTS:
        x = data[driver]
        z = _z(x.astype("float64"))
        z = np.broadcast_to(z, (steps, side, side)) if z.ndim == 2 else _lag(z, lag)
        logit += strength * z
    lo, hi = -15.0, 5.0
    for _ in range(60):  # bisection: intercept giving the documented positive rate
        mid = (lo + hi) / 2
        rate = float(np.mean(1 / (1 + np.exp(-(mid + logit)))))
        lo, hi = (mid, hi) if rate < FIRE_POSITIVE_RATE else (lo, mid)
    b0 = (lo + hi) / 2
    prob = 1 / (1 + np.exp(-(b0 + logit)))
    fire = (rng.random(prob.shape) < prob).astype("int8")
    area = np.where(fire == 1, rng.lognormal(np.log(2e4), 0.8, fire.shape), 0.0)
    burned_area, enc_ba = _pack(area, 0, 1e6)
    csum = np.cumsum(fire, axis=0, dtype="int32")
    count7 = csum - np.concatenate([np.zeros((7, side, side), "int32"), csum[:-7]], axis=0)

    dims3 = ("time", "lat", "lon")
    gm = {"grid_mapping": "crs"}
    meta = {
        "lai": _attrs("leaf_area_index", "leaf area index", "1", **gm),
        "et": _attrs("water_evapotranspiration_flux", "evapotranspiration", "kg m-2 s-1", **gm),
        "lst": _attrs("surface_temperature", "land surface temperature (day)", "K", **gm),
        "t2m": _attrs("air_temperature", "air temperature at 2 m", "K", **gm),
        "rh": _attrs("relative_humidity", "relative humidity at 2 m", "%", **gm),
        "wind_speed": _attrs("wind_speed", "wind speed at 10 m", "m s-1", **gm),
        "tp": _attrs("precipitation_amount", "total daily precipitation", "kg m-2", **gm),
        "fwi": _attrs("canadian_fire_weather_index", "Fire Weather Index", "1", **gm),
        "distractor_noise": _attrs(None, "vegetation dryness anomaly", "1", **gm),
        "road_density": _attrs(None, "road density", "km km-2", **gm),
        "population_density": _attrs(None, "population density", "km-2", **gm),
        "elevation": _attrs("surface_altitude", "elevation", "m", **gm),
        "slope": _attrs("ground_slope_angle", "terrain slope", "degree", **gm),
    }
    effects = {d: (s, l) for d, s, l in FIRE_EFFECTS}
    _mark_truth(meta, "active_fire", effects)
    variables = {}
    for name in raw:
        variables[name] = (dims3, data[name], meta[name])
    for name in static_raw:
        variables[name] = (("lat", "lon"), data[name], meta[name])
    variables["active_fire"] = (dims3, fire, _attrs(
        None, "active fire on the day (next-day target of the drivers)", "1",
        flag_values=np.array([0, 1], dtype="int8"), flag_meanings="no_fire fire", **gm))
    variables["burned_area"] = (dims3, burned_area, _attrs(
        "burned_area", "burned area of the day's fires", "m2",
        derived_from="active_fire", **gm))
    variables["fire_count_7d"] = (dims3, count7.astype("int16"), _attrs(
        None, "number of fire days in the last 7 days (including today)", "1",
        derived_from="active_fire", **gm))
    variables["crs"] = _crs_var()
    enc["burned_area"] = enc_ba
    cube = dict(
        data_vars=variables,
        coords=_grid_coords(time, lat, lon, long_name="time"),
        attrs=_global_attrs(
            "Greece daily wildfire danger datacube (demo)",
            "Synthetic next-day wildfire cube modelled on the DeepCube Greece datacube: daily "
            "drivers on a ~1 km grid and the active-fire target with a planted ground truth "
            "(see ground_truth.json).",
        ),
    )
    chunks = {"time": 366, "lat": side, "lon": side}
    for name, (dims, _values, _attrs_) in variables.items():
        if len(dims) == 3:
            enc.setdefault(name, {})["chunks"] = (chunks["time"], side, side)
    enc["time"] = {"units": "days since 2000-01-01", "calendar": "standard", "dtype": "int32"}
    truth = {
        "format": "zarr v3",
        "target": "active_fire",
        "task": "binary classification of next-day fire",
        "formula": "logit P(active_fire[t]) = intercept + sum(strength * z(driver[t - lag]))",
        "standardisation": "z(x) = (x - mean(x)) / std(x) over the whole cube, on stored values",
        "intercept": round(b0, 6),
        "positive_rate": round(float(fire.mean()), 6),
        **_planted_truth(FIRE_EFFECTS),
        "distractors": sorted(n for n in meta if n not in effects),
        "derived_from_target": {"burned_area": "active_fire", "fire_count_7d": "active_fire"},
        "leakage_note": "burned_area and fire_count_7d are computed from active_fire of the "
                        "same day: using them as inputs leaks the target",
    }
    return cube, enc, truth


# --- Africa drought ------------------------------------------------------------------------------


def _drought_cube(rng, cfg, index, lat0, lon0):
    import pandas as pd

    time = pd.date_range("2017-01-01", "2021-12-31", freq="8D")
    steps, side = len(time), cfg["drought_side"]
    season = _season(time.day_of_year.to_numpy(), peak_day=60)[:, None, None]
    lat, lon = _latlon_coords(lat0, lon0, side, 0.02)
    raw = {
        "sm": 120.0 + 25.0 * season + 20.0 * _field(rng, steps, side, phi=0.8),
        "tp": np.maximum(0.0, 15.0 + 12.0 * season + 12.0 * _field(rng, steps, side, phi=0.2)),
        "t2m": 298.0 - 3.0 * season + 2.0 * _field(rng, steps, side, phi=0.6),
        "distractor_noise": _field(rng, steps, side),
    }
    ranges = {"sm": (0, 400), "tp": (0, 200), "t2m": (260, 330), "distractor_noise": (-6, 6)}
    data, enc = {}, {}
    for name, values in raw.items():
        data[name], enc[name] = _pack(values, *ranges[name])
    zs = {name: _z(data[name].astype("float64")) for name in ("sm", "tp", "t2m")}
    noise = rng.standard_normal((steps, side, side))
    zn = np.zeros((steps, side, side))
    effects = {d: (s, l) for d, s, l in DROUGHT_EFFECTS}
    for t in range(steps):
        value = 0.45 * noise[t]
        for driver, (strength, lag) in effects.items():
            if t - lag < 0:
                continue
            source = zn[t - lag] if driver == "ndvi" else zs[driver][t - lag]
            value = value + strength * source
        zn[t] = value
    ndvi, enc["ndvi"] = _pack(0.45 + 0.10 * zn, -0.2, 1.0)
    anomaly = ndvi - ndvi.mean(axis=0, keepdims=True)
    ndvi_anom, enc["ndvi_anomaly"] = _pack(anomaly, -1.0, 1.0)
    gm = {"grid_mapping": "crs"}
    meta = {
        "sm": _attrs("mass_content_of_water_in_soil_layer", "root-zone soil moisture", "kg m-2", **gm),
        "tp": _attrs("precipitation_amount", "precipitation over the 8 days", "kg m-2", **gm),
        "t2m": _attrs("air_temperature", "air temperature at 2 m", "K", **gm),
        "distractor_noise": _attrs(None, "surface reflectance anomaly", "1", **gm),
    }
    _mark_truth(meta, "ndvi", effects)
    dims3 = ("time", "lat", "lon")
    variables = {name: (dims3, data[name], meta[name]) for name in raw}
    variables["ndvi"] = (dims3, ndvi, _planted(_attrs(
        "normalized_difference_vegetation_index", "NDVI (target; persistence term on itself)", "1",
        **gm), "ndvi", *effects["ndvi"]))
    variables["ndvi_anomaly"] = (dims3, ndvi_anom, _attrs(
        None, "NDVI anomaly from the cube's mean seasonal state", "1", derived_from="ndvi", **gm))
    variables["crs"] = _crs_var()
    cube = dict(
        data_vars=variables,
        coords=_grid_coords(time, lat, lon),
        attrs=_global_attrs(
            f"Africa drought impact minicube {index:02d} (demo)",
            "Synthetic 8-daily drought minicube modelled on the DeepCube Africa minicubes: NDVI "
            "driven by soil moisture, lagged precipitation and temperature, with persistence.",
        ),
    )
    enc["time"] = {"units": "days since 2000-01-01", "dtype": "int32"}
    truth = {
        "format": "zarr v3",
        "target": "ndvi",
        "task": "regression of NDVI one step (8 days) ahead",
        "formula": "z_ndvi[t] = sum(strength * z(driver[t - lag])) + 0.45 * noise; "
                   "ndvi = 0.45 + 0.10 * z_ndvi (the 'ndvi' driver is z_ndvi itself: persistence)",
        "standardisation": "z(x) over the whole cube, on stored values",
        **_planted_truth(DROUGHT_EFFECTS),
        "distractors": ["distractor_noise"],
        "derived_from_target": {"ndvi_anomaly": "ndvi"},
    }
    return cube, enc, truth


# --- Brazil tourism --------------------------------------------------------------------------------


def _tourism_cube(rng, cfg):
    import pandas as pd

    time = pd.date_range("2021-01-01", "2022-12-31", freq="D")
    steps, side = len(time), cfg["tourism_side"]
    season = _season(time.day_of_year.to_numpy(), peak_day=15)[:, None, None]
    lat, lon = _latlon_coords(-22.8, -43.4, side, 0.05)  # Rio de Janeiro
    data = {
        "co": (1.5e-7 + 0.3e-7 * _field(rng, steps, side)).astype("float32"),
        "no2": (3.0e-8 + 1.0e-8 * _field(rng, steps, side)).astype("float32"),
        "o3": (6.0e-8 + 1.5e-8 * season + 1.0e-8 * _field(rng, steps, side)).astype("float32"),
        "utci": (26.0 + 4.0 * season + 3.0 * _field(rng, steps, side)).astype("float32"),
    }
    weekend = (time.day_of_week.to_numpy() >= 5).astype("float64")[:, None, None]
    eta = 3.0 + 0.3 * weekend
    effects = {d: (s, l) for d, s, l in TOURISM_EFFECTS}
    for driver, (strength, lag) in effects.items():
        eta = eta + strength * _lag(_z(data[driver].astype("float64")), lag)
    visitors = rng.poisson(np.exp(eta)).astype("int32")
    gm = {"grid_mapping": "crs"}
    meta = {
        "co": _attrs("mass_concentration_of_carbon_monoxide_in_air", "carbon monoxide", "kg m-3", **gm),
        "no2": _attrs("mass_concentration_of_nitrogen_dioxide_in_air", "nitrogen dioxide", "kg m-3", **gm),
        "o3": _attrs("mass_concentration_of_ozone_in_air", "ozone", "kg m-3", **gm),
        "utci": _attrs("universal_thermal_comfort_index", "Universal Thermal Climate Index",
                       "degree_C", **gm),
    }
    _mark_truth(meta, "visitors", effects)
    dims3 = ("time", "lat", "lon")
    variables = {name: (dims3, data[name], meta[name]) for name in data}
    variables["visitors"] = (dims3, visitors, _attrs(
        None, "daily visitor count", "1", **gm))
    variables["crs"] = _crs_var()
    cube = dict(
        data_vars=variables,
        coords=_grid_coords(time, lat, lon),
        attrs=_global_attrs(
            "Brazil tourism environmental impact cube (demo)",
            "Synthetic daily atmospheric composition, thermal comfort and visitor counts around "
            "Rio de Janeiro, modelled on the DeepCube tourism use case.",
        ),
    )
    enc = {name: {"zlib": True, "complevel": 4} for name in variables if name != "crs"}
    enc["time"] = {"units": "days since 2000-01-01", "dtype": "int32"}
    truth = {
        "format": "NetCDF-4",
        "target": "visitors",
        "task": "count regression",
        "formula": "visitors[t] ~ Poisson(exp(3.0 + 0.3 * weekend[t] + "
                   "sum(strength * z(driver[t - lag]))))",
        "standardisation": "z(x) over the whole cube",
        **_planted_truth(TOURISM_EFFECTS),
        "distractors": ["co", "o3"],
        "calendar_effects": {"weekend": 0.3},
        "derived_from_target": {},
    }
    return cube, enc, truth


# --- InSAR ------------------------------------------------------------------------------------------


def _insar_cube(rng, cfg):
    import pandas as pd

    steps, side = cfg["insar_steps"], cfg["insar_side"]
    time = pd.date_range("2020-01-05", periods=steps, freq="12D")
    x = 420000.0 + 100.0 * np.arange(side)  # UTM 33N metres, ~Campi Flegrei
    y = 4522000.0 - 100.0 * np.arange(side)
    yy, xx = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    c = (side - 1) / 2
    bump = np.exp(-(((yy - c) ** 2 + (xx - c) ** 2) / (2 * (side / 6) ** 2)))
    years = (np.arange(steps) * 12 / 365.25)[:, None, None]
    rate = 0.10  # m / year of uplift at the centre
    displacement = (rate * years * bump + 0.004 * rng.standard_normal((steps, side, side))).astype("float32")
    wavelength = 0.0555  # Sentinel-1 C band, m
    phase = np.angle(np.exp(-1j * 4 * np.pi / wavelength * displacement)).astype("float32")
    coherence = np.clip(0.85 - 0.3 * bump * 0 - 0.2 * rng.random((steps, side, side)), 0, 1).astype("float32")
    # True positions as 2-D auxiliary coordinates (a local linear approximation of UTM 33N).
    lat2d = 40.85 - (np.arange(side)[:, None] * 100.0) / 111320.0 + 0 * xx
    lon2d = 14.10 + (np.arange(side)[None, :] * 100.0) / (111320.0 * np.cos(np.radians(40.85))) + 0 * yy
    gm = {"grid_mapping": "crs", "coordinates": "lat lon"}
    cube = dict(
        data_vars={
            "displacement": (("time", "y", "x"), displacement, _attrs(
                None, "line-of-sight ground displacement since the first acquisition", "m", **gm)),
            "phase": (("time", "y", "x"), phase, _attrs(
                None, "wrapped interferometric phase", "rad", derived_from="displacement", **gm)),
            "coherence": (("time", "y", "x"), coherence, _attrs(
                None, "interferometric coherence", "1", **gm)),
            "crs": ((), np.int32(0), {
                "grid_mapping_name": "transverse_mercator", "epsg_code": "EPSG:32633",
                "utm_zone_number": 33}),
        },
        coords={
            "time": ("time", time, {"standard_name": "time", "axis": "T"}),
            "y": ("y", y, {"standard_name": "projection_y_coordinate", "units": "m", "axis": "Y"}),
            "x": ("x", x, {"standard_name": "projection_x_coordinate", "units": "m", "axis": "X"}),
            "lat": (("y", "x"), lat2d, {"standard_name": "latitude", "units": "degrees_north"}),
            "lon": (("y", "x"), lon2d, {"standard_name": "longitude", "units": "degrees_east"}),
        },
        attrs=_global_attrs(
            "InSAR volcanic unrest stack (demo)",
            "Synthetic Sentinel-1-like displacement time series with a growing uplift bump "
            "(volcanic unrest), its wrapped phase and coherence.",
        ),
    )
    enc = {"time": {"units": "days since 2000-01-01", "dtype": "int32"}}
    truth = {
        "format": "zarr v3",
        "target": "displacement",
        "task": "unrest detection",
        "formula": "displacement = rate * years * exp(-r^2 / (2 (side/6)^2)) + N(0, 0.004 m); "
                   "phase = wrap(-4 pi / 0.0555 m * displacement)",
        "unrest": {"centre_pixel": [c, c], "uplift_rate_m_per_year": rate},
        "effects": [],
        "distractors": ["coherence"],
        "derived_from_target": {"phase": "displacement"},
    }
    return cube, enc, truth


def write_demo_data(outdir: str | Path, *, size: str = "small", seed: int = 42) -> Path:
    """Write the demo cubes and ``ground_truth.json`` into ``outdir``.

    Args:
        outdir: folder to write into (created if needed); existing demo cubes are replaced.
        size: ``"small"`` (seconds, under 30 MB) or ``"medium"``.
        seed: seed of the numpy Generator; the same seed gives the same bytes of data.

    Returns:
        The path of ``ground_truth.json``.

    Raises:
        ValueError: for an unknown ``size``.
    """
    import warnings

    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r}: choose one of {sorted(SIZES)}")
    cfg = SIZES[size]
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    cubes: dict[str, dict] = {}

    def store(name, cube, enc, truth):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            write_cube(out / name, **cube, encoding=enc,
                       engine="netcdf" if name.endswith(".nc") else "zarr")
        cubes[name] = truth

    store("greece_fire_daily.zarr", *_fire_cube(rng, cfg))
    for i, (lat0, lon0) in enumerate([(9.5, 38.5), (-1.5, 36.8), (13.5, 2.1)], start=1):
        store(f"africa_drought_minicube_{i:02d}.zarr", *_drought_cube(rng, cfg, i, lat0, lon0))
    store("brazil_tourism_daily.nc", *_tourism_cube(rng, cfg))
    store("insar_unrest_stack.zarr", *_insar_cube(rng, cfg))

    truth_path = out / "ground_truth.json"
    truth_path.write_text(json.dumps({
        "generator": "cubegraph.ingest.demo",
        "seed": seed,
        "size": size,
        "effect_units": "strength multiplies the z-score of the driver; lag is in time steps "
                        "of the cube (days, 8-day steps, ...)",
        "cubes": cubes,
    }, indent=2, sort_keys=False) + "\n")
    return truth_path
