package test.api;

import io.gatewayworker.api.AppContext;
import io.gatewayworker.api.Client;
import io.gatewayworker.api.Events;
import io.gatewayworker.api.Gateway;
import io.gatewayworker.api.GatewayException;
import io.gatewayworker.api.Handshake;
import io.gatewayworker.api.Timers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.pf4j.Extension;

/**
 * A test app that exposes every Gateway call as a text command: {@code name|arg|arg...}. Each command
 * answers its sender with {@code name=result} (sorted, so results compare as text), or
 * {@code name=error:message} when the call threw a GatewayException.
 */
@Extension
public class ApiEvents implements Events {

    private volatile Gateway g;
    private volatile Timers timers;

    @Override
    public void onWorkerStart(AppContext context) {
        g = context.gateway();
        timers = context.timers();
    }

    @Override
    public void onWebSocketConnect(Client client, Handshake handshake) {
        String token = handshake.queryParameter("token");
        if ("bad".equals(token)) {
            handshake.refuse(4001, "bad token");
            return;
        }
        client.session().put("path", handshake.path());
        if (token != null) {
            client.session().put("token", token);
        }
        String header = handshake.header("X-Test");
        if (header != null) {
            client.session().put("x-test", header);
        }
        String uid = handshake.queryParameter("uid");
        if (uid != null) {
            g.bindUid(client.id(), uid);
        }
    }

    @Override
    public void onConnect(Client client) {
        g.sendToClient(client.id(), "id=" + client.id());
    }

    @Override
    public void onMessage(Client client, byte[] message) {
        byte[] reversed = new byte[message.length];
        for (int i = 0; i < message.length; i++) {
            reversed[i] = message[message.length - 1 - i];
        }
        g.sendToClient(client.id(), reversed);
    }

    @Override
    public void onClose(Client client) {
        g.sendToGroup("watchers", "left " + client.id() + " session=" + text(client.session()));
    }

    @Override
    public void onMessage(Client client, String message) {
        String[] p = message.split("\\|", -1);
        String name = p[0];
        String result;
        try {
            result = run(client, p);
        } catch (GatewayException e) {
            result = "error:" + e.getMessage();
        }
        g.sendToClient(client.id(), name + "=" + result);
    }

