package io.signalbus.spring.metrics;

import io.signalbus.spring.SignalBuses;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

/** Registers the gauges of existing subscriptions after refresh (when lifecycle beans have started). */
final class GaugeRegistrar implements ApplicationListener<ContextRefreshedEvent> {

    private final MicrometerSignalBusListener listener;
    private final SignalBuses buses;

    GaugeRegistrar(MicrometerSignalBusListener listener, SignalBuses buses) {
        this.listener = listener;
        this.buses = buses;
    }

    @Override
    public void onApplicationEvent(ContextRefreshedEvent event) {
        buses.names().forEach(listener::registerGauges);
    }
}
