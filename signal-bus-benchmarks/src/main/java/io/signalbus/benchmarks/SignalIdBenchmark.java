package io.signalbus.benchmarks;

import io.signalbus.SignalIds;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link SignalIds#next()} (UUIDv7, strictly increasing within the JVM) against the JDK's random
 * UUID as a string, the id most applications would otherwise use.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SignalIdBenchmark {

    @Benchmark
    public String signalId() {
        return SignalIds.next();
    }

    /** Baseline: {@code UUID.randomUUID().toString()} (SecureRandom, no ordering). */
    @Benchmark
    public String randomUuid() {
        return UUID.randomUUID().toString();
    }
}
