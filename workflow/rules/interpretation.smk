# Skills interpretation (paper section 4.3, App. I), compute-optimal allocation (section 4.6, Tables 1-2) and
# the motivation scatters of App. D (Figures 8-9).

INTERPRETATION_OUTPUTS = []
