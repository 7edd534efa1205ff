package io.signalbus.benchmarks;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Warm-up passes until the JIT compilers are quiet. On a machine of two cores under full load (8
 * publishing threads, the bus's own threads, PostgreSQL), the compiler threads get a small share of
 * the CPU, and a fixed warm-up of a few seconds left the bus's code (Spring's transaction, the
 * encoder, the store's statements) compiling through the measured rounds: {@code CpuPerSignal} found
 * 53-84 µs of compiling per signal in a 15-second phase after 45 s of warm-up, against 6-9 µs after
 * 135 s. A pass should run every path its measurement alternates between (the bus and raw JDBC), since
 * switching between them changes type profiles and compiles code again.
 */
final class Warmup {

    /** A pass during which the compilers used less than this share of its wall time ends the warm-up. */
    static final double QUIET = 0.02;
    /** Passes at most. */
    static final int MAX_PASSES = 8;

    private Warmup() {
    }

    /** A pass of the workloads to warm up. */
    interface Pass {
        void run() throws Exception;
    }

    /**
     * Runs {@code pass} at least twice and until a pass is quiet ({@link #QUIET}) or {@link #MAX_PASSES} have
     * run; prints each pass's compile time.
     */
    static void untilCompiled(Pass pass) throws Exception {
        for (int n = 1; n <= MAX_PASSES; n++) {
            long compiling = compilingMillis();
            long start = System.nanoTime();
            pass.run();
            double wallMillis = (System.nanoTime() - start) / 1e6;
            double share = (compilingMillis() - compiling) / wallMillis;
            System.out.printf(Locale.ROOT, "  warm-up pass %d: compiling %.1f %% of %.1f s%n", n, share * 100,
                    wallMillis / 1000);
            if (n >= 2 && share < QUIET) {
                return;
            }
        }
        System.out.printf(Locale.ROOT, "  warm-up: the compilers were still busy after %d passes%n", MAX_PASSES);
    }

    /** Milliseconds the JIT compilers have spent compiling so far, summed over their threads. */
    static long compilingMillis() {
        CompilationMXBean compilation = ManagementFactory.getCompilationMXBean();
        return compilation == null ? 0 : compilation.getTotalCompilationTime();
    }
}
