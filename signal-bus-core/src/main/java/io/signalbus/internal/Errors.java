package io.signalbus.internal;

/** How the engine describes what went wrong, in statuses and health. */
final class Errors {

    private Errors() {
    }

    /** {@code Type: message}, as statuses and health show it. */
    static String describe(Throwable e) {
        return e.getClass().getName() + ": " + e.getMessage();
    }
}
