"""The store contract, run against the in-memory and the on-disk embedded store."""

import pytest

from store_contract import StoreContract


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store(self, mem_store):
        return mem_store


class TestDiskStore(StoreContract):
    @pytest.fixture
    def store(self, disk_store):
        return disk_store
