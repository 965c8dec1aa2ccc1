package io.gatewayworker.host.gateway;

import io.gatewayworker.host.config.ListenerConfig;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * A public listener at run time: its configuration, its protocol's {@link WireFormat}, its connection
 * limit and, once bound, its channel. Thread-safe.
 */
final class Listener {

    private final ListenerConfig config;
    private final WireFormat wire;
    private final ConnectionLimitHandler limiter;
    private volatile Channel channel;
    private volatile String name;
    /** Traffic of all the listener's clients, since start. Incremented on the clients' event loops. */
    final LongAdder messagesIn = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder messagesOut = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    /** Clients dropped for reading too slowly. */
    final LongAdder slowDrops = new LongAdder();

    Listener(ListenerConfig config, int maxConnections) {
        this.config = config;
        this.wire = WebSocketWire.INSTANCE;
        this.limiter = new ConnectionLimitHandler(config.url(), maxConnections);
        this.name = config.url();
    }

    ListenerConfig config() {
        return config;
    }

    /** "ws://127.0.0.1:7272", with the real port once bound. */
    String name() {
        return name;
    }

    String protocol() {
        return config.protocol();
    }

    WireFormat wire() {
        return wire;
    }

    ConnectionLimitHandler limiter() {
        return limiter;
    }

    Channel channel() {
        return channel;
    }

    void bound(Channel channel) {
        this.channel = channel;
        InetSocketAddress address = (InetSocketAddress) channel.localAddress();
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        this.name = config.scheme() + "://" + host + ":" + address.getPort();
    }

    /** The bound address, or null before binding. */
    InetSocketAddress address() {
        Channel c = channel;
        return c == null ? null : (InetSocketAddress) c.localAddress();
    }
}
