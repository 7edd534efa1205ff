/** The storage SPI of signal-bus (log, subscriptions, retry state, dead letters) and its in-memory store. */
@NullMarked
package io.signalbus.store;

import org.jspecify.annotations.NullMarked;
