package io.gatewayworker.host.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.config.ClusterConfig;
import io.gatewayworker.host.config.Limits;
import io.gatewayworker.host.link.InternalNetwork;
import java.util.List;
import io.gatewayworker.host.link.LinkProtocol;
import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.proto.link.v1.Barrier;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Hello;
import io.gatewayworker.proto.link.v1.Role;
import io.gatewayworker.proto.link.v1.Welcome;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayLinkHandlerTest {

    private static final InternalAddress GATEWAY = new InternalAddress("127.0.0.1", 2300);

    @TempDir
    Path dir;
    private EventLoops loops;
    private BusinessWorker worker;

    @BeforeEach
    void setUp() {
        loops = EventLoops.create(1);
        worker = new BusinessWorker(new InternalNetwork(loops, "test", ClusterConfig.defaults()),
                List.of(new InternalAddress("127.0.0.1", 1)), "w1", dir.resolve("plugins"), dir.resolve("data"), Limits.defaults());
    }

    @AfterEach
    void tearDown() {
        worker.close();
        loops.close();
    }

    private EmbeddedChannel link() {
        Hello hello = Hello.newBuilder().setProtocolVersion(LinkProtocol.VERSION).setRole(Role.WORKER).setName("w1").build();
        return new EmbeddedChannel(new GatewayLinkHandler(worker, GATEWAY, () -> hello));
    }

    private static Envelope welcome(String address) {
        return Envelope.newBuilder().setWelcome(Welcome.newBuilder()
                .setProtocolVersion(LinkProtocol.VERSION).setGatewayAddress(address)).build();
    }

    @Test
    void saysHelloWithItsCreditWindowAndIsLinkedOnWelcome() {
        EmbeddedChannel ch = link();
        Envelope hello = ch.readOutbound();
        assertEquals(Role.WORKER, hello.getHello().getRole());
        ch.writeInbound(welcome("127.0.0.1:2300"));
        ch.runPendingTasks();
        assertEquals(java.util.List.of("127.0.0.1:2300"), worker.gateways());
        ch.finishAndReleaseAll();
    }

    @Test
    void theHelloDeclaresEachAppsCreditWindow() {
        assertEquals(Limits.DEFAULT_LINK_CREDIT_WINDOW, worker.hello().getCreditWindow());
    }

    @Test
    void aGatewayThatCallsItselfByAnotherAddressIsDropped() {
        EmbeddedChannel ch = link();
        ch.readOutbound();
        ch.writeInbound(welcome("10.0.0.9:2300"));
        assertFalse(ch.isActive(), "its client ids would not route here");
        assertTrue(worker.gateways().isEmpty());
    }

    @Test
    void holdsItsCommandsWhileTheGatewayCatchesUp() {
        EmbeddedChannel ch = link();
        ch.readOutbound();
        ch.writeInbound(welcome("127.0.0.1:2300"));
        ch.runPendingTasks();
        while (ch.readOutbound() != null) {
            // the credit and the app list
        }
        Envelope hold = Envelope.newBuilder().setFlow(io.gatewayworker.proto.link.v1.FlowControl.newBuilder()
                .setLink(true).setPause(true)).build();
        ch.writeInbound(hold);
        GatewayLink gateway = worker.flowLinks().get(0);
        gateway.command(io.gatewayworker.proto.link.v1.Command.newBuilder().setApp("a").build());
        ch.runPendingTasks();
        org.junit.jupiter.api.Assertions.assertNull(ch.readOutbound(), "held");
        // Acknowledgements and credit are never held: the gateway may be waiting for them.
        gateway.acked(5, "a", 3);
        ch.runPendingTasks();
        Envelope ack = ch.readOutbound();
        assertTrue(ack != null && ack.hasCredit() && ack.getCredit().getAcksCount() == 1
                && ack.getCredit().getAcks(0).getConnection() == 5 && ack.getCredit().getAcks(0).getEvents() == 3, "ack: " + ack);
        org.junit.jupiter.api.Assertions.assertNull(ch.readOutbound(), "the command is still held");
        ch.writeInbound(Envelope.newBuilder().setFlow(io.gatewayworker.proto.link.v1.FlowControl.newBuilder()
                .setLink(true).setPause(false)).build());
        ch.runPendingTasks();
        Envelope released = ch.readOutbound();
        assertTrue(released != null && released.hasCommand(), "released: " + released);
        ch.finishAndReleaseAll();
    }

    @Test
    void acknowledgesEventsOfAClientItDoesNotKnow() {
        EmbeddedChannel ch = link();
        ch.readOutbound();
        ch.writeInbound(welcome("127.0.0.1:2300"));
        ch.runPendingTasks();
        while (ch.readOutbound() != null) {
            // the credit and the app list
        }
        ch.writeInbound(Envelope.newBuilder().setEvent(io.gatewayworker.proto.link.v1.ClientEvent.newBuilder()
                .setConnection(42).setType(io.gatewayworker.proto.link.v1.ClientEvent.Type.MESSAGE).setText("x")
                .setAck(true)).build());
        ch.runPendingTasks();
        ch.advanceTimeBy(GatewayLink.IDLE_ACK_MILLIS + 1, java.util.concurrent.TimeUnit.MILLISECONDS);
        ch.runPendingTasks();
        ch.runPendingTasks(); // the flush, then the queue's write
        Envelope ack = ch.readOutbound();
        assertTrue(ack != null && ack.getCredit().getAcksCount() == 1 && ack.getCredit().getAcks(0).getConnection() == 42
                        && ack.getCredit().getAcks(0).getEvents() == 1,
                "the gateway's count of that client's events in flight must go down: " + ack);
        ch.finishAndReleaseAll();
    }

    @Test
    void theFlowWatchReportsCommandsThatStopMoving() {
        EmbeddedChannel ch = link();
        ch.readOutbound();
        ch.writeInbound(welcome("127.0.0.1:2300"));
        ch.runPendingTasks();
        while (ch.readOutbound() != null) {
            // the credit and the app list
        }
        long timeout = Limits.DEFAULT_STALL_TIMEOUT.toNanos();
        GatewayLink gateway = worker.flowLinks().get(0);
        // A missed wake-up on purpose: a command queued, and the queue's run never comes.
        gateway.command(io.gatewayworker.proto.link.v1.Command.newBuilder().setApp("a").build());
        worker.flowWatch().check(0);
        worker.flowWatch().check(timeout - 1);
        assertEquals(0, worker.stalls(), "not yet");
        worker.flowWatch().check(timeout);
        assertEquals(1, worker.stalls());
        // Held by the gateway: waiting is right, not a stall.
        ch.writeInbound(Envelope.newBuilder().setFlow(io.gatewayworker.proto.link.v1.FlowControl.newBuilder()
                .setLink(true).setPause(true)).build());
        gateway.command(io.gatewayworker.proto.link.v1.Command.newBuilder().setApp("a").build());
        worker.flowWatch().check(timeout * 3);
        worker.flowWatch().check(timeout * 5);
        assertEquals(1, worker.stalls());
        ch.finishAndReleaseAll();
    }

    @Test
    void answersABarrierAtOnceWhenNothingIsInFlight() {
        EmbeddedChannel ch = link();
        ch.readOutbound();
        ch.writeInbound(welcome("127.0.0.1:2300"));
        ch.writeInbound(Envelope.newBuilder().setBarrier(Barrier.newBuilder().setId(7)).build());
        ch.runPendingTasks();
        boolean answered = false;
        Envelope env;
        while ((env = ch.readOutbound()) != null) {
            answered |= env.hasBarrierDone() && env.getBarrierDone().getId() == 7;
        }
        assertTrue(answered);
        ch.finishAndReleaseAll();
    }
}
