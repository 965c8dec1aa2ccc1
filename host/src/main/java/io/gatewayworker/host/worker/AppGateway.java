package io.gatewayworker.host.worker;

import com.google.protobuf.ByteString;
import io.gatewayworker.api.Gateway;
import io.gatewayworker.host.link.ClientId;
import io.gatewayworker.proto.link.v1.Body;
import io.gatewayworker.proto.link.v1.Broadcast;
import io.gatewayworker.proto.link.v1.Close;
import io.gatewayworker.proto.link.v1.Command;
import io.gatewayworker.proto.link.v1.Send;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Gateway} of one app on this worker. Every call decodes the client ids it is given, finds
 * the link of each owning gateway, and sends that gateway a command on behalf of the app: one command
 * per gateway, never one per client. Broadcasts go to every linked gateway.
 *
 * <p>Thread-safe; called from callbacks, timers and app threads. It never blocks on the network, but
 * an app thread waits (bounded) while a link is congested.
 */
final class AppGateway implements Gateway {

    private static final Logger log = LoggerFactory.getLogger(AppGateway.class);

    private final String app;
    private final GatewayDirectory gateways;

    AppGateway(String app, GatewayDirectory gateways) {
        this.app = app;
        this.gateways = gateways;
    }

    @Override
    public void sendToAll(String message) {
        broadcast(text(message), Map.of());
    }

    @Override
    public void sendToAll(byte[] message) {
        broadcast(binary(message), Map.of());
    }

    @Override
    public void sendToAll(String message, Collection<String> clientIds, Collection<String> excludeClientIds) {
        sendToAll(text(message), clientIds, excludeClientIds);
    }

    @Override
    public void sendToAll(byte[] message, Collection<String> clientIds, Collection<String> excludeClientIds) {
        sendToAll(binary(message), clientIds, excludeClientIds);
    }

    @Override
    public void sendToClient(String clientId, String message) {
        sendTo(ClientId.parse(clientId), text(message));
    }

    @Override
    public void sendToClient(String clientId, byte[] message) {
        sendTo(ClientId.parse(clientId), binary(message));
    }

    @Override
    public void closeClient(String clientId) {
        close(ClientId.parse(clientId), null);
    }

    @Override
    public void closeClient(String clientId, String message) {
        close(ClientId.parse(clientId), text(message));
    }

    // ------------------------------------------------------------------

    private void sendToAll(Body body, Collection<String> clientIds, Collection<String> excludeClientIds) {
        Map<Long, List<Integer>> excluded = byGateway(excludeClientIds);
        if (clientIds == null) {
            broadcast(body, excluded);
            return;
        }
        Map<Long, List<Integer>> targets = byGateway(clientIds);
        for (Map.Entry<Long, List<Integer>> e : targets.entrySet()) {
            List<Integer> connections = e.getValue();
            List<Integer> skip = excluded.get(e.getKey());
            if (skip != null) {
                connections.removeAll(skip);
            }
            if (connections.isEmpty()) {
                continue;
            }
            GatewayLink link = gateways.get(e.getKey());
            if (link != null) {
                link.command(command().setSend(Send.newBuilder().addAllConnections(connections).setBody(body)).build());
            }
        }
    }

    private void broadcast(Body body, Map<Long, List<Integer>> excluded) {
        for (GatewayLink link : gateways.all()) {
            Broadcast.Builder broadcast = Broadcast.newBuilder().setBody(body);
            List<Integer> skip = excluded.get(link.address().key());
            if (skip != null) {
                broadcast.addAllExclude(skip);
            }
            link.command(command().setBroadcast(broadcast).build());
        }
    }

    private void sendTo(ClientId id, Body body) {
        GatewayLink link = gateways.get(id.gatewayKey());
        if (link == null) {
            log.debug("App {}: no link to the gateway of client {}; message dropped", app, id);
            return;
        }
        link.command(command().setSend(Send.newBuilder().addConnections(id.connection()).setBody(body)).build());
    }

    private void close(ClientId id, Body last) {
        GatewayLink link = gateways.get(id.gatewayKey());
        if (link == null) {
            return;
        }
        Close.Builder close = Close.newBuilder().setConnection(id.connection()).setCode(1000);
        if (last != null) {
            close.setBody(last);
        }
        link.command(command().setClose(close).build());
    }

    /** Groups client ids by gateway; the lists are mutable and free of duplicates. */
    private static Map<Long, List<Integer>> byGateway(Collection<String> clientIds) {
        if (clientIds == null || clientIds.isEmpty()) {
            return Map.of();
        }
        Map<Long, LinkedHashMap<Integer, Boolean>> grouped = new HashMap<>();
        for (String text : clientIds) {
            ClientId id = ClientId.parse(text);
            grouped.computeIfAbsent(id.gatewayKey(), k -> new LinkedHashMap<>()).put(id.connection(), Boolean.TRUE);
        }
        Map<Long, List<Integer>> out = new HashMap<>();
        grouped.forEach((k, v) -> out.put(k, new ArrayList<>(v.keySet())));
        return out;
    }

    private Command.Builder command() {
        return Command.newBuilder().setApp(app);
    }

    private static Body text(String message) {
        return Body.newBuilder().setText(Objects.requireNonNull(message, "message")).build();
    }

    private static Body binary(byte[] message) {
        return Body.newBuilder().setBinary(ByteString.copyFrom(Objects.requireNonNull(message, "message"))).build();
    }
}
