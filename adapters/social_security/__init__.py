"""Employment declarations to social security: the local register, Dimona (Belgium)."""
