package io.tiercache.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.cache.interceptor.SimpleKey;

class SpringKeysTest {

  enum Color {
    RED
  }

  @Test
  void singleValuesAreTheirSegments() {
    assertThat(SpringKeys.of("c", 42L)).isEqualTo("42");
    assertThat(SpringKeys.of("c", "ada@example.org")).isEqualTo("ada@example.org");
    assertThat(SpringKeys.of("c", "a:b")).isEqualTo("a%3Ab");
    assertThat(SpringKeys.of("c", Color.RED)).isEqualTo("RED");
    UUID id = UUID.randomUUID();
    assertThat(SpringKeys.of("c", id)).isEqualTo(id.toString());
    assertThat(SpringKeys.of("c", LocalDate.of(2026, 12, 7))).isEqualTo("2026-12-07");
  }

  @Test
  void simpleKeysJoinEscapedSegmentsAndStayApart() {
    assertThat(SpringKeys.of("c", new SimpleKey("eu", 1))).isEqualTo("eu:1");
    assertThat(SpringKeys.of("c", SimpleKey.EMPTY)).isEqualTo(SpringKeys.EMPTY);
    assertThat(SpringKeys.of("c", new SimpleKey((Object) null))).isEqualTo("%N");
    List<Object> keys = List.of(
        "eu:1",
        new SimpleKey("eu", 1),
        new SimpleKey("eu", "1", ""),
        SimpleKey.EMPTY,
        "",
        "%E",
        "%N",
        "__x",
        "%5F_x",
        new SimpleKey("", ""),
        ":");
    Set<String> seen = new HashSet<>();
    for (Object key : keys) {
      assertThat(seen.add(SpringKeys.of("c", key))).as("key %s", key).isTrue();
    }
    assertThat(SpringKeys.of("c", "__x")).doesNotStartWith("__");
  }

  @Test
  void otherTypesAreRefusedWithAClearMessage() {
    assertThatThrownBy(() -> SpringKeys.of("users", new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cache 'users'")
        .hasMessageContaining("key = \"#user.id\"");
    assertThatThrownBy(() -> SpringKeys.of("users", new SimpleKey(1, new int[] {1})))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
