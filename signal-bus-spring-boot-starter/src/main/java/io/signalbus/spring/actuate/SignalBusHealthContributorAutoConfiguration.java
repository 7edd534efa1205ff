package io.signalbus.spring.actuate;

import io.signalbus.spring.SignalBusAutoConfiguration;
import io.signalbus.spring.SignalBuses;
import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code signalBus} health contributor (one indicator per bus), when Spring Boot's health support is on the classpath;
 * switched off with {@code management.health.signalbus.enabled=false}.
 */
@AutoConfiguration(after = SignalBusAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(SignalBuses.class)
@ConditionalOnEnabledHealthIndicator("signalbus")
@EnableConfigurationProperties(SignalBusHealthProperties.class)
public class SignalBusHealthContributorAutoConfiguration {

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
