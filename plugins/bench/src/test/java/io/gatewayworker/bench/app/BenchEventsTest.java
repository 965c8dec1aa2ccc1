package io.gatewayworker.bench.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gatewayworker.api.AppContext;
import io.gatewayworker.api.Client;
import io.gatewayworker.api.Gateway;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BenchEventsTest {

    private final List<String> sent = new ArrayList<>();
    private final BenchEvents events = new BenchEvents();

    @BeforeEach
    void start() {
        // Proxies, so that the fakes need no change when the API grows.
        Gateway gateway = fake(Gateway.class, (name, args) -> {
            if (name.equals("sendToClient") && args.length == 2 && args[1] instanceof String text) {
                sent.add("client " + args[0] + " " + text);
            } else if (name.equals("sendToAll") && args.length == 1 && args[0] instanceof String text) {
                sent.add("all " + text);
            } else {
                sent.add("unexpected " + name);
            }
            return null;
        });
        events.onWorkerStart(fake(AppContext.class, (name, args) -> switch (name) {
            case "gateway" -> gateway;
            case "appId" -> "bench";
            case "version" -> "test";
            default -> throw new UnsupportedOperationException(name);
        }));
    }

    @Test
    void echoGoesBackToTheSenderUnchanged() {
        events.onMessage(client("7f00000108fc00000001"), "echo:hello:42");
        assertEquals(List.of("client 7f00000108fc00000001 echo:hello:42"), sent);
    }

    @Test
    void allGoesToEveryoneUnchanged() {
        events.onMessage(client("7f00000108fc00000002"), "all:7:123456789");
        assertEquals(List.of("all all:7:123456789"), sent);
    }

    @Test
    void anythingElseIsIgnored() {
        events.onMessage(client("7f00000108fc00000003"), "hello");
        events.onMessage(client("7f00000108fc00000003"), "ECHO:x");
        events.onMessage(client("7f00000108fc00000003"), "");
        assertEquals(List.of(), sent);
    }

    private static Client client(String id) {
        return fake(Client.class, (name, args) -> switch (name) {
            case "id" -> id;
            case "remoteHost" -> "127.0.0.1";
            case "remotePort" -> 40000;
            default -> throw new UnsupportedOperationException(name);
        });
    }

    private interface Calls {
        Object call(String method, Object[] args);
    }

    private static <T> T fake(Class<T> type, Calls calls) {
        Object proxy = Proxy.newProxyInstance(BenchEventsTest.class.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> switch (method.getName()) {
                    case "toString" -> "fake " + type.getSimpleName();
                    case "hashCode" -> System.identityHashCode(self);
                    case "equals" -> self == args[0];
                    default -> calls.call(method.getName(), args == null ? new Object[0] : args);
                });
        return type.cast(proxy);
    }
}
