package io.gatewayworker.it;

import io.gatewayworker.host.Host;
import io.gatewayworker.host.config.HostConfig;
import io.gatewayworker.host.config.ListenerConfig;
import io.gatewayworker.host.transport.InternalAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/** A whole server (all roles, one JVM) on a loopback port the system picks, for one test. */
final class TestHost implements AutoCloseable {

    private final Host host;

    private TestHost(Host host) {
        this.host = host;
    }

    /** Starts with the apps found in {@code dir/plugins}. */
    static TestHost start(Path dir) {
        return start(dir, c -> c);
    }

    /** Starts with the apps found in {@code dir/plugins} and the test's changes to the configuration. */
    static TestHost start(Path dir, UnaryOperator<HostConfig> customize) {
        HostConfig config = HostConfig.defaults()
                .with(b -> {
                    // Internal ports the system picks: tests run side by side, and the roles link in-JVM anyway.
                    b.registerAddresses = List.of(new InternalAddress("127.0.0.1", 0));
                    b.gatewayAddress = new InternalAddress("127.0.0.1", 0);
                })
                .withListeners(List.of(ListenerConfig.parse("ws://127.0.0.1:0")))
                .withPluginsDir(dir.resolve("plugins"))
                .withDataDir(dir.resolve("data"))
                .withIoThreads(2);
        return new TestHost(Host.start(customize.apply(config)));
    }

    URI uri() {
        InetSocketAddress address = host.address();
        return URI.create("ws://127.0.0.1:" + address.getPort() + "/");
    }

    Host host() {
        return host;
    }

    WsClient client() {
        return WsClient.connect(uri());
    }

    @Override
    public void close() {
        host.stop();
    }
}
