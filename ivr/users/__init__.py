"""Console users: who may log in, for which organisation, with which role; and the login throttle's counters."""
