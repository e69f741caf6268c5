"""The outage line: a Swedish voice line for health and social care while their IT systems are down."""
