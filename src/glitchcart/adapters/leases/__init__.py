"""Session leases: who drives a session (:class:`glitchcart.ports.SessionLease`)."""
