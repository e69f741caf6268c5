"""Time-of-day routing of fault reports: help desk in opening hours, else the standby line; manual overrides."""
