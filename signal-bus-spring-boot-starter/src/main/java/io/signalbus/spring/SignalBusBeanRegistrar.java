package io.signalbus.spring;

import io.signalbus.SignalBus;
import java.util.Map;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Registers a {@link SignalBus} bean named after each bus under {@code signal-bus.buses.<name>}, so
 * {@code @Qualifier("audit") SignalBus audit} works. The application's own bean of that name wins.
 */
class SignalBusBeanRegistrar implements BeanDefinitionRegistryPostProcessor {

    private final Environment environment;

    SignalBusBeanRegistrar(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        Map<String, Object> buses = Binder.get(environment)
                .bind("signal-bus.buses", Bindable.mapOf(String.class, Object.class)).orElse(Map.of());
        for (String name : buses.keySet()) {
            if (name.equals(SignalBusAutoConfiguration.DEFAULT_BUS) || registry.containsBeanDefinition(name)
                    || registry.isAlias(name)) {
                continue;
            }
            var definition = new RootBeanDefinition(SignalBus.class);
            definition.setInstanceSupplier(() -> ((BeanFactory) registry).getBean(SignalBuses.class).get(name));
            definition.setDestroyMethodName(null); // SignalBuses closes every bus
            registry.registerBeanDefinition(name, definition);
        }
    }
}
