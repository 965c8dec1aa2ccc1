package io.gatewayworker.host.config;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The roles a host process runs: any subset, all three by default (the embedded mode). The same roles in
 * separate processes, on separate machines, form a cluster.
 */
public enum HostRole {
    /** Keeps the list of live gateways; tells workers and push clients about it. */
    REGISTER,
    /** Holds client connections and carries out the workers' commands. */
    GATEWAY,
    /** Runs the apps. */
    WORKER;

    /** The name used in {@code --role} and the configuration file. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code register,gateway,worker} (any non-empty subset, any order).
     *
     * @throws IllegalArgumentException naming the unknown role
     */
    public static Set<HostRole> parse(String text) {
        EnumSet<HostRole> roles = EnumSet.noneOf(HostRole.class);
        for (String part : text.split(",")) {
            String name = part.strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            HostRole role = switch (name) {
                case "register" -> REGISTER;
                case "gateway" -> GATEWAY;
                case "worker", "businessworker" -> WORKER;
                default -> throw new IllegalArgumentException("unknown role '" + part.strip()
                        + "' (expected: a comma-separated list of register, gateway, worker)");
            };
            roles.add(role);
        }
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("no role (expected: a comma-separated list of register, gateway, worker)");
        }
        return roles;
    }

    /** "register,gateway,worker". */
    public static String show(Set<HostRole> roles) {
        return String.join(",", roles.stream().map(HostRole::key).toList());
    }
}
