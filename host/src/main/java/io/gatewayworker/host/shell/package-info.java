/**
 * The interactive shell of a server started in the foreground: {@link io.gatewayworker.host.shell.Shell}
 * runs and completes the {@link io.gatewayworker.host.control.AdminCommands} with history, and prints
 * log lines above the prompt.
 */
package io.gatewayworker.host.shell;
