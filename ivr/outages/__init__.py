"""System outages: declared, planned and drilled, announced to callers and closed into a worklist."""
