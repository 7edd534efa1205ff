package io.signalbus.jdbc;

import io.signalbus.InvalidOptionException;
import io.signalbus.InvalidSignalException;
import io.signalbus.PublishOutcomeUnknownException;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SignalStoreException;
import io.signalbus.json.SignalJson;
import io.signalbus.store.SignalStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * A {@link SignalStore} in the application's own database (H2 or PostgreSQL), on Spring JDBC. The
 * tables ({@code signal_bus_*}) come from {@link SignalBusSchema#migrate(DataSource)}.
 *
 * <p><b>The log.</b> One row per signal in {@code signal_bus_log}, primary key (bus, position), with
 * the signal's CloudEvents JSON envelope ({@link SignalJson}). Positions come from the bus's row in
 * {@code signal_bus_head}, moved by a short transaction of the store's own (never the caller's): its
 * row lock serialises appends to one bus until they commit, so commit order is position order and a
 * reader never finds a lower position committed after a higher one (no gaps, also across processes).
 *
 * <p><b>Transactions.</b> Inside a Spring-managed transaction that holds a connection of this
 * {@code DataSource} (a {@code DataSourceTransactionManager} on it, or a {@code JpaTransactionManager}
 * that exposes its connection), {@link #append} joins it without touching the head: it stages the
 * signals in {@code signal_bus_pending} (commits and rolls back with the caller's writes), and they
 * get their positions after that transaction commits, when the store's sequencer moves them into the
 * log, the signals of one transaction together and at consecutive positions. So a transaction that
 * stays open never makes another publisher wait, and {@code append} returns the signals with
 * position {@link io.signalbus.RecordedSignal#UNASSIGNED}; the sequencer hands them on with their
 * positions. A staged id already in the log is rejected, and the caller's transaction stays usable.
 * Signals a process committed but did not sequence (it stopped in between) are sequenced by any
 * store on the database within its {@linkplain Builder#pollInterval poll interval}. Outside a
 * transaction, appends from all threads go through one writer thread that commits whatever has
 * queued up in a single transaction (group commit), each caller waiting for its own result; a call
 * that fails in a group (a duplicate id) is retried alone so that it fails alone. Other writes
 * commit statement by statement, or join the caller's transaction.
 *
 * <p><b>Why JdbcTemplate and not Spring Data JDBC.</b> The log's hot path needs batched multi-row
 * inserts and a returning update in the caller's transaction, which repositories do not offer.
 * Spring Data JDBC would fit the subscription and dead-letter records in shape, but every write to
 * them is an insert-if-absent, an upsert or a partial update (the settings but not the checkpoint,
 * the checkpoint but not the settings), each of which needs hand-written SQL anyway; and a library
 * that brought its own mapping context, dialect and repositories into the application's context
 * would risk clashing with the application's own Spring Data setup. So every table uses plain,
 * parameterised JdbcTemplate statements, each database's SQL in its {@link StoreStatements}.
 *
 * <p><b>H2.</b> On an H2 file database the store sets {@code WRITE_DELAY} to 0 when it starts, so
 * that every commit is written to the file before it returns and a killed process loses nothing
 * that {@code publish} returned (H2's default keeps commits in memory for up to 500 ms). H2 resets
 * the setting whenever the database is reopened, so the store also keeps one connection to an H2
 * file database open for its lifetime: the database then stays open and the setting in force.
 *
 * <p><b>Timeouts.</b> A publish outside a transaction waits at most the {@linkplain Builder#publishTimeout
 * publish timeout} (10 s by default), queueing included, and stops waiting when its thread is
 * interrupted: nothing was written if the writer had not taken it yet ({@link SignalStoreException}),
 * else the outcome is unknown ({@link PublishOutcomeUnknownException}; publishing the same signals
 * again is safe, a signal id already in the log is rejected). While the database is unavailable,
 * publishes fail at once with the cause rather than queue. Every statement of the store has the
 * {@linkplain Builder#queryTimeout query timeout} (5 s by default). Neither can free a thread from a
 * connection that stopped answering inside the driver: set the driver's socket timeout (PostgreSQL:
 * {@code socketTimeout}) and the pool's connection timeout (Hikari: {@code connectionTimeout}).
 *
 * <p>Times are stored to the microsecond (truncated), PostgreSQL's precision; recorded signals
 * carry the truncated {@code recordedAt}. Failures are reported as {@link SignalStoreException}
 * naming the bus and operation. Thread-safe; {@link #close()} stops the writer and sequencer threads.
 */
public final class JdbcSignalStore extends JdbcSubscriptionStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JdbcSignalStore.class);

    /** Staged rows whose transactions one sequencing step takes (whole transactions, so possibly more). */
    private static final int SEQUENCING_BATCH = 1000;

    /** The longest wait before the listening connection is taken again after it broke. */
    private static final Duration MAX_LISTEN_BACKOFF = Duration.ofSeconds(10);

    private final JdbcDialect dialect;
    private final JdbcMapping mapping;
    private final LogAppender appender;
    private final Sequencer sequencer;
    private final LogPages pages;
    /** Tells the engine of appends elsewhere; package-private for tests. */
    final BusNotifications notifications = new BusNotifications();
    /** Keeps an H2 file database open, so that the WRITE_DELAY set at start stays in force. */
    private final @Nullable Connection keepOpen;

    /** A store on {@code dataSource} with the default {@link SignalJson} codec and timeouts. */
    public JdbcSignalStore(DataSource dataSource) {
        this(builder(dataSource));
    }

    /**
     * A store on {@code dataSource} that encodes envelopes with {@code codec}, with the default
     * timeouts. Connects once to detect the database and, on H2, to make commits durable.
     *
     * @throws IllegalArgumentException the database is neither H2 nor PostgreSQL
     * @throws SignalStoreException     the database cannot be reached
     */
    public JdbcSignalStore(DataSource dataSource, SignalJson codec) {
        this(builder(dataSource).codec(codec));
    }

    /** A builder of a store on {@code dataSource}, for the codec and the timeouts. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    private JdbcSignalStore(Builder builder) {
        this(builder, JdbcDialect.of(builder.dataSource), new JdbcMapping(builder.codec));
    }

    private JdbcSignalStore(Builder builder, JdbcDialect dialect, JdbcMapping mapping) {
        super(builder.dataSource, builder.queryTimeout, dialect.statements(), mapping);
        DataSource dataSource = builder.dataSource;
        this.dialect = dialect;
        this.mapping = mapping;
        this.pages = new LogPages(jdbc, sql, mapping);
        BusNotifications notifying = builder.notifications && sql.notifies() ? notifications : null;
        AppendStrategy append = dialect.appendStrategy(jdbc, notifying);
        this.sequencer = new Sequencer(new PendingMover(jdbc, transactions, sql, SEQUENCING_BATCH, append),
                SEQUENCING_BATCH, builder.pollInterval, notifications::appendedElsewhere);
        this.appender = new LogAppender(dataSource, jdbc, sql,
                new LogWriter(jdbc, transactions, append),
                new TransactionStager(jdbc, dialect, append, sequencer), builder.publishTimeout);
        try {
            this.keepOpen = dialect.prepare(dataSource, jdbc);
        } catch (DataAccessException | SQLException e) {
            throw new SignalStoreException("could not prepare the " + dialect + " database for the signal-bus store: "
                    + e.getMessage(), e);
        }
        sequencer.start();
        if (notifying != null) {
            notifications.listen(dataSource, MAX_LISTEN_BACKOFF);
        }
    }

    // ------------------------------------------------------------------ append

    /**
     * {@inheritDoc}
     *
     * <p>Joins the caller's transaction on this {@code DataSource} if there is one; otherwise commits
     * before returning, usually together with appends of other threads.
     *
     * @throws InvalidSignalException a signal id is already in the bus log or twice in {@code signals}
     */
    @Override
    public List<RecordedSignal> append(String busName, List<Signal> signals, Instant recordedAt) {
        return append(busName, signals, recordedAt, recorded -> { });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Outside a transaction, {@code committed} runs on the group-commit writer's thread, for the
     * appends of one group in position order; inside one, on the sequencer's thread once the
     * transaction has committed and the signals have their positions (the returned ones have
     * {@link RecordedSignal#UNASSIGNED}).
     *
     * @throws InvalidSignalException a signal id is already in the bus log or twice in {@code signals}
     */
    @Override
    public List<RecordedSignal> append(String busName, List<Signal> signals, Instant recordedAt,
            Consumer<List<RecordedSignal>> committed) {
        if (signals.isEmpty()) {
            return List.of();
        }
        var ids = new HashSet<String>();
        var envelopes = new ArrayList<String>(signals.size());
        for (Signal signal : signals) {
            if (!ids.add(signal.id())) {
                throw new InvalidSignalException("signal id '" + signal.id() + "' appears twice in one append to bus '"
                        + busName + "'");
            }
            envelopes.add(mapping.encode(signal));
        }
        var request = new AppendRequest(busName, List.copyOf(signals), envelopes,
                recordedAt.truncatedTo(ChronoUnit.MICROS), committed);
        return appender.append(request);
    }

    /**
     * Inside a transaction (with synchronization active), runs {@code action} after it commits and
     * never if it rolls back; otherwise runs it now. A failing action is logged, not thrown into the
     * committing code.
     */
    @Override
    public void afterCommit(Runnable action) {
        LogAppender.afterCommit(action);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Tells of signals this store's sequencer moved for no local caller and, on PostgreSQL with
     * {@linkplain Builder#notifications notifications} on, of every append another process
     * committed (LISTEN/NOTIFY), on the store's sequencer or listener thread.
     */
    @Override
    public Runnable onAppendedElsewhere(Consumer<String> busName) {
        return notifications.register(busName);
    }

    // ------------------------------------------------------------------ log reads

    @Override
    public List<RecordedSignal> read(String busName, long afterPosition, int limit) {
        return run(busName, "read the log after position " + afterPosition, () -> jdbc.query(sql.readLog(),
                (rs, row) -> mapping.recordedSignal(rs), busName, afterPosition, limit));
    }

    /** Bounded where it is read ({@link LogPages}). */
    @Override
    public List<RecordedSignal> read(String busName, long afterPosition, int limit, long maxBytes) {
        return run(busName, "read the log after position " + afterPosition, () -> pages.read(busName,
                afterPosition, limit, maxBytes));
    }

    @Override
    public long head(String busName) {
        return run(busName, "read the head", () -> jdbc.query(sql.readHead(),
                rs -> rs.next() ? rs.getLong(1) : 0L, busName));
    }

    @Override
    public long positionBefore(String busName, Instant time) {
        return run(busName, "find the position before " + time, () -> jdbc.query(sql.positionBefore(),
                rs -> rs.next() ? rs.getLong(1) : 0L, busName, JdbcMapping.timestamp(time)));
    }

    @Override
    public int deleteBefore(String busName, long throughPosition, Instant recordedBefore, int limit) {
        return run(busName, "delete signals at or below " + throughPosition + " recorded before " + recordedBefore,
                () -> jdbc.update(sql.deleteLogBefore(), busName, busName, throughPosition,
                        JdbcMapping.timestamp(recordedBefore), limit));
    }

    /** When the bus's first staged signal (staging order) was published that no sequencer has moved yet. */
    @Override
    public Optional<Instant> oldestUnsequenced(String busName) {
        return run(busName, "read the oldest staged signal", () -> jdbc.query(sql.oldestPending(), rs -> rs.next()
                ? Optional.ofNullable(JdbcMapping.nullableInstant(rs, 1)) : Optional.<Instant>empty(), busName));
    }

    @Override
    public Optional<RecordedSignal> signalAt(String busName, long position) {
        return run(busName, "read position " + position, () -> jdbc.query(sql.readPosition(),
                (rs, row) -> mapping.recordedSignal(rs), busName, position).stream().findFirst());
    }

    @Override
    public OptionalLong positionOf(String busName, String signalId) {
        return run(busName, "find signal " + signalId, () -> jdbc.query(sql.positionOfId(),
                rs -> rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty(), signalId, busName));
    }

    /** Configures and builds a {@link JdbcSignalStore}; every setting has a default. */
    public static final class Builder {

        private final DataSource dataSource;
        private SignalJson codec = new SignalJson();
        private Duration publishTimeout = Duration.ofSeconds(10);
        private Duration queryTimeout = Duration.ofSeconds(5);
        private Duration pollInterval = Duration.ofMillis(500);
        private boolean notifications = true;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /** How envelopes are encoded (default: a new {@link SignalJson}). */
        public Builder codec(SignalJson codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * The longest a publish outside a transaction waits for its commit, queueing included
         * (default 10 s). A publish in the caller's transaction runs on the caller's thread and is
         * bounded by the query timeout and the pool's connection timeout instead.
         *
         * @throws InvalidOptionException not positive
         */
        public Builder publishTimeout(Duration publishTimeout) {
            InvalidOptionException.requirePositive("publishTimeout", publishTimeout);
            this.publishTimeout = publishTimeout;
            return this;
        }

        /**
         * The query timeout of every statement of the store ({@link java.sql.Statement#setQueryTimeout},
         * whole seconds, rounded up; default 5 s): the database cancels a statement that runs longer,
         * which then fails and writes nothing. Shorter than the publish timeout, so that the database
         * gives up on a slow write (waiting for a lock, say) before its publisher does, and the publisher
         * gets a definite answer rather than an unknown outcome. It does not free a connection that
         * stopped answering: that takes the driver's socket timeout.
         *
         * @throws InvalidOptionException not positive
         */
        public Builder queryTimeout(Duration queryTimeout) {
            InvalidOptionException.requirePositive("queryTimeout", queryTimeout);
            long seconds = queryTimeout.toSeconds() + (queryTimeout.toNanosPart() == 0 ? 0 : 1);
            this.queryTimeout = Duration.ofSeconds(Math.min(seconds, Integer.MAX_VALUE));
            return this;
        }

        /**
         * How often the store looks for signals that were committed inside a transaction but have no
         * position yet because no process gave them one (their publisher stopped between its commit
         * and sequencing; default 500 ms, the bus's default poll interval). Signals committed in this
         * process get their positions at once after the commit.
         *
         * @throws InvalidOptionException not positive
         */
        public Builder pollInterval(Duration pollInterval) {
            InvalidOptionException.requirePositive("pollInterval", pollInterval);
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * Whether processes on one PostgreSQL database wake each other (default true): the store holds
         * one connection of the DataSource for its lifetime to LISTEN on channel {@code signal_bus}
         * (with a shared advisory lock, {@code pg_advisory_lock_shared(1936287586, 1)}, that shows other
         * sessions it listens), and while another session listens, every commit that appends to a bus
         * notifies it ({@code pg_notify}, sent on commit), so that subscriptions served there read
         * signals appended here at once rather than at their next poll. A store alone on the database
         * sends none. Turn it off behind a connection pooler that cannot hold a LISTEN
         * connection (PgBouncer in transaction mode): subscriptions then find such signals within
         * their poll interval. No effect on H2, where only the process's own appends wake subscriptions.
         */
        public Builder notifications(boolean notifications) {
            this.notifications = notifications;
            return this;
        }

        /**
         * A store with these settings. Connects once to detect the database and, on H2, to make commits
         * durable.
         *
         * @throws IllegalArgumentException the database is neither H2 nor PostgreSQL
         * @throws SignalStoreException     the database cannot be reached
         */
        public JdbcSignalStore build() {
            return new JdbcSignalStore(this);
        }
    }

    /** The database this store speaks to. */
    @Override
    public String toString() {
        return "JdbcSignalStore[" + dialect + "]";
    }

    /**
     * Stops the group-commit writer after it has written what is queued, the sequencer and the
     * listening connection. The store stays usable: later appends commit one call per transaction on
     * the caller's thread.
     */
    @Override
    public void close() {
        appender.close();
        sequencer.close();
        notifications.close();
        if (keepOpen != null) {
            try {
                keepOpen.close();
            } catch (SQLException e) {
                log.debug("could not close the connection that kept the H2 database open", e);
            }
        }
    }
}