    private String run(Client client, String[] p) {
        String me = client.id();
        switch (p[0]) {
            case "info": return client.remoteHost() + "," + (client.remotePort() > 0) + "," + client.listener() + "," + client.protocol();
            case "session": return text(client.session());
            case "put": client.session().put(p[1], p[2]); return "ok";
            case "putInt": client.session().put(p[1], Integer.parseInt(p[2])); return "ok";
            case "putBig": client.session().put(p[1], "x".repeat(Integer.parseInt(p[2]))); return "ok";
            case "sendToAll": g.sendToAll(p[1]); return "ok";
            case "sendToAllBinary": g.sendToAll(p[1].getBytes(StandardCharsets.UTF_8)); return "ok";
            case "sendToSome": g.sendToAll(p[3], list(p[1]), list(p[2])); return "ok";
            case "sendToNone": g.sendToAll(p[1], List.of(), null); return "ok";
            case "sendToClient": g.sendToClient(p[1], p[2]); return "ok";
            case "sendBinary": g.sendToClient(p[1], p[2].getBytes(StandardCharsets.UTF_8)); return "ok";
            case "closeClient": g.closeClient(p[1]); return "ok";
            case "closeClientMsg": g.closeClient(p[1], p[2]); return "ok";
            case "destroyClient": g.destroyClient(p[1]); return "ok";
            case "bindUid": g.bindUid(p[1], p[2]); return "ok";
            case "unbindUid": g.unbindUid(p[1], p[2]); return "ok";
            case "sendToUid": g.sendToUid(p[1], p[2]); return "ok";
            case "sendToUids": g.sendToUid(list(p[1]), p[2]); return "ok";
            case "sendToUidBinary": g.sendToUid(p[1], p[2].getBytes(StandardCharsets.UTF_8)); return "ok";
            case "joinGroup": g.joinGroup(p[1], p[2]); return "ok";
            case "leaveGroup": g.leaveGroup(p[1], p[2]); return "ok";
            case "ungroup": g.ungroup(p[1]); return "ok";
            case "sendToGroup": g.sendToGroup(p[1], p[2]); return "ok";
            case "sendToGroups": g.sendToGroup(list(p[1]), p[3], list(p[2])); return "ok";
            case "sendToGroupBinary": g.sendToGroup(p[1], p[2].getBytes(StandardCharsets.UTF_8)); return "ok";
            case "setSession": g.setSession(p[1], map(p[2])); return "ok";
            case "setSessionBig": g.setSession(p[1], Map.of("blob", "x".repeat(Integer.parseInt(p[2])))); return "ok";
            case "updateSession": g.updateSession(p[1], map(p[2])); return "ok";
            case "getSession": return text(g.getSession(p[1]));
            case "bindThenAsk": g.bindUid(p[1], p[2]); return String.valueOf(g.isUidOnline(p[2]));
            case "joinThenCount": g.joinGroup(p[1], p[2]); return String.valueOf(g.getClientCountByGroup(p[2]));
            case "isOnline": return String.valueOf(g.isOnline(p[1]));
            case "isUidOnline": return String.valueOf(g.isUidOnline(p[1]));
            case "isUidsOnline": return text(g.isUidsOnline(list(p[1])));
            case "getClientIdByUid": return text(g.getClientIdByUid(p[1]));
            case "batchGetClientIdByUid": return text(g.batchGetClientIdByUid(list(p[1])));
            case "getUidByClientId": return String.valueOf(g.getUidByClientId(p[1]));
            case "getClientIdListByGroup": return text(g.getClientIdListByGroup(p[1]));
            case "getClientCountByGroup": return String.valueOf(g.getClientCountByGroup(p[1]));
            case "batchGetClientCountByGroup": return text(g.batchGetClientCountByGroup(list(p[1])));
            case "getClientSessionsByGroup": return text(g.getClientSessionsByGroup(p[1]));
            case "getAllClientCount": return String.valueOf(g.getAllClientCount());
            case "getAllClientIdList": return text(g.getAllClientIdList());
            case "getAllClientSessions": return text(g.getAllClientSessions());
            case "getAllUidList": return text(g.getAllUidList());
            case "getAllUidCount": return String.valueOf(g.getAllUidCount());
            case "getUidListByGroup": return text(g.getUidListByGroup(p[1]));
            case "getUidCountByGroup": return String.valueOf(g.getUidCountByGroup(p[1]));
            case "getAllGroupIdList": return text(g.getAllGroupIdList());
            case "getAllGroupUidList": return text(g.getAllGroupUidList());
            case "getAllGroupUidCount": return text(g.getAllGroupUidCount());
            case "getAllGroupClientIdList": return text(g.getAllGroupClientIdList());
            case "getAllGroupClientIdCount": return text(g.getAllGroupClientIdCount());
            case "after": {
                String msg = p[2];
                timers.after(Duration.ofMillis(Long.parseLong(p[1])), () -> g.sendToClient(me, msg));
                return "ok";
            }
            case "every": {
                int times = Integer.parseInt(p[2]);
                AtomicInteger ticks = new AtomicInteger();
                Timers.Timer[] timer = new Timers.Timer[1];
                timer[0] = timers.every(Duration.ofMillis(Long.parseLong(p[1])), () -> {
                    int n = ticks.incrementAndGet();
                    if (n % 2 == 1 && p.length > 3) {
                        throw new IllegalStateException("tick " + n + " fails, as asked");
                    }
                    g.sendToClient(me, "tick:" + n);
                    if (n >= times) {
                        timer[0].cancel();
                    }
                });
                return "ok";
            }
            default: return "unknown";
        }
    }

    private static List<String> list(String csv) {
        return csv.isEmpty() ? List.of() : Arrays.asList(csv.split(","));
    }

    private static Map<String, Object> map(String spec) {
        Map<String, Object> map = new LinkedHashMap<>();
        if (!spec.isEmpty()) {
            for (String kv : spec.split(",")) {
                String[] parts = kv.split("=", 2);
                map.put(parts[0], parts[1]);
            }
        }
        return map;
    }

    /** Sorted, so that results compare as text. */
    static String text(Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof Map<?, ?> m) {
            Map<String, String> sorted = new TreeMap<>();
            m.forEach((k, v) -> sorted.put(String.valueOf(k), text(v)));
            return sorted.toString();
        }
        if (o instanceof Collection<?> c) {
            return c.stream().map(ApiEvents::text).collect(Collectors.toCollection(TreeSet::new)).toString();
        }
        return String.valueOf(o);
    }
}
