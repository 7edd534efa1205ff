package io.signalbus.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * CPU time per signal published inside a transaction, against the raw one-row (or batch)
 * transaction: this JVM's CPU (all its threads, the JIT and the collector included), the CPU of the
 * transactional {@code publish} call alone (Spring's transaction, the encoding, staging and the
 * commit, on the publishing threads), and PostgreSQL's (every {@code postgres} process of the
 * machine, from {@code /proc}). On a machine of two cores the 8-thread cases are bound by CPU, so
 * CPU per signal says what a change to either side is worth where rates spread by a third between
 * runs. Warm-up passes run until the JIT compilers are quiet ({@link Warmup}), and the JIT's share of the
 * JVM's CPU in each measured phase is printed beside it. Linux only, the database on this machine, nothing
 * else running on it:
 * {@code java -cp signal-bus-benchmarks/target/benchmarks.jar io.signalbus.benchmarks.CpuPerSignal <url> [seconds]
 * [cases]}, the cases as {@code threads x signals per transaction}, comma-separated ({@code 8x1,1x1,1x100}, all
 * three by default; one case alone, to profile it).
 */
public final class CpuPerSignal {

    /** Clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ, 100 on Linux). */
    private static final long TICKS_PER_SECOND = 100;

    private CpuPerSignal() {
    }

    public static void main(String[] args) throws Exception {
        Duration time = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 10);
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (BenchDatabase db = BenchDatabase.postgres(args[0]);
                var e2e = new SpringEndToEnd(db.dataSource(), TransactionalPublish.Orders.class)) {
            var raw = new RawJdbc(db.dataSource());
            SpringEndToEnd.Sender orders = e2e.bean(TransactionalPublish.Orders.class)::place;
            var callCpu = new LongAdder();
            SpringEndToEnd.Sender measured = signals -> {
                long before = threads.getCurrentThreadCpuTime();
                orders.send(signals);
                callCpu.add(threads.getCurrentThreadCpuTime() - before);
            };
            int[][] cases = Arrays.stream((args.length > 2 ? args[2] : "8x1,1x1,1x100").split(","))
                    .map(c -> Arrays.stream(c.trim().split("x")).mapToInt(Integer::parseInt).toArray())
                    .toArray(int[][]::new);
            Warmup.untilCompiled(() -> { // through the measuring sender, which the JIT would compile afresh
                for (int[] c : cases) {
                    e2e.fullSpeed(c[0], c[1], time, measured);
                    raw.transactions(c[0], c[1], time);
                }
            });
            System.out.println("case    | path          | signals/s | JVM µs/signal | of which JIT"
                    + " | publish call µs/signal | PostgreSQL µs/signal | total µs/signal");
            for (int[] c : cases) {
                db.settle();
                Cpu start = Cpu.now(os);
                Load.Result rawResult = raw.transactions(c[0], c[1], time);
                print(c, "raw JDBC", rawResult.units(), rawResult.perSecond(), Cpu.now(os).minus(start), -1);
                db.settle();
                callCpu.reset();
                start = Cpu.now(os);
                SpringEndToEnd.Result result = e2e.fullSpeed(c[0], c[1], time, measured);
                print(c, "transactional", result.completed().units(), result.completed().perSecond(),
                        Cpu.now(os).minus(start), callCpu.sum());
            }
        }
    }

    /** CPU used so far: this JVM's (nanoseconds), the JIT compilers' of it (milliseconds), PostgreSQL's (ticks). */
    private record Cpu(long jvmNanos, long jitMillis, long postgresTicks) {
        static Cpu now(OperatingSystemMXBean os) throws IOException {
            return new Cpu(os.getProcessCpuTime(), Warmup.compilingMillis(), CpuPerSignal.postgresTicks());
        }

        Cpu minus(Cpu start) {
            return new Cpu(jvmNanos - start.jvmNanos, jitMillis - start.jitMillis, postgresTicks - start.postgresTicks);
        }
    }

    private static void print(int[] c, String path, long signals, double perSecond, Cpu used, long callNanos) {
        double jvm = used.jvmNanos() / 1000.0 / signals;
        double postgres = used.postgresTicks() * (1_000_000.0 / TICKS_PER_SECOND) / signals;
        System.out.printf(Locale.ROOT, "%d x %-3d | %-13s | %,9.0f | %13.1f | %12.1f | %22s | %20.1f | %15.1f%n", c[0],
                c[1], path, perSecond, jvm, used.jitMillis() * 1000.0 / signals,
                callNanos < 0 ? "—" : String.format(Locale.ROOT, "%.1f", callNanos / 1000.0 / signals),
                postgres, jvm + postgres);
    }

    /**
     * User and system CPU, in clock ticks, of every live {@code postgres} process (the pool's
     * backends live as long as the pool, so none of a case's work leaves with an exited process).
     */
    private static long postgresTicks() throws IOException {
        long ticks = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : (Iterable<Path>) processes::iterator) {
                if (!process.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (!Files.readString(process.resolve("comm")).startsWith("postgres")) {
                        continue;
                    }
                    String stat = Files.readString(process.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                } catch (IOException exited) {
                    // ended between the listing and the read: not one of the pool's backends
                }
            }
        }
        return ticks;
    }
}
