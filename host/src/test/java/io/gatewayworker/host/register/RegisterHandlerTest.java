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

    private static EmbeddedChannel named(EmbeddedChannel ch, Role role, String name) {
        ch.writeInbound(Envelope.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(LinkProtocol.VERSION)
                .setRole(role).setName(name)).build());
        while (ch.readOutbound() != null) {
            // welcome and list
        }
        return ch;
    }

    private static io.gatewayworker.proto.link.v1.Reload reloadAsked(EmbeddedChannel worker) {
        Envelope env;
        while ((env = worker.readOutbound()) != null) {
            if (env.hasReload()) {
                return env.getReload();
            }
        }
        return null;
    }

    private static Envelope result(long id, String worker, boolean ok) {
        return Envelope.newBuilder().setReloadResult(io.gatewayworker.proto.link.v1.ReloadResult.newBuilder()
                .setId(id).setWorker(worker).setOk(ok).addLines("chat: " + (ok ? "reloaded" : "refused"))).build();
    }

    @Test
    void theViewListsEveryMemberWithItsLatestReport() {
        EmbeddedChannel gateway = link();
        gateway.writeInbound(hello(Role.GATEWAY, "127.0.0.1:2300"));
        gateway.writeInbound(Envelope.newBuilder().setReport(io.gatewayworker.proto.link.v1.Report.newBuilder()
                .setName("gateway@127.0.0.1:2300").setClients(7)).build());
        EmbeddedChannel worker = named(link(), Role.WORKER, "w1");

        EmbeddedChannel asker = named(link(), Role.WORKER, "w2");
        asker.writeInbound(Envelope.newBuilder().setClusterQuery(io.gatewayworker.proto.link.v1.ClusterQuery.newBuilder()
                .setId(9)).build());
        Envelope answer = asker.readOutbound();
        assertTrue(answer.hasClusterView(), String.valueOf(answer));
        assertEquals(9, answer.getClusterView().getId());
        List<io.gatewayworker.proto.link.v1.Member> members = answer.getClusterView().getMembersList();
        assertEquals(3, members.size());
        assertEquals(Role.GATEWAY, members.get(0).getRole());
        assertEquals("127.0.0.1:2300", members.get(0).getAddress());
        assertEquals(7, members.get(0).getReport().getClients());
        assertEquals("w1", members.get(1).getReport().getName(), "named by its Hello until it reports");
        worker.close();
        assertEquals(2, register.view().join().getMembersCount(), "a member that left is not listed");
    }

    @Test
    void aRollingReloadAsksOneWorkerAtATimeAndStopsAtTheFirstFailure() {
        EmbeddedChannel w1 = named(link(), Role.WORKER, "w1");
        EmbeddedChannel w2 = named(link(), Role.WORKER, "w2");
        EmbeddedChannel w3 = named(link(), Role.WORKER, "w3");
        List<io.gatewayworker.proto.link.v1.ReloadResult> results = new java.util.ArrayList<>();
        register.rollingReload("chat", results::add);

        io.gatewayworker.proto.link.v1.Reload first = reloadAsked(w1);
        assertEquals("chat", first.getApp());
        assertEquals(null, reloadAsked(w2), "one worker at a time");
        w1.writeInbound(result(first.getId(), "w1", true));
        assertEquals(1, results.size());
        assertFalse(results.get(0).getDone());

        // A second rolling reload meanwhile is refused, the first goes on.
        List<io.gatewayworker.proto.link.v1.ReloadResult> second = new java.util.ArrayList<>();
        register.rollingReload("", second::add);
        assertTrue(second.get(0).getDone() && !second.get(0).getOk(), String.valueOf(second));

        io.gatewayworker.proto.link.v1.Reload next = reloadAsked(w2);
        w2.writeInbound(result(next.getId() + 1, "w2", true));
        assertEquals(1, results.size(), "an answer to another request is not this one's");
        w2.writeInbound(result(next.getId(), "w2", false));
        assertEquals(2, results.size());
        assertTrue(results.get(1).getDone(), "stopped at the first failure");
        assertEquals(null, reloadAsked(w3), "w3 keeps the version it runs");

        // A worker that leaves during its turn ends the reload with a failure.
        List<io.gatewayworker.proto.link.v1.ReloadResult> third = new java.util.ArrayList<>();
        register.rollingReload("chat", third::add);
        assertTrue(reloadAsked(w1) != null);
        w1.close();
        assertEquals(1, third.size());
        assertTrue(third.get(0).getDone() && !third.get(0).getOk());
        assertTrue(third.get(0).getLines(0).contains("left during its reload"), third.get(0).getLines(0));
    }
}
