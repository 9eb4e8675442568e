"""Payroll rules: employment records, dated contribution rates, contributions and wage tax, and
the German and Belgian engines behind the one ``Payroll`` Protocol (``protocol``)."""
