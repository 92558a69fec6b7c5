"""Leave-one-family-out evaluation: held-out groups, folds, aggregation and tables."""
