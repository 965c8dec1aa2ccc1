package io.gatewayworker.host;

import io.gatewayworker.host.cli.Cli;

/**
 * The entry point of {@code bin/gatewayworker}: runs the command line ({@link Cli}) and exits with its
 * status.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(Cli.run(args));
    }
}
