package io.gatewayworker.host.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.config.ClusterConfig;
import io.gatewayworker.host.config.Limits;
import io.gatewayworker.host.link.InternalNetwork;
import io.gatewayworker.host.config.ListenerConfig;
import io.gatewayworker.host.link.LinkProtocol;
import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.proto.link.v1.AppInfo;
import io.gatewayworker.proto.link.v1.ClientEvent;
import io.gatewayworker.proto.link.v1.Command;
import io.gatewayworker.proto.link.v1.Credit;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Hello;
import io.gatewayworker.proto.link.v1.Role;
import io.gatewayworker.proto.link.v1.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A gateway with one worker link (app {@code chat}) and clients on the real listener pipeline, all
 * driven through EmbeddedChannels on the test's thread: the client side is fed raw bytes and read back
 * as raw bytes, the worker side is a {@link WorkerLinkHandler} fed with Envelopes. Every channel is
 * finished and its leftovers released by {@link #close()}.
 */
final class WebSocketRig implements AutoCloseable {

    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    final GatewayServer gateway;
    final EmbeddedChannel link;
    private final EventLoops loops;
    private final List<EmbeddedChannel> clients = new ArrayList<>();
    /** The connection number of the client {@link #openClient()} opened last. */
    int connection;

    WebSocketRig(Limits limits) {
        loops = EventLoops.create(1);
        gateway = new GatewayServer(new InternalNetwork(loops, "test", ClusterConfig.defaults()),
                new InternalAddress("127.0.0.1", 2300), null, List.of(), List.of(ListenerConfig.parse("ws://127.0.0.1:0")), limits);
        link = new EmbeddedChannel(new WorkerLinkHandler(gateway));
        link.writeInbound(Envelope.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(LinkProtocol.VERSION)
                .setRole(Role.WORKER).setName("w1")
                .addApps(AppInfo.newBuilder().setId("chat").setVersion("1").setServing(true))).build());
        Envelope welcome = link.readOutbound();
        assertTrue(welcome.hasWelcome(), welcome::toString);
        link.writeInbound(Envelope.newBuilder().setCredit(Credit.newBuilder().setEvents(1000)).build());
    }

    @Override
    public void close() {
        clients.forEach(EmbeddedChannel::finishAndReleaseAll);
        link.finishAndReleaseAll();
        loops.close();
    }

    // ------------------------------------------------------------------ clients

    /** A new connection to the listener, nothing sent yet. */
    EmbeddedChannel newClient() {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocketListenerInitializer(gateway, gateway.listeners().get(0)));
        clients.add(client);
        return client;
    }

    /** A client whose handshake the app accepted; the 101 and both events are consumed. */
    EmbeddedChannel openClient() {
        EmbeddedChannel client = newClient();
        client.writeInbound(upgrade("/"));
        ClientEvent hello = nextEvent();
        assertEquals(ClientEvent.Type.WEBSOCKET_CONNECT, hello.getType());
        connection = hello.getConnection();
        verdict(connection, true);
        String response = readText(client);
        assertTrue(response.startsWith("HTTP/1.1 101 Switching Protocols"), response);
        assertEquals(ClientEvent.Type.CONNECT, nextEvent().getType());
        return client;
    }

    /** The app's verdict on {@code connection}'s handshake. */
    void verdict(int connection, boolean accept) {
        link.writeInbound(Envelope.newBuilder().setCommand(Command.newBuilder().setApp("chat")
                .setVerdict(Verdict.newBuilder().setConnection(connection).setAccept(accept))).build());
    }

    /** Connections the listener counts as open. */
    int openConnections() {
        return gateway.listeners().get(0).limiter().open();
    }

    // ------------------------------------------------------------------ the worker's side

    /** Every event sent to the worker so far. */
    List<ClientEvent> events() {
        link.runPendingTasks();
        List<ClientEvent> events = new ArrayList<>();
        Envelope env;
        while ((env = link.readOutbound()) != null) {
            if (env.hasEvent()) {
                events.add(env.getEvent());
            }
        }
        return events;
    }

    /** The next event sent to the worker; fails when there is none. */
    ClientEvent nextEvent() {
        List<ClientEvent> events = events();
        assertFalse(events.isEmpty(), "no event sent to the worker");
        assertEquals(1, events.size(), () -> "one event expected, got " + events);
        return events.get(0);
    }

    // ------------------------------------------------------------------ what clients send

    /** A version-13 upgrade request for {@code path}, with {@code extraHeaders} (each "Name: value"). */
    static ByteBuf upgrade(String path, String... extraHeaders) {
        return request("GET " + path + " HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13", String.join("\r\n", extraHeaders));
    }

    /** An HTTP request head made of {@code lines} (blank ones skipped), ended by an empty line. */
    static ByteBuf request(String... lines) {
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            if (!line.isEmpty()) {
                sb.append(line).append("\r\n");
            }
        }
        return ascii(sb.append("\r\n").toString());
    }

    static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    /** A client frame: {@code first} is FIN, RSV and opcode; masked unless {@code masked} is false. */
    static ByteBuf frame(int first, boolean masked, byte[] payload) {
        byte[] mask = {0x37, (byte) 0xFA, 0x21, 0x3D};
        ByteBuf frame = Unpooled.buffer(payload.length + 14);
        frame.writeByte(first);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length <= 125) {
            frame.writeByte(maskBit | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.writeByte(maskBit | 126).writeShort(payload.length);
        } else {
            frame.writeByte(maskBit | 127).writeLong(payload.length);
        }
        if (masked) {
            frame.writeBytes(mask);
        }
        for (int i = 0; i < payload.length; i++) {
            frame.writeByte(masked ? payload[i] ^ mask[i % 4] : payload[i]);
        }
        return frame;
    }

    static ByteBuf masked(int first, byte[] payload) {
        return frame(first, true, payload);
    }

    static ByteBuf maskedText(String text) {
        return masked(0x81, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A close frame with {@code code} and the raw {@code reason} bytes. */
    static ByteBuf closeFrame(int code, byte[] reason) {
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(reason, 0, payload, 2, reason.length);
        return masked(0x88, payload);
    }

    // ------------------------------------------------------------------ what clients receive

    /** Everything written to {@code ch} so far (after its pending tasks ran), as bytes; released. */
    static byte[] readBytes(EmbeddedChannel ch) {
        ch.runPendingTasks();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Object msg;
        while ((msg = ch.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) msg;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    static String readText(EmbeddedChannel ch) {
        return new String(readBytes(ch), StandardCharsets.ISO_8859_1);
    }

    /** A server frame as read back: its first byte and its payload. */
    record Frame(int first, byte[] payload) {

        int opcode() {
            return first & 0x0F;
        }

        /** The status code of a close frame, -1 when it has none. */
        int closeCode() {
            assertEquals(0x88, first, "a close frame");
            return payload.length < 2 ? -1 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        String closeReason() {
            return payload.length <= 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    /** The server frames written to {@code ch} so far, in order (unmasked, as a server sends them). */
    static List<Frame> readFrames(EmbeddedChannel ch) {
        ByteBuf bytes = Unpooled.wrappedBuffer(readBytes(ch));
        List<Frame> frames = new ArrayList<>();
        while (bytes.isReadable()) {
            int first = bytes.readUnsignedByte();
            int second = bytes.readUnsignedByte();
            assertEquals(0, second & 0x80, "server frames are not masked");
            long length = second & 0x7F;
            if (length == 126) {
                length = bytes.readUnsignedShort();
            } else if (length == 127) {
                length = bytes.readLong();
            }
            byte[] payload = new byte[(int) length];
            bytes.readBytes(payload);
            frames.add(new Frame(first, payload));
        }
        return frames;
    }
}
