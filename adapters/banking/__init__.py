"""Bank files: SEPA credit transfers out (pain.001), statements and notifications in
(camt.053/054), the bank's status reports on our transfers (pain.002)."""
