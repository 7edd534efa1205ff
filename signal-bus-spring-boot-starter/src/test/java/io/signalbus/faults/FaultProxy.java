package io.signalbus.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a local port in front of a database, for fault injection: {@link #cut()} closes
 * every connection and refuses new ones, {@link #freeze()} keeps the sockets open but stops
 * forwarding bytes (new connections are accepted and frozen too), {@link #restore()} ends either.
 */
final class FaultProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private boolean frozen; // guarded by gate
    private volatile ServerSocket server;
    private volatile boolean closed;

    FaultProxy(String targetHost, int targetPort) throws IOException {
        this.target = new InetSocketAddress(targetHost, targetPort);
        this.server = listen(0);
        this.port = server.getLocalPort();
    }

    /** The local port to connect to instead of the target's. */
    int port() {
        return port;
    }

    /** Closes every connection and refuses new ones (the port is closed) until {@link #restore()}. */
    synchronized void cut() throws IOException {
        server.close();
        closeAll();
    }

    /** Stops forwarding bytes in both directions; sockets stay open, new connections are accepted. */
    void freeze() {
        synchronized (gate) {
            frozen = true;
        }
    }

    /** Forwards again and, after a cut, listens on the same port again. */
    synchronized void restore() throws IOException {
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
        }
        if (server.isClosed() && !closed) {
            server = listen(port);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        server.close();
        restore();
        closeAll();
    }

    private ServerSocket listen(int localPort) throws IOException {
        var socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), localPort));
        daemon("fault-proxy-accept", () -> accept(socket));
        return socket;
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            Socket client;
            try {
                client = listening.accept();
            } catch (IOException e) {
                return; // closed by cut() or close()
            }
            var upstream = new Socket();
            try {
                upstream.connect(target, 2000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            sockets.add(client);
            sockets.add(upstream);
            daemon("fault-proxy-up", () -> pump(client, upstream));
            daemon("fault-proxy-down", () -> pump(upstream, client));
        }
    }

    private void pump(Socket from, Socket to) {
        var buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                awaitFlowing();
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the connection ended; close both sides
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void awaitFlowing() throws InterruptedException {
        synchronized (gate) {
            while (frozen) {
                gate.wait();
            }
        }
    }

    private void closeAll() {
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
    }

    private void closeQuietly(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
