package io.realtime.gateway.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's configuration table is the documentation users read: it must list every setting as the code has it. */
class ReadmeConfigurationTableTest {

    /** A row of the table: key, variable, default (no pipe in it), meaning (pipes escaped as \|) up to the last cell's end. */
    private static final Pattern ROW = Pattern.compile("^\\| `[^`]+` \\| `([A-Z0-9_]+)` \\| [^|]* \\| (.*) \\|$", Pattern.MULTILINE);

    @Test
    void everySettingIsDocumentedWithItsVariableAndDefault() throws Exception {
        String readme = readme();

        for (Setting setting : Setting.values()) {
            String expectedDefault = setting.defaultValue().isEmpty() ? "" : "`" + setting.defaultValue() + "`";
            assertThat(readme).as(setting.name())
                    .containsPattern("\\| `" + setting.key() + "` \\| `" + setting.env() + "` \\| "
                            + java.util.regex.Pattern.quote(expectedDefault) + "[^|]*\\| ");
        }
    }

    @Test
    void everySettingsMeaningIsItsDescription() throws Exception {
        Map<String, String> meanings = meaningsByVariable(readme());

        for (Setting setting : Setting.values()) {
            assertThat(meanings.get(setting.env())).as(setting.env()).isEqualTo(plain(setting.description()));
        }
    }

    private static String readme() throws Exception {
        return Files.readString(Path.of("..", "README.md"));
    }

    private static Map<String, String> meaningsByVariable(String readme) {
        Map<String, String> meanings = new HashMap<>();
        Matcher row = ROW.matcher(readme);
        while (row.find()) {
            meanings.put(row.group(1), plain(row.group(2)));
        }
        return meanings;
    }

    /** What a reader sees: a table's escaped pipe is a pipe, code marks and line breaks are not part of the words. */
    private static String plain(String text) {
        return text.replace("\\|", "|").replace("`", "").replaceAll("\\s+", " ").strip();
    }
}
