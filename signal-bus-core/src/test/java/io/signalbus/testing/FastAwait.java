package io.signalbus.testing;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Awaitility with a short poll: the first check at once, then every 10 ms, instead of the default
 * 100 ms delay before each check, so that the many short waits of the engine tests stay cheap.
 */
public final class FastAwait {

    private FastAwait() {
    }

    public static ConditionFactory await() {
        return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }
}
