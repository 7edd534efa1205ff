package io.signalbus.spring.actuate;

import io.signalbus.spring.SignalBusAutoConfiguration;
import io.signalbus.spring.SignalBuses;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code signalbus} endpoint, when Actuator is on the classpath and the endpoint is available
 * (its access is not {@code none} and it is exposed). Its default access is read-only.
 */
@AutoConfiguration(after = SignalBusAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(SignalBuses.class)
public class SignalBusEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    SignalBusEndpoint signalBusEndpoint(SignalBuses buses) {
        return new SignalBusEndpoint(buses);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(SignalBusEndpoint.class)
    @ConditionalOnAvailableEndpoint(endpoint = SignalBusEndpoint.class, exposure = EndpointExposure.WEB)
    SignalBusEndpointWebExtension signalBusEndpointWebExtension(SignalBusEndpoint endpoint) {
        return new SignalBusEndpointWebExtension(endpoint);
    }
}
