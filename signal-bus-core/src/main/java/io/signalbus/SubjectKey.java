package io.signalbus;

/** {@link PartitionKey#subject()}: a named type, so that options print it readably. */
final class SubjectKey implements PartitionKey {

    static final SubjectKey INSTANCE = new SubjectKey();

    private SubjectKey() {
    }

    @Override
    public String keyOf(Signal signal) {
        String subject = signal.subject();
        return subject != null ? subject : signal.id();
    }

    @Override
    public String toString() {
        return "PartitionKey.subject()";
    }
}
