package io.shmarray.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Result rows shared by every benchmark program of the report: TSV lines
 * {@code workload, implementation, metric, value, unit}, appended to one file and echoed.
 */
final class Rows {

    private final Path file;
    private final PrintStream echo = System.out;

    Rows(Path file) {
        this.file = file;
    }

    void add(String workload, String impl, String metric, double value, String unit) {
        String line = String.format(Locale.ROOT, "%s\t%s\t%s\t%.6g\t%s%n", workload, impl, metric, value, unit);
        echo.print(line);
        try {
            Files.writeString(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e, e);
        }
    }

    /** Raw samples (one per line) for distribution plots. */
    void samples(String name, List<Double> values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) sb.append(String.format(Locale.ROOT, "%.3f%n", v));
        try {
            Files.writeString(file.resolveSibling(name), sb.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot write samples " + name + ": " + e, e);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double percentile(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.round(p * (s.length - 1)))];
    }
}
