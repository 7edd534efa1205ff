package io.signalbus.shutdown;

import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application {@link H2GracefulShutdownTest} runs in a child JVM on an H2 file database: it
 * subscribes persistently, publishes one signal with the subject {@code --shutdown.run}, prints how
 * long the signal took to be handled, and then waits to be stopped (SIGTERM: Boot's shutdown hook
 * closes the context while H2's own hook may close the database).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class H2ShutdownApplication {

    public static void main(String[] args) throws Exception {
        ConfigurableApplicationContext context = new SpringApplication(H2ShutdownApplication.class).run(args);
        String run = context.getEnvironment().getRequiredProperty("shutdown.run");
        SignalBus bus = context.getBean(SignalBus.class);
        var handled = new CountDownLatch(1);
        bus.subscribe("order.*", SubscribeOptions.persistent("orders").startFrom(StartFrom.origin()), delivery -> {
            if (run.equals(delivery.signal().subject())) {
                handled.countDown();
            }
            delivery.ack();
        });
        long started = System.nanoTime();
        bus.publish(Signal.builder("order.created").source("test").subject(run).build());
        boolean inTime = handled.await(10, TimeUnit.SECONDS);
        System.out.println("HANDLED " + run + " " + (inTime
                ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms" : "never"));
        System.out.println("URL " + context.getEnvironment().getProperty("spring.datasource.url"));
    }
}
