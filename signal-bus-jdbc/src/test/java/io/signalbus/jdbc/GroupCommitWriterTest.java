package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.signalbus.InvalidSignalException;
import io.signalbus.PublishOutcomeUnknownException;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SignalStoreException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The group-commit queue on its own, with fake writes, so that grouping is deterministic. */
class GroupCommitWriterTest {

    private final CountDownLatch firstWriteMayFinish = new CountDownLatch(1);
    private final List<Integer> groupSizes = new CopyOnWriteArrayList<>();
    private final List<String> writtenAlone = new CopyOnWriteArrayList<>();
    private final AtomicLong head = new AtomicLong();
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    @Test
    void requestsQueuedDuringACommitAreWrittenTogetherInTheNextOne() {
        try (var writer = writer(false)) {
            CompletableFuture<List<RecordedSignal>> first = CompletableFuture.supplyAsync(() -> writer.append(request("a")), callers);
            await().until(() -> writtenAlone.size() == 1);
            var others = new ArrayList<CompletableFuture<List<RecordedSignal>>>();
            for (int i = 0; i < 5; i++) {
                String bus = "b" + i;
                others.add(CompletableFuture.supplyAsync(() -> writer.append(request(bus)), callers));
            }
            await().until(() -> writer.queued() == 5);
            firstWriteMayFinish.countDown();

            assertThat(first.join()).extracting(RecordedSignal::position).containsExactly(1L);
            assertThat(others).allSatisfy(f -> assertThat(f.join()).hasSize(1));
            assertThat(groupSizes).containsExactly(5);
        }
    }

    @Test
    void committedSignalsAreHandedOnInPositionOrderBeforeAnyCallerOfTheGroupReturns() {
        var handedOn = new CopyOnWriteArrayList<Long>();
        var callersDoneAtHandOff = new CopyOnWriteArrayList<Boolean>();
        var calls = new ArrayList<CompletableFuture<List<RecordedSignal>>>();
        try (var writer = writer(false)) {
            CompletableFuture.supplyAsync(() -> writer.append(request("a")), callers);
            await().until(() -> writtenAlone.size() == 1);
            for (int i = 0; i < 6; i++) {
                String bus = "b" + i;
                AppendRequest request = request(bus, recorded -> {
                    handedOn.add(recorded.get(0).position());
                    callersDoneAtHandOff.add(calls.stream().anyMatch(CompletableFuture::isDone));
                });
                calls.add(CompletableFuture.supplyAsync(() -> writer.append(request), callers));
                await().until(() -> writer.queued() == calls.size());
            }
            firstWriteMayFinish.countDown();

            calls.forEach(CompletableFuture::join);
            assertThat(handedOn).containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(callersDoneAtHandOff).containsOnly(false);
        }
    }

    @Test
    void whenAGroupFailsItsRequestsAreRetriedAloneAndOnlyTheBadOneFails() {
        try (var writer = writer(true)) {
            CompletableFuture.supplyAsync(() -> writer.append(request("a")), callers);
            await().until(() -> writtenAlone.size() == 1);
            CompletableFuture<List<RecordedSignal>> good = CompletableFuture.supplyAsync(() -> writer.append(request("ok")), callers);
            CompletableFuture<List<RecordedSignal>> bad = CompletableFuture.supplyAsync(() -> writer.append(request("bad")), callers);
            await().until(() -> writer.queued() == 2);
            firstWriteMayFinish.countDown();

            assertThat(good.join()).hasSize(1);
            assertThatThrownBy(bad::join).hasCauseInstanceOf(InvalidSignalException.class);
            assertThat(writtenAlone).containsExactlyInAnyOrder("a", "ok", "bad");
        }
    }

    @Test
    void aCallerWhoseRequestIsStillQueuedWhenTheTimeoutPassesIsToldNothingWasWrittenAndItNeverIs() {
        try (var writer = writer(false, Duration.ofMillis(300))) {
            CompletableFuture<List<RecordedSignal>> first = CompletableFuture.supplyAsync(() -> writer.append(request("a")), callers);
            await().until(() -> writtenAlone.size() == 1);

            long started = System.nanoTime();
            assertThatThrownBy(() -> writer.append(request("late")))
                    .isInstanceOf(SignalStoreException.class).hasMessageContaining("nothing was written");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            assertThatThrownBy(first::join).hasCauseInstanceOf(PublishOutcomeUnknownException.class)
                    .hasMessageContaining("same ids is safe");

            firstWriteMayFinish.countDown();
            // until the writer has finished the first write, callers fail at once: it ran past the timeout
            await().ignoreExceptions().until(() -> writer.append(request("next")).size() == 1);
            assertThat(writtenAlone).containsExactly("a", "next");
        }
    }

