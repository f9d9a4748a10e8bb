"""The shared language of kulakan: money, quantities, errors, the supplier adapter protocol
and its events. Pure: no I/O, and nothing of ours is imported here.

Request and response bodies of the HTTP API live in :mod:`contracts.api`, one module per context.
"""

from contracts.adapter import *  # noqa: F403
from contracts.adapter import __all__ as _adapter
from contracts.capabilities import *  # noqa: F403
from contracts.capabilities import __all__ as _capabilities
from contracts.documents import *  # noqa: F403
from contracts.documents import __all__ as _documents
from contracts.errors import *  # noqa: F403
from contracts.errors import __all__ as _errors
from contracts.events import *  # noqa: F403
from contracts.events import __all__ as _events
from contracts.money import *  # noqa: F403
from contracts.money import __all__ as _money
from contracts.quantity import *  # noqa: F403
from contracts.quantity import __all__ as _quantity

__all__ = sorted({*_adapter, *_capabilities, *_documents, *_errors, *_events, *_money, *_quantity})
