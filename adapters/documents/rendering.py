"""One lock for the document engines of a process.

WeasyPrint (Pango, fontconfig, one shared FontConfiguration for the vendored fonts) and Saxon
are not safe to drive from several threads at once: concurrent renders in one worker process
stalled under load. Invoices, credit notes and payslips therefore render one at a time per
process (reentrant: the invoice step holds it around rendering and validation, and the PDF
renderer takes it again); scale rendering with worker processes.
"""

from __future__ import annotations

import threading

RENDER_LOCK = threading.RLock()
