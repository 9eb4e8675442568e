"""Bank statements in and out: the lines a bank reports (camt.053/054), the identity that makes
an import idempotent, and the matching of incoming money to invoices and of returns to payouts.
Pure: parsing lives in ``adapters/banking``, storage in ``db``."""
