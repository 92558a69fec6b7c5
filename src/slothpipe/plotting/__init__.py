"""Figures of the paper, drawn with matplotlib (Agg backend) in one consistent style."""
