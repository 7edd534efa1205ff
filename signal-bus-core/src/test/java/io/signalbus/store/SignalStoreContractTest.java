package io.signalbus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.InvalidSignalException;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SignalStore} must do. The in-memory, H2 and PostgreSQL stores each run it by
 * supplying only {@link #store()}. Every test uses fresh bus names, so a database that earlier runs
 * left data in does not matter.
 */
public abstract class SignalStoreContractTest {

    protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    protected SignalStore store;
    protected String bus;

    /** The store under test; called before each test. */
    protected abstract SignalStore store();

    @BeforeEach
    void setUpStore() {
        store = store();
        bus = freshBusName();
    }

    protected static String freshBusName() {
        return "bus-" + UUID.randomUUID().toString().substring(0, 13);
    }

    protected static Signal signal(String type, int n) {
        return Signal.of(type, "contract-test", Map.of("n", n));
    }

    private List<RecordedSignal> appendMany(int count, Instant at) {
        return store.append(bus, IntStream.rangeClosed(1, count).mapToObj(i -> signal("t.e", i)).toList(), at);
    }

    private SubscriptionRecord subscription(String id, Checkpoint checkpoint) {
        return new SubscriptionRecord(bus, id, "order.**", checkpoint, 100, 5, Duration.ofSeconds(30), 0, T0);
    }

    @Test
    void readBoundedInBytesStopsBeforeTheSignalThatWouldPassTheBoundButAlwaysReturnsTheFirst() {
        String kilobytes = "x".repeat(10_000);
        store.append(bus, IntStream.rangeClosed(1, 6).mapToObj(i -> Signal.builder("t.big").source("/test")
                .data(Map.of("n", i, "text", kilobytes)).build()).toList(), T0);

        List<RecordedSignal> page = store.read(bus, 0, 100, 35_000);
        List<RecordedSignal> one = store.read(bus, 2, 100, 1);

        assertThat(page).extracting(RecordedSignal::position).as("about 10 KB each: three fit in 35 KB, a fourth"
                + " starts past it only if the envelope is measured smaller").hasSizeBetween(3, 4).startsWith(1L, 2L, 3L);
        assertThat(one).extracting(RecordedSignal::position).containsExactly(3L);
        assertThat(store.read(bus, 0, 2, 1_000_000)).hasSize(2);
    }

    @Test
    void appendAssignsStrictlyIncreasingPositionsStartingAtOne() {
        List<RecordedSignal> first = appendMany(3, T0);
        List<RecordedSignal> second = appendMany(2, T0);

        assertThat(first).extracting(RecordedSignal::position).containsExactly(1L, 2L, 3L);
        assertThat(second).extracting(RecordedSignal::position).containsExactly(4L, 5L);
        assertThat(store.head(bus)).isEqualTo(5);
    }

    @Test
    void headOfAnEmptyBusIsZero() {
        assertThat(store.head(bus)).isZero();
        assertThat(store.read(bus, 0, 10)).isEmpty();
    }

    @Test
    void eachBusHasItsOwnLog() {
        String other = freshBusName();
        appendMany(3, T0);
        store.append(other, List.of(signal("x.y", 1)), T0);

        assertThat(store.head(other)).isEqualTo(1);
        assertThat(store.read(other, 0, 10)).extracting(RecordedSignal::position).containsExactly(1L);
    }

    @Test
    void readReturnsSignalsAfterThePositionInOrderUpToTheLimit() {
        appendMany(10, T0);

        assertThat(store.read(bus, 3, 4)).extracting(RecordedSignal::position).containsExactly(4L, 5L, 6L, 7L);
        assertThat(store.read(bus, 8, 100)).extracting(RecordedSignal::position).containsExactly(9L, 10L);
        assertThat(store.read(bus, 10, 100)).isEmpty();
    }

    @Test
    void readReturnsEveryAttributeAsAppended() {
        Signal signal = Signal.builder("order.created").source("/orders").subject("order-42")
                .time(Instant.parse("2026-02-03T04:05:06.789Z")).dataschema("https://example.com/order.json")
                .data(Map.of("order_id", "order_123", "items", List.of(Map.of("sku", "ITEM001", "quantity", 2))))
                .extension("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .extension("priority", 7)
                .build();
        store.append(bus, List.of(signal), T0);

        RecordedSignal read = store.read(bus, 0, 1).get(0);

        assertThat(read.recordedAt()).isEqualTo(T0);
        assertThat(read.signal().id()).isEqualTo(signal.id());
        assertThat(read.signal().type()).isEqualTo("order.created");
        assertThat(read.signal().source()).isEqualTo("/orders");
        assertThat(read.signal().subject()).isEqualTo("order-42");
        assertThat(read.signal().time()).isEqualTo(signal.time());
        assertThat(read.signal().dataschema()).isEqualTo("https://example.com/order.json");
        assertThat(read.signal().datacontenttype()).isEqualTo("application/json");
        assertThat(read.signal().data()).isEqualTo(signal.data());
        assertThat(read.signal().extensions()).containsEntry("traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(((Number) read.signal().extensions().get("priority")).intValue()).isEqualTo(7);
    }

    @Test
    void aBatchWithADuplicateIdWritesNothing() {
        appendMany(2, T0);
        Signal existing = store.read(bus, 0, 1).get(0).signal();
        List<Signal> batch = List.of(signal("a.b", 1), existing);

        assertThatThrownBy(() -> store.append(bus, batch, T0))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining(existing.id());
        assertThat(store.head(bus)).isEqualTo(2);
        assertThat(store.positionOf(bus, batch.get(0).id())).isEmpty();
    }

    @Test
    void positionBeforeFindsTheLastSignalRecordedStrictlyBeforeTheTime() {
        appendMany(2, T0);
        appendMany(3, T0.plusSeconds(10));

        assertThat(store.positionBefore(bus, T0)).isZero();
        assertThat(store.positionBefore(bus, T0.plusSeconds(1))).isEqualTo(2);
        assertThat(store.positionBefore(bus, T0.plusSeconds(10))).isEqualTo(2);
        assertThat(store.positionBefore(bus, T0.plusSeconds(11))).isEqualTo(5);
    }

    @Test
    void anAppendWithAnEarlierTimeThanTheLastIsRecordedAtTheLastTime() {
        appendMany(2, T0.plusSeconds(10));

        List<RecordedSignal> late = appendMany(2, T0);

        assertThat(late).extracting(RecordedSignal::recordedAt).containsOnly(T0.plusSeconds(10));
        assertThat(store.read(bus, 0, 10)).extracting(RecordedSignal::recordedAt).containsOnly(T0.plusSeconds(10));
        assertThat(store.positionBefore(bus, T0.plusSeconds(10))).isZero();
        assertThat(appendMany(1, T0.plusSeconds(20)).get(0).recordedAt()).isEqualTo(T0.plusSeconds(20));
    }

    @Test
    void signalAtAndPositionOfFindSignalsByPositionAndId() {
        List<RecordedSignal> recorded = appendMany(3, T0);

        assertThat(store.signalAt(bus, 2)).map(r -> r.signal().id()).contains(recorded.get(1).signal().id());
        assertThat(store.signalAt(bus, 4)).isEmpty();
        assertThat(store.positionOf(bus, recorded.get(2).signal().id())).hasValue(3);
        assertThat(store.positionOf(bus, "no-such-id")).isEmpty();
        assertThat(store.positionOf(freshBusName(), recorded.get(2).signal().id())).isEmpty();
    }

    @Test
    void createSubscriptionKeepsTheFirstRecord() {
        SubscriptionRecord first = store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        SubscriptionRecord second = store.createSubscription(
                new SubscriptionRecord(bus, "s1", "other.*", new Checkpoint(5, null), 1, 1, Duration.ofSeconds(1), 9,
                        T0.plusSeconds(5)));

        assertThat(second.pattern()).isEqualTo("order.**");
        assertThat(store.findSubscription(bus, "s1")).contains(first);
        assertThat(store.findSubscription(bus, "s2")).isEmpty();
    }

    @Test
    void createdSubscriptionKeepsItsPartitionCount() {
        store.createSubscription(new SubscriptionRecord(bus, "split", "order.**", Checkpoint.ORIGIN, 100, 5,
                Duration.ofSeconds(30), 0, T0, 16));

        assertThat(store.findSubscription(bus, "split").orElseThrow().partitions()).isEqualTo(16);
        assertThat(store.findSubscription(bus, "s1")).isEmpty();
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        assertThat(store.findSubscription(bus, "s1").orElseThrow().partitions()).isEqualTo(1);
    }

    @Test
    void subscriptionsAreListedByIdPerBus() {
        store.createSubscription(subscription("b", Checkpoint.ORIGIN));
        store.createSubscription(subscription("a", Checkpoint.ORIGIN));

        assertThat(store.subscriptions(bus)).extracting(SubscriptionRecord::subscriptionId).containsExactly("a", "b");
        assertThat(store.subscriptions(freshBusName())).isEmpty();
    }

    @Test
    void updateSettingsReplacesSettingsButKeepsTheCheckpoint() {
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        store.saveCheckpoint(bus, "s1", 0, new Checkpoint(7, T0));

        store.updateSettings(new SubscriptionRecord(bus, "s1", "order.**", Checkpoint.ORIGIN, 50, 3,
                Duration.ofSeconds(5), 10, T0));

        SubscriptionRecord stored = store.findSubscription(bus, "s1").orElseThrow();
        assertThat(stored.checkpoint()).isEqualTo(new Checkpoint(7, T0));
        assertThat(stored.maxInFlight()).isEqualTo(50);
        assertThat(stored.maxAttempts()).isEqualTo(3);
        assertThat(stored.ackTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(stored.priority()).isEqualTo(10);
    }

    @Test
    void saveCheckpointStoresPositionAndTimeAndForgetsAttemptsAtOrBelowIt() {
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        store.saveAttempts(bus, "s1", 0, 3, 1);
        store.saveAttempts(bus, "s1", 0, 4, 2);
        store.saveAttempts(bus, "s1", 0, 9, 4);

        store.saveCheckpoint(bus, "s1", 0, new Checkpoint(4, T0));

        assertThat(store.findSubscription(bus, "s1").orElseThrow().checkpoint()).isEqualTo(new Checkpoint(4, T0));
        assertThat(store.attempts(bus, "s1", 0)).isEqualTo(Map.of(9L, 4));
    }

    @Test
    void saveAttemptsReplacesTheCountOfAPosition() {
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        store.saveAttempts(bus, "s1", 0, 3, 1);
        store.saveAttempts(bus, "s1", 0, 3, 2);

        assertThat(store.attempts(bus, "s1", 0)).isEqualTo(Map.of(3L, 2));
        assertThat(store.attempts(bus, "s1", 3)).isEmpty();
    }

    @Test
    void deadLettersAreStoredListedCountedAndDeleted() {
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        List<RecordedSignal> recorded = appendMany(3, T0);
        store.addDeadLetter(bus, 0, deadLetter("s1", recorded.get(2), 5));
        store.addDeadLetter(bus, 0, deadLetter("s1", recorded.get(0), 5));

        List<DeadLetter> listed = store.deadLetters(bus, "s1", 10);

        assertThat(listed).extracting(DeadLetter::position).containsExactly(1L, 3L);
        DeadLetter first = listed.get(0);
        assertThat(first.subscriptionId()).isEqualTo("s1");
        assertThat(first.signal().id()).isEqualTo(recorded.get(0).signal().id());
        assertThat(first.signal().data()).isEqualTo(recorded.get(0).signal().data());
        assertThat(first.attempts()).isEqualTo(5);
        assertThat(first.errorType()).isEqualTo("java.lang.IllegalStateException");
        assertThat(first.errorMessage()).isEqualTo("boom 1");
        assertThat(first.deadLetteredAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(store.countDeadLetters(bus, "s1")).isEqualTo(2);
        assertThat(store.deadLetters(bus, "s1", 1)).extracting(DeadLetter::position).containsExactly(1L);

        assertThat(store.deleteDeadLetter(bus, "s1", 1)).isTrue();
        assertThat(store.deleteDeadLetter(bus, "s1", 1)).isFalse();
        assertThat(store.countDeadLetters(bus, "s1")).isEqualTo(1);
    }

    @Test
    void aDeadLetterAtTheSamePositionReplacesTheEarlierOne() {
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        RecordedSignal recorded = appendMany(1, T0).get(0);
        store.addDeadLetter(bus, 0, deadLetter("s1", recorded, 5));
        store.addDeadLetter(bus, 0, deadLetter("s1", recorded, 3));

        assertThat(store.deadLetters(bus, "s1", 10)).extracting(DeadLetter::attempts).containsExactly(3);
    }

    @Test
    void deleteSubscriptionRemovesItsAttemptsAndDeadLetters() {
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        RecordedSignal recorded = appendMany(1, T0).get(0);
        store.saveAttempts(bus, "s1", 0, 1, 2);
        store.addDeadLetter(bus, 0, deadLetter("s1", recorded, 5));

        assertThat(store.deleteSubscription(bus, "s1")).isTrue();
        assertThat(store.deleteSubscription(bus, "s1")).isFalse();

        assertThat(store.findSubscription(bus, "s1")).isEmpty();
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        assertThat(store.attempts(bus, "s1", 0)).isEmpty();
        assertThat(store.countDeadLetters(bus, "s1")).isZero();
    }

    /** A claim at the current time: a store shared by processes ignores the time given. */
    protected @Nullable Lease claim(String id, String owner, Duration lease) {
        return store.claim(bus, id, owner, Instant.now(), lease);
    }

    @Test
    void aFreeSubscriptionCanBeClaimedAndItsOwnerRenewsTheClaimKeepingTheEpoch() {
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));

        Lease first = claim("s1", "node-a", Duration.ofSeconds(30));
        Lease renewed = claim("s1", "node-a", Duration.ofSeconds(30));

        assertThat(first).isNotNull();
        assertThat(first.owner()).isEqualTo("node-a");
        assertThat(first.epoch()).isEqualTo(1);
        assertThat(renewed).isNotNull();
        assertThat(renewed.epoch()).isEqualTo(1);
        assertThat(renewed.leaseUntil()).isAfterOrEqualTo(first.leaseUntil());
        assertThat(claim("missing", "node-a", Duration.ofSeconds(30))).isNull();
    }

    @Test
    void anotherOwnerCannotClaimUntilTheLeaseEndsThenTakesItWithTheNextEpoch() {
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        assertThat(claim("s1", "node-a", Duration.ofMillis(300))).isNotNull();

        assertThat(claim("s1", "node-b", Duration.ofSeconds(30))).isNull();
        Lease taken = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> claim("s1", "node-b", Duration.ofSeconds(30)), Objects::nonNull);

        assertThat(taken.epoch()).isEqualTo(2);
        assertThat(claim("s1", "node-a", Duration.ofSeconds(30))).isNull();
    }

    @Test
    void theCurrentClaimsOfABusNameEachClaimedSubscriptionsOwnerAndEpochUntilReleased() {
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        store.createSubscription(subscription("s2", Checkpoint.ORIGIN));
        store.createSubscription(subscription("unclaimed", Checkpoint.ORIGIN));
        assertThat(store.currentClaims(bus, Instant.now())).isEmpty();

        long epoch = claim("s1", "node-a", Duration.ofSeconds(30)).epoch();
        claim("s2", "node-b", Duration.ofSeconds(30));
        String otherBus = bus + "-other";
        store.createSubscription(new SubscriptionRecord(otherBus, "s3", "order.**", Checkpoint.ORIGIN, 100, 5,
                Duration.ofSeconds(30), 0, T0));
        assertThat(store.claim(otherBus, "s3", "node-c", Instant.now(), Duration.ofSeconds(30))).isNotNull();
        Map<String, Lease> claims = store.currentClaims(bus, Instant.now());
        assertThat(claims).containsOnlyKeys("s1", "s2");
        assertThat(claims.get("s1")).satisfies(lease -> {
            assertThat(lease.owner()).isEqualTo("node-a");
            assertThat(lease.epoch()).isEqualTo(epoch);
        });
        assertThat(claims.get("s2").owner()).isEqualTo("node-b");

        store.release(bus, "s1", "node-a");
        assertThat(store.currentClaims(bus, Instant.now())).containsOnlyKeys("s2");
    }

    @Test
    void heartbeatsListTheLiveMembersInIdOrderUntilTheirLeaseEnds() {
        assertThat(store.heartbeat(bus, "s1", "node-b", Instant.now(), Duration.ofMillis(300)))
                .containsExactly("node-b");
        assertThat(store.heartbeat(bus, "s1", "node-a", Instant.now(), Duration.ofSeconds(30)))
                .containsExactly("node-a", "node-b");
        assertThat(store.heartbeat(bus, "other", "node-c", Instant.now(), Duration.ofSeconds(30)))
                .containsExactly("node-c");

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> store.heartbeat(bus, "s1", "node-a", Instant.now(), Duration.ofSeconds(30)),
                        List.of("node-a")::equals);
    }

    @Test
    void aMemberThatLeavesIsNoLongerListed() {
        store.heartbeat(bus, "s1", "node-b", Instant.now(), Duration.ofSeconds(30));
        store.leave(bus, "s1", "node-b");

        assertThat(store.heartbeat(bus, "s1", "node-a", Instant.now(), Duration.ofSeconds(30)))
                .containsExactly("node-a");
    }

    @Test
    void everyClaimThatIsNotARenewalIncrementsTheEpoch() {
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        assertThat(claim("s1", "node-a", Duration.ofSeconds(30)).epoch()).isEqualTo(1);
        store.release(bus, "s1", "node-a");

        assertThat(claim("s1", "node-a", Duration.ofMillis(200)).epoch()).as("taken again after a release")
                .isEqualTo(2);
        // first asked once the 200 ms lease has ended: taken again by its owner after its lease ended
        await().pollDelay(Duration.ofMillis(400)).atMost(Duration.ofSeconds(5))
                .until(() -> claim("s1", "node-a", Duration.ofSeconds(30)).epoch() == 3);
        assertThat(claim("s1", "node-a", Duration.ofSeconds(30)).epoch()).isEqualTo(3);
    }

    @Test
    void writesWithAStaleEpochAreRefusedAndChangeNothing() {
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        RecordedSignal recorded = appendMany(1, T0).get(0);
        long stale = claim("s1", "node-a", Duration.ofSeconds(30)).epoch();
        store.release(bus, "s1", "node-a");
        long current = claim("s1", "node-b", Duration.ofSeconds(30)).epoch();
        store.saveCheckpoint(bus, "s1", current, new Checkpoint(1, T0));
        store.saveAttempts(bus, "s1", current, 5, 1);

        assertThatThrownBy(() -> store.saveCheckpoint(bus, "s1", stale, new Checkpoint(9, T0)))
                .isInstanceOf(ClaimLostException.class).hasMessageContaining("'s1'")
                .satisfies(e -> assertThat(((ClaimLostException) e).epoch()).isEqualTo(stale));
        assertThatThrownBy(() -> store.saveAttempts(bus, "s1", stale, 5, 3)).isInstanceOf(ClaimLostException.class);
        assertThatThrownBy(() -> store.addDeadLetter(bus, stale, deadLetter("s1", recorded, 5)))
                .isInstanceOf(ClaimLostException.class);

        assertThat(store.findSubscription(bus, "s1").orElseThrow().checkpoint()).isEqualTo(new Checkpoint(1, T0));
        assertThat(store.attempts(bus, "s1", 0)).isEqualTo(Map.of(5L, 1));
        assertThat(store.countDeadLetters(bus, "s1")).isZero();
        store.addDeadLetter(bus, current, deadLetter("s1", recorded, 5));
        assertThat(store.countDeadLetters(bus, "s1")).isEqualTo(1);
    }

    @Test
    void fencedWritesForASubscriptionThatDoesNotExistDoNothing() {
        RecordedSignal recorded = appendMany(1, T0).get(0);

        store.saveCheckpoint(bus, "missing", 7, new Checkpoint(1, T0));
        store.saveAttempts(bus, "missing", 7, 1, 1);
        store.addDeadLetter(bus, 7, deadLetter("missing", recorded, 5));

        assertThat(store.findSubscription(bus, "missing")).isEmpty();
    }

    @Test
    void onlyTheOwnerCanReleaseAClaim() {
        store.createSubscription(subscription("s1", Checkpoint.ORIGIN));
        claim("s1", "node-a", Duration.ofSeconds(30));

        store.release(bus, "s1", "node-b");
        assertThat(claim("s1", "node-b", Duration.ofSeconds(30))).isNull();

        store.release(bus, "s1", "node-a");
        assertThat(claim("s1", "node-b", Duration.ofSeconds(30))).isNotNull();
    }

    @Test
    void deleteBeforeRemovesOldSettledSignalsButKeepsTheHeadAndPositions() {
        List<RecordedSignal> old = appendMany(3, T0);
        appendMany(3, T0.plusSeconds(60));

        int deleted = store.deleteBefore(bus, 5, T0.plusSeconds(30), 100);

        assertThat(deleted).isEqualTo(3);
        assertThat(store.head(bus)).isEqualTo(6);
        assertThat(store.read(bus, 0, 10)).extracting(RecordedSignal::position).containsExactly(4L, 5L, 6L);
        assertThat(store.signalAt(bus, 2)).isEmpty();
        assertThat(store.positionOf(bus, old.get(0).signal().id())).isEmpty();
        assertThat(store.append(bus, List.of(signal("t.e", 7)), T0.plusSeconds(90)).get(0).position()).isEqualTo(7);
    }

    @Test
    void deleteBeforeStopsAtThePositionAndTheLimit() {
        appendMany(6, T0);

        assertThat(store.deleteBefore(bus, 4, T0.plusSeconds(1), 2)).isEqualTo(2);
        assertThat(store.deleteBefore(bus, 4, T0.plusSeconds(1), 100)).isEqualTo(2);
        assertThat(store.deleteBefore(bus, 4, T0.plusSeconds(1), 100)).isZero();
        assertThat(store.read(bus, 0, 10)).extracting(RecordedSignal::position).containsExactly(5L, 6L);
    }

    private static DeadLetter deadLetter(String subscriptionId, RecordedSignal recorded, int attempts) {
        return new DeadLetter(subscriptionId, recorded.position(), recorded.signal(), attempts,
                IllegalStateException.class.getName(), "boom " + recorded.position(), T0.plusSeconds(1));
    }
}
