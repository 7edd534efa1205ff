/** Spring Boot support: auto-configuration, properties and {@code @SignalListener}. */
@NullMarked
package io.signalbus.spring;

import org.jspecify.annotations.NullMarked;
