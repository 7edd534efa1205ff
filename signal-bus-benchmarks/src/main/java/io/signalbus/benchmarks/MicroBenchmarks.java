package io.signalbus.benchmarks;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs the JMH benchmarks of this module (shorter than their defaults) and adds them to the report. */
final class MicroBenchmarks {

    private MicroBenchmarks() {
    }

    /** Scores by "Class.method" or "Class.method[param]". */
    static Map<String, Double> run(int warmups, int iterations, String logFile) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(RouterBenchmark.class.getName() + ".(matchRegisteredType|matchDeepType|baselineHashMapLookup)")
                .include(SignalIdBenchmark.class.getName())
                .include(SignalJsonBenchmark.class.getName())
                .include(InMemoryBusBenchmark.class.getName())
                .warmupIterations(warmups)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(1))
                .forks(1)
                .shouldFailOnError(true)
                .output(logFile);
        Collection<RunResult> results = new Runner(options.build()).run();
        var scores = new LinkedHashMap<String, Double>();
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            String key = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            String patterns = result.getParams().getParam("patterns");
            if (patterns != null) {
                key += "[" + patterns + "]";
            }
            scores.put(key, result.getPrimaryResult().getScore());
            System.out.printf("  %s: %,.1f %s%n", key, result.getPrimaryResult().getScore(),
                    result.getPrimaryResult().getScoreUnit());
        }
        return scores;
    }

    static void report(Map<String, Double> s, Report report) {
        String section = "Micro-benchmarks (JMH, one fork, average of the measured iterations)";
        for (String patterns : new String[] {"10", "1000", "10000"}) {
            Double trie = s.get("RouterBenchmark.matchRegisteredType[" + patterns + "]");
            Double deep = s.get("RouterBenchmark.matchDeepType[" + patterns + "]");
            Double base = s.get("RouterBenchmark.baselineHashMapLookup[" + patterns + "]");
            boolean target = patterns.equals("10000");
            String label = String.format("%,d", Integer.parseInt(patterns));
            if (trie != null && base != null) {
                report.time(section, "router: match a registered type among " + label + " patterns", trie,
                        "HashMap lookup of the type", base, target ? "< 2 µs" : "—",
                        target ? trie < 2_000 : null);
            }
            if (deep != null && base != null) {
                report.time(section, "router: match a 5-segment type only wildcards reach, " + label + " patterns",
                        deep, "HashMap lookup of the type", base, target ? "< 2 µs" : "—",
                        target ? deep < 2_000 : null);
            }
        }
        pair(s, report, section, "signal id (UUIDv7, monotonic)", "SignalIdBenchmark.signalId",
                "UUID.randomUUID().toString()", "SignalIdBenchmark.randomUuid");
        pair(s, report, section, "JSON encode: build a signal + envelope (" + SignalJsonBenchmark.envelopeBytes()
                + " bytes)", "SignalJsonBenchmark.encode", "Jackson, same envelope from maps",
                "SignalJsonBenchmark.encodeMapBaseline");
        pair(s, report, section, "JSON decode: envelope to Signal", "SignalJsonBenchmark.decode",
                "Jackson, same envelope to a Map", "SignalJsonBenchmark.decodeMapBaseline");
        Double bus = s.get("InMemoryBusBenchmark.publishAndAck");
        Double handoff = s.get("InMemoryBusBenchmark.arrayBlockingQueueHandoff");
        if (bus != null && handoff != null) {
            report.rate(section, "in-memory publish + ack, 1 persistent subscription", bus,
                    "ArrayBlockingQueue hand-off", handoff, 0.5);
        }
    }

    private static void pair(Map<String, Double> s, Report report, String section, String figure, String key,
            String baselineName, String baselineKey) {
        Double value = s.get(key);
        Double baseline = s.get(baselineKey);
        if (value != null && baseline != null) {
            report.time(section, figure, value, baselineName, baseline, "—", null);
        }
    }
}
