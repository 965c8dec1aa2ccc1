package io.gatewayworker.host.control.command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An ordered set of commands, found by name or alias: {@link #standard()} holds the operator's
 * commands, in the order {@code help} lists them. Holds grammar only, no view: the command line uses it
 * to make its subcommands without a running instance. Immutable; thread-safe.
 */
public final class CommandGroup {

    private final List<OperatorCommand> commands;
    private final Map<String, OperatorCommand> byName = new LinkedHashMap<>();

    private CommandGroup(List<OperatorCommand> commands) {
        this.commands = List.copyOf(commands);
        for (OperatorCommand c : this.commands) {
            Param.check(c.name(), c.params());
            List<String> names = new ArrayList<>(c.aliases());
            names.add(0, c.name());
            for (String name : names) {
                OperatorCommand taken = byName.putIfAbsent(name, c);
                if (taken != null) {
                    throw new IllegalArgumentException("command name '" + name + "' of " + c.name() + " is taken by "
                            + taken.name() + " (expected: unique names and aliases)");
                }
            }
        }
    }

    /** A group of {@code commands}, in this order. */
    public static CommandGroup of(List<OperatorCommand> commands) {
        return new CommandGroup(commands);
    }

    /**
     * The operator's commands: status, connections, plugins, reload, kick, send, broadcast, groups,
     * config, stop, help.
     */
    public static CommandGroup standard() {
        return of(List.of(new StatusCommand(), new ConnectionsCommand(), new PluginsCommand(), new ReloadCommand(),
                new KickCommand(), new SendCommand(), new BroadcastCommand(), new GroupsCommand(), new ConfigCommand(),
                new StopCommand(), new HelpCommand()));
    }

    /** The commands, in order. */
    public List<OperatorCommand> commands() {
        return commands;
    }

    /** The command called {@code nameOrAlias}. */
    public Optional<OperatorCommand> find(String nameOrAlias) {
        return Optional.ofNullable(byName.get(nameOrAlias));
    }

    /** The commands' names (not the aliases), in order. */
    public List<String> names() {
        return commands.stream().map(OperatorCommand::name).toList();
    }

    /** " (did you mean status?)" for a name close to one of the commands', else "". */
    String suggestion(String unknown) {
        for (String known : byName.keySet()) {
            if (known.startsWith(unknown) || unknown.startsWith(known.substring(0, Math.min(3, known.length())))) {
                return " (did you mean " + known + "?)";
            }
        }
        return "";
    }
}
