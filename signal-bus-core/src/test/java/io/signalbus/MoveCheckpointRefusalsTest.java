package io.signalbus;

import static io.signalbus.testing.TestBuses.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.testing.RecordingHandler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An operator cannot skip signals not yet published by moving a checkpoint, and lag is never hidden. */
class MoveCheckpointRefusalsTest extends InMemoryBusTest {

    @Test
    void moveCheckpointRefusesAPositionPastTheHeadPlusOne() {
        bus.publish(signal("a.b", 1), signal("a.b", 2), signal("a.b", 3));
        bus.subscribe("a.b", SubscribeOptions.persistent("p").startFrom(StartFrom.origin()), RecordingHandler.manual());

        assertThatThrownBy(() -> bus.moveCheckpoint("p", StartFrom.position(5)))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("position 5")
                .hasMessageContaining("head is 3");
        assertThat(status("p").checkpoint().position()).isZero();

        assertThat(bus.moveCheckpoint("p", StartFrom.position(4)).position()).isEqualTo(3);
        assertThat(status("p").lag()).isZero();
    }

    @Test
    void moveCheckpointRefusesAnInstantInTheFuture() {
        bus.publish(signal("a.b", 1));
        bus.subscribe("a.b", SubscribeOptions.persistent("p").startFrom(StartFrom.origin()), RecordingHandler.manual());
        var future = clock.instant().plus(Duration.ofMinutes(5));

        assertThatThrownBy(() -> bus.moveCheckpoint("p", StartFrom.at(future)))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining(future.toString())
                .hasMessageContaining("head 1");
        assertThat(bus.moveCheckpoint("p", StartFrom.at(clock.instant())).position()).isZero();
    }

    @Test
    void lagIsNotClampedWhenASubscriptionStartsPastTheHead() {
        bus.publish(signal("a.b", 1));

        bus.subscribe("a.b", SubscribeOptions.persistent("p").startFrom(StartFrom.position(5)),
                RecordingHandler.manual());

        assertThat(status("p").checkpoint().position()).isEqualTo(4);
        assertThat(status("p").lag()).isEqualTo(-3);
    }
}
