package io.signalbus.spring.actuate;

import static io.signalbus.testing.FastAwait.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.Delivery;
import io.signalbus.PartitionStatus;
import io.signalbus.SignalBus;
import io.signalbus.SubscribeOptions;
import io.signalbus.spring.actuate.SignalBusEndpoint.SubscriptionDescriptor;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The endpoint shows each partition of a partitioned subscription: owner, epoch, checkpoint, lag, in flight. */
class SignalBusEndpointPartitionsTest {

    private final SignalBus bus = SignalBus.builder().name("orders").instanceId("node-a")
            .pollInterval(Duration.ofMillis(10)).build();

    @AfterEach
    void close() {
        bus.close();
    }

    @Test
    void subscriptionDescriptorListsEveryPartitionWithItsOwnerAndEpoch() {
        bus.subscribe("order.**", SubscribeOptions.persistent("split").partitions(3), Delivery::ack);
        await().until(() -> bus.status().subscriptions().get(0).unownedPartitions() == 0);

        SubscriptionDescriptor descriptor = SubscriptionDescriptor.of(bus.status().subscriptions().get(0));

        assertThat(descriptor.partitions()).extracting(PartitionStatus::owner).containsOnly("node-a");
        assertThat(descriptor.partitions()).extracting(PartitionStatus::epoch).containsOnly(1L);
        assertThat(descriptor.partitions()).extracting(PartitionStatus::partition).containsExactly(0, 1, 2);
    }
}
