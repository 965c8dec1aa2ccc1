package io.gatewayworker.host.cli;

import io.gatewayworker.host.config.ConfigException;
import io.gatewayworker.host.config.ConfigLoader;
import io.gatewayworker.host.config.HostConfig;
import io.gatewayworker.host.control.command.Arguments;
import io.gatewayworker.host.control.command.CommandGroup;
import io.gatewayworker.host.control.command.OperatorCommand;
import io.gatewayworker.host.control.command.Param;
import io.gatewayworker.host.control.command.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The operator's commands on the command line: one picocli subcommand per {@link OperatorCommand},
 * its options and positionals generated from the command's {@link Param}s, plus the options every
 * command has ({@code -c}, {@code --data}, {@code --set}). Running one reads its arguments back with
 * the command's own grammar ({@link Arguments#parse}: bad usage is exit 2 before anything is sent) and
 * sends the line to the running instance through {@link ControlClient}; its answer and exit status are
 * the command's.
 *
 * <p>What only the command line does, on top of the command: {@code status -d} repeats it every
 * second; {@code stop} then waits until the process is gone; {@code config} shows the configuration
 * start would use when no instance runs. {@code help} stays picocli's: it needs no running instance.
 *
 * <p>Runs on the command line's thread.
 */
final class RemoteCommands {

    private RemoteCommands() {
    }

    /** Adds a subcommand to {@code cli} for each command of {@code group} but {@code help}. */
    static void addTo(CommandLine cli, CommandGroup group) {
        for (OperatorCommand command : group.commands()) {
            if (!command.name().equals("help")) {
                cli.addSubcommand(command.name(), new CommandLine(spec(command)), command.aliases().toArray(String[]::new));
            }
        }
    }

    /** The picocli model of {@code command}. */
    static CommandSpec spec(OperatorCommand command) {
        Call call = new Call(command);
        CommandSpec spec = CommandSpec.wrapWithoutInspection(call);
        call.spec = spec;
        spec.mixinStandardHelpOptions(true);
        spec.versionProvider(new Cli.Version());
        spec.addMixin("config", CommandSpec.forAnnotatedObject(call.options));
        List<String> description = new ArrayList<>();
        description.add(Character.toUpperCase(command.summary().charAt(0)) + command.summary().substring(1) + ".");
        description.addAll(command.details());
        int index = 0;
        for (Param p : command.params()) {
            String text = p.description() + (p.defaultValue() == null ? "" : " Default: " + p.defaultValue() + ".");
            ArgSpec arg = switch (p.kind()) {
                case FLAG -> OptionSpec.builder(p.name()).arity("0").type(boolean.class).description(text).build();
                case OPTION -> OptionSpec.builder(p.name()).arity("1").type(String.class).paramLabel(p.label())
                        .description(text).build();
                case POSITIONAL -> PositionalParamSpec.builder().index(String.valueOf(index++))
                        .arity(p.required() ? "1" : "0..1").type(String.class).paramLabel(p.label()).description(text)
                        .build();
                case REST -> PositionalParamSpec.builder().index(index++ + "..*").arity(p.required() ? "1..*" : "0..*")
                        .type(List.class).auxiliaryTypes(String.class).paramLabel(p.label()).description(text).build();
            };
            if (arg instanceof OptionSpec option) {
                spec.addOption(option);
            } else {
                spec.addPositional((PositionalParamSpec) arg);
            }
            call.args.put(p, arg);
            if (p.kind() == Param.Kind.REST) {
                spec.parser().unmatchedOptionsArePositionalParams(true); // "broadcast -1" sends "-1"
            }
        }
        switch (command.name()) {
            case "status" -> spec.addOption(OptionSpec.builder("-d").arity("0").type(boolean.class)
                    .description("Refresh every second, until Ctrl-C.").build());
            case "stop" -> description.add("A stop that does not finish in time is forced.");
            case "config" -> description.add("Of the running instance, or, when none runs, the one start would use.");
            default -> {
            }
        }
        spec.usageMessage().description(description.toArray(String[]::new));
        return spec;
    }

    /** Runs one generated subcommand. */
    private static final class Call implements Callable<Integer> {
        private final OperatorCommand command;
        private final Cli.ConfigOptions options = new Cli.ConfigOptions();
        private final Map<Param, ArgSpec> args = new LinkedHashMap<>();
        private CommandSpec spec;

        Call(OperatorCommand command) {
            this.command = command;
        }

        @Override
        public Integer call() throws InterruptedException {
            Arguments arguments;
            try {
                arguments = Arguments.parse(command.params(), words());
            } catch (UsageException e) {
                System.err.println("gatewayworker: " + e.getMessage() + "; usage: " + command.usage());
                return Cli.USAGE;
            }
            String line = (command.name() + " " + arguments.line()).strip();
            return switch (command.name()) {
                case "stop" -> Cli.stop(options.dataDir(), arguments.flag("-g"), arguments.number("--timeout"));
                case "config" -> config(line);
                case "status" -> status(line);
                default -> new ControlClient(options.dataDir()).call(line, System.out, System.err);
            };
        }

        /** The arguments picocli matched, as one line of words for the command's own grammar. */
        private String words() {
            List<String> words = new ArrayList<>();
            args.forEach((p, arg) -> {
                Object value = arg.getValue();
                switch (p.kind()) {
                    case FLAG -> {
                        if (Boolean.TRUE.equals(value)) {
                            words.add(p.name());
                        }
                    }
                    case OPTION -> {
                        if (value != null) {
                            words.add(p.name());
                            words.add(value.toString());
                        }
                    }
                    case POSITIONAL -> {
                        if (value != null) {
                            words.add(value.toString());
                        }
                    }
                    case REST -> {
                        if (value instanceof List<?> list) {
                            list.forEach(w -> words.add(w.toString()));
                        }
                    }
                }
            });
            return String.join(" ", words);
        }

        /** {@code status}, or with {@code -d} every second until interrupted. */
        private int status(String line) throws InterruptedException {
            ControlClient client = new ControlClient(options.dataDir());
            if (!Boolean.TRUE.equals(spec.findOption("-d").getValue())) {
                return client.call(line, System.out, System.err);
            }
            for (;;) {
                ByteArrayOutputStream screen = new ByteArrayOutputStream();
                int status = client.call(line, new PrintStream(screen, true, StandardCharsets.UTF_8), System.err);
                if (status != Cli.OK) {
                    return status;
                }
                System.out.print("\033[H\033[2J" + screen.toString(StandardCharsets.UTF_8));
                System.out.flush();
                Thread.sleep(1000);
            }
        }

        /** {@code config} of the running instance, or the one start would use. */
        private int config(String line) {
            HostConfig config;
            try {
                config = options.load(Map.of());
            } catch (ConfigException e) {
                System.err.println("gatewayworker: " + e.getMessage());
                return Cli.USAGE;
            }
            ControlClient client = new ControlClient(config.dataDir());
            ControlClient.Lookup found = client.lookup(true);
            if (found.running()) {
                return client.call(found, line, System.out, System.err);
            }
            System.out.print(ConfigLoader.render(config));
            System.out.println("(not running: this is the configuration start would use)");
            return Cli.OK;
        }
    }
}
