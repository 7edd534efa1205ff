package io.signalbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The key-to-partition mapping is fixed by its documentation: the same on every JVM and version. */
class PartitionKeyTest {

    @Test
    void partitionOfKnownKeysNeverChanges() {
        // pinned values: a change here moves keys of existing subscriptions to other partitions
        assertThat(PartitionKey.partitionOf("", 16)).isEqualTo(PINNED[0]);
        assertThat(PartitionKey.partitionOf("order-1", 16)).isEqualTo(PINNED[1]);
        assertThat(PartitionKey.partitionOf("customer/42", 16)).isEqualTo(PINNED[2]);
        assertThat(PartitionKey.partitionOf("Ünïcødé ключ", 16)).isEqualTo(PINNED[3]);
        assertThat(PartitionKey.partitionOf("order-1", 7)).isEqualTo(PINNED[4]);
        assertThat(PartitionKey.partitionOf("order-1", 256)).isEqualTo(PINNED[5]);
    }

    /** Computed independently from the documented algorithm (FNV-1a 64, fmix64, unsigned remainder). */
    private static final int[] PINNED = {6, 5, 9, 3, 1, 165};

    @Test
    void randomKeysSpreadEvenlyOverPartitions() {
        var random = new SplittableRandom(12);
        int partitions = 16;
        int keys = 160_000;
        int[] counts = new int[partitions];
        for (int i = 0; i < keys; i++) {
            counts[PartitionKey.partitionOf(Long.toHexString(random.nextLong()) + "-" + i, partitions)]++;
        }
        for (int count : counts) {
            assertThat(count).isBetween(keys / partitions * 95 / 100, keys / partitions * 105 / 100);
        }
    }

    @Test
    void sequentialKeysSpreadEvenlyOverPartitions() {
        int partitions = 16;
        int[] counts = new int[partitions];
        for (int i = 0; i < 16_000; i++) {
            counts[PartitionKey.partitionOf("key-" + i, partitions)]++;
        }
        for (int count : counts) {
            assertThat(count).isBetween(850, 1150);
        }
    }

    @Test
    void oneKeyAlwaysMapsToOnePartition() {
        var random = new SplittableRandom(7);
        for (int i = 0; i < 1_000; i++) {
            String key = Long.toString(random.nextLong(), 36);
            int partitions = 1 + random.nextInt(SubscribeOptions.MAX_PARTITIONS);
            int partition = PartitionKey.partitionOf(key, partitions);
            assertThat(PartitionKey.partitionOf(new String(key.toCharArray()), partitions)).isEqualTo(partition);
            assertThat(partition).isBetween(0, partitions - 1);
        }
    }

    @Test
    void subjectIsTheDefaultKeyAndTheIdStandsInWithoutOne() {
        Signal withSubject = Signal.builder("order.created").source("/o").subject("order-7").build();
        Signal without = Signal.builder("order.created").source("/o").build();

        assertThat(PartitionKey.subject().keyOf(withSubject)).isEqualTo("order-7");
        assertThat(PartitionKey.subject().keyOf(without)).isEqualTo(without.id());
        assertThat(SubscribeOptions.persistent("s").partitions(4).partitionKey()).isSameAs(PartitionKey.subject());
    }

    @Test
    void extensionKeyReadsTheAttributeAndTheIdStandsInWithoutIt() {
        Signal tenant = Signal.builder("order.created").source("/o").extension("tenant", "acme").build();
        Signal without = Signal.builder("order.created").source("/o").build();

        assertThat(PartitionKey.extension("tenant").keyOf(tenant)).isEqualTo("acme");
        assertThat(PartitionKey.extension("tenant").keyOf(without)).isEqualTo(without.id());
    }

    @Test
    void invalidExtensionNameIsRejectedWithTheName() {
        assertThatThrownBy(() -> PartitionKey.extension("Tenant Id"))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("'Tenant Id'");
    }
}
