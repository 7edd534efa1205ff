package io.signalbus.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The figures of one run as Markdown tables (figure, value, baseline, ratio, target, met?), one per
 * section. {@link #write} replaces only the part of {@code docs/benchmarks.md} between the results
 * markers, so the prose around it (how to run, what the figures mean, profiling notes) survives a
 * new run.
 */
final class Report {

    static final String START = "<!-- results:start (written by MacroBenchmarks; do not edit by hand) -->";
    static final String END = "<!-- results:end -->";

    record Row(String figure, String value, String baseline, String ratio, String target, String met) {
    }

    private final Map<String, List<Row>> sections = new LinkedHashMap<>();
    private final List<String> header = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void header(String line) {
        header.add(line);
    }

    void note(String line) {
        notes.add(line);
    }

    void add(String section, Row row) {
        sections.computeIfAbsent(section, s -> new ArrayList<>()).add(row);
        System.out.printf("  = %s | %s | %s | %s | %s | %s%n", row.figure(), row.value(), row.baseline(), row.ratio(),
                row.target(), row.met());
    }

    /** A rate against a rate baseline; with {@code minRatio}, the target is value ≥ minRatio × baseline. */
    void rate(String section, String figure, double value, String baselineName, double baseline,
            @Nullable Double minRatio) {
        double ratio = value / baseline;
        add(section, new Row(figure, rate(value), baselineName + ": " + rate(baseline), ratio(ratio),
                minRatio == null ? "—" : "≥ " + trim(minRatio) + "×", met(minRatio == null ? null : ratio >= minRatio)));
    }

    /** A time (ns) against a time baseline; the ratio is value / baseline (lower is better). */
    void time(String section, String figure, double nanos, String baselineName, double baselineNanos, String target,
            @Nullable Boolean met) {
        add(section, new Row(figure, nanos(nanos), baselineName + ": " + nanos(baselineNanos),
                ratio(nanos / baselineNanos), target, met(met)));
    }

    static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f/s", perSecond);
    }

    static String nanos(double nanos) {
        if (nanos < 1_000) {
            return String.format(Locale.ROOT, "%.1f ns", nanos);
        }
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.2f µs", nanos / 1e3);
        }
        return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }

    static String millis(double millis) {
        return String.format(Locale.ROOT, "%.2f ms", millis);
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%,.0f MB", bytes / 1048576.0);
    }

    static String ratio(double ratio) {
        return String.format(Locale.ROOT, "%.2f×", ratio);
    }

    static String met(@Nullable Boolean met) {
        return met == null ? "—" : met ? "yes" : "**no**";
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    String markdown() {
        var out = new StringBuilder();
        out.append(START).append("\n\n");
        header.forEach(line -> out.append(line).append("\n"));
        out.append("\n");
        sections.forEach((section, rows) -> {
            out.append("### ").append(section).append("\n\n");
            out.append("| figure | value | baseline (same run) | ratio | target | met? |\n");
            out.append("|---|---:|---:|---:|---|---|\n");
            for (Row row : rows) {
                out.append("| ").append(String.join(" | ", row.figure(), row.value(), row.baseline(), row.ratio(),
                        row.target(), row.met())).append(" |\n");
            }
            out.append("\n");
        });
        notes.forEach(line -> out.append(line).append("\n"));
        if (!notes.isEmpty()) {
            out.append("\n");
        }
        out.append(END).append("\n");
        return out.toString();
    }

    /** Replaces the results block of {@code file}, or writes a new file around it. */
    void write(Path file) throws IOException {
        String results = markdown();
        String text;
        if (Files.exists(file)) {
            String old = Files.readString(file);
            int start = old.indexOf(START);
            int end = old.indexOf(END);
            if (start >= 0 && end > start) {
                int after = end + END.length();
                after += old.startsWith("\n", after) ? 1 : 0;
                text = old.substring(0, start) + results + old.substring(after);
            } else {
                text = old + "\n" + results;
            }
        } else {
            text = "# Benchmarks\n\nRun `signal-bus-benchmarks/run.sh` to measure again.\n\n" + results;
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text);
    }
}
