/** Actuator support: the {@code signalBus} health contributor and the {@code signalbus} endpoint. */
@NullMarked
package io.signalbus.spring.actuate;

import org.jspecify.annotations.NullMarked;
