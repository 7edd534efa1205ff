package io.signalbus.store;

class InMemorySignalStoreTest extends SignalStoreContractTest {

    @Override
    protected SignalStore store() {
        return new InMemorySignalStore();
    }
}
