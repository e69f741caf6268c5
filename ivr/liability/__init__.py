"""Payment liability for discharge-ready patients: agreements, the daily-rate table, and liability per stay."""
