package io.signalbus.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3 item 6, crash safety proven: a Spring Boot application using the starter
 * ({@link CrashTestApplication}) runs in a child JVM, publishes thousands of signals to a persistent
 * {@code @SignalListener} that records what it processed in a table, and is killed with SIGKILL
 * mid-run three times, then restarted once more to catch up. After every kill the database is
 * inspected as the crash left it:
 * <ul>
 *   <li>every signal whose {@code publish} had returned (the child fsyncs their ids and positions to
 *       a file after each call returns) is in the log, at the position {@code publish} returned;</li>
 *   <li>the log has no holes: positions 1 to the head, each exactly once;</li>
 *   <li>signals published inside transactions (issue 10) match the {@code crash_order} rows written in
 *       the same transactions: each committed one is in the log or staged for its position, and no
 *       signal of a rolled-back or unfinished transaction is in either; at the end all are in the log;</li>
 *   <li>the stored checkpoint is not beyond what was processed: every matching signal at or below it
 *       is in {@code processed}, and nothing is dead-lettered;</li>
 * </ul>
 * and at the end every matching signal in the log was processed at least once and the checkpoint
 * reached the head. Redeliveries (a signal processed again after a kill) are expected with
 * at-least-once delivery; they are counted and reported, not failed.
 *
 * <p>Subclasses give the database: an H2 file with the URL a user would write (the store must make
 * it crash-safe itself), and PostgreSQL.
 */
abstract class CrashRecoveryTest {

    /** Signals each publishing run would publish if it were not killed (a seventh of them noise). */
    private static final int PUBLISH_PER_RUN = 6000;
    /** Kill a publishing run once this many of its publishes returned and this many deliveries ran. */
    private static final int KILL_AFTER_PUBLISHED = 2500;
    private static final int KILL_AFTER_PROCESSED = 800;
    private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(60);
    private static final String MATCHING_PREFIX = "crash.";

    private final List<Child> children = new ArrayList<>();
    private final List<String> report = new ArrayList<>();
    private Path workDirectory;
    private Path publishedFile;

    /** The JDBC URL of the child's {@code spring.datasource.url}. */
    abstract String jdbcUrl();

    /** Further {@code --name=value} arguments of the child (credentials). */
    abstract List<String> dataSourceArguments();

    /** A connection to the database, opened only while no child runs. */
    abstract Connection connect() throws SQLException;

    /** A short name of the database for file names and the report. */
    abstract String variant();

    /** A new folder under {@code target/crash/} for this test's files; superclass callbacks run first. */
    @BeforeEach
    void createWorkDirectory() throws IOException {
        workDirectory = Files.createDirectories(Path.of("target", "crash", variant() + "-" + UUID.randomUUID()))
                .toAbsolutePath();
        publishedFile = workDirectory.resolve("published.txt");
    }

    Path workDirectory() {
        return workDirectory;
    }

    /** Runs after every child JVM is gone. */
    void afterChildren() throws Exception {
    }

