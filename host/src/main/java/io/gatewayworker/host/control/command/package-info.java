/**
 * The operator's commands, each written once: an {@link io.gatewayworker.host.control.command.OperatorCommand}
 * per command (name, aliases, summary, grammar as {@link io.gatewayworker.host.control.command.Param}s with
 * their completion {@link io.gatewayworker.host.control.command.Candidates}, and what it does), in a
 * {@link io.gatewayworker.host.control.command.CommandGroup}, run and completed by a
 * {@link io.gatewayworker.host.control.command.CommandDispatcher} against an
 * {@link io.gatewayworker.host.control.command.OperatorView} of the running system. The interactive shell,
 * the control endpoint and the command line all take their grammar from here.
 *
 * <p>Starting points: {@code CommandGroup.standard()} for the commands, {@code OperatorView} for what
 * they may ask of a process, {@code CommandDispatcher.execute} and {@code complete} for the front ends.
 */
package io.gatewayworker.host.control.command;
