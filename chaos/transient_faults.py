"""20 % injected transient faults in every adapter, for the whole run.

SMTP, Stripe, bank files, Dimona and the local register, the database.

    python -m chaos.transient_faults [--lifecycles 60] [--rate 0.2]

The worker runs with ``COOPFLOW_FAULT_RATE`` (``adapters/faults.py``): each adapter call fails
before it acts, or after it acted with its answer lost, with that probability; the first
statement of each database transaction fails likewise. Activities retry; nothing may happen
twice.
"""

from __future__ import annotations

import sys

from chaos.scenario import main, parser

if __name__ == "__main__":
    p = parser(__doc__.splitlines()[0], lifecycles=60)
    p.add_argument("--rate", type=float, default=0.2)
    args = p.parse_args()
    sys.exit(main(__doc__.splitlines()[0], args, None, fault_rate=args.rate))
