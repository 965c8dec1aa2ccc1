package io.gatewayworker.host.gateway;

import io.gatewayworker.proto.link.v1.Broadcast;
import io.gatewayworker.proto.link.v1.Close;
import io.gatewayworker.proto.link.v1.Command;
import io.gatewayworker.proto.link.v1.FlowControl;
import io.gatewayworker.proto.link.v1.Send;
import io.gatewayworker.proto.link.v1.SessionWrite;
import io.gatewayworker.proto.link.v1.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the commands of one worker link. Each command becomes operations on the event loops of
 * its target clients, collected in one {@link LoopBatch} per loop during a read burst and handed to
 * each loop at the end of the burst ({@link #flush()}): one task per loop, not one per message, and
 * the order of commands is kept for every client.
 *
 * <p>A message is encoded once per command; a broadcast is encoded once and walked by each loop over
 * its own clients.
 *
 * <p>Runs on the link's event loop.
 */
final class CommandExecutor {

    private static final Logger log = LoggerFactory.getLogger(CommandExecutor.class);

    private final GatewayServer gateway;
    private final WorkerLink link;
    private final Map<EventLoop, LoopBatch> batches = new IdentityHashMap<>();

    CommandExecutor(GatewayServer gateway, WorkerLink link) {
        this.gateway = gateway;
        this.link = link;
    }

    void execute(Command command) {
        String app = command.getApp();
        switch (command.getOpCase()) {
            case SEND -> send(app, command.getSend());
            case BROADCAST -> broadcast(app, command.getBroadcast());
            case CLOSE -> close(app, command.getClose());
            case VERDICT -> verdict(app, command.getVerdict());
            case SESSION_WRITE -> sessionWrite(app, command.getSessionWrite());
            default -> log.warn("Worker {} sent a command this gateway does not carry out: {}", link, command.getOpCase());
        }
    }

    void flow(FlowControl flow) {
        ClientConnection client = gateway.table().get(flow.getConnection());
        if (client != null) {
            boolean pause = flow.getPause();
            batch(client).add(() -> {
                if (pause) {
                    client.pause(ClientConnection.PAUSE_WORKER);
                } else {
                    client.resume(ClientConnection.PAUSE_WORKER);
                }
            });
        }
    }

    /** Hands every batch to its loop. */
    void flush() {
        for (Map.Entry<EventLoop, LoopBatch> entry : batches.entrySet()) {
            LoopBatch batch = entry.getValue();
            if (batch.isEmpty()) {
                continue;
            }
            if (batch.loop().inEventLoop()) {
                batch.run();
            } else {
                batch.loop().execute(batch);
                entry.setValue(new LoopBatch(batch.loop()));
            }
        }
    }

    private LoopBatch batch(ClientConnection client) {
        return batch(client.loop());
    }

    private LoopBatch batch(EventLoop loop) {
        LoopBatch batch = batches.get(loop);
        if (batch == null) {
            batch = new LoopBatch(loop);
            batches.put(loop, batch);
        }
        return batch;
    }

    private void send(String app, Send send) {
        EncodedBody body = new EncodedBody(send.getBody(), gateway.alloc());
        try {
            List<Integer> targets = send.getConnectionsList();
            Set<Integer> seen = targets.size() > 1 ? new HashSet<>() : null;
            for (int i = 0; i < targets.size(); i++) {
                int number = targets.get(i);
                if (seen != null && !seen.add(number)) {
                    continue;
                }
                ClientConnection client = gateway.table().get(number);
                if (client == null) {
                    continue; // gone: dropped silently
                }
                ByteBuf wire = body.copyFor(client.listener().wire());
                LoopBatch batch = batch(client);
                batch.add(() -> {
                    if (app.equals(client.app())) {
                        client.write(wire, batch);
                    } else {
                        wire.release();
                    }
                });
            }
        } finally {
            body.release();
        }
    }

    private void broadcast(String app, Broadcast broadcast) {
        EncodedBody body = new EncodedBody(broadcast.getBody(), gateway.alloc());
        body.encodeAll(gateway.wireFormats());
        Set<Integer> exclude = broadcast.getExcludeCount() == 0 ? Set.of() : new HashSet<>(broadcast.getExcludeList());
        try {
            for (LoopClients clients : gateway.table().loops()) {
                LoopBatch batch = batch(clients.loop());
                EncodedBody shared = body.retain();
                batch.add(() -> {
                    try {
                        for (ClientConnection client : clients.ofApp(app)) {
                            if (!exclude.contains(client.number())) {
                                client.write(shared.copyFor(client.listener().wire()), batch);
                            }
                        }
                    } finally {
                        shared.release();
                    }
                });
            }
        } finally {
            body.release();
        }
    }

    private void close(String app, Close close) {
        ClientConnection client = gateway.table().get(close.getConnection());
        if (client == null) {
            return;
        }
        ByteBuf last = close.hasBody() && !close.getImmediate()
                ? client.listener().wire().encode(close.getBody(), gateway.alloc()) : null;
        int code = close.getCode() == 0 ? 1000 : close.getCode();
        String reason = close.getReason();
        boolean immediate = close.getImmediate();
        batch(client).add(() -> {
            if (app.equals(client.app())) {
                client.close(last, code, reason, immediate);
            } else if (last != null) {
                last.release();
            }
        });
    }

    private void verdict(String app, Verdict verdict) {
        ClientConnection client = gateway.table().get(verdict.getConnection());
        if (client != null) {
            batch(client).add(() -> {
                if (app.equals(client.app())) {
                    client.verdict(verdict.getAccept(), verdict.getCode(), verdict.getReason());
                }
            });
        }
    }

    private void sessionWrite(String app, SessionWrite write) {
        ClientConnection client = gateway.table().get(write.getConnection());
        if (client != null) {
            batch(client).add(() -> {
                if (app.equals(client.app())) {
                    client.writeSession(write, link);
                }
            });
        }
    }

}
