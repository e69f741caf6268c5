"""Care-transition reports: admission, discharge-ready and the rest, phoned in while Lifecare SP is down."""
