package io.gatewayworker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heartbeats with the chat example: a silent client that answers pings (the JDK's client does) stays
 * connected; one that never answers is closed after the idle timeout, and the app sees it leave.
 */
class HeartbeatEndToEndTest {

    private static final Duration PING = Duration.ofMillis(200);
    private static final Duration IDLE = Duration.ofMillis(1000);

    @TempDir
    Path dir;

    @Test
    void silentClientsArePingedAndOneThatNeverAnswersIsClosed() throws Exception {
        TestApps.chat(dir.resolve("plugins"));
        try (TestHost server = TestHost.start(dir, c -> c.withLimits(c.limits().with(b -> {
                    b.pingInterval = PING;
                    b.idleTimeout = IDLE;
                })));
             WsClient quiet = server.client()) {
            String id = quiet.next().substring("Hello ".length());
            quiet.expect(id + " login");

            try (Socket raw = new Socket("127.0.0.1", server.uri().getPort())) {
                raw.setSoTimeout(10_000);
                long opened = handshake(raw);
                String login = quiet.next();
                assertTrue(login.endsWith(" login"), login);
                String rawId = login.substring(0, login.length() - " login".length());

                // The raw client reads nothing more and answers no ping: it is closed after IDLE.
                assertEquals(rawId + " logout", quiet.next());
                long silentFor = (System.nanoTime() - opened) / 1_000_000;
                assertTrue(silentFor >= IDLE.toMillis() - 50, "closed after " + silentFor + " ms, before the idle timeout");
                assertTrue(silentFor < 4 * IDLE.toMillis(), "closed only after " + silentFor + " ms");
            }

            // The quiet client sent nothing all this time but answered every ping.
            assertTrue(quiet.pings() >= 3, "pings seen: " + quiet.pings());
            assertFalse(quiet.isClosed());
            quiet.send("still here");
            quiet.expect(id + " said still here");
        }
    }

    /** A WebSocket upgrade over a plain socket; returns when the 101 has been read (nanoTime). */
    private static long handshake(Socket socket) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed during the handshake: " + head);
            }
            head.append((char) b);
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
        return System.nanoTime();
    }
}
