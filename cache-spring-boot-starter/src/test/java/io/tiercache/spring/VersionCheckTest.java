package io.tiercache.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class VersionCheckTest {

  @Test
  void theBuildsOwnVersionsPass() {
    VersionCheck.check();
    assertThat(VersionCheck.versionOf("io.lettuce.core.RedisClient")).isNotNull();
    assertThat(VersionCheck.versionOf("com.fasterxml.jackson.databind.ObjectMapper"))
        .isNotNull();
  }

  @Test
  void anOlderLibraryIsNamedWithThePropertyToSet() {
    List<String> problems = VersionCheck.problems(name -> name.startsWith("io.lettuce")
        ? "6.3.2.RELEASE"
        : name.contains("caffeine") ? "3.2.4" : null);
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0))
        .contains("Lettuce")
        .contains("6.3.2.RELEASE")
        .contains("6.8.0")
        .contains("<lettuce.version>");
  }

  @Test
  void versionsCompareByTheirNumbers() {
    assertThat(VersionCheck.compare("6.8.2.RELEASE", "6.8.0")).isPositive();
    assertThat(VersionCheck.compare("3.10.0", "3.2.0")).isPositive();
    assertThat(VersionCheck.compare("2.21.0", "2.21.0")).isZero();
    assertThat(VersionCheck.compare("1.15.9", "1.16.0")).isNegative();
  }
}
