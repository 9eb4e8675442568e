"""Adapters to the outside world, one package per world it talks to: documents (invoices,
credit notes, payslips), mail, payments (Stripe), banking (SEPA), social_security (local
register, Dimona), payroll_bureau. Shared by them: errors, files (write-once files); and
temporal_client, the one way to connect to Temporal.
"""
