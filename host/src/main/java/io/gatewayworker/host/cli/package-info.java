/**
 * The command line, {@code bin/gatewayworker}: {@link io.gatewayworker.host.cli.Cli} with {@code start}
 * (the server, in the foreground with its shell, or as a daemon), {@code restart}, and the operator's
 * commands, generated from their command objects ({@code RemoteCommands}) and
 * sent to a running instance through its control endpoint ({@code ControlClient}).
 */
package io.gatewayworker.host.cli;
