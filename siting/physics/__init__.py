"""Physical models as plain vectorized numpy functions (pvlib style).

* :mod:`siting.physics.psychrometrics` -- wet-bulb, dew point, station pressure;
* :mod:`siting.physics.cooling` -- cooling-tower and evaporative-assist water, Li et al. curve;
* :mod:`siting.physics.pue` -- cooling plants, chiller COP, facility power and PUE;
* :mod:`siting.physics.energy` -- fleet energy, commitment schedule, grid trajectories, EWIF.

Units are in parameter names; each function documents its references.
"""
