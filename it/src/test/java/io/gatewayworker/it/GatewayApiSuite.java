package io.gatewayworker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.testing.PluginJars;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every call of the {@code Gateway} API, end to end, through the test app {@code src/test/apps/api} and
 * real WebSocket clients. Abstract over the {@link Topology}: each topology has a subclass.
 *
 * <p>Each test uses its own uids and groups and closes its clients, so tests do not see each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GatewayApiSuite {

    private Topology topology;
    private final List<WsClient> open = new ArrayList<>();
    private int clientCount;

    /** The layout this suite runs against. */
    abstract Topology topology();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path source = Path.of(System.getProperty("gw.app.sources"), "api", "ApiEvents.java");
        PluginJars.app("api", "1.0.0").source(Files.readString(source)).build(dir.resolve("plugins"));
        topology = topology();
        topology.start(dir);
    }

    @AfterAll
    void stop() {
        topology.close();
    }

    @AfterEach
    void closeClients() {
        for (WsClient client : open) {
            if (!client.isClosed()) {
                client.closeNormally();
            }
        }
        open.clear();
    }

    /** A connected client; its id is known. */
    final class C {
        final WsClient ws;
        final String id;

        C(String query, String... headers) {
            URI base = topology.endpoint(clientCount++);
            ws = WsClient.connect(URI.create(base + query), headers);
            open.add(ws);
            String hello = ws.next();
            assertTrue(hello.startsWith("id="), hello);
            id = hello.substring(3);
        }

        /** Sends a command and returns its result (the text after "name="). */
        String call(String command) {
            ws.send(command);
            String name = command.split("\\|", 2)[0];
            String reply = ws.next();
            assertTrue(reply.startsWith(name + "="), "expected the reply to " + name + ", got: " + reply);
            return reply.substring(name.length() + 1);
        }

        void ok(String command) {
            assertEquals("ok", call(command), command);
        }

        void expect(String... messages) {
            ws.expect(messages);
        }

        void quiet() throws InterruptedException {
            ws.expectNothing(Duration.ofMillis(150));
        }
    }

    C client() {
        return new C("");
    }

    private static String set(String... items) {
        return new TreeSet<>(List.of(items)).toString();
    }

    /** Retries {@code actual} until it equals {@code expected} (the server's view settles), at most 5 s. */
    private static void eventually(String expected, Supplier<String> actual) throws InterruptedException {
        String last = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            last = actual.get();
            if (expected.equals(last)) {
                return;
            }
            Thread.sleep(50);
        }
        assertEquals(expected, last);
    }

    // ================================================================== push

    @Test
    void sendToAllReachesEveryClientOrTheListedOnesMinusExclusions() throws Exception {
        C a = client();
        C b = client();
        C c = client();
        a.ws.send("sendToAll|hi all");
        a.expect("hi all", "sendToAll=ok");
        b.expect("hi all");
        c.expect("hi all");

        a.ok("sendToSome|" + b.id + "," + c.id + "," + b.id + "|" + c.id + "|listed");
        b.expect("listed");
        c.quiet();
        b.quiet(); // listed twice, received once

        a.ok("sendToNone|nobody");
        b.quiet();

        a.ws.send("sendToAllBinary|bytes");
        a.expect("binary:bytes", "sendToAllBinary=ok");
        b.expect("binary:bytes");
    }

    @Test
    void sendToClientSendsTextAndBinary() throws Exception {
        C a = client();
        C b = client();
        a.ok("sendToClient|" + b.id + "|for b");
        b.expect("for b");
        a.ok("sendBinary|" + b.id + "|raw");
        b.expect("binary:raw");
        a.quiet();
        b.ws.sendBinary("abc".getBytes());
        b.expect("binary:cba");
    }

    @Test
    void malformedClientIdsAreRefusedWithAClearError() {
        C a = client();
        String result = a.call("sendToClient|not-an-id|x");
        assertTrue(result.startsWith("error:client id: 'not-an-id'"), result);
        assertTrue(result.contains("expected: 20 hex characters"), result);
        assertEquals("ok", a.call("sendToClient|" + "0".repeat(20) + "|nobody"), "an unknown client: dropped silently");
    }

    @Test
    void closeClientSendsTheLastMessageThenClosesAndOnCloseFollows() throws Exception {
        C watcher = client();
        watcher.ok("joinGroup|" + watcher.id + "|watchers");
        C b = client();
        watcher.ok("closeClientMsg|" + b.id + "|goodbye");
        b.expect("goodbye");
        assertEquals(1000, b.ws.awaitClose());
        watcher.expect("left " + b.id + " session={path=/}");

        C c = client();
        watcher.ok("closeClient|" + c.id);
        assertEquals(1000, c.ws.awaitClose());
        watcher.expect("left " + c.id + " session={path=/}");

        C d = client();
        watcher.ok("destroyClient|" + d.id);
        int code = d.ws.awaitClose();
        assertTrue(code == 1006 || code == -1, "destroyed without a close frame: " + code);
        watcher.expect("left " + d.id + " session={path=/}");
        watcher.ok("leaveGroup|" + watcher.id + "|watchers");
    }

    // ================================================================== uids

    @Test
    void uidsBindToManyConnectionsAndOneConnectionHasOneUid() throws Exception {
        C phone = client();
        C laptop = client();
        C other = client();
        phone.ok("bindUid|" + phone.id + "|alice");
        phone.ok("bindUid|" + laptop.id + "|alice");
        phone.ok("bindUid|" + other.id + "|bob");

        phone.ws.send("sendToUid|alice|to alice");
        phone.expect("to alice", "sendToUid=ok");
        laptop.expect("to alice");
        other.quiet();

        other.ws.send("sendToUids|alice,bob,alice|to both");
        other.expect("to both", "sendToUids=ok");
        phone.expect("to both");
        laptop.expect("to both");
        phone.quiet(); // once, although alice is listed twice

        assertEquals("true", other.call("isUidOnline|alice"));
        assertEquals("false", other.call("isUidOnline|carol"));
        assertEquals("{alice=true, carol=false}", other.call("isUidsOnline|alice,carol"));
        assertEquals(set(phone.id, laptop.id), other.call("getClientIdByUid|alice"));
        assertEquals("{alice=" + set(phone.id, laptop.id) + ", carol=[]}", other.call("batchGetClientIdByUid|alice,carol"));
        assertEquals("bob", phone.call("getUidByClientId|" + other.id));

        // A new bind replaces the old uid.
        phone.ok("bindUid|" + laptop.id + "|bob");
        assertEquals(set(phone.id), other.call("getClientIdByUid|alice"));
        assertEquals(set(laptop.id, other.id), other.call("getClientIdByUid|bob"));

        // unbindUid checks the uid it is given.
        phone.ok("unbindUid|" + laptop.id + "|alice");
        assertEquals("bob", phone.call("getUidByClientId|" + laptop.id), "wrong uid: nothing happens");
        phone.ok("unbindUid|" + laptop.id + "|bob");
        assertEquals("null", phone.call("getUidByClientId|" + laptop.id));

        phone.ws.send("sendToUidBinary|bob|b");
        phone.expect("sendToUidBinary=ok");
        other.expect("binary:b");
        laptop.quiet();
    }

    @Test
    void aQuerySeesTheCommandsSentBeforeIt() {
        C a = client();
        for (int i = 0; i < 20; i++) {
            assertEquals("true", a.call("bindThenAsk|" + a.id + "|order-" + i), "bind, then ask: " + i);
            assertEquals("1", a.call("joinThenCount|" + a.id + "|order-group-" + i), "join, then count: " + i);
        }
    }

    @Test
    void emptyUidsAndGroupsAreRefused() {
        C a = client();
        assertEquals("error:uid: '' (expected: a non-empty string)", a.call("bindUid|" + a.id + "|"));
        assertEquals("error:group: '' (expected: a non-empty string)", a.call("joinGroup|" + a.id + "|"));
        assertEquals("error:uid: '' (expected: a non-empty string)", a.call("sendToUid||x"));
        assertEquals("error:group: '' (expected: a non-empty string)", a.call("sendToGroup||x"));
        assertEquals("error:group: '' (expected: a non-empty string)", a.call("getClientCountByGroup|"));
    }

    // ================================================================== groups

    @Test
    void groupsJoinLeaveSendOnceAndUngroup() throws Exception {
        C a = client();
        C b = client();
        C c = client();
        a.ok("joinGroup|" + a.id + "|g-red");
        a.ok("joinGroup|" + b.id + "|g-red");
        a.ok("joinGroup|" + b.id + "|g-blue");
        a.ok("joinGroup|" + c.id + "|g-blue");

        c.ok("sendToGroup|g-red|red news");
        a.expect("red news");
        b.expect("red news");
        c.quiet();

        a.ws.send("sendToGroups|g-red,g-blue|" + c.id + "|both");
        a.expect("both", "sendToGroups=ok");
        b.expect("both");
        b.quiet(); // in both groups, receives it once
        c.quiet(); // excluded

        a.ok("leaveGroup|" + b.id + "|g-red");
        c.ok("sendToGroup|g-red|after leave");
        a.expect("after leave");
        b.quiet();

        a.ok("ungroup|g-blue");
        a.ok("sendToGroup|g-blue|nobody");
        b.quiet();
        c.quiet();
        assertEquals("0", a.call("getClientCountByGroup|g-blue"));

        b.ws.send("sendToGroupBinary|g-red|bin");
        b.expect("sendToGroupBinary=ok");
        a.expect("binary:bin");
    }

    @Test
    void groupQueriesCountEveryMember() {
        C a = client();
        C b = client();
        C c = client();
        a.ok("bindUid|" + a.id + "|q-ann");
        a.ok("bindUid|" + b.id + "|q-ann");
        // c has no uid: it still counts as a member
        for (C x : new C[] {a, b, c}) {
            a.ok("joinGroup|" + x.id + "|q-room");
        }
        a.ok("joinGroup|" + c.id + "|q-other");

        assertEquals(set(a.id, b.id, c.id), a.call("getClientIdListByGroup|q-room"));
        assertEquals("3", a.call("getClientCountByGroup|q-room"));
        assertEquals("{q-none=0, q-other=1, q-room=3}", a.call("batchGetClientCountByGroup|q-room,q-other,q-none"));
        assertEquals(set("q-ann"), a.call("getUidListByGroup|q-room"));
        assertEquals("1", a.call("getUidCountByGroup|q-room"));
        assertEquals("0", a.call("getUidCountByGroup|q-other"));

        String groups = a.call("getAllGroupIdList");
        assertTrue(groups.contains("q-room") && groups.contains("q-other"), groups);
        String groupUids = a.call("getAllGroupUidList");
        assertTrue(groupUids.contains("q-room=[q-ann]") && groupUids.contains("q-other=[]"), groupUids);
        String groupUidCount = a.call("getAllGroupUidCount");
        assertTrue(groupUidCount.contains("q-room=1") && groupUidCount.contains("q-other=0"), groupUidCount);
        String groupClients = a.call("getAllGroupClientIdList");
        assertTrue(groupClients.contains("q-room=" + set(a.id, b.id, c.id)), groupClients);
        assertTrue(groupClients.contains("q-other=" + set(c.id)), groupClients);
        String groupCounts = a.call("getAllGroupClientIdCount");
        assertTrue(groupCounts.contains("q-room=3") && groupCounts.contains("q-other=1"), groupCounts);

        a.ok("put|k|v");
        assertEquals("{" + a.id + "={k=v, path=/}, " + b.id + "={path=/}, " + c.id + "={path=/}}",
                a.call("getClientSessionsByGroup|q-room"));
    }

    // ================================================================== sessions and queries

    @Test
    void sessionsAreWrittenBackAndSetUpdateGetWorkForAnyClient() throws Exception {
        C a = client();
        C b = client();
        assertEquals("{path=/}", a.call("session"), "filled in onWebSocketConnect");
        a.ok("put|name|ann");
        a.ok("putInt|age|7");
        assertEquals("{age=7, name=ann, path=/}", a.call("session"), "the next callback sees the write-back");

        b.ok("setSession|" + a.id + "|role=admin");
        assertEquals("{role=admin}", a.call("session"));
        b.ok("updateSession|" + a.id + "|lang=fr");
        assertEquals("{lang=fr, role=admin}", a.call("session"));
        assertEquals("{lang=fr, role=admin}", b.call("getSession|" + a.id));
        assertEquals("null", b.call("getSession|" + "7f00000108fc00000000"), "not online");

        // On the current client, setSession acts on the callback's own session.
        a.ok("setSession|" + a.id + "|mine=yes");
        assertEquals("{mine=yes}", a.call("session"));

        String tooBig = a.call("putBig|blob|70000");
        assertEquals("ok", tooBig);
        assertEquals("{mine=yes}", a.call("session"), "a session over the limit is not saved");
        String refused = b.call("setSessionBig|" + a.id + "|70000");
        assertTrue(refused.startsWith("error:session of client " + a.id), refused);
    }

    @Test
    void onCloseSeesTheLatestSession() throws Exception {
        C watcher = client();
        watcher.ok("joinGroup|" + watcher.id + "|watchers");
        C leaving = client();
        leaving.ok("put|last|words");
        leaving.ws.closeNormally();
        watcher.expect("left " + leaving.id + " session={last=words, path=/}");
        watcher.ok("leaveGroup|" + watcher.id + "|watchers");
    }

    @Test
    void whoIsOnlineAndEveryClientsData() throws Exception {
        C a = client();
        C b = client();
        a.ok("bindUid|" + b.id + "|all-bea");
        assertEquals("true", a.call("isOnline|" + b.id));
        assertTrue(a.call("getAllClientIdList").contains(b.id));
        assertTrue(a.call("getAllUidList").contains("all-bea"));
        assertTrue(a.call("getAllClientSessions").contains(b.id + "={path=/}"));
        eventually("2", () -> a.call("getAllClientCount"));
        eventually("1", () -> a.call("getAllUidCount"));

        b.ws.closeNormally();
        eventually("false", () -> a.call("isOnline|" + b.id));
        eventually("1", () -> a.call("getAllClientCount"));
        eventually("0", () -> a.call("getAllUidCount"));
        assertEquals("false", a.call("isOnline|" + "7f00000108fc00000000"));
    }

    // ================================================================== handshake and client info

    @Test
    void theHandshakeShowsPathQueryAndHeadersAndMayRefuse() {
        C a = new C("chat/room?token=t-1&uid=hs-user", "X-Test", "yes");
        assertEquals("{path=/chat/room, token=t-1, x-test=yes}", a.call("session"));
        assertEquals("hs-user", a.call("getUidByClientId|" + a.id), "bound during the handshake");

        URI refused = URI.create(topology.endpoint(clientCount++) + "?token=bad");
        WsClient ws = WsClient.connect(refused);
        open.add(ws);
        assertEquals(4001, ws.awaitClose());
        assertEquals("bad token", ws.closeReason());
    }

    @Test
    void everyCallbackKnowsTheClientsAddressListenerAndProtocol() {
        C a = client();
        String info = a.call("info");
        assertTrue(info.matches("127\\.0\\.0\\.1,true,ws://127\\.0\\.0\\.1:\\d+,websocket"), info);
    }

    // ================================================================== timers

    @Test
    void timersRunOnceOrRepeatAndSurviveExceptions() throws Exception {
        C a = client();
        a.ok("after|50|later");
        a.expect("later");
        a.ok("every|30|3");
        a.expect("tick:1", "tick:2", "tick:3");
        a.quiet();
        a.ok("every|30|4|fail-odd");
        a.expect("tick:2", "tick:4"); // ticks 1 and 3 threw; the timer went on
        a.quiet();
    }
}
