"""Retention: callers' recordings and unfinished drafts are kept only as long as the configuration says."""
