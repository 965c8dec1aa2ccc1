package io.gatewayworker.host.shell;

import io.gatewayworker.host.control.AdminCommands;
import io.gatewayworker.host.control.command.CommandDispatcher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.jline.keymap.KeyMap;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive shell of a server in the foreground: reads commands with line editing, completion
 * (commands, then each command's parameters from live data: app names, client ids, groups) and a
 * history file, and runs them through {@link AdminCommands}, whose command objects give both the
 * grammar and the completion candidates. While it runs, standard output goes above the prompt, so log
 * lines never break the line being typed.
 *
 * <p>Ctrl-C clears the line being typed; Ctrl-D or a {@code stop} that succeeds leaves the shell (and
 * the server stops). On a real terminal the shell turns the terminal's signal keys off and reads Ctrl-C as a key,
 * so that a SIGINT sent from outside still stops the server cleanly.
 *
 * <p>Runs on the thread that calls {@link #run()} (the main thread).
 */
public final class Shell implements AutoCloseable {

    static final String PROMPT = "gw> ";

    private final Terminal terminal;
    private final boolean ownTerminal;
    private final AdminCommands commands;
    private final LineReader reader;
    private final Attributes original;
    private volatile boolean done;

    /** A shell on the process's own terminal. */
    public static Shell onSystemTerminal(AdminCommands commands, Path historyFile) throws IOException {
        Terminal terminal = TerminalBuilder.builder().system(true).nativeSignals(false)
                .signalHandler(Terminal.SignalHandler.SIG_DFL).build();
        return new Shell(terminal, true, commands, historyFile);
    }

    /** A shell on a given terminal (a dumb terminal on piped streams, in tests). */
    public static Shell on(Terminal terminal, AdminCommands commands, Path historyFile) {
        return new Shell(terminal, false, commands, historyFile);
    }

    private Shell(Terminal terminal, boolean ownTerminal, AdminCommands commands, Path historyFile) {
        this.terminal = terminal;
        this.ownTerminal = ownTerminal;
        this.commands = commands;
        this.original = terminal.getAttributes();
        LineReaderBuilder builder = LineReaderBuilder.builder().terminal(terminal).appName("gatewayworker")
                .completer(new CommandCompleter());
        if (historyFile != null) {
            builder.variable(LineReader.HISTORY_FILE, historyFile);
        }
        this.reader = builder.build();
        // Ctrl-C as a key: clear the line and keep going.
        reader.getWidgets().put("gw-clear-line", () -> {
            reader.getBuffer().clear();
            reader.callWidget(LineReader.REDISPLAY);
            return true;
        });
        reader.getKeyMaps().get(LineReader.MAIN).bind(new Reference("gw-clear-line"), KeyMap.ctrl('C'));
        if (ownTerminal) {
            Attributes attributes = new Attributes(original);
            attributes.setLocalFlag(Attributes.LocalFlag.ISIG, false);
            terminal.setAttributes(attributes);
        }
    }

    /** The completions of {@code buffer} with the cursor at its end (what Tab offers). */
    public List<String> complete(String buffer) {
        ParsedLine line = reader.getParser().parse(buffer, buffer.length(), org.jline.reader.Parser.ParseContext.COMPLETE);
        List<Candidate> candidates = new java.util.ArrayList<>();
        new CommandCompleter().complete(reader, line, candidates);
        return candidates.stream().map(Candidate::value).toList();
    }

    /** Asks the loop to end after the current line (the server is stopping). */
    public void finish() {
        done = true;
    }

    /** Ends a {@code readLine} in progress, as Ctrl-C would (any thread). */
    public void interrupt() {
        terminal.raise(Terminal.Signal.INT);
    }

    /**
     * Reads and runs commands until {@code stop}, Ctrl-D or {@link #finish()}. Returns true when the user
     * asked to stop (stop or Ctrl-D).
     */
    public boolean run() {
        PrintStream stdout = System.out;
        PrintStream above = new PrintStream(new AboveOutput(), true, StandardCharsets.UTF_8);
        System.setOut(above);
        PrintWriter out = terminal.writer();
        out.println("GatewayWorker shell: type help for the commands, stop or Ctrl-D to stop the server.");
        out.flush();
        try {
            while (!done) {
                String line;
                try {
                    line = reader.readLine(PROMPT);
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C: the line is dropped
                } catch (EndOfFileException e) {
                    return true;
                }
                if (line == null) {
                    return true;
                }
                String trimmed = line.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (trimmed.equals("exit") || trimmed.equals("quit")) {
                    out.println("type stop (or Ctrl-D) to stop the server");
                    out.flush();
                    continue;
                }
                int status = commands.execute(trimmed, out);
                out.flush();
                if (status == 0 && isStop(trimmed)) {
                    return true;
                }
            }
            return false;
        } finally {
            System.setOut(stdout);
        }
    }

    /** Whether {@code line} runs {@code stop} (by its name or an alias). */
    private boolean isStop(String line) {
        String name = line.split("\\s+", 2)[0];
        return commands.dispatcher().commands().find(name).map(c -> c.name().equals("stop")).orElse(false);
    }

    @Override
    public void close() {
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            // history is a convenience
        }
        if (ownTerminal) {
            terminal.setAttributes(original);
            try {
                terminal.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** Collects output into lines and prints each above the prompt. */
    private final class AboveOutput extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                flushLine();
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        private void flushLine() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            reader.printAbove(text);
        }
    }

    /** Completes command names, then each command's arguments from live data ({@link CommandDispatcher#complete}). */
    private final class CommandCompleter implements Completer {
        @Override
        public void complete(LineReader lineReader, ParsedLine line, List<Candidate> candidates) {
            commands.dispatcher().complete(line.words(), line.wordIndex())
                    .forEach(value -> candidates.add(new Candidate(value)));
        }
    }
}
