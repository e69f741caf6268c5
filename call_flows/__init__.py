"""Voice menus and call flows: what a caller hears and what each key does."""