    @AfterEach
    void destroyChildren() throws Exception {
        for (Child child : children) {
            child.process.toHandle().destroyForcibly();
        }
        for (Child child : children) {
            try {
                child.process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        afterChildren();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void everySignalWhosePublishReturnedIsProcessedAtLeastOnceAcrossSigkills() throws Exception {
        long started = System.nanoTime();
        report.add(String.format(Locale.ROOT, "%-16s %6s %8s %6s %7s %6s %8s %10s %6s %7s %10s %10s %5s %4s",
                "run", "pub'd", "returned", "log", "handled", "first", "redeliv", "checkpoint", "head", "backlog",
                "unrecorded", "publishing", "secs", "exit"));
        report.add("  pub'd, handled: this run's publishes returned and handler calls at the last progress line;"
                + " returned: all publishes returned so far (the file); first: signals processed for the first time"
                + " in this run; redeliv: handler calls this run for signals already processed; backlog: matching"
                + " signals above the stored checkpoint; unrecorded: in the log, but the kill came before the"
                + " publisher recorded the return");

        // 1 and 2: publishing and listening, killed while both are busy
        for (int run = 1; run <= 2; run++) {
            Child child = start(run, PUBLISH_PER_RUN);
            Progress atKill = child.awaitProgress(KILL_AFTER_PUBLISHED + " published and " + KILL_AFTER_PROCESSED
                    + " processed",
                    p -> p.published() >= KILL_AFTER_PUBLISHED && p.processed() >= KILL_AFTER_PROCESSED);
            killAndCheck(child, atKill);
        }

        // 3: listening only, killed halfway through the backlog the first two runs left
        DatabaseState beforeCatchUp = readDatabase();
        long backlog = beforeCatchUp.matchingAbove(beforeCatchUp.checkpoint());
        long killAt = Math.max(1, Math.min(1000, backlog / 2));
        Child third = start(3, 0);
        Progress atKill = third.awaitProgress(killAt + " of a backlog of " + backlog + " processed",
                p -> p.processed() >= killAt);
        killAndCheck(third, atKill);

        // 4: listening until the stored checkpoint reaches the head, then a graceful stop
        DatabaseState beforeFinal = readDatabase();
        Child last = start(4, 0);
        long finalHead = beforeFinal.head() + beforeFinal.staged().size(); // staged ones get positions too
        Progress caughtUp = last.awaitProgress("the stored checkpoint at the head " + finalHead,
                p -> p.head() == finalHead && p.checkpoint() == p.head());
        last.process.toHandle().destroy(); // SIGTERM: Spring closes the context, the bus flushes checkpoints
        assertThat(last.process.waitFor(30, TimeUnit.SECONDS)).as("run 4 stops within 30 s of SIGTERM").isTrue();
        last.awaitOutputDrained();
        assertThat(last.process.exitValue()).as("exit code of run 4 after SIGTERM (128 + 15: shut down by its hooks)")
                .isEqualTo(143);
        DatabaseState end = readDatabase();
        Map<String, Long> returned = readPublishedFile();
        checkCrashInvariants(end, returned, "after the final run");
        addReport(last, end, returned, caughtUp, last.process.exitValue());

        report.add(String.format(Locale.ROOT, "total: %d signals in the log (%d matching), %d processed, %d"
                + " redeliveries (%s), %.1f s", end.log().size(), end.matchingAbove(0), end.processed().size(),
                end.redeliveries(), end.redeliveriesByRun(), seconds(started)));
        String text = variant() + " crash recovery\n" + String.join("\n", report);
        System.out.println(text);
        Files.writeString(workDirectory.resolve("report.txt"), text + "\n");

        // every matching signal in the log was processed at least once, nothing else was, and the checkpoint caught up
        List<String> unprocessed = end.log().values().stream()
                .filter(row -> row.matching() && !end.processed().containsKey(row.id()))
                .map(LogRow::toString).toList();
        assertThat(unprocessed.size()).as("LOST: matching signals in the log never processed: %s",
                sample(unprocessed)).isZero();
        assertThat((long) end.processed().size()).as("processed signals (checked above: each a matching log signal)")
                .isEqualTo(end.matchingAbove(0));
        assertThat(end.checkpoint()).as("stored checkpoint after the final run").isEqualTo(end.head());
        assertThat(end.staged()).as("signals committed in transactions and still without a position at the end")
                .isEmpty();
        assertThat(end.orders()).as("orders committed with their signals").isNotEmpty();
        assertThat(returned).as("signals whose publish returned").hasSizeGreaterThanOrEqualTo(2 * KILL_AFTER_PUBLISHED);
    }

    // ------------------------------------------------------------------ one kill

    /**
     * SIGKILL: {@code ProcessHandle.destroyForcibly()} is {@code kill(pid, SIGKILL)} on Linux, as is
     * {@code Process.destroyForcibly()}, which would also close the pipe the output reader drains.
     */
    private void killAndCheck(Child child, Progress atKill) throws Exception {
        assertThat(child.process.toHandle().destroyForcibly()).as("SIGKILL sent to run %d", child.run).isTrue();
        assertThat(child.process.waitFor(10, TimeUnit.SECONDS)).as("run %d dies after SIGKILL", child.run).isTrue();
        // a JVM killed by signal 9 exits with 128 + 9; a JVM that shut down (SIGTERM, exit) would not
        assertThat(child.process.exitValue()).as("exit code of run %d, killed with destroyForcibly()", child.run)
                .isEqualTo(137);
        child.awaitOutputDrained();
        DatabaseState state = readDatabase();
        Map<String, Long> returned = readPublishedFile();
        checkCrashInvariants(state, returned, "after SIGKILL of run " + child.run);
        addReport(child, state, returned, atKill, 137);
    }

    /** What must hold whenever the process died, however it died. */
    private void checkCrashInvariants(DatabaseState state, Map<String, Long> returned, String when) {
        // the log: positions 1..head, no holes, nothing beyond the head
        assertThat(state.log().keySet()).as("log positions %s (head %d)", when, state.head())
                .hasSize((int) state.head());
        if (!state.log().isEmpty()) {
            assertThat(state.log().keySet().stream().mapToLong(Long::longValue).max().orElseThrow())
                    .as("highest log position %s", when).isEqualTo(state.head());
        }

        // nothing whose publish returned is lost, and it is where publish said it was
        Map<String, Long> positionsById = new HashMap<>();
        state.log().values().forEach(row -> positionsById.put(row.id(), row.position()));
        List<String> lost = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        returned.forEach((id, position) -> {
            Long found = positionsById.get(id);
            if (found == null) {
                lost.add(id + "@" + position);
            } else if (!found.equals(position)) {
                moved.add(id + " returned at " + position + " but logged at " + found);
            }
        });
        assertThat(lost.size()).as("LOST %s: signals whose publish had returned are not in the log (head %d): %s",
                when, state.head(), sample(lost)).isZero();
        assertThat(moved.size()).as("signals at another position than publish returned, %s: %s", when,
                sample(moved)).isZero();

        // processed only what the log holds, only matching signals, at their positions
        List<String> strays = state.processed().entrySet().stream()
                .filter(e -> !e.getValue().equals(positionsById.get(e.getKey()))
                        || !state.log().get(e.getValue()).matching())
                .map(e -> e.getKey() + "@" + e.getValue()).toList();
        assertThat(strays.size()).as("processed signals that are not matching signals of the log, %s: %s", when,
                sample(strays)).isZero();

        // published inside transactions with an order row each: committed (an order row) ⇔ in the log or
        // staged (it gets a position later); rolled back or never committed ⇒ nowhere
        List<String> withoutOrder = new ArrayList<>();
        state.log().values().stream().filter(row -> row.type().equals("crash.tx") && !state.orders().contains(row.id()))
                .forEach(row -> withoutOrder.add(row.toString()));
        state.staged().stream().filter(id -> !state.orders().contains(id)).forEach(withoutOrder::add);
        assertThat(withoutOrder.size()).as("signals of transactions that did not commit, in the log or staged, %s: %s",
                when, sample(withoutOrder)).isZero();
        List<String> orderLost = state.orders().stream()
                .filter(id -> !positionsById.containsKey(id) && !state.staged().contains(id)).toList();
        assertThat(orderLost.size()).as("LOST %s: committed orders whose signal is neither in the log nor staged: %s",
                when, sample(orderLost)).isZero();

        // the checkpoint is a low-water mark of what was processed
        assertThat(state.checkpoint()).as("stored checkpoint %s", when).isBetween(0L, state.head());
        List<String> skipped = state.log().headMap(state.checkpoint(), true).values().stream()
                .filter(row -> row.matching() && !state.processed().containsKey(row.id()))
                .map(LogRow::toString).toList();
        assertThat(skipped.size()).as("CHECKPOINT %d BEYOND WHAT WAS PROCESSED %s: matching signals at or below it"
                + " that were never processed: %s", state.checkpoint(), when, sample(skipped)).isZero();
        assertThat(state.deadLetters()).as("dead letters %s", when).isZero();
    }

    private void addReport(Child child, DatabaseState state, Map<String, Long> returned, Progress last, int exit) {
        long unrecorded = state.log().values().stream().filter(row -> !returned.containsKey(row.id())).count();
        report.add(String.format(Locale.ROOT, "%-16s %6d %8d %6d %7d %6d %8d %10d %6d %7d %10d %10s %5.1f %4d",
                child.run <= 2 ? child.run + " publish+listen" : child.run == 3 ? "3 listen" : "4 final",
                last.published(), returned.size(), state.log().size(), last.processed(),
                state.processedInRun(child.run),
                state.redeliveriesByRun().getOrDefault(child.run, 0L), state.checkpoint(), state.head(),
                state.matchingAbove(state.checkpoint()), unrecorded, last.publishing(), seconds(child.started), exit));
    }

    // ------------------------------------------------------------------ the database and the file

    record LogRow(long position, String id, String type) {

        boolean matching() {
            return type.startsWith(MATCHING_PREFIX);
        }

        @Override
        public String toString() {
            return position + ":" + type + ":" + id;
        }
    }

    /** The database as a dead child left it. */
    record DatabaseState(NavigableMap<Long, LogRow> log, long head, long checkpoint,
            Map<String, Long> processed, Map<String, Integer> processedRun, Map<Integer, Long> redeliveriesByRun,
            long deadLetters, Set<String> staged, Set<String> orders) {

        long matchingAbove(long position) {
            return log.tailMap(position, false).values().stream().filter(LogRow::matching).count();
        }

        long processedInRun(int run) {
            return processedRun.values().stream().filter(r -> r == run).count();
        }

        long redeliveries() {
            return redeliveriesByRun.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Everything in one snapshot: a killed process's last statement may still commit on the server
     * after the kill, and reading the log and the head at two moments would see half of it.
     */
    private DatabaseState readDatabase() throws SQLException {
        try (Connection connection = connect()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            var log = new TreeMap<Long, LogRow>();
            query(connection, "SELECT position, signal_id, type FROM signal_bus_log WHERE bus = ?",
                    rs -> log.put(rs.getLong(1), new LogRow(rs.getLong(1), rs.getString(2), rs.getString(3))),
                    CrashTestApplication.BUS);
            long[] head = {0};
            query(connection, "SELECT position FROM signal_bus_head WHERE bus = ?", rs -> head[0] = rs.getLong(1),
                    CrashTestApplication.BUS);
            long[] checkpoint = {-1};
            query(connection, "SELECT checkpoint_position FROM signal_bus_subscription WHERE bus = ?"
                    + " AND subscription_id = ?", rs -> checkpoint[0] = rs.getLong(1), CrashTestApplication.BUS,
                    CrashTestApplication.SUBSCRIPTION);
            assertThat(checkpoint[0]).as("the subscription '%s' exists", CrashTestApplication.SUBSCRIPTION)
                    .isNotNegative();
            var processed = new HashMap<String, Long>();
            var processedRun = new HashMap<String, Integer>();
            query(connection, "SELECT signal_id, position, run FROM processed", rs -> {
                processed.put(rs.getString(1), rs.getLong(2));
                processedRun.put(rs.getString(1), rs.getInt(3));
            });
            var redeliveries = new TreeMap<Integer, Long>();
            query(connection, "SELECT run, COUNT(*) FROM redelivered GROUP BY run",
                    rs -> redeliveries.put(rs.getInt(1), rs.getLong(2)));
            long[] deadLetters = {0};
            query(connection, "SELECT COUNT(*) FROM signal_bus_dead_letter WHERE bus = ? AND subscription_id = ?",
                    rs -> deadLetters[0] = rs.getLong(1), CrashTestApplication.BUS, CrashTestApplication.SUBSCRIPTION);
            var staged = new HashSet<String>();
            query(connection, "SELECT signal_id FROM signal_bus_pending WHERE bus = ?", rs -> staged.add(rs.getString(1)),
                    CrashTestApplication.BUS);
            var orders = new HashSet<String>();
            query(connection, "SELECT signal_id FROM crash_order", rs -> orders.add(rs.getString(1)));
            connection.commit();
            return new DatabaseState(log, head[0], checkpoint[0], processed, processedRun, redeliveries,
                    deadLetters[0], staged, orders);
        }
    }

    private interface RowHandler {
        void row(ResultSet rs) throws SQLException;
    }

    private static void query(Connection connection, String sql, RowHandler handler, Object... parameters)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    handler.row(rs);
                }
            }
        }
    }

    /** Id to position of every signal whose publish returned; a line cut short by the kill does not count. */
    private Map<String, Long> readPublishedFile() throws IOException {
        var returned = new LinkedHashMap<String, Long>();
        if (!Files.exists(publishedFile)) {
            return returned;
        }
        String content = Files.readString(publishedFile, StandardCharsets.US_ASCII);
        int end = content.lastIndexOf('\n');
        if (end < 0) {
            return returned;
        }
        for (String line : content.substring(0, end).split("\n")) {
            String[] parts = line.split(" ");
            assertThat(parts).as("line '%s' of %s", line, publishedFile).hasSize(2);
            assertThat(returned.put(parts[0], Long.parseLong(parts[1]))).as("%s published twice", parts[0]).isNull();
        }
        return returned;
    }

    // ------------------------------------------------------------------ child JVMs

    /** One line the child prints every 100 ms. */
    record Progress(long published, long processed, long redelivered, long checkpoint, long head,
            boolean publishing) {

        private static final Pattern LINE = Pattern.compile("PROGRESS published=(\\d+) processed=(\\d+)"
                + " redelivered=(\\d+) checkpoint=(-?\\d+) head=(\\d+) publishing=(true|false)");

        static @Nullable Progress parse(String line) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                return null;
            }
            return new Progress(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Boolean.parseBoolean(m.group(6)));
        }
    }

    private Child start(int run, int publish) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        var command = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                CrashTestApplication.class.getName(), "--spring.main.banner-mode=off",
                "--spring.main.web-application-type=none",
                "--spring.datasource.url=" + jdbcUrl(), "--crash.run=" + run, "--crash.publish=" + publish,
                "--crash.published-file=" + publishedFile,
                // a killed child keeps its claim on the subscription until the lease ends: keep it short
                "--signal-bus.claim-lease=2s"));
        command.addAll(dataSourceArguments());
        Path logFile = workDirectory.resolve("run-" + run + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Child child = new Child(run, process, logFile);
        children.add(child);
        return child;
    }

    /** A child JVM whose output is kept in a log file, its last lines in memory, and its progress parsed. */
    private static final class Child {

        private static final int KEPT_LINES = 60;

        final int run;
        final Process process;
        final long started = System.nanoTime();
        private final Path logFile;
        private final ArrayDeque<String> lastLines = new ArrayDeque<>();
        private final Thread reader;
        private volatile @Nullable Progress progress;

        Child(int run, Process process, Path logFile) {
            this.run = run;
            this.process = process;
            this.logFile = logFile;
            this.reader = new Thread(this::readOutput, "crash-child-" + run + "-output");
            reader.setDaemon(true);
            reader.start();
        }

        private void readOutput() {
            try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    Writer out = Files.newBufferedWriter(logFile)) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.write(line);
                    out.write('\n');
                    Progress parsed = Progress.parse(line);
                    if (parsed != null) {
                        progress = parsed;
                    }
                    synchronized (lastLines) {
                        if (lastLines.size() == KEPT_LINES) {
                            lastLines.removeFirst();
                        }
                        lastLines.addLast(line);
                    }
                }
            } catch (IOException e) {
                synchronized (lastLines) {
                    lastLines.addLast("[output reader stopped: " + e + "]");
                }
            }
        }

        /** Waits for a progress line that satisfies {@code condition}; fails at once if the child dies. */
        Progress awaitProgress(String description, Predicate<Progress> condition) {
            try {
                await("run " + run + ": " + description).atMost(PHASE_TIMEOUT).pollInterval(Duration.ofMillis(20))
                        .until(() -> {
                            Progress p = progress;
                            if (p != null && condition.test(p)) {
                                return true;
                            }
                            if (!process.isAlive()) {
                                awaitOutputDrained();
                                throw new AssertionError("run " + run + " exited with code " + process.exitValue()
                                        + " before " + description + "; its last output (all of it in " + logFile
                                        + "):\n" + lastLines());
                            }
                            return false;
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(e.getMessage() + "; last progress " + progress + "; its last output (all of"
                        + " it in " + logFile + "):\n" + lastLines(), e);
            }
            return progress;
        }

        void awaitOutputDrained() {
            try {
                reader.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String lastLines() {
            synchronized (lastLines) {
                return lastLines.stream().map(line -> "  | " + line).collect(Collectors.joining("\n"));
            }
        }
    }

    /** The first few of a list of violations, and how many there are. */
    private static String sample(List<String> violations) {
        return violations.size() + (violations.isEmpty() ? "" : ", e.g. " + violations.subList(0,
                Math.min(20, violations.size())));
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
