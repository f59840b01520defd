"""Questions answered with several solves: one module per question (sweep, diff, ...)."""
