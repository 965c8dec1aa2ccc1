package io.gatewayworker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real, independent WebSocket client for tests: the JDK's {@code java.net.http} one. Collects text
 * messages in order; every wait is bounded.
 */
final class WsClient implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile String closeReason;
    private final java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();
    private final WebSocket socket;

    private WsClient(URI uri, String... headers) {
        this(HTTP, uri, headers);
    }

    private WsClient(HttpClient http, URI uri, String... headers) {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(WAIT);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        this.socket = builder.buildAsync(uri, new Listener()).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    static WsClient connect(URI uri) {
        return new WsClient(uri);
    }

    /**
     * Connects through an HTTP client of its own: the JDK's client runs all of its connections on one
     * selector thread, so clients measured for latency should not share it with clients that flood.
     */
    static WsClient connectAlone(URI uri) {
        return new WsClient(HttpClient.newHttpClient(), uri);
    }

    /** Connects with extra request headers: name, value, name, value... */
    static WsClient connect(URI uri, String... headers) {
        return new WsClient(uri, headers);
    }

    /** Sends a binary message and waits until it is written. */
    WsClient sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
        return this;
    }

    /** Sends a text message and waits until it is written. */
    WsClient send(String text) {
        return send(text, WAIT);
    }

    /** Sends a text message and waits, at most {@code wait}, until it is written. */
    WsClient send(String text, Duration wait) {
        socket.sendText(text, true).orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS).join();
        return this;
    }

    /** The next text message, waiting at most {@link #WAIT}. */
    String next() {
        return next(WAIT);
    }

    /** The next text message, waiting at most {@code wait}. */
    String next(Duration wait) {
        try {
            String m = messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new AssertionError("no message within " + wait.toSeconds() + " s");
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    List<String> next(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next());
        }
        return out;
    }

    void expect(String... expected) {
        assertEquals(List.of(expected), next(expected.length));
    }

    /** Asserts that no message arrives within {@code quiet}. */
    void expectNothing(Duration quiet) throws InterruptedException {
        assertNull(messages.poll(quiet.toMillis(), TimeUnit.MILLISECONDS), "unexpected message");
    }

    /** The close code the server sent, waiting at most {@link #WAIT}. */
    int awaitClose() {
        return closed.orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    String closeReason() {
        return closeReason;
    }

    /** Pings received from the server (the JDK's client answers each with a pong by itself). */
    int pings() {
        return pings.get();
    }

    boolean isClosed() {
        return closed.isDone() || socket.isInputClosed();
    }

    /** Closes normally (1000) and waits for the server's answer. */
    void closeNormally() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
        awaitClose();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
        }
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        /** Binary messages are queued as "binary:" and their bytes as UTF-8 text. */
        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                messages.add("binary:" + binary.toString(java.nio.charset.StandardCharsets.UTF_8));
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.incrementAndGet();
            return WebSocket.Listener.super.onPing(webSocket, message);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeReason = reason;
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
