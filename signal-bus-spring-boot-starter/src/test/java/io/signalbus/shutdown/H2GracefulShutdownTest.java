package io.signalbus.shutdown;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A graceful shutdown (SIGTERM) of an application on an H2 file releases its claims before H2
 * closes, with or without {@code DB_CLOSE_ON_EXIT=FALSE} in the URL, so that the next start handles
 * signals at once instead of waiting on STANDBY for the old lease (30 s) to run out.
 */
class H2GracefulShutdownTest {

    private static final Pattern HANDLED = Pattern.compile("HANDLED (\\S+) (\\d+) ms");

    @ParameterizedTest
    @ValueSource(strings = { "", ";DB_CLOSE_ON_EXIT=FALSE" })
    void aRestartAfterSigtermHandlesSignalsWithinTwoSeconds(String options) throws Exception {
        String url = "jdbc:h2:file:" + Path.of("target", "h2-shutdown", UUID.randomUUID().toString(), "db")
                .toAbsolutePath() + options;
        for (String run : List.of("run-1", "run-2")) {
            Process child = start(url, run);
            var output = new StringBuffer();
            Thread reader = new Thread(() -> {
                try (var in = child.inputReader(StandardCharsets.UTF_8)) {
                    in.lines().forEach(line -> output.append(line).append('\n'));
                } catch (IOException e) {
                    output.append(e);
                }
            }, "child-output");
            reader.start();
            try {
                Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> output.indexOf("URL ") >= 0
                        || !child.isAlive());
                Matcher handled = HANDLED.matcher(output);
                assertThat(handled.find()).as("%s handled its signal; output:%n%s", run, output).isTrue();
                assertThat(Long.parseLong(handled.group(2))).as("ms until %s handled its signal", run)
                        .isLessThan(2000);

                child.toHandle().destroy(); // SIGTERM: a graceful shutdown
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                reader.join(5000);
                assertThat(output.toString()).as("output of %s", run).doesNotContain("could not release the claim")
                        .doesNotContain("Database is already closed");
            } finally {
                child.destroyForcibly();
            }
        }
    }

    private static Process start(String url, String run) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-Xmx192m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), H2ShutdownApplication.class.getName(),
                "--spring.main.banner-mode=off", "--spring.main.web-application-type=none",
                "--spring.datasource.url=" + url, "--spring.datasource.username=sa", "--shutdown.run=" + run,
                "--signal-bus.poll-interval=100ms")
                .redirectErrorStream(true).start();
    }
}
