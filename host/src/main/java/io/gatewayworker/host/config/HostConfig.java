package io.gatewayworker.host.config;

import io.gatewayworker.host.transport.InternalAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What one host runs and where.
 *
 * @param listeners the gateway's public listeners
 * @param pluginsDir the folder of app jars
 * @param dataDir where the host keeps its files (loaded copies of app jars)
 * @param registerAddress the register's internal address
 * @param gatewayAddress the gateway's internal address, encoded in its client ids
 * @param ioThreads network threads; 0 means one per processor
 * @param workerName the BusinessWorker's name in logs
 * @param limits every bound
 * @param watchPlugins whether a change of the plugins folder adds, reloads or removes apps
 * @param controlPort the loopback port of the control endpoint; 0 picks a free one
 */
public record HostConfig(
        List<ListenerConfig> listeners,
        Path pluginsDir,
        Path dataDir,
        InternalAddress registerAddress,
        InternalAddress gatewayAddress,
        int ioThreads,
        String workerName,
        Limits limits,
        boolean watchPlugins,
        int controlPort) {

    /** Register default address, as GatewayWorker's. */
    public static final InternalAddress DEFAULT_REGISTER = new InternalAddress("127.0.0.1", 1236);
    /** Gateway default internal address, as GatewayWorker's demo. */
    public static final InternalAddress DEFAULT_GATEWAY = new InternalAddress("127.0.0.1", 2300);

    public HostConfig {
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(pluginsDir, "pluginsDir");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(registerAddress, "registerAddress");
        Objects.requireNonNull(gatewayAddress, "gatewayAddress");
        Objects.requireNonNull(limits, "limits");
        if (controlPort < 0 || controlPort > 0xFFFF) {
            throw new IllegalArgumentException("controlPort: " + controlPort + " (expected: 0-65535)");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 0)");
        }
    }

    /** The defaults: one WebSocket listener on 127.0.0.1:7272, apps from {@code plugins/}, data in {@code data/}. */
    public static HostConfig defaults() {
        return new HostConfig(List.of(ListenerConfig.DEFAULT), Path.of("plugins"), Path.of("data"),
                DEFAULT_REGISTER, DEFAULT_GATEWAY, 0, "worker-1", Limits.defaults(), true, 0);
    }

    public HostConfig withListeners(List<ListenerConfig> listeners) {
        return with(b -> b.listeners = listeners);
    }

    public HostConfig withPluginsDir(Path pluginsDir) {
        return with(b -> b.pluginsDir = pluginsDir);
    }

    public HostConfig withDataDir(Path dataDir) {
        return with(b -> b.dataDir = dataDir);
    }

    public HostConfig withIoThreads(int ioThreads) {
        return with(b -> b.ioThreads = ioThreads);
    }

    public HostConfig withLimits(Limits limits) {
        return with(b -> b.limits = limits);
    }

    public HostConfig withWatchPlugins(boolean watchPlugins) {
        return with(b -> b.watchPlugins = watchPlugins);
    }

    /** A copy with the changes {@code change} makes to a builder holding this configuration. */
    public HostConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The fields of a {@link HostConfig}, to change several at once. */
    public static final class Builder {
        public List<ListenerConfig> listeners;
        public Path pluginsDir;
        public Path dataDir;
        public InternalAddress registerAddress;
        public InternalAddress gatewayAddress;
        public int ioThreads;
        public String workerName;
        public Limits limits;
        public boolean watchPlugins;
        public int controlPort;

        Builder(HostConfig c) {
            listeners = c.listeners;
            pluginsDir = c.pluginsDir;
            dataDir = c.dataDir;
            registerAddress = c.registerAddress;
            gatewayAddress = c.gatewayAddress;
            ioThreads = c.ioThreads;
            workerName = c.workerName;
            limits = c.limits;
            watchPlugins = c.watchPlugins;
            controlPort = c.controlPort;
        }

        HostConfig build() {
            return new HostConfig(listeners, pluginsDir, dataDir, registerAddress, gatewayAddress, ioThreads, workerName,
                    limits, watchPlugins, controlPort);
        }
    }
}
