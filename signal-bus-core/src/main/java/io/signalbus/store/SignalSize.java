package io.signalbus.store;

import io.signalbus.Signal;
import org.jspecify.annotations.Nullable;

/**
 * How many bytes a signal takes in the log, about: its data's JSON plus every attribute and
 * extension (names and values) in UTF-8, without the JSON punctuation. Close to the envelope's size
 * without encoding it again; what publish limits ({@code max-payload-size}) and what bounds reads and
 * buffers in bytes.
 */
public final class SignalSize {

    private SignalSize() {
    }

    /** The size of {@code signal} in bytes, about. */
    public static long of(Signal signal) {
        byte[] data = signal.dataJson();
        long size = data == null ? 0 : data.length;
        size += utf8Length(signal.id()) + utf8Length(signal.source()) + utf8Length(signal.type())
                + utf8Length(signal.subject()) + utf8Length(signal.datacontenttype())
                + utf8Length(signal.dataschema()) + (signal.time() == null ? 0 : signal.time().toString().length());
        for (var extension : signal.extensions().entrySet()) {
            size += utf8Length(extension.getKey()) + utf8Length(extension.getValue().toString());
        }
        return size;
    }

    private static long utf8Length(@Nullable String text) {
        if (text == null) {
            return 0;
        }
        long length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // a surrogate pair is 4 bytes: 2 for each half
            length += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return length;
    }
}
