"""Forecasts with calibrated intervals: predict a new family's bigger models from its small ones.

``python -m slothpipe.forecast NEW.csv --leaderboard v1 --out OUT.csv`` (:mod:`slothpipe.forecast.__main__`),
the Snakemake target ``forecasts``, and :meth:`slothpipe.api.Sloth.predict_interval` all run
:func:`slothpipe.forecast.engine.forecast` and its calibration.  Modules:

* :mod:`~slothpipe.forecast.held_out`: the grid's held-out predictions as one table (the calibration data);
* :mod:`~slothpipe.forecast.conformal`: intervals from held-out residuals, the family as the unit;
* :mod:`~slothpipe.forecast.validation`: their coverage on families held out of the calibration in turn;
* :mod:`~slothpipe.forecast.new_models`: the request file and its checks;
* :mod:`~slothpipe.forecast.engine`: fit, predict, calibrate;
* :mod:`~slothpipe.forecast.charts`: the forecast and calibration figures.
"""
