package io.gatewayworker.host.link;

import io.gatewayworker.proto.link.v1.Report;
import java.lang.management.ManagementFactory;

/** What every role's {@link Report} says of its process: build, start time, PID, machine. */
public final class Reports {

    private static final String HOST_NAME = hostName();

    private Reports() {
    }

    /** A report of this process under {@code name}, for a role to complete. */
    public static Report.Builder of(String name) {
        String version = Reports.class.getPackage().getImplementationVersion();
        return Report.newBuilder()
                .setName(name)
                .setVersion(version == null ? "dev" : version)
                .setStartedMillis(ManagementFactory.getRuntimeMXBean().getStartTime())
                .setPid(ProcessHandle.current().pid())
                .setHost(HOST_NAME);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | SecurityException e) {
            String env = System.getenv("HOSTNAME");
            return env == null ? "" : env;
        }
    }
}
