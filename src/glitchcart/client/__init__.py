"""The glitchcart client: one interface, two transports (in-process and HTTP).

>>> client = Client(InProcessTransport(engine))
>>> client = Client(HttpTransport("http://127.0.0.1:8000", api_key="..."))
"""

from glitchcart.client.client import Client
from glitchcart.client.http_transport import HttpTransport
from glitchcart.client.inprocess import InProcessTransport
from glitchcart.client.transport import Transport

__all__ = ["Client", "HttpTransport", "InProcessTransport", "Transport"]
