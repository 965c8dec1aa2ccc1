package io.gatewayworker.bench.app;

import io.gatewayworker.api.AppContext;
import io.gatewayworker.api.Client;
import io.gatewayworker.api.Events;
import io.gatewayworker.api.Gateway;
import org.pf4j.Extension;

/**
 * The benchmark app that {@code bin/bench} runs in the host. It knows two text messages and ignores
 * everything else:
 *
 * <ul>
 *   <li>{@code echo:<anything>} is sent back unchanged to its sender only ({@link Gateway#sendToClient});
 *   <li>{@code all:<anything>} is sent unchanged to every connected client, the sender too
 *       ({@link Gateway#sendToAll(String)}).
 * </ul>
 *
 * The raw Netty server of the {@code bench} module (the ceiling) answers the same two messages, so the
 * load generator drives both the same way.
 *
 * <p>Threads: the host calls every callback on a virtual thread; the only state, the gateway, is set once
 * in {@link #onWorkerStart} and read through a volatile field.
 */
@Extension
public class BenchEvents implements Events {

    /** Prefix of a message that goes back to its sender. */
    public static final String ECHO = "echo:";

    /** Prefix of a message that goes to every client. */
    public static final String ALL = "all:";

    private volatile Gateway gateway;

    @Override
    public void onWorkerStart(AppContext context) {
        gateway = context.gateway();
    }

    @Override
    public void onMessage(Client client, String message) {
        if (message.startsWith(ECHO)) {
            gateway.sendToClient(client.id(), message);
        } else if (message.startsWith(ALL)) {
            gateway.sendToAll(message);
        }
    }
}