    @Test
    void anInterruptedCallerStopsWaitingWithItsInterruptFlagSet() throws Exception {
        try (var writer = writer(false)) {
            CompletableFuture.supplyAsync(() -> writer.append(request("a")), callers);
            await().until(() -> writtenAlone.size() == 1);
            var failure = new CompletableFuture<RuntimeException>();
            var stillInterrupted = new CompletableFuture<Boolean>();
            Thread caller = new Thread(() -> {
                try {
                    writer.append(request("interrupted"));
                } catch (RuntimeException e) {
                    failure.complete(e);
                }
                stillInterrupted.complete(Thread.currentThread().isInterrupted());
            });
            caller.start();
            await().until(() -> writer.queued() == 1);
            caller.interrupt();

            assertThat(failure.get(2, TimeUnit.SECONDS)).isInstanceOf(SignalStoreException.class)
                    .hasMessageContaining("interrupted");
            assertThat(stillInterrupted.get(2, TimeUnit.SECONDS)).isTrue();
            firstWriteMayFinish.countDown();
        }
    }

    @Test
    void afterAWriteFailsForWantOfAConnectionCallersFailAtOnceWithTheCause() {
        firstWriteMayFinish.countDown();
        try (var writer = writer(false)) {
            assertThatThrownBy(() -> writer.append(request("down"))).hasMessageContaining("no connection");

            assertThatThrownBy(() -> writer.append(request("ok")))
                    .isInstanceOf(SignalStoreException.class)
                    .hasMessageContaining("the database was unavailable")
                    .hasMessageContaining("down")
                    .hasMessageContaining("nothing was written");
            assertThat(writtenAlone).containsExactly("down");
        }
    }

    @Test
    void afterCloseAppendsAreWrittenAloneOnTheCallersThread() {
        var writer = writer(false);
        firstWriteMayFinish.countDown();
        writer.close();

        assertThat(writer.append(request("late"))).hasSize(1);
        assertThat(writtenAlone).containsExactly("late");
    }

    private GroupCommitWriter writer(boolean groupsFail) {
        return writer(groupsFail, Duration.ofSeconds(10));
    }

    private GroupCommitWriter writer(boolean groupsFail, Duration publishTimeout) {
        return new GroupCommitWriter("test-writer", 100, 1000, publishTimeout, new GroupCommitWriter.Log() {
            @Override
            public List<List<RecordedSignal>> writeGroup(List<AppendRequest> group) {
                groupSizes.add(group.size());
                if (groupsFail) {
                    throw new IllegalStateException("a duplicate somewhere in the group");
                }
                return group.stream().map(GroupCommitWriterTest.this::write).toList();
            }

            @Override
            public List<RecordedSignal> writeAlone(AppendRequest request) {
                writtenAlone.add(request.bus());
                if (request.bus().equals("a")) {
                    awaitUninterruptibly(firstWriteMayFinish);
                }
                if (request.bus().equals("bad")) {
                    throw new InvalidSignalException("duplicate id in " + request.bus());
                }
                if (request.bus().equals("down")) {
                    throw new SignalStoreException("no connection", new SQLTransientConnectionException("down"));
                }
                return write(request);
            }

            @Override
            public RuntimeException failure(AppendRequest request, RuntimeException failure) {
                return new SignalStoreException("group failed", failure);
            }

            @Override
            public boolean unavailable(Throwable failure) {
                return failure.getCause() instanceof SQLTransientConnectionException;
            }

            @Override
            public boolean retryAlone(RuntimeException failure) {
                return !unavailable(failure);
            }
        });
    }

    private List<RecordedSignal> write(AppendRequest request) {
        return request.signals().stream()
                .map(s -> new RecordedSignal(head.incrementAndGet(), s, request.recordedAt())).toList();
    }

    private static AppendRequest request(String bus) {
        return request(bus, recorded -> { });
    }

    private static AppendRequest request(String bus, Consumer<List<RecordedSignal>> committed) {
        Signal signal = Signal.of("t.e", "group-commit-test", Map.of("bus", bus));
        return new AppendRequest(bus, List.of(signal), List.of("{}"), Instant.EPOCH, committed);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // keep waiting: the test releases it
            }
        }
    }
}
