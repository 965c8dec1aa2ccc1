package io.gatewayworker.host.control.command;

import java.util.List;

/**
 * Where the completion candidates of a parameter come from: live data, asked again on each Tab. May
 * throw: the dispatcher then offers nothing.
 */
@FunctionalInterface
public interface Candidates {

    /** No candidates. */
    Candidates NONE = context -> List.of();

    /** The ids of the connected clients. */
    Candidates CLIENT_IDS = context -> context.view().gateway().map(OperatorView.Gateway::clientIds).orElse(List.of());

    /** The ids of the running apps. */
    Candidates APPS = context -> context.view().worker().map(OperatorView.Worker::appIds).orElse(List.of());

    /** The names of the groups that have members, of every app. */
    Candidates GROUPS = context -> context.view().gateway()
            .map(g -> g.groups().stream().map(OperatorView.Group::group).distinct().sorted().toList())
            .orElse(List.of());

    /** The names of the commands. */
    Candidates COMMANDS = context -> context.commands().names();

    /** The candidates now. */
    List<String> of(CommandContext context);
}
