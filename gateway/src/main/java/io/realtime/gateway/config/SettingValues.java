package io.realtime.gateway.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Typed reads of raw setting values that record a problem instead of throwing, so every bad value is reported.
 * {@code explicit} holds the settings a source set; {@code warnings} what works but is likely not what was meant.
 */
record SettingValues(Map<Setting, String> raw, Set<Setting> explicit, List<String> problems, List<String> warnings) {

    /** A whole number, in socket.io's notation too ({@code 1e6}); no suffixes, hexadecimal or units. */
    private static final Pattern NUMBER = Pattern.compile("[+-]?\\d+(\\.\\d+)?([eE][+]?\\d+)?");
    /** A duration written with a unit, which these settings do not take: they are milliseconds. */
    private static final Pattern WITH_UNIT = Pattern.compile("\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

    String text(Setting setting) {
        return raw.get(setting);
    }

    Optional<String> optional(Setting setting) {
        String value = raw.get(setting);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    /** A comma-separated list, trimmed, blanks dropped, in order. */
    Set<String> list(Setting setting) {
        return Arrays.stream(raw.get(setting).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    int port(Setting setting) {
        return checked(setting, value -> value >= 0 && value <= 65535, "is not a port number (0-65535)");
    }

    int positiveInt(Setting setting) {
        return checked(setting, value -> value > 0, "must be a positive number");
    }

    int nonNegativeInt(Setting setting) {
        return checked(setting, value -> value >= 0, "must be zero or more");
    }

    /** Zero (off) or a value no smaller than {@code smallest}, of the given unit. */
    int zeroOrAtLeast(Setting setting, int smallest, String unit) {
        return checked(setting, value -> value == 0 || value >= smallest,
                "is too small: 0 (no limit) or at least " + smallest + " (in " + unit + ")");
    }

    Duration millis(Setting setting) {
        return Duration.ofMillis(Math.max(positiveInt(setting), 1));
    }

    boolean isExplicit(Setting setting) {
        return explicit.contains(setting);
    }

    void warning(String warning) {
        warnings.add(warning);
    }

    /** Milliseconds where zero turns the behaviour off. */
    Duration millisOrZero(Setting setting) {
        return Duration.ofMillis(nonNegativeInt(setting));
    }

    boolean bool(Setting setting) {
        String value = raw.get(setting).toLowerCase();
        if (!value.equals("true") && !value.equals("false")) {
            problems.add(setting.env() + ": expected true or false, got '" + raw.get(setting) + "'");
        }
        return value.equals("true");
    }

    void problem(String problem) {
        problems.add(problem);
    }

    /** A whole number that satisfies {@code rule}; 1 when not, with the problem recorded. */
    private int checked(Setting setting, IntPredicate rule, String complaint) {
        String text = raw.get(setting);
        if (!NUMBER.matcher(text).matches()) {
            problems.add(setting.env() + ": '" + text + "' is not a whole number"
                    + (WITH_UNIT.matcher(text).matches() ? " (milliseconds, without a unit: 30s is 30000)" : ""));
            return 1;
        }
        double parsed = Double.parseDouble(text);
        if (parsed != Math.rint(parsed)) {
            problems.add(setting.env() + ": '" + text + "' is not a whole number");
            return 1;
        }
        if (Math.abs(parsed) > Integer.MAX_VALUE) {
            problems.add(setting.env() + ": '" + text + "' is too large (at most " + Integer.MAX_VALUE + ")");
            return 1;
        }
        if (!rule.test((int) parsed)) {
            problems.add(setting.env() + ": '" + text + "' " + complaint);
            return 1;
        }
        return (int) parsed;
    }
}
