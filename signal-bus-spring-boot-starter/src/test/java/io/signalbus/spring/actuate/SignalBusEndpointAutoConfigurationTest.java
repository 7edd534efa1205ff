package io.signalbus.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.spring.SignalBusAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class SignalBusEndpointAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(EndpointAutoConfiguration.class, SignalBusAutoConfiguration.class,
                    SignalBusEndpointAutoConfiguration.class));

    @Test
    void registersTheEndpointAndItsWebExtensionWhenExposedOverHttp() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=signalbus").run(context -> {
            assertThat(context).hasSingleBean(SignalBusEndpoint.class);
            assertThat(context).hasSingleBean(SignalBusEndpointWebExtension.class);
        });
    }

    @Test
    void isNotAvailableUnlessExposed() {
        runner.run(context -> assertThat(context).doesNotHaveBean(SignalBusEndpoint.class));
    }

    @Test
    void isNotAvailableWithAccessNone() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=signalbus",
                "management.endpoint.signalbus.access=NONE") // upper case: the runner has no lenient enum conversion
                .run(context -> assertThat(context).doesNotHaveBean(SignalBusEndpoint.class));
    }

    @Test
    void backsOffWithoutActuator() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SignalBusAutoConfiguration.class,
                        SignalBusEndpointAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
                .withPropertyValues("management.endpoints.web.exposure.include=signalbus")
                .run(context -> assertThat(context).doesNotHaveBean(SignalBusEndpoint.class));
    }
}
