package io.gatewayworker.host.gateway;

import static io.gatewayworker.host.gateway.WebSocketRig.ascii;
import static io.gatewayworker.host.gateway.WebSocketRig.readText;
import static io.gatewayworker.host.gateway.WebSocketRig.request;
import static io.gatewayworker.host.gateway.WebSocketRig.upgrade;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.config.Limits;
import io.gatewayworker.proto.link.v1.Body;
import io.gatewayworker.proto.link.v1.ClientEvent;
import io.gatewayworker.proto.link.v1.Command;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Send;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The opening handshake on the real listener pipeline: only RFC 6455 (version 13) is spoken, oversized
 * requests get their HTTP status, the whole handshake is bounded in time (virtual time here), and a
 * connection that goes away half-way leaves nothing behind.
 */
class WebSocketHandshakeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final int HEADER_LIMIT = 1024;

    private final WebSocketRig rig = new WebSocketRig(Limits.defaults().with(b -> {
        b.handshakeTimeout = TIMEOUT;
        b.maxHttpHeaderBytes = HEADER_LIMIT;
    }));

    @AfterEach
    void tearDown() {
        rig.close();
    }

    // ------------------------------------------------------------------ versions

    /**
     * Netty's factory answers a request without {@code Sec-WebSocket-Version} with the hixie-76
     * handshake (or drops it when it has no Origin), and versions 7 and 8 with the hybi drafts; RFC 6455
     * section 4.2.2 asks for a 426 that names the versions the server speaks.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "no version, with Origin|Origin: http://127.0.0.1",
        "no version, no Origin|",
        "version 8|Sec-WebSocket-Version: 8",
        "version 7|Sec-WebSocket-Version: 7",
        "version 0|Sec-WebSocket-Version: 0",
        "version 12|Sec-WebSocket-Version: 12",
        "version 14|Sec-WebSocket-Version: 14",
        "a list|Sec-WebSocket-Version: 13, 8",
        "empty|Sec-WebSocket-Version: ",
    })
    void anUpgradeThatIsNotVersion13GetsA426NamingVersion13(String testCase) {
        String header = testCase.substring(testCase.indexOf('|') + 1);
        EmbeddedChannel client = rig.newClient();
        try (LogCapture log = LogCapture.of(WebSocketHandshakeHandler.class)) {
            client.writeInbound(request("GET /chat HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket",
                    "Connection: Upgrade", "Sec-WebSocket-Key: " + WebSocketRig.KEY, header));
            assertRefusedWith426(client, log);
        }
    }

    @Test
    void aHixie76RequestGetsA426NamingVersion13() {
        EmbeddedChannel client = rig.newClient();
        try (LogCapture log = LogCapture.of(WebSocketHandshakeHandler.class)) {
            client.writeInbound(ascii("GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                    + "Upgrade: WebSocket\r\nOrigin: http://127.0.0.1\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
                    + "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n^n:ds[4U"));
            assertRefusedWith426(client, log);
        }
    }

    private void assertRefusedWith426(EmbeddedChannel client, LogCapture log) {
        String response = readText(client);
        assertTrue(response.startsWith("HTTP/1.1 426 Upgrade Required\r\n"), response);
        String head = response.toLowerCase(Locale.ROOT);
        assertTrue(head.contains("\r\nsec-websocket-version: 13\r\n"), response);
        assertTrue(head.contains("\r\nupgrade: websocket\r\n"), response);
        assertTrue(response.substring(response.indexOf("\r\n\r\n")).contains("version 13"), "a body that says so: " + response);
        assertFalse(client.isActive(), "the connection is closed");
        assertEquals(List.of(), rig.events(), "the app is not asked");
        assertEquals(0, rig.gateway.clientCount());
        assertEquals(0, rig.openConnections());
        assertEquals(1, log.linesWith("embedded", "426").size(), () -> "one line with the address: " + log.lines());
    }

    @Test
    void version13IsAnsweredOnlyAfterTheAppsVerdict() {
        EmbeddedChannel client = rig.newClient();
        client.writeInbound(upgrade("/chat", "Origin: http://127.0.0.1"));
        assertEquals("", readText(client));
        ClientEvent hello = rig.nextEvent();
        assertEquals(ClientEvent.Type.WEBSOCKET_CONNECT, hello.getType());
        rig.verdict(hello.getConnection(), true);
        String response = readText(client);
        assertTrue(response.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), response);
        assertTrue(response.toLowerCase(Locale.ROOT).contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=\r\n"), response);
    }

    // ------------------------------------------------------------------ sizes

    @Test
    void aHeaderBlockOverTheLimitGets431() {
        EmbeddedChannel client = rig.newClient();
        try (LogCapture log = LogCapture.of(WebSocketHandshakeHandler.class)) {
            client.writeInbound(upgrade("/", "X-Pad: " + "p".repeat(HEADER_LIMIT * 2)));
            String response = readText(client);
            assertTrue(response.startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"), response);
            assertTrue(response.contains("limit " + HEADER_LIMIT + " bytes"), response);
            assertFalse(client.isActive());
            assertEquals(List.of(), rig.events());
            assertEquals(0, rig.openConnections());
            assertEquals(1, log.linesWith("embedded", "431").size(), () -> String.valueOf(log.lines()));
        }
    }

    @Test
    void aHeaderBlockWithinTheLimitIsTaken() {
        EmbeddedChannel client = rig.newClient();
        client.writeInbound(upgrade("/", "X-Pad: " + "p".repeat(HEADER_LIMIT / 2)));
        assertEquals(ClientEvent.Type.WEBSOCKET_CONNECT, rig.nextEvent().getType());
        assertTrue(client.isActive());
    }

    @Test
    void aRequestLineOverTheLimitGets414() {
        EmbeddedChannel client = rig.newClient();
        client.writeInbound(upgrade("/" + "u".repeat(5000)));
        String response = readText(client);
        assertTrue(response.startsWith("HTTP/1.1 414 "), response);
        assertFalse(client.isActive());
        assertEquals(List.of(), rig.events());
    }

    // ------------------------------------------------------------------ the time bound

    @Test
    void aConnectionThatSendsHalfARequestIsClosedWhenTheTimeIsUp() {
        EmbeddedChannel client = rig.newClient();
        client.freezeTime();
        try (LogCapture log = LogCapture.of(WebSocketHandshakeHandler.class)) {
            client.writeInbound(ascii("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: webs"));
            client.advanceTimeBy(TIMEOUT.toMillis() / 3, TimeUnit.MILLISECONDS);
            client.runPendingTasks();
            assertTrue(client.isActive(), "not yet");
            client.advanceTimeBy(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            client.runPendingTasks();
            assertFalse(client.isActive(), "the time is up");
            assertEquals("", readText(client), "closed without an answer");
            assertEquals(List.of(), rig.events(), "the worker hears nothing");
            assertEquals(0, rig.gateway.clientCount());
            assertEquals(0, rig.openConnections());
            assertEquals(1, log.linesWith("embedded", "no completed WebSocket handshake within 3000 ms").size(),
                    () -> String.valueOf(log.lines()));
        }
    }

    @Test
    void anUpgradeWhoseAppNeverAnswersIsClosedWhenTheTimeIsUpAndALateVerdictDoesNothing() {
        EmbeddedChannel client = rig.newClient();
        client.freezeTime();
        client.writeInbound(upgrade("/"));
        int connection = rig.nextEvent().getConnection();
        String id = rig.gateway.table().idOf(connection);
        try (LogCapture log = LogCapture.of(WebSocketHandshakeHandler.class)) {
            client.advanceTimeBy(TIMEOUT.toMillis() / 3, TimeUnit.MILLISECONDS);
            client.runPendingTasks();
            assertTrue(client.isActive(), "not yet");
            client.advanceTimeBy(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            client.runPendingTasks();
            assertFalse(client.isActive(), "the time is up");
            assertEquals(1, log.linesWith("client " + id, "no completed WebSocket handshake").size(),
                    () -> String.valueOf(log.lines()));
        }
        ClientEvent close = rig.nextEvent();
        assertEquals(ClientEvent.Type.CLOSE, close.getType(), "the worker forgets the client");
        assertEquals(connection, close.getConnection());
        assertEquals(0, rig.gateway.clientCount());
        assertEquals(0, rig.openConnections());

        rig.verdict(connection, true);
        client.runPendingTasks();
        assertEquals("", readText(client), "no 101 for a client that is gone");
        assertEquals(List.of(), rig.events());
    }

    @Test
    void anOpenConnectionOutlivesTheHandshakeBound() {
        EmbeddedChannel client = rig.newClient();
        client.freezeTime();
        client.writeInbound(upgrade("/"));
        rig.verdict(rig.nextEvent().getConnection(), true);
        assertTrue(readText(client).startsWith("HTTP/1.1 101"));
        client.advanceTimeBy(TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS);
        client.runPendingTasks();
        assertTrue(client.isActive(), "the bound ends with the handshake");
        assertEquals(1, rig.gateway.clientCount());
    }

    // ------------------------------------------------------------------ half-open handshakes

    @Test
    void aConnectionThatClosesMidRequestLeavesNothingBehind() {
        EmbeddedChannel headers = rig.newClient();
        EmbeddedChannel body = rig.newClient();
        assertEquals(2, rig.openConnections());
        headers.writeInbound(ascii("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upg"));
        body.writeInbound(ascii("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n0123456789"));
        headers.close();
        body.close();
        headers.runPendingTasks();
        body.runPendingTasks();
        assertEquals(0, rig.openConnections());
        assertEquals(0, rig.gateway.clientCount());
        assertEquals(List.of(), rig.events(), "the worker hears nothing");
        assertEquals("", readText(headers));
        assertEquals("", readText(body));
    }

    @Test
    void aConnectionThatClosesWhileTheAppDecidesIsForgottenEverywhere() {
        EmbeddedChannel client = rig.newClient();
        client.writeInbound(upgrade("/"));
        int connection = rig.nextEvent().getConnection();
        // The app sends before it decides: kept until the 101 is out, released when the client goes.
        rig.link.writeInbound(Envelope.newBuilder().setCommand(Command.newBuilder().setApp("chat").setSend(Send.newBuilder()
                .addConnections(connection).setBody(Body.newBuilder().setText("early")))).build());
        client.runPendingTasks();
        assertEquals(1, rig.gateway.clientCount());

        client.close();
        client.runPendingTasks();
        ClientEvent close = rig.nextEvent();
        assertEquals(ClientEvent.Type.CLOSE, close.getType());
        assertEquals(connection, close.getConnection());
        assertEquals(0, rig.gateway.clientCount());
        assertEquals(0, rig.openConnections());

        rig.verdict(connection, true);
        client.runPendingTasks();
        assertEquals("", readText(client));
        assertEquals(List.of(), rig.events(), "a late verdict for a gone client changes nothing");
    }
}
