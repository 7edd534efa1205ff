/** Trace propagation through signal extensions ({@code traceparent}) and a Micrometer observation per delivery. */
@NullMarked
package io.signalbus.spring.tracing;

import org.jspecify.annotations.NullMarked;
