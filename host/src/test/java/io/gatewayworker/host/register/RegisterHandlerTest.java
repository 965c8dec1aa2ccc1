package io.gatewayworker.host.register;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.config.ClusterConfig;
import io.gatewayworker.host.link.InternalNetwork;
import io.gatewayworker.host.link.LinkProtocol;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Hello;
import io.gatewayworker.proto.link.v1.Ping;
import io.gatewayworker.proto.link.v1.Role;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegisterHandlerTest {

    private EventLoops loops;
    private RegisterServer register;

    @BeforeEach
    void setUp() {
        loops = EventLoops.create(1);
        register = new RegisterServer(new InternalNetwork(loops, "test", ClusterConfig.defaults()),
                new InternalAddress("127.0.0.1", 0), Runnable::run);
    }

    @AfterEach
    void tearDown() {
        loops.close();
    }

    private EmbeddedChannel link() {
        return new EmbeddedChannel(register.newHandler());
    }

    private static Envelope hello(Role role, String address) {
        return Envelope.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(LinkProtocol.VERSION)
                .setRole(role).setName(role.name()).setGatewayAddress(address)).build();
    }

    private static List<String> lastList(EmbeddedChannel ch) {
        List<String> list = null;
        Envelope env;
        while ((env = ch.readOutbound()) != null) {
            if (env.hasGatewayList()) {
                list = env.getGatewayList().getAddressesList();
            }
        }
        return list;
    }

    @Test
    void workersLearnEveryGatewayAsItJoinsAndLeaves() {
        EmbeddedChannel worker = link();
        worker.writeInbound(hello(Role.WORKER, ""));
        assertEquals(List.of(), lastList(worker));

        EmbeddedChannel gateway1 = link();
        gateway1.writeInbound(hello(Role.GATEWAY, "127.0.0.1:2300"));
        assertTrue(gateway1.<Envelope>readOutbound().hasWelcome());
        assertEquals(List.of("127.0.0.1:2300"), lastList(worker));

        EmbeddedChannel gateway2 = link();
        gateway2.writeInbound(hello(Role.GATEWAY, "10.0.0.2:2300"));
        assertEquals(List.of("127.0.0.1:2300", "10.0.0.2:2300"), lastList(worker));

        EmbeddedChannel lateWorker = link();
        lateWorker.writeInbound(hello(Role.PUSH_CLIENT, ""));
        assertEquals(List.of("127.0.0.1:2300", "10.0.0.2:2300"), lastList(lateWorker));

        gateway1.close();
        assertEquals(List.of("10.0.0.2:2300"), lastList(worker));
    }

    @Test
    void aGatewayAnnouncedAgainReplacesItsOldLink() {
        EmbeddedChannel worker = link();
        worker.writeInbound(hello(Role.WORKER, ""));
        EmbeddedChannel old = link();
        old.writeInbound(hello(Role.GATEWAY, "127.0.0.1:2300"));
        EmbeddedChannel restarted = link();
        restarted.writeInbound(hello(Role.GATEWAY, "127.0.0.1:2300"));
        assertFalse(old.isActive(), "the stale link is dropped");
        assertEquals(List.of("127.0.0.1:2300"), lastList(worker));
    }

    @Test
    void refusesAnotherProtocolVersion() {
        EmbeddedChannel ch = link();
        ch.writeInbound(Envelope.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(99).setRole(Role.WORKER)).build());
        Envelope refused = ch.readOutbound();
        assertTrue(refused.getRefused().getReason().contains("protocol version 99"), refused.toString());
        assertFalse(ch.isActive());
    }

    @Test
    void refusesAnythingBeforeHello() {
        EmbeddedChannel ch = link();
        ch.writeInbound(Envelope.newBuilder().setPing(Ping.newBuilder()).build());
        assertTrue(ch.<Envelope>readOutbound().hasRefused());
        assertFalse(ch.isActive());
    }

    @Test
    void refusesAMalformedGatewayAddress() {
        EmbeddedChannel ch = link();
        ch.writeInbound(hello(Role.GATEWAY, "localhost:2300"));
        Envelope refused = ch.readOutbound();
        assertTrue(refused.getRefused().getReason().contains("IPv4"), refused.toString());
        assertFalse(ch.isActive());
    }

    @Test
    void closesALinkThatNeverSaysHello() {
        EmbeddedChannel ch = link();
        ch.advanceTimeBy(LinkProtocol.HELLO_TIMEOUT_MILLIS + 1, java.util.concurrent.TimeUnit.MILLISECONDS);
        ch.runPendingTasks();
        assertFalse(ch.isActive());
    }
}
