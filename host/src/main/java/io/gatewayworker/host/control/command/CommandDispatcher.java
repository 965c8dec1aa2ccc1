package io.gatewayworker.host.control.command;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * Runs and completes command lines of a {@link CommandGroup} against one {@link OperatorView}: the one
 * place where a line becomes a command, its arguments and an exit status, for the shell and the control
 * endpoint alike.
 *
 * <p>Every failure is one line: an unknown command (with the nearest name; exit 2), arguments that do
 * not fit (what is wrong, then the usage; exit 2), a role the view cannot answer for (exit 1), or an
 * exception ("NAME failed: message"; exit 1).
 *
 * <p>Thread-safe and immutable: lines run on the caller's thread (the shell's, or a platform thread of
 * the control endpoint), several at once.
 */
public final class CommandDispatcher implements CommandContext {

    private final CommandGroup group;
    private final OperatorView view;
    private final StopRequest stopper;

    public CommandDispatcher(CommandGroup group, OperatorView view, StopRequest stopper) {
        this.group = Objects.requireNonNull(group, "group");
        this.view = Objects.requireNonNull(view, "view");
        this.stopper = Objects.requireNonNull(stopper, "stopper");
    }

    @Override
    public OperatorView view() {
        return view;
    }

    @Override
    public CommandGroup commands() {
        return group;
    }

    @Override
    public void requestStop(boolean graceful, Duration timeout) {
        stopper.stop(graceful, timeout);
    }

    /**
     * Runs one command line ("connections --uid ann") and writes its answer to {@code out}, flushed.
     *
     * @return the exit status: 0 done (an empty line too), 1 failed, 2 bad usage
     */
    public int execute(String line, PrintWriter out) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            return 0;
        }
        int space = indexOfBlank(trimmed);
        String name = space < 0 ? trimmed : trimmed.substring(0, space);
        String rest = space < 0 ? "" : trimmed.substring(space + 1);
        OperatorCommand command = group.find(name).orElse(null);
        try {
            if (command == null) {
                out.println("unknown command '" + name + "'" + group.suggestion(name) + "; type help for the commands");
                return 2;
            }
            return command.execute(this, Arguments.parse(command.params(), rest), out);
        } catch (UsageException e) {
            out.println(e.getMessage() + "; usage: " + command.usage());
            return 2;
        } catch (OperatorView.RoleMissingException e) {
            out.println(e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println(command.name() + " failed: interrupted");
            return 1;
        } catch (Exception e) {
            out.println(command.name() + " failed: " + reason(e));
            return 1;
        } finally {
            out.flush();
        }
    }

    private static int indexOfBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String reason(Throwable e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    /**
     * What Tab offers for word {@code index} of {@code words} (word 0 is the command): the command
     * names; after a command, the candidates of the positional that comes next and the options not
     * given yet; after an option that takes a value, that value's candidates; nothing inside the rest
     * of the line. Candidates that cannot be had now (no such role, no answer) are left out.
     */
    public List<String> complete(List<String> words, int index) {
        if (index == 0) {
            return group.names();
        }
        OperatorCommand command = words.isEmpty() ? null : group.find(words.get(0)).orElse(null);
        if (command == null) {
            return List.of();
        }
        List<Param> params = command.params();
        List<Param> positionals = params.stream().filter(p -> !p.isOption()).toList();
        Set<String> given = new HashSet<>();
        int next = 0;
        for (int i = 1; i < index && i < words.size(); i++) {
            Param option = Arguments.option(params, words.get(i));
            if (option != null) {
                given.add(option.name());
                if (option.kind() == Param.Kind.OPTION) {
                    if (i + 1 == index) {
                        return candidates(option);
                    }
                    i++;
                }
                continue;
            }
            if (next >= positionals.size() || positionals.get(next).kind() == Param.Kind.REST) {
                return List.of();
            }
            next++;
        }
        List<String> out = new ArrayList<>();
        if (next < positionals.size()) {
            out.addAll(candidates(positionals.get(next)));
        }
        params.stream().filter(p -> p.isOption() && !given.contains(p.name())).forEach(p -> out.add(p.name()));
        return out;
    }

    private List<String> candidates(Param p) {
        try {
            return p.candidates().of(this);
        } catch (RuntimeException e) {
            return List.of(); // no answer now: nothing to offer
        }
    }
}
