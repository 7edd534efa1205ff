package io.signalbus.crash;

import io.signalbus.Delivery;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.spring.SignalListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.DatabaseMetaData;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The application that {@link CrashRecoveryTest} starts in a child JVM and kills with SIGKILL. It
 * is an ordinary user of the starter: a DataSource from {@code spring.datasource.*}, the default
 * bus, and a persistent {@link SignalListener} that records every signal it is handed in the
 * {@code processed} table (idempotently, so a redelivery records nothing new) and every redelivery
 * of a signal it had already recorded in {@code redelivered}.
 *
 * <p>With {@code --crash.publish=N} it also publishes N signals from two threads: one publishes a
 * signal per call, the other batches of 2 to 120 (about one in seven of either is {@code noise.tick},
 * which the listener does not match). Only after {@code publish} has returned are the ids and
 * positions it returned appended to {@code --crash.published-file}, one write and one fsync per
 * call, so the file lists exactly the signals whose publish had returned when the process died
 * (give or take the one call between its return and its line).
 *
 * <p>A third thread publishes inside transactions (issue 10): each inserts a row per signal into
 * {@code crash_order} and publishes 1 to 3 {@code crash.tx} signals with those ids, in one
 * transaction; one in ten is rolled back. Their positions are assigned after commit, so they are not
 * in the published file: the test checks them against {@code crash_order} instead.
 *
 * <p>It prints {@code READY} once the listener runs, {@code PUBLISHED-ALL} when its publishers are
 * done, and every 100 ms a {@code PROGRESS} line with this run's counts and the stored checkpoint
 * and head, which the test reads because an embedded H2 file cannot be opened by a second process.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class CrashTestApplication {

    static final String SUBSCRIPTION = "crash_listener";
    static final String BUS = "default";

    public static void main(String[] args) throws Exception {
        SpringApplication application = new SpringApplication(CrashTestApplication.class);
        ConfigurableApplicationContext context = application.run(args);
        CrashListener listener = context.getBean(CrashListener.class);
        JdbcTemplate jdbc = listener.jdbc;
        int run = context.getEnvironment().getRequiredProperty("crash.run", Integer.class);
        int toPublish = context.getEnvironment().getProperty("crash.publish", Integer.class, 0);
        var published = new AtomicLong();
        var publishersLeft = new AtomicInteger(toPublish > 0 ? 3 : 0);

        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "progress");
            thread.setDaemon(true);
            return thread;
        });
        progress.scheduleWithFixedDelay(() -> reportProgress(jdbc, listener, published, publishersLeft), 0, 100,
                TimeUnit.MILLISECONDS);
        System.out.println("READY run=" + run);

        if (toPublish > 0) {
            SignalBus bus = context.getBean(SignalBus.class);
            var file = new PublishedFile(Path.of(context.getEnvironment().getRequiredProperty("crash.published-file")));
            var singles = new Thread(() -> publish(bus, file, run, toPublish / 2, false, published, publishersLeft),
                    "publisher-singles");
            var batches = new Thread(() -> publish(bus, file, run, toPublish - toPublish / 2, true, published,
                    publishersLeft), "publisher-batches");
            var transactional = new Thread(() -> publishInTransactions(bus, new DataSourceTransactionManager(
                    context.getBean(DataSource.class)), jdbc, run, toPublish / 6, publishersLeft), "publisher-tx");
            singles.start();
            batches.start();
            transactional.start();
        }
        new CountDownLatch(1).await(); // until the test kills or stops this JVM
    }

    private static void publish(SignalBus bus, PublishedFile file, int run, int count, boolean batches,
            AtomicLong published, AtomicInteger publishersLeft) {
        try {
            var random = ThreadLocalRandom.current();
            String thread = Thread.currentThread().getName();
            int sequence = 0;
            while (sequence < count) {
                int size = batches ? Math.min(count - sequence, random.nextInt(2, 121)) : 1;
                var signals = new ArrayList<Signal>(size);
                for (int i = 0; i < size; i++) {
                    sequence++;
                    String type = random.nextInt(7) == 0 ? "noise.tick" : batches ? "crash.batch.item" : "crash.single";
                    signals.add(Signal.of(type, "crash-test/" + thread,
                            Map.of("run", run, "thread", thread, "sequence", sequence)));
                }
                List<RecordedSignal> recorded = bus.publish(signals);
                file.append(recorded); // only after publish returned
                published.addAndGet(recorded.size());
            }
        } catch (Throwable e) {
            halt(e);
        }
        if (publishersLeft.decrementAndGet() == 0) {
            System.out.println("PUBLISHED-ALL published=" + published.get());
        }
    }

    /** Transactions of 1 to 3 signals, each with a crash_order row per signal; one in ten rolled back. */
    private static void publishInTransactions(SignalBus bus, PlatformTransactionManager transactionManager,
            JdbcTemplate jdbc, int run, int count, AtomicInteger publishersLeft) {
        try {
            var transaction = new TransactionTemplate(transactionManager);
            var random = ThreadLocalRandom.current();
            for (int sequence = 0; sequence < count; sequence++) {
                boolean rollBack = random.nextInt(10) == 0;
                int size = random.nextInt(1, 4);
                int at = sequence;
                transaction.executeWithoutResult(status -> {
                    var signals = new ArrayList<Signal>(size);
                    for (int i = 0; i < size; i++) {
                        Signal signal = Signal.of("crash.tx", "crash-test/publisher-tx",
                                Map.of("run", run, "sequence", at, "rolledBack", rollBack));
                        jdbc.update("INSERT INTO crash_order (signal_id, run) VALUES (?, ?)", signal.id(), run);
                        signals.add(signal);
                    }
                    bus.publish(signals);
                    if (rollBack) {
                        status.setRollbackOnly();
                    }
                });
            }
        } catch (Throwable e) {
            halt(e);
        }
        if (publishersLeft.decrementAndGet() == 0) {
            System.out.println("PUBLISHED-ALL");
        }
    }

    /** A publish failed: the test reads the reason and fails. */
    private static void halt(Throwable failure) {
        System.out.println("PUBLISH-FAILED " + failure);
        failure.printStackTrace(System.out);
        System.out.flush();
        Runtime.getRuntime().halt(3);
    }

    private static void reportProgress(JdbcTemplate jdbc, CrashListener listener, AtomicLong published,
            AtomicInteger publishersLeft) {
        try {
            Long checkpoint = jdbc.query("SELECT checkpoint_position FROM signal_bus_subscription"
                    + " WHERE bus = ? AND subscription_id = ?", rs -> rs.next() ? rs.getLong(1) : -1L, BUS,
                    SUBSCRIPTION);
            Long head = jdbc.query("SELECT position FROM signal_bus_head WHERE bus = ?",
                    rs -> rs.next() ? rs.getLong(1) : 0L, BUS);
            System.out.println(String.format(Locale.ROOT,
                    "PROGRESS published=%d processed=%d redelivered=%d checkpoint=%d head=%d publishing=%b",
                    published.get(), listener.processed.get(), listener.redelivered.get(), checkpoint, head,
                    publishersLeft.get() > 0));
        } catch (RuntimeException e) {
            System.out.println("PROGRESS-FAILED " + e);
        }
    }

    /** The persistent listener under test. */
    @Component
    static class CrashListener {

        final JdbcTemplate jdbc;
        final AtomicLong processed = new AtomicLong();
        final AtomicLong redelivered = new AtomicLong();
        private final int run;
        private final String recordProcessed;

        CrashListener(DataSource dataSource, @Value("${crash.run}") int run) throws Exception {
            this.jdbc = new JdbcTemplate(dataSource);
            this.run = run;
            String product = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
            // both return an update count of 0 when the id is already recorded
            this.recordProcessed = "H2".equals(product)
                    ? "MERGE INTO processed p USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS BIGINT),"
                            + " CAST(? AS INT), CAST(? AS INT))) s (signal_id, position, run, attempt)"
                            + " ON p.signal_id = s.signal_id WHEN NOT MATCHED THEN INSERT (signal_id, position, run,"
                            + " attempt) VALUES (s.signal_id, s.position, s.run, s.attempt)"
                    : "INSERT INTO processed (signal_id, position, run, attempt) VALUES (?, ?, ?, ?)"
                            + " ON CONFLICT (signal_id) DO NOTHING";
            jdbc.execute("CREATE TABLE IF NOT EXISTS processed (signal_id VARCHAR(64) PRIMARY KEY,"
                    + " position BIGINT NOT NULL, run INT NOT NULL, attempt INT NOT NULL)");
            jdbc.execute("CREATE TABLE IF NOT EXISTS crash_order (signal_id VARCHAR(64) PRIMARY KEY, run INT NOT NULL)");
            jdbc.execute("CREATE TABLE IF NOT EXISTS redelivered (signal_id VARCHAR(64) NOT NULL,"
                    + " position BIGINT NOT NULL, run INT NOT NULL, attempt INT NOT NULL)");
        }

        /** Each statement commits on its own before the method returns, and the return acks. */
        @SignalListener(value = "crash.**", persistent = true, subscriptionId = SUBSCRIPTION, startFrom = "origin")
        void on(Delivery delivery) {
            String id = delivery.signal().id();
            int recorded = jdbc.update(recordProcessed, id, delivery.position(), run, delivery.attempt());
            if (recorded == 0) {
                jdbc.update("INSERT INTO redelivered (signal_id, position, run, attempt) VALUES (?, ?, ?, ?)", id,
                        delivery.position(), run, delivery.attempt());
                redelivered.incrementAndGet();
            }
            processed.incrementAndGet();
        }
    }

    /** Lines of "id position", appended and forced to disk once per publish call. */
    static final class PublishedFile {

        private final FileChannel channel;

        PublishedFile(Path path) throws IOException {
            this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        }

        synchronized void append(List<RecordedSignal> recorded) {
            var lines = new StringBuilder(recorded.size() * 48);
            for (RecordedSignal r : recorded) {
                lines.append(r.signal().id()).append(' ').append(r.position()).append('\n');
            }
            try {
                ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.US_ASCII));
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
