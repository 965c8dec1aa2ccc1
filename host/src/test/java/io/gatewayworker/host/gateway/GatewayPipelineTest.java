package io.gatewayworker.host.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.config.ClusterConfig;
import io.gatewayworker.host.config.Limits;
import io.gatewayworker.host.link.InternalNetwork;
import io.gatewayworker.host.config.ListenerConfig;
import io.gatewayworker.host.link.ClientId;
import io.gatewayworker.host.link.LinkProtocol;
import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.proto.link.v1.AppInfo;
import io.gatewayworker.proto.link.v1.Body;
import io.gatewayworker.proto.link.v1.Broadcast;
import io.gatewayworker.proto.link.v1.ClientEvent;
import io.gatewayworker.proto.link.v1.Close;
import io.gatewayworker.proto.link.v1.Command;
import io.gatewayworker.proto.link.v1.Credit;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Hello;
import io.gatewayworker.proto.link.v1.Role;
import io.gatewayworker.proto.link.v1.Send;
import io.gatewayworker.proto.link.v1.Session;
import io.gatewayworker.proto.link.v1.SessionWrite;
import io.gatewayworker.proto.link.v1.Value;
import io.gatewayworker.proto.link.v1.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's handling of a WebSocket client and a worker link, driven through EmbeddedChannels: the
 * client side is the real listener pipeline fed with raw bytes, the worker side is a
 * {@link WorkerLinkHandler} fed with Envelopes.
 */
class GatewayPipelineTest {

    private EventLoops loops;
    private GatewayServer gateway;
    private EmbeddedChannel link;
    private final List<EmbeddedChannel> clients = new java.util.ArrayList<>();

