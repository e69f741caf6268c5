"""Home-care visits registered by phone while TES is down (Linköping): staff, clients, starts, ends, corrections."""
