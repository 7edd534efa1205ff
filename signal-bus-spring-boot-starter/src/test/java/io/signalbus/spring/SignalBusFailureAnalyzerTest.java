package io.signalbus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.InvalidOptionException;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class SignalBusFailureAnalyzerTest {

    private final SignalBusFailureAnalyzer analyzer = new SignalBusFailureAnalyzer();
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SignalBusAutoConfiguration.class));

    private FailureAnalysis analysisOfTheStartupWith(String... properties) {
        Throwable[] failure = new Throwable[1];
        runner.withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            failure[0] = context.getStartupFailure();
        });
        FailureAnalysis analysis = analyzer.analyze(failure[0]);
        assertThat(analysis).as("an analysis of %s", failure[0]).isNotNull();
        return analysis;
    }

    @Test
    void jdbcStoreWithoutADataSourceIsExplainedWithBothWaysOut() {
        FailureAnalysis direct = analyzer.analyze(new IllegalStateException("wrapped", new NoDataSourceException()));
        assertThat(direct.getDescription()).contains("signal-bus.store=jdbc", "no single DataSource bean");
        assertThat(direct.getAction()).contains("spring.datasource.url", "signal-bus.store=memory");

        FailureAnalysis analysis = analysisOfTheStartupWith("signal-bus.store=jdbc");
        assertThat(analysis.getDescription()).isEqualTo(direct.getDescription());
        assertThat(analysis.getCause()).isInstanceOf(NoDataSourceException.class);
    }

    @Test
    void anInvalidPropertyNamesTheProperty_itsValueAndTheReason() {
        FailureAnalysis analysis = analysisOfTheStartupWith("signal-bus.jdbc.query-timeout=-1s");

        assertThat(analysis.getDescription()).startsWith("Invalid value for signal-bus.jdbc.query-timeout: '-1s'")
                .contains("Reason: signal-bus.jdbc.query-timeout must be a positive duration, was PT-1S",
                        "Origin: \"signal-bus.jdbc.query-timeout\" from property source");
        assertThat(analysis.getAction()).startsWith("Correct signal-bus.jdbc.query-timeout, or remove it");

        FailureAnalysis startFrom = analysisOfTheStartupWith("signal-bus.buses.audit.start-from=yesterday");
        assertThat(startFrom.getDescription()).startsWith("Invalid value for signal-bus.buses.audit.start-from:"
                + " 'yesterday'").contains("Reason: invalid start-from 'yesterday'");
    }

    @Test
    void anInvalidOptionOutsideBindingAndAnUnknownBusAreExplainedToo() {
        FailureAnalysis option = analyzer.analyze(new InvalidOptionException("maxAttempts must be between 1 and 100"));
        assertThat(option.getDescription()).isEqualTo("signal-bus refused an option: maxAttempts must be between 1 and 100");
        assertThat(option.getAction()).contains("@SignalListener");

        FailureAnalysis bus = analyzer.analyze(new RuntimeException(new UnknownBusException("x", Set.of("default"))));
        assertThat(bus.getDescription()).contains("no bus named 'x'");
        assertThat(bus.getAction()).contains("signal-bus.buses.<name>");

        assertThat(analyzer.analyze(new IllegalStateException("not ours"))).isNull();
    }

    @SpringBootConfiguration
    @ImportAutoConfiguration(SignalBusAutoConfiguration.class)
    static class FailingApplication {
    }

    @Test
    void aFailingApplicationReportsTheAnalysisInsteadOfTheExceptionChain(CapturedOutput output) {
        var application = new SpringApplication(FailingApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);

        assertThatThrownBy(() -> application.run("--signal-bus.store=jdbc", "--spring.main.banner-mode=off"))
                .hasRootCauseInstanceOf(NoDataSourceException.class);

        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("signal-bus is configured to store its log in a database")
                .contains("Action:").contains("set signal-bus.store=memory");
    }

    @Test
    void anInvalidPropertyIsReportedByThisAnalyzerRatherThanBootsGenericBindAnalysis(CapturedOutput output) {
        var application = new SpringApplication(FailingApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);

        assertThatThrownBy(() -> application.run("--signal-bus.jdbc.query-timeout=-1s", "--spring.main.banner-mode=off"))
                .hasRootCauseInstanceOf(InvalidOptionException.class);

        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Invalid value for signal-bus.jdbc.query-timeout: '-1s'")
                .contains("Correct signal-bus.jdbc.query-timeout, or remove it to take the default.")
                .doesNotContain("Failed to bind properties under");
    }
}
