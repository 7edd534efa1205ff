package io.signalbus.partitions;

import io.signalbus.Delivery;
import io.signalbus.spring.SignalListener;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * One instance of an application that {@link PartitionedInstancesTest} runs several times in child JVMs
 * on one PostgreSQL schema, and kills with SIGKILL: a persistent {@link SignalListener} on a
 * partitioned subscription that records every handling (also redeliveries) in {@code part_handled},
 * whose {@code id} gives the order handlings committed in. The test publishes the signals itself.
 *
 * <p>Prints {@code READY} once the context runs and every 200 ms a {@code PROGRESS} line.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class PartitionedInstanceApplication {

    static final String SUBSCRIPTION = "partitioned";

    public static void main(String[] args) throws Exception {
        ConfigurableApplicationContext context = new SpringApplication(PartitionedInstanceApplication.class)
                .run(args);
        PartitionedListener listener = context.getBean(PartitionedListener.class);
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "progress");
            thread.setDaemon(true);
            return thread;
        });
        progress.scheduleWithFixedDelay(() -> System.out.println("PROGRESS handled=" + listener.handled.get()), 0,
                200, TimeUnit.MILLISECONDS);
        System.out.println("READY");
        new CountDownLatch(1).await(); // until the test kills or stops this JVM
    }

    /** The listener under test: one row per handling, committed before the return acks. */
    @Component
    static class PartitionedListener {

        final JdbcTemplate jdbc;
        final AtomicLong handled = new AtomicLong();
        private final String instance;

        PartitionedListener(DataSource dataSource, @Value("${signal-bus.instance-id}") String instance) {
            this.jdbc = new JdbcTemplate(dataSource);
            this.instance = instance;
        }

        @SignalListener(value = "part.**", persistent = true, subscriptionId = SUBSCRIPTION,
                partitions = "${part.partitions}", startFrom = "origin", concurrency = 2, maxInFlight = 200)
        void on(Delivery delivery) {
            jdbc.update("INSERT INTO part_handled (signal_id, key, position, instance, attempt) VALUES (?, ?, ?, ?, ?)",
                    delivery.signal().id(), delivery.signal().subject(), delivery.position(), instance,
                    delivery.attempt());
            handled.incrementAndGet();
        }
    }
}
