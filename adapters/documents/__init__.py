"""Documents the cooperative issues: invoices and credit notes (PDF/A-3 with Factur-X, Peppol
UBL), their validation, and payslip PDFs; the templates and fonts they are rendered from.
"""
