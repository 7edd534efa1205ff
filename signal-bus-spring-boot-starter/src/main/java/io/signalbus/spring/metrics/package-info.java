/** Micrometer metrics of every bus, bound through the core's {@link io.signalbus.SignalBusListener} SPI. */
@NullMarked
package io.signalbus.spring.metrics;

import org.jspecify.annotations.NullMarked;
