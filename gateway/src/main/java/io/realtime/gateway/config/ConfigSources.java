package io.realtime.gateway.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The raw value of every setting, from its sources in order: the default of {@link Setting}, the environment, the
 * properties file ({@code --config FILE} or {@code CONFIG_FILE}), the {@code --key=value} flags; the last one wins.
 * Problems (unknown keys, unreadable file, bad flags) are collected, not thrown.
 */
final class ConfigSources {

    static final String CONFIG_FILE_ENV = "CONFIG_FILE";

    final Map<Setting, String> values = new EnumMap<>(Setting.class);
    boolean conformance;

    private ConfigSources() {
    }

    static ConfigSources read(Map<String, String> environment, String[] args, List<String> problems) {
        ConfigSources sources = new ConfigSources();
        for (Setting setting : Setting.values()) {
            sources.values.put(setting, setting.defaultValue());
            String fromEnv = environment.get(setting.env());
            if (fromEnv != null) {
                sources.values.put(setting, fromEnv.trim());
            }
        }
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
                sources.values.put(setting, value);
            }
        });
        sources.conformance = flags.conformance;
        if (flags.conformance) {
            sources.applyConformanceDefaults(flags.values.keySet());
        }
        return sources;
    }

    /** The Socket.IO project's protocol test server settings, unless a flag says otherwise. */
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
                values.put(setting, properties.getProperty(name).trim());
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
