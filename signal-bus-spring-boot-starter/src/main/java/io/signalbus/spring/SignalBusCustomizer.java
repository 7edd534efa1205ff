package io.signalbus.spring;

import io.signalbus.SignalBusBuilder;

/** Adjusts a bus before it is built (a clock, interceptors, listeners…); applied in order to every bus. */
@FunctionalInterface
public interface SignalBusCustomizer {

    void customize(String busName, SignalBusBuilder builder);
}
