package io.changecast.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChangecastRouterTest {

  @Test
  void readsTheConfigFileArgument() {
    assertThat(ChangecastRouter.configFile(new String[0])).isEmpty();
    assertThat(ChangecastRouter.configFile(new String[] {"--config", "r.properties"}))
        .isEqualTo(Optional.of(Path.of("r.properties")));
    assertThat(ChangecastRouter.configFile(new String[] {"--config=r.properties"}))
        .isEqualTo(Optional.of(Path.of("r.properties")));
  }

  @Test
  void rejectsOtherArguments() {
    assertThatThrownBy(() -> ChangecastRouter.configFile(new String[] {"--verbose"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unexpected argument '--verbose'");
    assertThatThrownBy(() -> ChangecastRouter.configFile(new String[] {"--config"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unexpected argument '--config'");
  }
}
