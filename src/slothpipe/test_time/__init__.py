"""Test-time compute scaling (paper §4.5, Figure 7): Sloth skills + an IRT layer predict pass@k on MATH.

* :mod:`slothpipe.test_time.monkey_data` fetches the per-sample MATH results of Brown et al.'s "Large Language
  Monkeys" (Hub dataset ``ScalingIntelligence/monkey_business``, one ``MATH_<Model>.json`` per model) through
  :mod:`slothpipe.download`, and cleans them into correct-sample counts per model and problem.
* :mod:`slothpipe.test_time.irt` fits the IRT layer on those counts (binomial likelihood, scipy) and computes
  the predicted coverage and the unbiased pass@k estimator.
* :mod:`slothpipe.test_time.figure` draws Figure 7.
"""
