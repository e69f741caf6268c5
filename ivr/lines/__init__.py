"""The outage lines: each outage number, who answers it, its menu, and where its calls go."""
