package io.signalbus.spring.actuate;

import io.signalbus.spring.SignalBusAutoConfiguration;
import io.signalbus.spring.SignalBuses;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The {@code signalBus} health contributor (one indicator per bus), when Spring Boot's health support
 * is on the classpath; switched off with {@code management.health.signalbus.enabled=false}.
 */
@AutoConfiguration(after = SignalBusAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(SignalBuses.class)
@ConditionalOnEnabledHealthIndicator("signalbus")
@EnableConfigurationProperties
public class SignalBusHealthContributorAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SignalBusHealthContributorAutoConfiguration.class);

    /**
     * The settings: first the deprecated {@code signal-bus.health.*} names, then, since the class is
     * {@code @ConfigurationProperties}, Boot binds {@code management.health.signalbus.*} over them.
     */
    @Bean
    @ConditionalOnMissingBean
    SignalBusHealthProperties signalBusHealthProperties(Environment environment) {
        var properties = new SignalBusHealthProperties();
        if (Binder.get(environment).bind(SignalBusHealthProperties.DEPRECATED_PREFIX, Bindable.ofInstance(properties))
                .isBound()) {
            log.warn("{}.* is deprecated: use {}.* (the same names)", SignalBusHealthProperties.DEPRECATED_PREFIX,
                    SignalBusHealthProperties.PREFIX);
        }
        return properties;
    }

    /**
     * Named so that the contributor is {@code signalBus} ({@code /actuator/health/signalBus}, and
     * {@code /actuator/health/signalBus/{bus}} for one bus).
     */
    @Bean
    @ConditionalOnMissingBean(name = "signalBusHealthContributor")
    SignalBusHealthContributor signalBusHealthContributor(SignalBuses buses, SignalBusHealthProperties properties) {
        return new SignalBusHealthContributor(buses, properties, Clock.systemUTC());
    }
}
