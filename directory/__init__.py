"""The directory of units and their numbers: wards, municipalities, help desks, standby lines, switchboards."""
