"""The web layer's shared plumbing: the request's database session, typed access to the app's parts, signatures."""
