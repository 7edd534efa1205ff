package io.signalbus.benchmarks;

import io.signalbus.Signal;
import io.signalbus.SignalIds;
import io.signalbus.json.SignalJson;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.json.JsonMapper;

/**
 * The log's envelope codec ({@link SignalJson}) on a signal with about 330 bytes of JSON data,
 * against plain Jackson writing and reading the same envelope as a {@code Map}: the cost of the
 * signal model (validation, CloudEvents mapping, typed attributes) on top of JSON itself.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SignalJsonBenchmark {

    private final SignalJson codec = new SignalJson();
    private final JsonMapper mapper = SignalJson.defaultMapper();
    private Signal signal;
    private String envelope = "";

    @Setup
    public void prepare() {
        signal = Payloads.signal(42, System.nanoTime());
        envelope = codec.encode(signal);
    }

    /** Builds a signal and encodes it, as the publish path does (the data is serialised here too). */
    @Benchmark
    public String encode() {
        return codec.encode(Payloads.signal(42, 7));
    }

    /** Baseline of {@link #encode()}: builds the same data and envelope as maps and lets Jackson write them. */
    @Benchmark
    public String encodeMapBaseline() {
        var map = new LinkedHashMap<String, Object>();
        map.put("specversion", "1.0");
        map.put("id", SignalIds.next());
        map.put("source", Payloads.SOURCE);
        map.put("type", Payloads.TYPE);
        map.put("time", Instant.now().toString());
        map.put("datacontenttype", "application/json");
        map.put("data", Payloads.data(42, 7));
        return mapper.writeValueAsString(map);
    }

    @Benchmark
    public Signal decode() {
        return codec.decode(envelope);
    }

    /** Baseline of {@link #decode()}: Jackson reads the same envelope into a Map. */
    @Benchmark
    public Object decodeMapBaseline() {
        return mapper.readValue(envelope, LinkedHashMap.class);
    }

    /** The envelope the benchmark encodes, for the report. */
    static int envelopeBytes() {
        return new SignalJson().encode(Payloads.signal(42, System.nanoTime())).length();
    }
}
