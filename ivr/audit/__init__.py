"""The audit log: who did what and when, and every read of patient data."""
