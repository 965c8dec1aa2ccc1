package io.gatewayworker.host.config;

import io.gatewayworker.host.transport.InternalAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

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
        boolean watchPlugins) {

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
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 0)");
        }
    }

    /** The defaults: one WebSocket listener on 127.0.0.1:7272, apps from {@code plugins/}, data in {@code data/}. */
    public static HostConfig defaults() {
        return new HostConfig(List.of(ListenerConfig.DEFAULT), Path.of("plugins"), Path.of("data"),
                DEFAULT_REGISTER, DEFAULT_GATEWAY, 0, "worker-1", Limits.defaults(), true);
    }

    public HostConfig withListeners(List<ListenerConfig> listeners) {
        return new HostConfig(listeners, pluginsDir, dataDir, registerAddress, gatewayAddress, ioThreads, workerName, limits, watchPlugins);
    }

    public HostConfig withPluginsDir(Path pluginsDir) {
        return new HostConfig(listeners, pluginsDir, dataDir, registerAddress, gatewayAddress, ioThreads, workerName, limits, watchPlugins);
    }

    public HostConfig withDataDir(Path dataDir) {
        return new HostConfig(listeners, pluginsDir, dataDir, registerAddress, gatewayAddress, ioThreads, workerName, limits, watchPlugins);
    }

    public HostConfig withIoThreads(int ioThreads) {
        return new HostConfig(listeners, pluginsDir, dataDir, registerAddress, gatewayAddress, ioThreads, workerName, limits, watchPlugins);
    }

    public HostConfig withLimits(Limits limits) {
        return new HostConfig(listeners, pluginsDir, dataDir, registerAddress, gatewayAddress, ioThreads, workerName, limits, watchPlugins);
    }

    public HostConfig withWatchPlugins(boolean watchPlugins) {
        return new HostConfig(listeners, pluginsDir, dataDir, registerAddress, gatewayAddress, ioThreads, workerName, limits, watchPlugins);
    }
}
