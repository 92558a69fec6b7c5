# Downstream tasks (paper section 4.4, App. J and L) and the link-function curves of App. K (Figures 33-36).

DOWNSTREAM_OUTPUTS = []