    @BeforeEach
    void setUp() {
        loops = EventLoops.create(1);
        gateway = new GatewayServer(new InternalNetwork(loops, "test", ClusterConfig.defaults()),
                new InternalAddress("127.0.0.1", 2300), null, List.of(), List.of(ListenerConfig.parse("ws://127.0.0.1:0")), Limits.defaults());
        link = new EmbeddedChannel(new WorkerLinkHandler(gateway));
        link.writeInbound(Envelope.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(LinkProtocol.VERSION)
                .setRole(Role.WORKER).setName("w1").setCreditWindow(1000)
                .addApps(AppInfo.newBuilder().setId("chat").setVersion("1").setServing(true))).build());
        Envelope welcome = link.readOutbound();
        assertEquals("127.0.0.1:2300", welcome.getWelcome().getGatewayAddress());
    }

    @AfterEach
    void tearDown() {
        clients.forEach(EmbeddedChannel::finishAndReleaseAll); // what a test did not read is released too
        link.finishAndReleaseAll();
        loops.close();
    }

    @Test
    void handshakeWaitsForTheAppsVerdictThenMessagesFlowBothWays() {
        EmbeddedChannel client = newClient();
        client.writeInbound(upgradeRequest("/chat?token=abc"));
        assertNull(client.readOutbound(), "no handshake response before the app decides");
        assertFalse(client.config().isAutoRead(), "reading pauses until the verdict");

        ClientEvent hs = nextEvent();
        assertEquals(ClientEvent.Type.WEBSOCKET_CONNECT, hs.getType());
        assertEquals("/chat", hs.getHandshake().getPath());
        assertEquals("token=abc", hs.getHandshake().getQuery());
        assertTrue(hs.getHandshake().getHeadersList().stream().anyMatch(h -> h.getName().equals("upgrade")));
        assertEquals("chat", hs.getClient().getApp());
        assertEquals("websocket", hs.getClient().getProtocol());
        assertTrue(hs.hasSession(), "the first event on a link carries the session");
        int connection = hs.getConnection();

        link.writeInbound(command(Command.newBuilder().setApp("chat")
                .setVerdict(Verdict.newBuilder().setConnection(connection).setAccept(true))));
        String response = readAll(client);
        assertTrue(response.startsWith("HTTP/1.1 101 Switching Protocols"), response);
        assertTrue(client.config().isAutoRead());

        ClientEvent connect = nextEvent();
        assertEquals(ClientEvent.Type.CONNECT, connect.getType());
        assertEquals(connection, connect.getConnection());
        assertFalse(connect.hasClient(), "client info travels once per link");

        client.writeInbound(maskedText("hello"));
        ClientEvent message = nextEvent();
        assertEquals(ClientEvent.Type.MESSAGE, message.getType());
        assertEquals("hello", message.getText());

        link.writeInbound(command(Command.newBuilder().setApp("chat").setSend(Send.newBuilder()
                .addConnections(connection).setBody(Body.newBuilder().setText("hi")))));
        assertEquals("81026869", hex(frame(client)));

        link.writeInbound(command(Command.newBuilder().setApp("chat").setBroadcast(Broadcast.newBuilder()
                .setBody(Body.newBuilder().setText("all")))));
        assertEquals("8103616c6c", hex(frame(client)));

        link.writeInbound(command(Command.newBuilder().setApp("chat").setClose(Close.newBuilder()
                .setConnection(connection).setCode(1000).setBody(Body.newBuilder().setText("bye")))));
        assertEquals("8103627965", hex(frame(client)), "the last message comes before the close frame");
        String close = hex(frame(client));
        assertTrue(close.startsWith("8802" + "03e8"), close);
        client.runPendingTasks();
        assertFalse(client.isActive());
        ClientEvent closed = nextEvent();
        assertEquals(ClientEvent.Type.CLOSE, closed.getType());
        assertEquals(0, gateway.clientCount());
    }

    @Test
    void aRefusedClientGetsTheAppsCodeAndReason() {
        EmbeddedChannel client = newClient();
        client.writeInbound(upgradeRequest("/"));
        int connection = nextEvent().getConnection();
        link.writeInbound(command(Command.newBuilder().setApp("chat").setVerdict(Verdict.newBuilder()
                .setConnection(connection).setAccept(false).setCode(4001).setReason("bad token"))));
        assertTrue(readHttp(client).startsWith("HTTP/1.1 101"));
        ByteBuf close = client.readOutbound();
        assertEquals(0x88, close.getUnsignedByte(0));
        assertEquals(4001, close.getUnsignedShort(2));
        assertEquals("bad token", close.toString(4, close.readableBytes() - 4, StandardCharsets.UTF_8));
        close.release();
        client.runPendingTasks();
        assertFalse(client.isActive());
        assertEquals(0, gateway.clientCount());
    }

    @Test
    void aRequestThatIsNotAnUpgradeGetsAPlainHttpAnswer() {
        EmbeddedChannel client = newClient();
        client.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
        String response = readAll(client);
        assertTrue(response.startsWith("HTTP/1.1 426 Upgrade Required"), response);
        assertTrue(response.contains("WebSocket endpoint"), response);
        assertNull(link.readOutbound(), "nothing reaches a worker");
    }

    @Test
    void sessionWrittenBackIsNotSentBackToTheWorkerThatWroteIt() {
        EmbeddedChannel client = openClient();
        int connection = clientConnection();
        Session session = Session.newBuilder().putValues("uid", Value.newBuilder().setStringValue("u1").build()).build();
        link.writeInbound(command(Command.newBuilder().setApp("chat").setSessionWrite(SessionWrite.newBuilder()
                .setConnection(connection).setMode(SessionWrite.Mode.REPLACE).setSession(session)
                .setBaseVersion(0).setWriteBack(true))));
        client.writeInbound(maskedText("m1"));
        ClientEvent m1 = nextEvent();
        assertFalse(m1.hasSession(), "the worker wrote it; it knows it");

        // A change from elsewhere (setSession) travels with the next event.
        Session other = Session.newBuilder().putValues("uid", Value.newBuilder().setStringValue("u2").build()).build();
        link.writeInbound(command(Command.newBuilder().setApp("chat").setSessionWrite(SessionWrite.newBuilder()
                .setConnection(connection).setMode(SessionWrite.Mode.MERGE).setSession(other))));
        client.writeInbound(maskedText("m2"));
        ClientEvent m2 = nextEvent();
        assertTrue(m2.hasSession());
        assertEquals("u2", m2.getSession().getValuesMap().get("uid").getStringValue());
        assertEquals(2, m2.getSessionVersion());
    }

    /** The worker handled {@code events} more events of a client. */
    private static Envelope ack(int connection, int events) {
        return Envelope.newBuilder().setCredit(Credit.newBuilder()
                .addAcks(io.gatewayworker.proto.link.v1.ClientAck.newBuilder().setConnection(connection).setEvents(events))).build();
    }

    @Test
    void aClientStopsReadingWhenTheWorkerGrantsNoMoreCreditAndHoldsWhatItReadMeanwhile() {
        EmbeddedChannel client = openClient();
        long left = gateway.links().all().get(0).credit("chat").left();
        int sent = 0;
        int handled = 0;
        for (long i = 0; i < left; i++) {
            client.writeInbound(maskedText("m" + i));
            // Acknowledge each marked event at once, so that only the link's credit holds the client back.
            for (ClientEvent event : drainEvents()) {
                sent++;
                handled++;
                if (event.getAck()) {
                    link.writeInbound(ack(clientConnection(), handled));
                    handled = 0;
                }
            }
            client.runPendingTasks();
        }
        assertEquals(left, sent);
        assertFalse(client.config().isAutoRead(), "out of credit: the client is paused");
        client.writeInbound(maskedText("read meanwhile"));
        assertTrue(drainEvents().isEmpty(), "what the client's last read brought waits on the gateway");
        link.writeInbound(credit(10));
        client.runPendingTasks();
        assertTrue(client.config().isAutoRead(), "credit returned: reading resumes");
        List<ClientEvent> released = drainEvents();
        assertEquals(1, released.size());
        assertEquals("read meanwhile", released.get(0).getText());
    }

    @Test
    void aClientPausesWithTooManyEventsInFlightAndReadsAgainWhenTheWorkerAcknowledgesAMark() {
        EmbeddedChannel client = openClient();
        int bound = Limits.DEFAULT_CLIENT_IN_FLIGHT;
        int every = ClientConnection.markEvery(bound);
        // WEBSOCKET_CONNECT and CONNECT were the first two events in flight.
        for (int i = 2; i < bound - 1; i++) {
            client.writeInbound(maskedText("m" + i));
            assertTrue(client.config().isAutoRead(), "below the bound after " + (i + 1) + " events");
        }
        List<ClientEvent> sent = drainEvents();
        client.writeInbound(maskedText("last"));
        sent.addAll(drainEvents());
        assertFalse(client.config().isAutoRead(), "at the bound: reading pauses");
        client.writeInbound(maskedText("held 1"), maskedText("held 2"));
        assertTrue(drainEvents().isEmpty(), "frames of the read in progress wait on the gateway");
        long marked = sent.stream().filter(ClientEvent::getAck).count();
        assertEquals(bound / every, marked, "every " + every + "th event asks for an acknowledgement");

        // An acknowledgement for another client changes nothing for this one.
        link.writeInbound(ack(clientConnection() + 1, every));
        client.runPendingTasks();
        assertFalse(client.config().isAutoRead());
        link.writeInbound(ack(clientConnection(), every));
        client.runPendingTasks();
        assertTrue(client.config().isAutoRead(), "a mark handled: a quarter of the bound is free again");
        assertEquals(List.of("held 1", "held 2"), drainEvents().stream().map(ClientEvent::getText).toList(),
                "the held frames go on, in order");
        assertEquals(0, gateway.stalls());
    }

    @Test
    void clientsPausedForEventsInFlightReadAgainWhenTheirLinkGoes() {
        EmbeddedChannel client = openClient();
        for (int i = 2; i < Limits.DEFAULT_CLIENT_IN_FLIGHT; i++) {
            client.writeInbound(maskedText("m" + i));
        }
        assertFalse(client.config().isAutoRead(), "paused: its events are in flight");
        link.close();
        client.runPendingTasks();
        assertTrue(client.config().isAutoRead(), "the link is gone: reading resumes (the client rebinds on its next event)");
    }

    @Test
    void theFlowWatchReportsAQueueThatStopsMovingAndAClientLeftPaused() {
        long timeout = Limits.DEFAULT_STALL_TIMEOUT.toNanos();
        GatewayFlowWatch watch = gateway.flowWatch();
        EmbeddedChannel client = openClient();
        link.runPendingTasks();
        // A missed wake-up on purpose: events queued for the worker, and the queue's run never comes.
        client.writeInbound(maskedText("stuck"));
        WorkerLink worker = gateway.links().all().get(0);
        assertEquals(1, worker.out().size());
        watch.checkLinks(0);
        watch.checkLinks(timeout / 2);
        assertEquals(0, gateway.stalls(), "not yet");
        watch.checkLinks(timeout);
        assertEquals(1, gateway.stalls(), "queued, writable, not held and not written for the timeout");
        watch.checkLinks(timeout * 2);
        assertEquals(1, gateway.stalls(), "reported once");

        // A client paused for events in flight that are all handled: the resume was missed.
        link.runPendingTasks();
        ClientConnection connection = gateway.table().get(clientConnection());
        connection.pause(ClientConnection.PAUSE_FLOW);
        watch.checkClients(client.eventLoop(), 0);
        watch.checkClients(client.eventLoop(), timeout);
        assertEquals(2, gateway.stalls());
        assertTrue(gateway.flowReport().contains("stalls 2"), gateway.flowReport());
    }

    @Test
    void aBusyButMovingQueueIsNoStall() {
        long timeout = Limits.DEFAULT_STALL_TIMEOUT.toNanos();
        GatewayFlowWatch watch = gateway.flowWatch();
        EmbeddedChannel client = openClient();
        for (int i = 0; i < 10; i++) {
            client.writeInbound(maskedText("m" + i));
            watch.checkLinks(i * timeout / 2);
            link.runPendingTasks(); // the queue moves, slowly
        }
        assertEquals(0, gateway.stalls());
    }

    @Test
    void aClientThatLeavesTooMuchOutputUnreadIsDroppedAtTheBound() {
        EmbeddedChannel client = openClient();
        // A client that reads nothing: what is written stays pending (flushes never reach the socket).
        client.pipeline().addFirst(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(io.netty.channel.ChannelHandlerContext ctx) {
            }
        });
        String big = "x".repeat(60 * 1024);
        Object[] sends = new Object[20]; // 1.2 MiB in one read burst of the link, before any flush
        for (int i = 0; i < sends.length; i++) {
            sends[i] = command(Command.newBuilder().setApp("chat").setSend(Send.newBuilder()
                    .addConnections(clientConnection()).setBody(Body.newBuilder().setText(big))));
        }
        link.writeInbound(sends);
        assertFalse(client.isOpen(), "dropped once the bound was passed");
        assertEquals(1, gateway.listeners().get(0).slowDrops.sum());
        long written = gateway.table().all().isEmpty() ? gateway.listeners().get(0).messagesOut.sum() : -1;
        assertEquals(Limits.DEFAULT_MAX_PENDING_OUTPUT_BYTES / (60 * 1024 + 100) + 1, written,
                "the first message over the bound drops the client; nothing more is written to it");
    }

    @Test
    void aFanOutCountsTheDeliveriesItMakesAsQueuedWorkOfItsApp() {
        WorkerLink worker = gateway.links().all().get(0);
        LoopBatch batch = new LoopBatch(loops.nextIo(), worker);
        batch.add(() -> { }, 300, "chat");
        batch.add(() -> { }, "chat");
        batch.add(() -> { }, "other");
        batch.handedOver();
        assertEquals(301, worker.queuedWork("chat"));
        assertEquals(1, worker.queuedWork("other"));
        batch.run();
        assertEquals(0, worker.queuedWork());
    }

    @Test
    void theWorkerIsHeldWhileTheHeapIsAtRiskWhateverItsQueuedWork() {
        WorkerLink worker = gateway.links().all().get(0);
        worker.memoryPressure(true);
        io.gatewayworker.proto.link.v1.FlowControl hold = nextFlow();
        assertTrue(hold.getPause() && hold.getApp().isEmpty(), "every app held for memory: " + hold);
        worker.memoryPressure(false);
        io.gatewayworker.proto.link.v1.FlowControl release = nextFlow();
        assertTrue(!release.getPause() && release.getApp().isEmpty(), "released: " + release);
        assertEquals(0, gateway.stalls());
    }

    @Test
    void anAppWhoseCommandsPileUpOnTheClientLoopsIsHeldAloneAndReleasedAtHalf() {
        WorkerLink worker = gateway.links().all().get(0);
        worker.queued("chat", WorkerLinkHandler.QUEUED_WORK_HIGH + 1);
        io.gatewayworker.proto.link.v1.FlowControl hold = nextFlow();
        assertTrue(hold.getLink() && hold.getPause() && hold.getApp().equals("chat"), hold.toString());
        worker.queued("other", 10);
        assertFalse(worker.holding("other"), "another app's commands go on");
        worker.queued("chat", -(WorkerLinkHandler.QUEUED_WORK_HIGH / 2) - 10);
        io.gatewayworker.proto.link.v1.FlowControl release = nextFlow();
        assertTrue(release.getLink() && !release.getPause() && release.getApp().equals("chat"), release.toString());
    }

    @Test
    void concurrentChangesOfQueuedWorkNeverLeaveAnAppHeldWithItsWorkDone() throws Exception {
        WorkerLink worker = gateway.links().all().get(0);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
        long high = WorkerLinkHandler.QUEUED_WORK_HIGH;
        for (int round = 0; round < 200; round++) {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(threads.submit(() -> {
                    go.await();
                    worker.queued("chat", high);
                    worker.queued("chat", -high);
                    return null;
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<?> f : done) {
                f.get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertEquals(0, worker.queuedWork("chat"));
            assertFalse(worker.holding("chat"), "round " + round + ": all work done, the app must not stay held");
        }
        threads.shutdownNow();
        // The messages the worker got end in a release, and holds and releases alternate.
        link.runPendingTasks();
        Boolean last = null;
        Envelope env;
        while ((env = link.readOutbound()) != null) {
            if (env.hasFlow()) {
                boolean pause = env.getFlow().getPause();
                assertTrue(last == null || last != pause, "holds and releases alternate");
                last = pause;
            }
        }
        assertTrue(last == null || !last, "the last word is a release");
    }

    private io.gatewayworker.proto.link.v1.FlowControl nextFlow() {
        link.runPendingTasks();
        Envelope env;
        while ((env = link.readOutbound()) != null) {
            if (env.hasFlow()) {
                return env.getFlow();
            }
        }
        throw new AssertionError("no flow control sent to the worker");
    }

    @Test
    void anUpgradeWithoutAKeyIsABadRequest() {
        EmbeddedChannel client = newClient();
        client.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n", StandardCharsets.US_ASCII));
        String response = readAll(client);
        assertTrue(response.startsWith("HTTP/1.1 400 Bad Request"), response);
        assertNull(link.readOutbound(), "the app is not asked");
    }

    @Test
    void onlyCloseCodesAnEndpointMaySendGoOut() {
        assertEquals(1000, CommandExecutor.validCloseCode(0));
        assertEquals(1000, CommandExecutor.validCloseCode(1005));
        assertEquals(1000, CommandExecutor.validCloseCode(999));
        assertEquals(1001, CommandExecutor.validCloseCode(1001));
        assertEquals(4001, CommandExecutor.validCloseCode(4001));
        assertEquals(1000, CommandExecutor.validCloseCode(5000));
    }

    @Test
    void aMessageOverTheLimitClosesTheClientWith1009() {
        EmbeddedChannel client = openClient();
        client.writeInbound(maskedText("x".repeat(Limits.DEFAULT_MAX_MESSAGE_BYTES + 1)));
        ByteBuf close = client.readOutbound();
        assertEquals(0x88, close.getUnsignedByte(0));
        assertEquals(1009, close.getUnsignedShort(2));
        close.release();
    }

    @Test
    void aTextMessageThatIsNotUtf8ClosesTheClientWith1007() {
        EmbeddedChannel client = openClient();
        client.writeInbound(maskedFrame(0x81, new byte[] {'o', 'k', (byte) 0xC3, 0x28}));
        ByteBuf close = frame(client);
        assertEquals(0x88, close.getUnsignedByte(0));
        assertEquals(1007, close.getUnsignedShort(2));
        close.release();
        link.runPendingTasks();
        Envelope env;
        while ((env = link.readOutbound()) != null) {
            assertFalse(env.hasEvent() && env.getEvent().getType() == ClientEvent.Type.MESSAGE,
                    "an invalid message never reaches the app");
        }
    }

    @Test
    void utf8IsCheckedOnWholeMessagesSoACharacterMaySpanFrames() {
        EmbeddedChannel client = openClient();
        byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8); // three bytes: split 1 + 2
        client.writeInbound(maskedFrame(0x01, new byte[] {'a', euro[0]}));
        client.writeInbound(maskedFrame(0x80, new byte[] {euro[1], euro[2], 'b'}));
        ClientEvent message = nextEvent();
        assertEquals(ClientEvent.Type.MESSAGE, message.getType());
        assertEquals("a\u20acb", message.getText());
        assertTrue(client.isActive());
    }

    @Test
    void theHeartbeatPingsSilentClientsClosesIdleOnesAndSparesPausedOnes() {
        EmbeddedChannel client = openClient();
        LoopClients loop = gateway.table().loop(client.eventLoop());
        long later = ClientConnection.clock() + 100_000;

        assertEquals(0, loop.heartbeat(later, 1_000, 0));
        ByteBuf ping = frame(client);
        assertEquals(0x89, ping.getUnsignedByte(0), "a ping frame");
        ping.release();
        assertEquals(0, loop.heartbeat(later + 10, 1_000, 0));
        assertNull(frame(client), "one ping per interval");

        for (int i = 2; i < Limits.DEFAULT_CLIENT_IN_FLIGHT; i++) {
            client.writeInbound(maskedText("m" + i));
        }
        assertFalse(client.config().isAutoRead());
        assertEquals(0, loop.heartbeat(later, 1_000, 60_000), "a client the gateway does not read is not idle");
        assertNull(frame(client));
        link.writeInbound(ack(clientConnection(), ClientConnection.markEvery(Limits.DEFAULT_CLIENT_IN_FLIGHT)));
        client.runPendingTasks();
        assertTrue(client.config().isAutoRead());
        assertEquals(0, loop.heartbeat(ClientConnection.clock() + 1_000, 0, 60_000), "resuming counts as a sign of life");

        assertEquals(1, loop.heartbeat(later, 0, 60_000));
        ByteBuf close = frame(client);
        assertEquals(0x88, close.getUnsignedByte(0));
        assertEquals(1001, close.getUnsignedShort(2));
        close.release();
    }

    @Test
    void afterAProtocolFailureNoMoreDataReachesTheApp() {
        EmbeddedChannel client = openClient();
        client.config().setAutoRead(true);
        // A client that reads nothing keeps the close frame pending, so the connection stays open a while.
        client.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(1, 2));
        client.writeInbound(maskedFrame(0x81, new byte[] {(byte) 0xC3, 0x28}), maskedText("after"));
        link.runPendingTasks();
        Envelope env;
        while ((env = link.readOutbound()) != null) {
            assertFalse(env.hasEvent() && env.getEvent().getType() == ClientEvent.Type.MESSAGE,
                    "nothing after the invalid message reaches the app");
        }
    }

    @Test
    void anOpenConnectionKeepsNoHandshakeOrLimitHandler() {
        EmbeddedChannel client = openClient();
        List<String> names = client.pipeline().names();
        assertFalse(names.contains("ConnectionLimitHandler"), names.toString());
        assertFalse(names.contains("WebSocketHandshakeHandler"), names.toString());
        assertTrue(names.contains("WebSocketFrameHandler"), names.toString());
    }

    @Test
    void commandsForAnotherAppsClientDoNothing() {
        EmbeddedChannel client = openClient();
        link.writeInbound(command(Command.newBuilder().setApp("other").setSend(Send.newBuilder()
                .addConnections(clientConnection()).setBody(Body.newBuilder().setText("x")))));
        assertNull(client.readOutbound());
    }

    @Test
    void clientIdsEncodeTheGatewaysInternalAddress() {
        openClient();
        ClientConnection connection = gateway.table().all().iterator().next();
        ClientId id = ClientId.parse(connection.id());
        assertEquals(new InternalAddress("127.0.0.1", 2300), id.gateway());
        assertEquals(connection.number(), id.connection());
    }

    // ------------------------------------------------------------------ helpers

    private int lastConnection;

    private EmbeddedChannel newClient() {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocketListenerInitializer(gateway, gateway.listeners().get(0)));
        clients.add(client);
        return client;
    }

    private EmbeddedChannel openClient() {
        EmbeddedChannel client = newClient();
        client.writeInbound(upgradeRequest("/"));
        lastConnection = nextEvent().getConnection();
        link.writeInbound(command(Command.newBuilder().setApp("chat")
                .setVerdict(Verdict.newBuilder().setConnection(lastConnection).setAccept(true))));
        readAll(client);
        assertEquals(ClientEvent.Type.CONNECT, nextEvent().getType());
        return client;
    }

    private int clientConnection() {
        return lastConnection;
    }

    private ClientEvent nextEvent() {
        link.runPendingTasks();
        Envelope env;
        while ((env = link.readOutbound()) != null) {
            if (env.hasEvent()) {
                return env.getEvent();
            }
        }
        throw new AssertionError("no event sent to the worker");
    }

    /** Every event sent to the worker so far. */
    private List<ClientEvent> drainEvents() {
        link.runPendingTasks();
        List<ClientEvent> events = new java.util.ArrayList<>();
        Envelope env;
        while ((env = link.readOutbound()) != null) {
            if (env.hasEvent()) {
                events.add(env.getEvent());
            }
        }
        return events;
    }

    private static Envelope credit(int n) {
        return Envelope.newBuilder().setCredit(Credit.newBuilder().setApp("chat").setEvents(n)).build();
    }

    private static Envelope command(Command.Builder command) {
        return Envelope.newBuilder().setCommand(command).build();
    }

    private static ByteBuf upgradeRequest(String path) {
        return Unpooled.copiedBuffer("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n", StandardCharsets.US_ASCII);
    }

    /** A client-to-server text frame: masked, as RFC 6455 requires. */
    static ByteBuf maskedText(String text) {
        return maskedFrame(0x81, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A masked client-to-server frame with the given first byte (FIN and opcode). */
    static ByteBuf maskedFrame(int finAndOpcode, byte[] payload) {
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        ByteBuf frame = Unpooled.buffer();
        frame.writeByte(finAndOpcode);
        if (payload.length <= 125) {
            frame.writeByte(0x80 | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.writeByte(0x80 | 126).writeShort(payload.length);
        } else {
            frame.writeByte(0x80 | 127).writeLong(payload.length);
        }
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.writeByte(payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    private static String readAll(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            sb.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return sb.toString();
    }

    private static String readHttp(EmbeddedChannel ch) {
        ByteBuf buf = ch.readOutbound();
        assertNotNull(buf);
        String s = buf.toString(StandardCharsets.ISO_8859_1);
        buf.release();
        return s;
    }

    /** The next frame written to {@code ch}, after the loop's pending flush has run. */
    private static ByteBuf frame(EmbeddedChannel ch) {
        ch.runPendingTasks();
        return ch.readOutbound();
    }

    private static String hex(Object o) {
        ByteBuf buf = (ByteBuf) o;
        assertNotNull(buf, "expected a frame");
        String s = ByteBufUtil.hexDump(buf);
        buf.release();
        return s;
    }
}
