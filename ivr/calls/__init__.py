"""The call log: when the service first saw each call (the official time of what is reported in it)."""
