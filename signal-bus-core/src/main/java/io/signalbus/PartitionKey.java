package io.signalbus;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * What a partitioned persistent subscription ({@link SubscribeOptions#partitions(int)}) keeps in order:
 * signals with the same key go to the same partition and are handled one at a time there, in position
 * order; signals of other keys are handled concurrently. The default is {@link #subject()}.
 *
 * <p>A key maps to its partition by {@link #partitionOf(String, int)}, a hash fixed by this
 * documentation, so every instance and every version of signal-bus agrees on it.
 */
@FunctionalInterface
public interface PartitionKey {

    /**
     * The key of {@code signal}; never null. Keep it cheap and deterministic: every instance computes
     * it for every signal of the log.
     */
    String keyOf(Signal signal);

    /** The CloudEvents {@code subject}; the signal's id when it has none (such signals are spread, unordered). */
    static PartitionKey subject() {
        return SubjectKey.INSTANCE;
    }

    /**
     * The value of the extension attribute {@code name} (as text, binary values in Base64); the
     * signal's id when the signal
     * does not carry it.
     *
     * @throws InvalidOptionException when {@code name} is not a valid extension name
     */
    static PartitionKey extension(String name) {
        if (name == null || !name.matches("[a-z0-9]{1,64}")) {
            throw new InvalidOptionException("invalid partition key extension " + SignalBusException.quote(name)
                    + ": an extension name is 1 to 64 lower-case letters or digits");
        }
        return signal -> {
            Object value = signal.extensions().get(name);
            return value == null ? signal.id()
                    : value instanceof byte[] bytes ? Base64.getEncoder().encodeToString(bytes) : value.toString();
        };
    }

    /**
     * The partition of {@code key} among {@code partitions}: the 64-bit FNV-1a hash of the key's UTF-8
     * bytes (offset basis {@code 0xcbf29ce484222325}, prime {@code 0x100000001b3}), mixed by
     * MurmurHash3's 64-bit finaliser ({@code fmix64}) so that every bit counts, then taken as an unsigned
     * number modulo {@code partitions}. Fixed: changing it would move keys between partitions of
     * existing subscriptions and break their order.
     *
     * @throws InvalidOptionException when {@code partitions} is below 1
     */
    static int partitionOf(String key, int partitions) {
        InvalidOptionException.requireRange("partitions", partitions, 1, Integer.MAX_VALUE);
        return (int) Long.remainderUnsigned(hash(key), partitions);
    }

    /**
     * The 64-bit hash of {@link #partitionOf}: FNV-1a over the UTF-8 bytes of {@code key}, mixed by
     * MurmurHash3's {@code fmix64}. Also ranks instances for a partition (rendezvous hashing).
     */
    static long hash(String key) {
        Objects.requireNonNull(key, "key");
        long hash = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return hash;
    }
}
