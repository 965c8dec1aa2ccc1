package io.gatewayworker.host.control.command;

import java.util.List;
import java.util.Objects;

/**
 * One piece of a command's grammar: a flag ({@code -g}), an option with a value ({@code --limit N}),
 * a positional word ({@code CLIENT}) or the rest of the line ({@code MESSAGE}). The shell's parser and
 * completer, the control endpoint and the command line's options are all made from these; none of
 * them spells a command's options again.
 *
 * <p>Build them with {@link #flag}, {@link #option}, {@link #positional} and {@link #rest}, then
 * {@link #optional()}, {@link #withDefault}, {@link #number} and {@link #completing}. Immutable.
 *
 * @param kind what sort of parameter
 * @param name an option's name ("--uid"), or a positional's label ("CLIENT")
 * @param label the placeholder of an option's value ("UID"), or a positional's label
 * @param description one sentence, for help
 * @param defaultValue an option's value when it is not given, or null
 * @param number whether the value must be a whole number of at least {@code min}
 * @param required whether a positional must be given (options never must)
 * @param candidates what Tab offers for the value
 */
public record Param(Kind kind, String name, String label, String description, String defaultValue, boolean number,
                    long min, boolean required, Candidates candidates) {

    /** The sorts of parameters. */
    public enum Kind {
        /** {@code -g}: present or not. */
        FLAG,
        /** {@code --limit N}: a name, then one word. */
        OPTION,
        /** One word, by position. */
        POSITIONAL,
        /** Everything after the words before it, spaces included: a message, a reason. Always last. */
        REST
    }

    public Param {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(candidates, "candidates");
        if ((kind == Kind.FLAG || kind == Kind.OPTION) != name.startsWith("-")) {
            throw new IllegalArgumentException("parameter name: '" + name + "' (expected: options start with '-',"
                    + " positionals do not)");
        }
    }

    /** A flag such as {@code -g}. */
    public static Param flag(String name, String description) {
        return new Param(Kind.FLAG, name, null, description, null, false, 0, false, Candidates.NONE);
    }

    /** An option with one value, such as {@code --uid UID}. */
    public static Param option(String name, String label, String description) {
        return new Param(Kind.OPTION, name, label, description, null, false, 0, false, Candidates.NONE);
    }

    /** A required word, such as {@code CLIENT}. */
    public static Param positional(String label, String description) {
        return new Param(Kind.POSITIONAL, label, label, description, null, false, 0, true, Candidates.NONE);
    }

    /** The rest of the line, required, such as {@code MESSAGE}. */
    public static Param rest(String label, String description) {
        return new Param(Kind.REST, label, label, description, null, false, 0, true, Candidates.NONE);
    }

    /** This positional, not required. */
    public Param optional() {
        return new Param(kind, name, label, description, defaultValue, number, min, false, candidates);
    }

    /** This option, with {@code value} when it is not given. */
    public Param withDefault(String value) {
        return new Param(kind, name, label, description, value, number, min, required, candidates);
    }

    /** This parameter, whose value must be a whole number of at least {@code min}. */
    public Param number(long min) {
        return new Param(kind, name, label, description, defaultValue, true, min, required, candidates);
    }

    /** This parameter, whose value Tab completes from {@code source}. */
    public Param completing(Candidates source) {
        return new Param(kind, name, label, description, defaultValue, number, min, required, source);
    }

    /** Whether it is an option (a flag or an option with a value). */
    public boolean isOption() {
        return kind == Kind.FLAG || kind == Kind.OPTION;
    }

    /** "[--uid UID]", "CLIENT", "[REASON]". */
    public String synopsis() {
        String word = switch (kind) {
            case FLAG -> name;
            case OPTION -> name + " " + label;
            case POSITIONAL, REST -> label;
        };
        return required ? word : "[" + word + "]";
    }

    /**
     * The usage line of a command: its name, then its options, then its positionals:
     * "connections [--uid UID] [--limit N]".
     */
    public static String usage(String command, List<Param> params) {
        StringBuilder sb = new StringBuilder(command);
        params.stream().filter(Param::isOption).forEach(p -> sb.append(' ').append(p.synopsis()));
        params.stream().filter(p -> !p.isOption()).forEach(p -> sb.append(' ').append(p.synopsis()));
        return sb.toString();
    }

    /**
     * Checks that {@code params} form a grammar the parser reads one way only: unique names, the rest of
     * the line last, no required positional after an optional one.
     *
     * @throws IllegalArgumentException naming the first parameter that breaks a rule
     */
    static void check(String command, List<Param> params) {
        List<Param> positionals = params.stream().filter(p -> !p.isOption()).toList();
        for (int i = 0; i < positionals.size(); i++) {
            Param p = positionals.get(i);
            if (p.kind() == Kind.REST && i != positionals.size() - 1) {
                throw new IllegalArgumentException(command + ": " + p.name() + " takes the rest of the line"
                        + " (expected: it is the last positional)");
            }
            if (p.required() && i > 0 && !positionals.get(i - 1).required()) {
                throw new IllegalArgumentException(command + ": " + p.name() + " is required after an optional"
                        + " positional (expected: required positionals first)");
            }
        }
        if (params.stream().map(Param::name).distinct().count() != params.size()) {
            throw new IllegalArgumentException(command + ": two parameters share a name (expected: unique names)");
        }
    }
}
