package io.realtime.gateway.admin;

import io.realtime.gateway.config.Setting;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * How the Socket.IO Admin UI runs on a node ({@code @socket.io/admin-ui}'s {@code instrument()} options).
 *
 * @param mode         {@link Mode#OFF} (the default: nothing installed), production or development
 * @param namespace    the admin namespace ({@code /admin})
 * @param username     login name; empty only when {@code authenticate} is false
 * @param passwordHash bcrypt hash of the password ({@code $2a$}, {@code $2b$} or {@code $2y$})
 * @param authenticate false only with an explicit {@code ADMIN_UI_AUTH=none}
 * @param readonly     every command refused
 * @param origins      origins of a UI hosted elsewhere, allowed cross-origin with credentials
 */
public record AdminUiSettings(Mode mode, String namespace, Optional<String> username, Optional<String> passwordHash,
                              boolean authenticate, boolean readonly, List<String> origins) {

    public enum Mode { OFF, PRODUCTION, DEVELOPMENT }

    public static AdminUiSettings off() {
        return new AdminUiSettings(Mode.OFF, "/admin", Optional.empty(), Optional.empty(), true, false, List.of());
    }

    public boolean enabled() {
        return mode != Mode.OFF;
    }

    /** Reads the {@code ADMIN_UI*} settings; every problem goes to {@code problems}. */
    public static AdminUiSettings parse(Function<Setting, String> values, List<String> problems) {
        Mode mode;
        try {
            mode = Mode.valueOf(values.apply(Setting.ADMIN_UI).trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            problems.add(Setting.ADMIN_UI.env() + ": expected off, production or development, got '" + values.apply(Setting.ADMIN_UI) + "'");
            return off();
        }
        String namespace = values.apply(Setting.ADMIN_UI_NAMESPACE).trim();
        if (!namespace.matches("/[A-Za-z0-9_\\-./]+")) {
            problems.add(Setting.ADMIN_UI_NAMESPACE.env() + ": expected a namespace such as /admin, got '" + namespace + "'");
        }
        Optional<String> username = optional(values.apply(Setting.ADMIN_UI_USERNAME));
        Optional<String> hash = optional(values.apply(Setting.ADMIN_UI_PASSWORD_HASH));
        String auth = values.apply(Setting.ADMIN_UI_AUTH).trim().toLowerCase();
        if (!auth.equals("basic") && !auth.equals("none")) {
            problems.add(Setting.ADMIN_UI_AUTH.env() + ": expected basic or none, got '" + values.apply(Setting.ADMIN_UI_AUTH) + "'");
        }
        boolean authenticate = !auth.equals("none");
        String readonlyText = values.apply(Setting.ADMIN_UI_READONLY).trim().toLowerCase();
        if (!readonlyText.equals("true") && !readonlyText.equals("false")) {
            problems.add(Setting.ADMIN_UI_READONLY.env() + ": expected true or false, got '" + values.apply(Setting.ADMIN_UI_READONLY) + "'");
        }
        List<String> origins = Arrays.stream(values.apply(Setting.ADMIN_UI_ORIGINS).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (origins.contains("*")) {
            // Credentials go with these origins: "any site may drive the admin namespace" is never what is meant.
            problems.add(Setting.ADMIN_UI_ORIGINS.env() + ": list the UI's origins; * is not allowed");
        }
        if (mode != Mode.OFF && authenticate) {
            if (username.isEmpty() || hash.isEmpty()) {
                problems.add(Setting.ADMIN_UI.env() + "=" + mode.name().toLowerCase() + " needs " + Setting.ADMIN_UI_USERNAME.env()
                        + " and " + Setting.ADMIN_UI_PASSWORD_HASH.env() + " (or " + Setting.ADMIN_UI_AUTH.env() + "=none for a local run)");
            } else if (!isBcryptHash(hash.get())) {
                problems.add(Setting.ADMIN_UI_PASSWORD_HASH.env() + ": not a bcrypt hash (expected $2a$/$2b$/$2y$, cost, 53 characters)");
            }
        }
        return new AdminUiSettings(mode, namespace, username, hash, authenticate, readonlyText.equals("true"), origins);
    }

    /** The check {@code bcryptjs.getRounds} makes in {@code instrument()}: a well-formed hash. */
    static boolean isBcryptHash(String hash) {
        if (!hash.matches("\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}")) {
            return false;
        }
        int cost = bcryptCost(hash);
        return cost >= 4 && cost <= 31;
    }

    /** The cost of a hash {@link #isBcryptHash} accepted: its two digits after {@code $2x$}. */
    static int bcryptCost(String hash) {
        return Integer.parseInt(hash.substring(4, 6));
    }

    private static Optional<String> optional(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }
}
