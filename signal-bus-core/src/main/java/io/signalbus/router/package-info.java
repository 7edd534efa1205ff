/** The one pattern matcher of signal-bus: type and pattern grammar and the pattern trie. */
@NullMarked
package io.signalbus.router;

import org.jspecify.annotations.NullMarked;
