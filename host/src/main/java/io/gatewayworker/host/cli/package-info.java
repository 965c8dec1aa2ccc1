/**
 * The command line, {@code bin/gatewayworker}: {@link io.gatewayworker.host.cli.Cli} with
 * {@code start} (the server, in the foreground with its shell, or as a daemon) and the commands that
 * talk to a running instance through its control endpoint ({@link io.gatewayworker.host.cli.ControlClient}).
 */
package io.gatewayworker.host.cli;
