package io.signalbus.jdbc;

/** Waits that an interrupt cannot cut short, for shutting down the store's own threads. */
final class Uninterruptibly {

    private Uninterruptibly() {
    }

    /**
     * Waits until {@code thread} has ended, however often the caller is interrupted meanwhile; the
     * caller's interrupt flag is set again afterwards if it was interrupted.
     */
    static void join(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
