package io.gatewayworker.host.control.command;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Formatting for 80-column reports: sizes, counts, durations, tables. */
final class Text {

    /** A count, a size, a duration or a dash: right-aligned. */
    private static final java.util.regex.Pattern NUMBER =
            java.util.regex.Pattern.compile("-|[\\d,]+(\\.\\d+)?[BKMGT]?(/[\\d,]+(\\.\\d+)?[BKMGT]?)?|\\d+(ms|s|m|h|d)(\\d+[smh])?");

    private Text() {
    }

    /** 1.2K, 34M: compact sizes for narrow columns. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + "B";
        }
        double v = n;
        String[] units = {"K", "M", "G", "T"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v < 10 ? String.format("%.1f", v) : String.format("%.0f", v)) + units[u];
    }

    /** 1,234,567 */
    static String count(long n) {
        return String.format("%,d", n);
    }

    /** 2h03m, 5m12s, 42s, 800ms. */
    static String duration(Duration d) {
        long s = d.toSeconds();
        if (s >= 86400) {
            return s / 86400 + "d" + String.format("%02dh", (s % 86400) / 3600);
        }
        if (s >= 3600) {
            return s / 3600 + "h" + String.format("%02dm", (s % 3600) / 60);
        }
        if (s >= 60) {
            return s / 60 + "m" + String.format("%02ds", s % 60);
        }
        if (s >= 1) {
            return s + "s";
        }
        return d.toMillis() + "ms";
    }

    /**
     * {@code s} on lines of at most {@code width} columns, broken after "; " or ": " or at spaces;
     * continuation lines indented by two. Ends with a newline.
     */
    static String wrap(String s, int width) {
        StringBuilder out = new StringBuilder();
        String rest = s;
        String indent = "";
        while (indent.length() + rest.length() > width) {
            int room = width - indent.length();
            int cut = Math.max(rest.lastIndexOf("; ", room - 1), rest.lastIndexOf(": ", room - 1));
            if (cut <= 0) {
                cut = rest.lastIndexOf(' ', room);
            } else {
                cut++; // keep the punctuation on this line
            }
            if (cut <= 0) {
                break;
            }
            out.append(indent).append(rest, 0, cut).append('\n');
            rest = rest.substring(cut).stripLeading();
            indent = "  ";
        }
        return out.append(indent).append(rest).append('\n').toString();
    }

    /**
     * "roles    register 127.0.0.1:1236, gateway ...": {@code name} in a column of 9, then {@code value};
     * a value too long for 79 columns breaks after a ", " and goes on under itself. Ends with a newline.
     */
    static String field(String name, String value) {
        String indent = " ".repeat(9);
        StringBuilder out = new StringBuilder(String.format("%-9s", name));
        String rest = value;
        while (indent.length() + rest.length() > 79) {
            int cut = rest.lastIndexOf(", ", 79 - indent.length() - 1);
            if (cut <= 0) {
                break;
            }
            out.append(rest, 0, cut + 1).append('\n').append(indent);
            rest = rest.substring(cut + 2);
        }
        return out.append(rest).append('\n').toString();
    }

    /** Cuts {@code s} to {@code width}, marking the cut with '~'. */
    static String fit(String s, int width) {
        if (s == null) {
            return "-";
        }
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }

    /**
     * A table: the first row is the header; columns are as wide as their widest cell, numbers (cells
     * starting with a digit) aligned right.
     */
    static String table(List<String[]> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        boolean[] numeric = new boolean[cols];
        for (int c = 0; c < cols; c++) {
            numeric[c] = true;
        }
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], row[c].length());
                if (r > 0 && !NUMBER.matcher(row[c]).matches()) {
                    numeric[c] = false;
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            List<String> cells = new ArrayList<>(cols);
            for (int c = 0; c < cols; c++) {
                String cell = row[c];
                cells.add(numeric[c] ? " ".repeat(width[c] - cell.length()) + cell
                        : c == cols - 1 ? cell : cell + " ".repeat(width[c] - cell.length()));
            }
            sb.append(String.join("  ", cells).stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
