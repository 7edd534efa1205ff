package io.signalbus.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Named samples of figures across rounds, and the medians every benchmark reports. */
final class Samples {

    private final Map<String, List<Double>> values = new LinkedHashMap<>();

    void add(String name, double value) {
        values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }

    double last(String name) {
        List<Double> list = values.get(name);
        return list.get(list.size() - 1);
    }

    /** The median of the named figure's rounds; NaN when it has none. */
    double median(String name) {
        if (!values.containsKey(name)) {
            return Double.NaN;
        }
        return median(values.get(name).stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The median; of an even number of values, the mean of the middle two. */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The middle item by {@code key} (the upper middle of an even number), to report a round as a whole. */
    static <T> T medianBy(List<T> items, ToDoubleFunction<T> key) {
        var sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingDouble(key));
        return sorted.get(sorted.size() / 2);
    }
}
