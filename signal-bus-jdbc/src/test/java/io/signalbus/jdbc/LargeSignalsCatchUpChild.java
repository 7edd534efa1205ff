package io.signalbus.jdbc;

import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Run in a child JVM with a small heap by {@link LargeSignalsCatchUpTest}: subscribes from the origin
 * of a log of large signals and exits 0 once it handled them all (1 on a timeout, and the JVM's own
 * exit code on an OutOfMemoryError).
 */
public final class LargeSignalsCatchUpChild {

    private LargeSignalsCatchUpChild() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int count = Integer.parseInt(args[1]);
        var dataSource = new JdbcDataSource();
        dataSource.setURL(url);
        var handled = new CountDownLatch(count);
        try (var store = new JdbcSignalStore(dataSource);
                SignalBus bus = SignalBus.builder().name("large").store(store).build()) {
            bus.subscribe("big.**", SubscribeOptions.persistent("catch-up").startFrom(StartFrom.origin()),
                    delivery -> {
                        delivery.ack();
                        handled.countDown();
                    });
            boolean all = handled.await(120, TimeUnit.SECONDS);
            System.out.println("HANDLED " + (count - handled.getCount()) + " of " + count);
            System.exit(all ? 0 : 1);
        }
    }
}
