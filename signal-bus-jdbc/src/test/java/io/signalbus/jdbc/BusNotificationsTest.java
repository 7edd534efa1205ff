package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What a store makes of the payloads it receives on the channel, without a database. */
class BusNotificationsTest {

    private final BusNotifications mine = new BusNotifications();
    private final BusNotifications other = new BusNotifications();
    private final List<String> woken = new CopyOnWriteArrayList<>();

    BusNotificationsTest() {
        mine.register(woken::add);
    }

    @Test
    void anotherStoresAppendWakesTheBusItNames() {
        mine.received(other.payload("orders"));

        assertThat(woken).containsExactly("orders");
    }

    @Test
    void theStoresOwnAppendWakesNothing() {
        mine.received(mine.payload("orders"));

        assertThat(woken).isEmpty();
    }

    @Test
    void anUntaggedPayloadIsABusName() {
        mine.received("orders");

        assertThat(woken).containsExactly("orders");
    }

    @Test
    void anotherStoresAnnouncementThatItListensWakesNoBus() {
        mine.received(other.payload(""));

        assertThat(woken).isEmpty();
    }

    @Test
    void aStoreThatDoesNotListenAlwaysFindsANotificationWorthSending() {
        assertThat(mine.worthSending()).isTrue();
    }
}
