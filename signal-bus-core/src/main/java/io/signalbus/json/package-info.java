/** The CloudEvents JSON codec that signals are stored in, and the shared Jackson mapper for signal data. */
@NullMarked
package io.signalbus.json;

import org.jspecify.annotations.NullMarked;
