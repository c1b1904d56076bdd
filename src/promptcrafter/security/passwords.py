"""argon2id password hashing, always off the event loop.

Hashing is deliberately slow and memory-hungry, so it runs on a small dedicated pool: as many
threads as cores, which bounds both CPU and the memory argon2 needs per hash.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="argon2")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    new_hash: str | None = None  # set when the stored hash used weaker parameters


class Passwords:
    def __init__(self, memory_kib: int, time_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(_pool, self._hasher.hash, password)

    async def warm_up(self) -> None:
        """Make the stand-in hash for unknown accounts now, not during someone's login."""
        self._dummy = await self.hash("dummy password for timing equalisation")

    async def verify(self, stored_hash: str | None, password: str) -> Verdict:
        """Check a password; with no stored hash, burn the same time and fail.

        Unknown accounts still pay for one verification, so response time does not reveal
        whether an email is registered.
        """
        if stored_hash is None:
            if self._dummy is None:
                await self.warm_up()
            assert self._dummy is not None
            await asyncio.get_running_loop().run_in_executor(
                _pool, self._verify_sync, self._dummy, password
            )
            return Verdict(ok=False)
        return await asyncio.get_running_loop().run_in_executor(
            _pool, self._verify_sync, stored_hash, password
        )

    def _verify_sync(self, stored_hash: str, password: str) -> Verdict:
        try:
            self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verdict(ok=False)
        if self._hasher.check_needs_rehash(stored_hash):
            return Verdict(ok=True, new_hash=self._hasher.hash(password))
        return Verdict(ok=True)
