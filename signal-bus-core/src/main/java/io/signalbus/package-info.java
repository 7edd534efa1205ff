/** The public API of signal-bus: signals, the bus, subscriptions, deliveries and their errors. */
@NullMarked
package io.signalbus;

import org.jspecify.annotations.NullMarked;
