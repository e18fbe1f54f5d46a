package io.realtime.gateway.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's configuration table is the documentation users read: it must list every setting as the code has it. */
class ReadmeConfigurationTableTest {

    @Test
    void everySettingIsDocumentedWithItsVariableAndDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));

        for (Setting setting : Setting.values()) {
            String expectedDefault = setting.defaultValue().isEmpty() ? "" : "`" + setting.defaultValue() + "`";
            assertThat(readme).as(setting.name())
                    .containsPattern("\\| `" + setting.key() + "` \\| `" + setting.env() + "` \\| "
                            + java.util.regex.Pattern.quote(expectedDefault) + "[^|]*\\| ");
        }
    }
}
