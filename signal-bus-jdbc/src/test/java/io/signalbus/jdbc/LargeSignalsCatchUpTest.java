package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.Signal;
import io.signalbus.SignalBus;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subscription that catches up over signals far larger in total than the heap completes: reads,
 * buffers and the pending window are bounded in bytes, not only in signals. The catch-up runs in a
 * child JVM with a small heap; a page of 500 such signals alone would not fit in it.
 */
class LargeSignalsCatchUpTest {

    private static final int SIGNALS = 250;
    private static final String HEAP = "-Xmx192m";

    @Test
    void catchUpOverSignalsLargerInTotalThanTheHeapCompletes(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("large").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
        var dataSource = new JdbcDataSource();
        dataSource.setURL(url);
        SignalBusSchema.migrate(dataSource);
        String text = "x".repeat(900_000);
        try (var store = new JdbcSignalStore(dataSource);
                SignalBus bus = SignalBus.builder().name("large").store(store).build()) {
            for (int i = 0; i < SIGNALS; i++) {
                bus.publish(Signal.of("big.payload", "/test", text));
            }
        }

        Path output = dir.resolve("child.log");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP,
                "-cp", classPath, LargeSignalsCatchUpChild.class.getName(), url, String.valueOf(SIGNALS))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean ended = child.waitFor(150, TimeUnit.SECONDS);
        if (!ended) {
            child.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(output);
        String tail = String.join(File.separator.equals("/") ? "\n" : "\r\n",
                lines.subList(Math.max(0, lines.size() - 20), lines.size()));

        assertThat(ended).as("the child ended; its output:%n%s", tail).isTrue();
        assertThat(child.exitValue()).as("the child's exit code (%s); its output:%n%s", HEAP, tail).isZero();
        assertThat(lines).contains("HANDLED " + SIGNALS + " of " + SIGNALS);
    }
}
