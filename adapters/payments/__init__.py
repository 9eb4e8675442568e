"""Online payments through Stripe (or localstripe, its offline stand-in)."""
