"""A session lease on Redis, for every process sharing the Redis store.

The lease of a session is a hash ``{<session>}:lease`` holding the holder's
random token, its fence and when it expires, with a ``PEXPIRE`` of the TTL: the
``SET key token NX PX ttl`` of a Redis lock, with the fence and the expiry
beside the token so one read answers :meth:`holder`. The fence is
``INCR``\\ ed in ``{<session>}:fence`` by each new holder, in the same script, and
the store's commit script compares it (same hash tag, same slot). Renewing,
releasing and re-taking compare the token first, in scripts of our own: redis-py's
``Lock`` keeps its token in a thread-local, so two asyncio tasks on one loop share
it and one could release the other's lease.

Expiry is the earlier of two clocks: the server's (the key's PX, which frees the
lease of a holder that vanished whatever anyone's clock says) and the injected
:class:`~glitchcart.ports.Clock`'s ``expires_at`` (the one the engine schedules
renewals by, and tests move by hand). Releasing deletes the lease but not the
fence, so the fence never goes back.

    lease = RedisSessionLease(store, SystemClock())
    held = await lease.acquire(key, secrets.token_hex(16), ttl=10.0)
"""

from __future__ import annotations

import math
from typing import Any

from glitchcart.adapters.stores.redis import RedisSessionStore, translated
from glitchcart.core.keys import SessionKey
from glitchcart.ports import Clock, Lease

# KEYS: lease, fence. ARGV: token, now, expires_at, ttl in ms.
# Answers {fence, expires_at}, or nil when another token holds the lease.
_ACQUIRE = """
local cur = redis.call('HMGET', KEYS[1], 'token', 'exp', 'fence')
if cur[1] and tonumber(cur[2]) > tonumber(ARGV[2]) then
  if cur[1] ~= ARGV[1] then return false end
  redis.call('HSET', KEYS[1], 'exp', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return {cur[3], ARGV[3]}
end
local fence = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'exp', ARGV[3], 'fence', fence)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {tostring(fence), ARGV[3]}
"""

# KEYS: lease. ARGV: token, fence, now, expires_at, ttl in ms. Answers 1 if renewed.
_RENEW = """
local cur = redis.call('HMGET', KEYS[1], 'token', 'exp', 'fence')
if cur[1] ~= ARGV[1] or cur[3] ~= ARGV[2] or tonumber(cur[2]) <= tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', KEYS[1], 'exp', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
"""

# KEYS: lease. ARGV: token. Answers 1 if this token held it and it is now free.
_RELEASE = """
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _ms(ttl: float) -> int:
    return max(1, math.ceil(ttl * 1000))


class RedisSessionLease:
    """A :class:`~glitchcart.ports.SessionLease` on the Redis a :class:`RedisSessionStore`
    uses (its client and key names)."""

    def __init__(self, store: RedisSessionStore, clock: Clock) -> None:
        self.store = store
        self.client: Any = store.client
        self.keys = store.keys
        self.clock = clock
        self._acquire = self.client.register_script(_ACQUIRE)
        self._renew = self.client.register_script(_RENEW)
        self._release = self.client.register_script(_RELEASE)

    async def acquire(self, session: SessionKey, token: str, ttl: float) -> Lease | None:
        now = self.clock.now()
        keys = [self.keys.of(session, "lease"), self.keys.of(session, "fence")]
        async with translated("take a lease"):
            got = await self._acquire(keys=keys, args=[token, repr(now), repr(now + ttl), _ms(ttl)])
        return None if got is None else Lease(session, token, int(got[0]), float(got[1]))

    async def renew(self, lease: Lease, ttl: float) -> Lease | None:
        now = self.clock.now()
        args = [lease.token, lease.fence, repr(now), repr(now + ttl), _ms(ttl)]
        async with translated("renew a lease"):
            hit = await self._renew(keys=[self.keys.of(lease.session, "lease")], args=args)
        return Lease(lease.session, lease.token, lease.fence, now + ttl) if hit == 1 else None

    async def release(self, lease: Lease) -> bool:
        key = self.keys.of(lease.session, "lease")
        async with translated("release a lease"):
            return bool(await self._release(keys=[key], args=[lease.token]) == 1)

    async def holder(self, session: SessionKey) -> Lease | None:
        async with translated("read a lease"):
            token, exp, fence = await self.client.hmget(
                self.keys.of(session, "lease"), "token", "exp", "fence"
            )
        if token is None or exp is None or float(exp) <= self.clock.now():
            return None
        return Lease(session, token, int(fence), float(exp))
