"""Where revoked player credentials are remembered (the ``Revocations`` port)."""
