package io.realtime.gateway.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The raw value of every setting, from its sources in order: the default of {@link Setting}, the environment, the
 * properties file ({@code --config FILE} or {@code CONFIG_FILE}), the {@code --key=value} flags; the last one wins.
 * Problems (unknown keys, unreadable file, bad flags) are collected, not thrown. The environment holds much that is
 * not ours, so an unknown variable is no problem; one spelled like a setting is a warning (a {@code REDIS_URI} would
 * otherwise leave the node alone, in memory, with nothing said).
 */
final class ConfigSources {

    static final String CONFIG_FILE_ENV = "CONFIG_FILE";

    /** Variables of the environment that are not settings but are read all the same (by the logging set-up). */
    private static final Set<String> OTHER_VARIABLES = Set.of(CONFIG_FILE_ENV, "LOG_LEVEL");

    final Map<Setting, String> values = new EnumMap<>(Setting.class);
    /** The settings some source set, blank or not: what the operator asked for, as against the defaults. */
    final Set<Setting> explicit = EnumSet.noneOf(Setting.class);
    final List<String> warnings = new ArrayList<>();
    boolean conformance;

    private ConfigSources() {
    }

    static ConfigSources read(Map<String, String> environment, String[] args, List<String> problems) {
        ConfigSources sources = new ConfigSources();
        for (Setting setting : Setting.values()) {
            sources.values.put(setting, setting.defaultValue());
            String fromEnv = environment.get(setting.env());
            if (fromEnv != null) {
                sources.set(setting, fromEnv);
            }
        }
        sources.warnAboutMisspelledVariables(environment.keySet());
        Flags flags = Flags.parse(args, problems);
        String file = flags.configFile != null ? flags.configFile : environment.get(CONFIG_FILE_ENV);
        if (file != null && !file.isBlank()) {
            sources.readFile(Path.of(file), problems);
        }
        flags.values.forEach((key, value) -> {
            Setting setting = Setting.byName(key);
            if (setting == null) {
                problems.add("--" + key + ": unknown option");
            } else {
                sources.set(setting, value);
            }
        });
        sources.conformance = flags.conformance;
        if (flags.conformance) {
            sources.applyConformanceDefaults(flags.values.keySet());
        }
        return sources;
    }

    private void set(Setting setting, String value) {
        values.put(setting, value.trim());
        explicit.add(setting);
    }

    /**
     * Warns about a variable that is likely a setting misspelled: a setting's file key or a variable in the wrong case
     * (the environment is read by the upper-case names only), or a name of 8 characters or more within one edit of a
     * setting's (two from 12 characters). Shorter names are left alone: {@code NODE_IP} is not {@code NODE_ID}.
     */
    private void warnAboutMisspelledVariables(Set<String> variables) {
        Set<String> settingVariables = Arrays.stream(Setting.values()).map(Setting::env).collect(Collectors.toSet());
        for (String variable : variables) {
            if (settingVariables.contains(variable) || OTHER_VARIABLES.contains(variable)) {
                continue;
            }
            String upper = variable.toUpperCase(Locale.ROOT);
            Setting byKey = Setting.byName(variable);
            if (byKey != null || settingVariables.contains(upper)) {
                String name = byKey != null ? byKey.env() : upper;
                warnings.add(variable + " is not read from the environment: the variable is " + name);
                continue;
            }
            int allowed = upper.length() >= 12 ? 2 : upper.length() >= 8 ? 1 : 0;
            settingVariables.stream()
                    .map(name -> Map.entry(name, editDistance(upper, name)))
                    .filter(candidate -> candidate.getValue() <= allowed)
                    .min(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                    .ifPresent(nearest -> warnings.add(variable + " is not a setting and is ignored: did you mean "
                            + nearest.getKey() + "?"));
        }
    }

    /** Edits (insert, delete, replace, swap of two neighbours) that turn {@code a} into {@code b}. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /**
     * The Socket.IO project's protocol test server settings, over the environment and the file (a suite expects
     * them whatever the machine has set), unless a flag says otherwise.
     */
    private void applyConformanceDefaults(Set<String> explicitFlags) {
        Map<Setting, String> conformanceValues = Map.of(Setting.PORT, "3000", Setting.PING_INTERVAL, "300",
                Setting.PING_TIMEOUT, "200", Setting.MAX_HTTP_BUFFER_SIZE, "1000000", Setting.CORS, "*");
        conformanceValues.forEach((setting, value) -> {
            if (!explicitFlags.contains(setting.key()) && !explicitFlags.contains(setting.env())) {
                values.put(setting, value);
            }
        });
    }

    private void readFile(Path file, List<String> problems) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            problems.add("config file " + file + ": cannot be read (" + e.getMessage() + ")");
            return;
        }
        for (String name : properties.stringPropertyNames()) {
            Setting setting = Setting.byName(name);
            if (setting == null) {
                problems.add("config file " + file + ": unknown setting '" + name + "'");
            } else {
                set(setting, properties.getProperty(name));
            }
        }
    }

    /** Command-line flags: {@code --key=value}, {@code --key value}, {@code --config FILE}, {@code --conformance}. */
    private static final class Flags {
        final Map<String, String> values = new LinkedHashMap<>();
        String configFile;
        boolean conformance;

        static Flags parse(String[] args, List<String> problems) {
            Flags flags = new Flags();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--")) {
                    problems.add("unexpected argument '" + arg + "' (options look like --port=3000)");
                    continue;
                }
                String name = arg.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (name.equals("conformance")) {
                    flags.conformance = true;
                    continue;
                }
                if (value == null) {
                    if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        value = args[++i];
                    } else if (name.equals(Setting.ALLOW_EIO3.key())) {
                        value = "true";
                    } else {
                        problems.add("--" + name + ": missing value");
                        continue;
                    }
                }
                if (name.equals("config")) {
                    flags.configFile = value;
                } else {
                    flags.values.put(name, value);
                }
            }
            return flags;
        }
    }
}
