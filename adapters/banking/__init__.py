"""Bank transfers: SEPA credit transfers (pain.001) for payouts to members."""
