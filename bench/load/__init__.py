"""The whole-call load test's parts: its callers, the service under load, and the checks and figures of a run."""
