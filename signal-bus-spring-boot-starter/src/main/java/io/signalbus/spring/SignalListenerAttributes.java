package io.signalbus.spring;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.BeanExpressionContext;
import org.springframework.beans.factory.config.BeanExpressionResolver;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;

/**
 * The string attributes of one {@link SignalListener}, with {@code ${…}} placeholders and SpEL
 * {@code #{…}} expressions resolved as Spring Kafka's {@code @KafkaListener} resolves them: first the
 * placeholders against the environment (an unresolvable one fails), then the expression with the
 * context's {@link BeanExpressionResolver}; the result's {@code toString()} is the value.
 */
record SignalListenerAttributes(String pattern, String bus, String subscriptionId, String startFrom,
        String ackTimeout, String initialBackoff, String maxBackoff, boolean autoStartup, int partitions,
        String partitionKey) {

    static SignalListenerAttributes resolve(SignalListener annotation, @Nullable BeanFactory beanFactory) {
        var resolver = new Resolver(beanFactory instanceof ConfigurableBeanFactory c ? c : null);
        String autoStartup = resolver.resolve(annotation.autoStartup());
        if (!autoStartup.equalsIgnoreCase("true") && !autoStartup.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("autoStartup must be true or false, was '" + autoStartup + "'");
        }
        String partitions = resolver.resolve(annotation.partitions()).strip();
        if (!partitions.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("partitions must be a whole number, was '" + partitions + "'");
        }
        return new SignalListenerAttributes(resolver.resolve(annotation.value()), resolver.resolve(annotation.bus()),
                resolver.resolve(annotation.subscriptionId()), resolver.resolve(annotation.startFrom()),
                resolver.resolve(annotation.ackTimeout()), resolver.resolve(annotation.initialBackoff()),
                resolver.resolve(annotation.maxBackoff()), Boolean.parseBoolean(autoStartup),
                Integer.parseInt(partitions), resolver.resolve(annotation.partitionKey()));
    }

    private record Resolver(@Nullable ConfigurableBeanFactory beanFactory) {

        String resolve(String value) {
            if (beanFactory == null || value.isEmpty()) {
                return value;
            }
            String resolved = beanFactory.resolveEmbeddedValue(value);
            BeanExpressionResolver expressions = beanFactory.getBeanExpressionResolver();
            Object evaluated = resolved == null || expressions == null ? resolved
                    : expressions.evaluate(resolved, new BeanExpressionContext(beanFactory, null));
            return evaluated == null ? "" : evaluated.toString();
        }
    }
}
