package io.gatewayworker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat example, from its Maven-built jar, with three real WebSocket clients. */
class ChatEndToEndTest {

    @TempDir
    Path dir;
    private TestHost server;

    @Test
    void threeClientsSeeHelloLoginSaidAndLogoutInOrder() throws Exception {
        TestApps.chat(dir.resolve("plugins"));
        try (TestHost started = TestHost.start(dir); WsClient a = started.client()) {
            server = started;
            String idA = helloId(a.next());
            a.expect(idA + " login");

            try (WsClient b = server.client()) {
                String idB = helloId(b.next());
                b.expect(idB + " login");
                a.expect(idB + " login");

                String idC;
                try (WsClient c = server.client()) {
                    idC = helloId(c.next());
                    c.expect(idC + " login");
                    a.expect(idC + " login");
                    b.expect(idC + " login");

                    a.send("hello, room");
                    for (WsClient each : new WsClient[] {a, b, c}) {
                        each.expect(idA + " said hello, room");
                    }

                    b.closeNormally();
                    a.expect(idB + " logout");
                    c.expect(idB + " logout");

                    c.send("still here");
                    a.expect(idC + " said still here");
                    c.expect(idC + " said still here");
                }
                a.expect(idC + " logout");
            }
            a.expectNothing(Duration.ofMillis(200));
        }
    }

    private String helloId(String hello) {
        assertTrue(hello.startsWith("Hello "), hello);
        String id = hello.substring("Hello ".length());
        assertTrue(id.matches("[0-9a-f]{20}"), id);
        io.gatewayworker.host.transport.InternalAddress gateway = server.host().gateway().internalAddress();
        assertEquals(String.format("%08x%04x", gateway.ipv4(), gateway.port()), id.substring(0, 12),
                "the id names the gateway " + gateway);
        return id;
    }
}
