package io.signalbus.benchmarks;

import io.signalbus.router.PatternTrie;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link PatternTrie#match} against a realistic routing table: mostly literal
 * {@code domain.entity.verb} patterns sharing prefixes, about 3 % per-domain and per-entity
 * wildcards, and two global ones ({@code **} for an audit log, {@code **.failed} for alerting).
 * Target: under 2 µs per match at 10,000 patterns.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouterBenchmark {

    private static final String[] VERBS = {"created", "updated", "deleted", "shipped", "paid", "failed", "archived"};

    @Param({"10", "1000", "10000"})
    public int patterns;

    private final PatternTrie<String> trie = new PatternTrie<>();
    /** The literal patterns only, keyed by type: what an exact-match router would cost. */
    private final Map<String, List<String>> literals = new HashMap<>();
    private String registeredType = "";

    @Setup
    public void register() {
        trie.add("**", 0, "audit");
        trie.add("**.failed", 50, "alerts");
        for (int i = 0; i < patterns; i++) {
            int domain = i % 50;
            int entity = (i / 50) % 200;
            String verb = VERBS[i % VERBS.length];
            String pattern = switch (i % 100) {
                case 7 -> "domain" + domain + ".*." + verb;
                case 37 -> "domain" + domain + ".entity" + entity + ".**";
                case 77 -> "*.entity" + entity + "." + verb;
                default -> "domain" + domain + ".entity" + entity + "." + verb;
            };
            trie.add(pattern, i % 3 - 1, "subscriber-" + i);
            if (!pattern.contains("*")) {
                literals.computeIfAbsent(pattern, p -> new ArrayList<>()).add("subscriber-" + i);
            }
        }
        int middle = patterns / 2;
        registeredType = "domain" + middle % 50 + ".entity" + (middle / 50) % 200 + "." + VERBS[middle % VERBS.length];
        if (trie.match(registeredType).size() < 2) {
            throw new IllegalStateException(registeredType + " should match its literal pattern and the audit log");
        }
    }

    /** A type with a literal subscriber, plus whatever wildcards reach it. */
    @Benchmark
    public List<String> matchRegisteredType() {
        return trie.match(registeredType);
    }

    /**
     * Baseline: a {@code HashMap} lookup of the same type among the literal patterns, the floor for
     * any router (it cannot match wildcards).
     */
    @Benchmark
    public List<String> baselineHashMapLookup() {
        return literals.get(registeredType);
    }

    /** A type no domain knows: only the global patterns match. */
    @Benchmark
    public List<String> matchUnknownDomain() {
        return trie.match("billing.invoice.sent");
    }

    /** A deeper type that only wildcards can reach. */
    @Benchmark
    public List<String> matchDeepType() {
        return trie.match("domain3.entity10.payment.card.failed");
    }
}
